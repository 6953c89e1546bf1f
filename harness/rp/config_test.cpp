// [rp] configuration: defaults, every refusal, the profile (unchanged by faults), and the fault
// catalog's requirement rows (docs/requirements/wif-session.json).
#include "harness/rp/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/core/x509_test_support.h"
#include "harness/engine/requirements.h"
#include "harness/oracle/config.h"
#include "harness/rp/redis_test_support.h"
#include "harness/rp/relying_party.h"

namespace parley::rp {
namespace {

using namespace std::chrono_literals;

TEST(RpConfig, DefaultsAreWifs) {
  auto c = parse_rp_config("[rp]\n");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->protected_path, "/app/");
  EXPECT_EQ(c->signin_path, "/app/signin");
  EXPECT_EQ(c->whoami_path, "/app/whoami");
  EXPECT_EQ(c->cookie.name, "FedAuth");
  EXPECT_EQ(c->cookie.chunking.chunk_size, 2000u);
  EXPECT_EQ(c->cookie.attributes.path, "/app/");
  EXPECT_TRUE(c->cookie.attributes.secure);
  EXPECT_TRUE(c->cookie.attributes.http_only);
  EXPECT_EQ(c->cookie.mode, SessionMode::kValue);
  EXPECT_EQ(c->session_lifetime, 10h);
  EXPECT_EQ(c->protection.names(), (std::vector<std::string>{"Deflate", "MachineKey"}));
  EXPECT_TRUE(c->random_machine_key);
  EXPECT_EQ(c->cache.kind, "memory");
  EXPECT_EQ(c->cache.max_entries, 20000u);
  EXPECT_EQ(c->cache.size_after_purge, 16000u);
  ASSERT_TRUE(c->sts.has_value());  // the test STS on the same server
  EXPECT_EQ(c->sts->path_prefix, "/sts/");
}

TEST(RpConfig, ProtectedPathGetsItsTrailingSlash) {
  auto c = parse_rp_config("[rp]\nprotected_path = \"/portal\"\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->protected_path, "/portal/");
  EXPECT_EQ(c->cookie.endpoint_id, "/portal/");
  EXPECT_EQ(c->signout_path, "/portal/signout");
}

TEST(RpConfig, RefusalsNameTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[rp]\nmode = \"cookie\"\n", "rp.mode"},
      {"[rp]\nunauthenticated = \"403\"\n", "rp.unauthenticated"},
      {"[rp]\nsignin_method = \"oidc\"\n", "rp.signin_method"},
      {"[rp]\ntypo = 1\n", "unknown key 'typo'"},
      {"[rp]\n[rp.cookie]\ntransforms = [\"deflate\"]\n", "integrity"},
      {"[rp]\n[rp.cookie]\ntransforms = [\"dpapi\"]\n", "unknown transform 'dpapi'"},
      {"[rp]\n[rp.cookie]\nchunk_size = 10\n", "rp.cookie.chunk_size"},
      {"[rp]\n[rp.cookie]\nmachine_key_decryption_key = \"00\"\n", "together"},
      {"[rp]\n[rp.cookie]\ntransforms = [\"deflate\", \"rsa-signature\"]\n", "needs rsa_key"},
      {"[rp]\n[rp.cache]\nkind = \"redis\"\n", "needs address"},
      {"[rp]\n[rp.cache]\nkind = \"redis\"\naddress = \"localhost\"\n", "not host:port"},
      {"[rp]\n[rp.cache]\nkind = \"disk\"\n", "rp.cache.kind"},
      {"[rp]\nsts_url = \"https://idp.example/\"\n", "needs sts_certificate"},
      {"[rp]\nsts_url = \"https://idp.example/\"\nsts_certificate = \"x.pem\"\n[sts]\n", "points to another STS"},
      {"[rp]\nprotected_path = \"app\"\n", "rp.protected_path"},
      {"[rp]\n[wssc]\n", "unknown table or key 'wssc'"},
      {"[server]\ntls = true\n[rp]\n", "tls = true needs certificate"},
  };
  for (const auto& [text, expected] : cases) {
    auto c = parse_rp_config(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_NE(c.error().message().find(expected), std::string::npos) << text << " -> " << c.error().message();
  }
  EXPECT_TRUE(is_rp_config("[rp]\n"));
  EXPECT_FALSE(is_rp_config("[server]\n[wssc]\n"));
  EXPECT_FALSE(is_rp_config("not toml ]["));
}

TEST(RpConfig, ProfileNamesEverythingTheSuiteNeedsAndFaultsDoNotChangeIt) {
  auto c = parse_rp_config("[rp]\nmode = \"reference\"\nca_file = \"/pki/ca.pem\"\n");
  ASSERT_TRUE(c.ok());
  const std::string profile = rp_target_profile(*c, "https://127.0.0.1:8443");
  for (const char* line : {"kind = \"relying-party\"", "rp_url = \"https://127.0.0.1:8443/\"",
                           "protected_url = \"https://127.0.0.1:8443/app/\"",
                           "whoami_url = \"https://127.0.0.1:8443/app/whoami\"", "signin_method = \"wsfed\"",
                           "cookie_name = \"FedAuth\"", "sts_url = \"https://127.0.0.1:8443/sts/wsfed\"",
                           "ca_file = \"/pki/ca.pem\"", "reference_mode = true"}) {
    EXPECT_NE(profile.find(std::string(line) + "\n"), std::string::npos) << line << "\n" << profile;
  }
  for (const auto& f : all_faults()) {
    RpConfig faulty = *c;
    faulty.faults.add(f.fault);
    EXPECT_EQ(rp_target_profile(faulty, "https://127.0.0.1:8443"), profile) << f.name;
  }
}

TEST(RpConfig, PrintedProfileParsesAsARelyingPartyTargetProfile) {
  auto c = parse_rp_config("[rp]\nmode = \"reference\"\n[rp.cookie]\nmachine_key_decryption_key = \"" +
                           std::string(64, '1') + "\"\nmachine_key_validation_key = \"" + std::string(128, '2') +
                           "\"\n[rp.cache]\nmax_entries = 50\n");
  ASSERT_TRUE(c.ok()) << c.error().message();
  auto p = oracle::parse_target_profile(rp_target_profile(*c, "https://127.0.0.1:8443"));
  ASSERT_TRUE(p.ok()) << p.error().message();
  ASSERT_TRUE(p->relying_party);
  const auto& rp = *p->relying_party;
  EXPECT_EQ(p->kind, "relying-party");
  EXPECT_EQ(p->client.service_url, "https://127.0.0.1:8443/app/");
  EXPECT_EQ(rp.whoami_url, "https://127.0.0.1:8443/app/whoami");
  EXPECT_TRUE(rp.reference_mode);
  EXPECT_EQ(rp.cache_max_entries, 50u);
  EXPECT_EQ(rp.max_chunks, 100u);
  EXPECT_EQ(rp.transforms, (std::vector<std::string>{"deflate", "machinekey"}));
  EXPECT_EQ(hex_encode(rp.machine_key_decryption_key), std::string(64, '1'));
  ASSERT_EQ(rp.claims.size(), 3u);
  EXPECT_EQ(rp.claims[0].second, "alice");
  EXPECT_TRUE(rp.is_session_cookie("FedAuth"));
  EXPECT_TRUE(rp.is_session_cookie("FedAuth12"));
  EXPECT_FALSE(rp.is_session_cookie("FedAuth01"));
  EXPECT_FALSE(rp.is_session_cookie("FedAuthX"));
  // Unknown keys stay errors in relying-party profiles too.
  auto bad = oracle::parse_target_profile("[target]\nkind = \"relying-party\"\n[relying_party]\nprotected_url = "
                                          "\"https://h/app/\"\nsts_url = \"https://h/sts\"\nprotectd = 1\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("unknown key 'protectd'"), std::string::npos) << bad.error().message();
  auto no_sts = oracle::parse_target_profile("[target]\nkind = \"relying-party\"\n[relying_party]\n"
                                             "protected_url = \"https://h/app/\"\n");
  ASSERT_FALSE(no_sts.ok());
  EXPECT_NE(no_sts.error().message().find("sts_url"), std::string::npos);
}

TEST(RpFaults, AtLeastFifteenEachCitingRowsOfTheRequirementCatalog) {
  std::ifstream in(std::string(PARLEY_SOURCE_DIR) + "/docs/requirements/wif-session.json");
  ASSERT_TRUE(in) << "docs/requirements/wif-session.json";
  std::stringstream ss;
  ss << in.rdbuf();
  auto catalog = engine::RequirementCatalog::parse(ss.str());
  ASSERT_TRUE(catalog.ok()) << catalog.error().message();
  EXPECT_GE(all_faults().size(), 15u);
  std::set<std::string_view> names;
  for (const auto& f : all_faults()) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_EQ(fault_from_name(f.name), f.fault);
    EXPECT_EQ(&fault_info(f.fault), &f);
    ASSERT_FALSE(f.requirements.empty()) << f.name;
    for (auto id : f.requirements) EXPECT_NE(catalog->find(id), nullptr) << f.name << " cites " << id;
  }
  EXPECT_FALSE(fault_from_name("no-such-fault"));
}

// Two RPs with one key ring and one Redis: a farm.
TEST(RpFarm, RedisSharesSessionsAndSignOutAcrossNodes) {
  testing::RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  // One STS signing key for both nodes (each runs its own test STS), so a token is good on either.
  const auto sts_key = x509::testing::make_certificate("farm STS", nullptr, -60, 3600, false, 7);
  const auto dir = std::filesystem::temp_directory_path() / ("rp-farm-" + std::to_string(redis.port()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "sts.pem") << sts_key.certificate;
  std::ofstream(dir / "sts.key") << sts_key.private_key;
  const std::string text =
      "[rp]\nmode = \"reference\"\n[rp.cookie]\n"
      "machine_key_decryption_key = \"1111111111111111111111111111111111111111111111111111111111111111\"\n"
      "machine_key_validation_key = \"2222222222222222222222222222222222222222222222222222222222222222\"\n"
      "[rp.cache]\nkind = \"redis\"\naddress = \"127.0.0.1:" +
      std::to_string(redis.port()) + "\"\n[sts]\nsigning_certificate = \"" + (dir / "sts.pem").string() +
      "\"\nsigning_key = \"" + (dir / "sts.key").string() + "\"\n";
  auto make = [&] {
    auto c = parse_rp_config(text);
    EXPECT_TRUE(c.ok()) << c.error().message();
    auto rp = RelyingParty::create(std::move(*c));
    EXPECT_TRUE(rp.ok());
    (*rp)->set_base_url("https://127.0.0.1:1");
    return std::move(*rp);
  };
  auto a = make();
  auto b = make();
  auto call = [](RelyingParty& node, std::string method, std::string target, std::string cookie,
                 std::string body = "") {
    transport::HttpRequest req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.body = std::move(body);
    if (!cookie.empty()) req.headers.add("Cookie", cookie);
    return node.handle(req, {});
  };
  auto form = [](const std::string& wresult) {
    return fed::write_form({{"wa", std::string(names::fed::kWaSignIn)}, {"wresult", wresult}});
  };
  auto first_cookie = [](const transport::HttpResponse& r) {
    const std::string set(r.headers.get_all("Set-Cookie").at(0));
    return set.substr(0, set.find(';'));
  };
  auto wresult = a->sts()->issue_wresult("urn:parley:rp");
  ASSERT_TRUE(wresult.ok());
  auto in = call(*a, "POST", "/app/signin", "", form(*wresult));
  ASSERT_EQ(in.status, 302) << in.body;
  auto set = in.headers.get_all("Set-Cookie");
  ASSERT_EQ(set.size(), 1u);
  const std::string cookie(set[0].substr(0, set[0].find(';')));
  EXPECT_EQ(call(*b, "GET", "/app/", cookie).status, 200);  // issued by A, honoured by B
  // The same token posted to B: a replay across the farm.
  auto replay = call(*b, "POST", "/app/signin", "", form(*wresult));
  EXPECT_EQ(replay.status, 401) << replay.body;
  EXPECT_NE(replay.body.find("replay"), std::string::npos) << replay.body;
  ASSERT_EQ(call(*a, "GET", "/app/signout", cookie).status, 302);
  auto after = call(*b, "GET", "/app/", cookie);  // sign-out on A is seen by B
  EXPECT_EQ(after.status, 302);
  EXPECT_NE(after.body.find("no cached session"), std::string::npos) << after.body;

  // Redis gone: a re-authentication, never a 5xx.
  auto in2 = call(*a, "POST", "/app/signin", "", form(*a->sts()->issue_wresult("urn:parley:rp")));
  ASSERT_EQ(in2.status, 302);
  const std::string cookie2 = first_cookie(in2);
  redis.stop();
  auto down = call(*b, "GET", "/app/whoami", cookie2);
  EXPECT_EQ(down.status, 302) << down.body;
  EXPECT_NE(down.body.find("redis"), std::string::npos) << down.body;
  auto signin_down = call(*a, "POST", "/app/signin", "", form(*a->sts()->issue_wresult("urn:parley:rp")));
  EXPECT_EQ(signin_down.status, 401) << signin_down.body;
  EXPECT_EQ(call(*a, "GET", "/app/signout", cookie2).status, 302);
}

}  // namespace
}  // namespace parley::rp
