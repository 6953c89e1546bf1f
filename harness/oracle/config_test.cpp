#include "harness/oracle/config.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace parley::oracle {
namespace {

TEST(ServeConfig, EmptyConfigGivesWs2007HttpBindingLikeDefaults) {
  auto c = parse_serve_config("");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 0);
  EXPECT_EQ(c->service.versions, (wssc::Versions{names::SoapVersion::k1_2, names::AddressingVersion::k1_0,
                                                  names::ScVersion::k1_3}));
  EXPECT_EQ(c->service.bootstrap, Bootstrap::kNone);
  EXPECT_EQ(c->service.entropy, EntropyMode::kCombined);
  EXPECT_EQ(c->service.contexts.key_lifetime, std::chrono::hours(15));  // WCF SessionKeyRenewalInterval
  EXPECT_EQ(c->service.contexts.rollover, std::chrono::minutes(5));
  EXPECT_EQ(c->service.contexts.max_contexts, 128u);
  EXPECT_EQ(c->service.dkt_limits.max_offset, 64u);
}

TEST(ServeConfig, EverySection) {
  auto c = parse_serve_config(R"(
[server]
host = "::1"
port = 8443
sts_path = "/trust"
[wssc]
soap = "1.1"
addressing = "2004/08"
sc_version = "feb2005"
bootstrap = "username-token"
entropy = "server"
signature_key_length = 16
[limits]
key_lifetime_seconds = 5
rollover_seconds = 2
[users]
alice = "wonderland"
)");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 8443);
  EXPECT_EQ(c->sts_path, "/trust");
  EXPECT_EQ(c->service.versions.soap, names::SoapVersion::k1_1);
  EXPECT_EQ(c->service.versions.addressing, names::AddressingVersion::k2004_08);
  EXPECT_EQ(c->service.versions.sc, names::ScVersion::kFeb2005);
  EXPECT_EQ(c->service.entropy, EntropyMode::kServer);
  EXPECT_EQ(c->service.signature_key_length, 16u);
  EXPECT_EQ(c->service.contexts.key_lifetime, std::chrono::seconds(5));
  EXPECT_EQ(c->service.users.at("alice"), "wonderland");
}

TEST(ServeConfig, ErrorsNameTheKey) {
  struct Case {
    const char* toml;
    const char* message;
  } cases[] = {
      {"[wssc]\nsoap = \"1.3\"", "wssc.soap: soap must be \"1.1\" or \"1.2\", got \"1.3\""},
      {"[wssc]\nsopa = \"1.2\"", "wssc: unknown key 'sopa'"},
      {"[srever]\n", "oracle config: unknown table or key 'srever'"},
      {"[server]\nport = 70000", "server.port: must be at most 65535"},
      {"[server]\nport = \"80\"", "server.port: must be a non-negative integer"},
      {"[wssc]\nbootstrap = \"kerberos\"", "is not supported"},
      {"[wssc]\nbootstrap = \"x509-mutual\"", "needs [message_security] certificate and private_key"},
      {"[wssc]\nbootstrap = \"username-token\"", "needs at least one entry in [users]"},
      {"[wssc]\nbootstrap = \"preshared-sct\"", "needs [preshared] identifier"},
      {"[server]\ntls = true", "tls = true needs certificate and private_key"},
      {"[wssc]\nsignature_key_length = 20", "derived key lengths must be 16, 24 or 32 bytes"},
      {"this is = not toml ]", "(line 1"},
  };
  for (const auto& c : cases) {
    auto r = parse_serve_config(c.toml);
    ASSERT_FALSE(r.ok()) << c.toml;
    EXPECT_NE(r.error().message().find(c.message), std::string::npos)
        << "got: " << r.error().message() << "\nwanted: " << c.message;
  }
}

TEST(TargetProfile, PrintedProfileParsesBackToTheSameClient) {
  auto serve = parse_serve_config(R"(
[wssc]
bootstrap = "preshared-sct"
sc_version = "feb2005"
[preshared]
identifier = "urn:uuid:00000000-0000-4000-8000-000000000001"
key = "000102030405060708090a0b0c0d0e0f"
)");
  ASSERT_TRUE(serve.ok()) << serve.error().message();
  std::string text = target_profile(*serve, "http://127.0.0.1:8080");
  auto profile = parse_target_profile(text);
  ASSERT_TRUE(profile.ok()) << profile.error().message() << "\n" << text;
  EXPECT_EQ(profile->kind, "wssc-service");
  EXPECT_EQ(profile->client.sts_url, "http://127.0.0.1:8080/sts");
  EXPECT_EQ(profile->client.service_url, "http://127.0.0.1:8080/service");
  EXPECT_EQ(profile->client.versions.sc, names::ScVersion::kFeb2005);
  EXPECT_EQ(profile->client.bootstrap, Bootstrap::kPresharedSct);
  EXPECT_EQ(profile->client.preshared_identifier, "urn:uuid:00000000-0000-4000-8000-000000000001");
  EXPECT_EQ(hex_encode(profile->client.preshared_key), "000102030405060708090a0b0c0d0e0f");
  EXPECT_TRUE(profile->renew);
  EXPECT_TRUE(profile->amend);
  EXPECT_FALSE(profile->cookie_mode);
}

TEST(TargetProfile, CredentialsWithQuotesAndBackslashesSurviveThePrintedProfile) {
  auto serve = parse_serve_config("[wssc]\nbootstrap = \"username-token\"\n[users]\nalice = 'pa\"ss\\word'\n");
  ASSERT_TRUE(serve.ok()) << serve.error().message();
  EXPECT_EQ(serve->service.users.at("alice"), "pa\"ss\\word");
  auto profile = parse_target_profile(target_profile(*serve, "http://127.0.0.1:1"));
  ASSERT_TRUE(profile.ok()) << profile.error().message();
  EXPECT_EQ(profile->client.username, "alice");
  EXPECT_EQ(profile->client.password, "pa\"ss\\word");
}

TEST(ServeConfig, AlgorithmSuiteSetsDerivedKeyLengthsAndMethods) {
  auto basic128 = parse_serve_config("[wssc]\nalgorithm_suite = \"Basic128\"\n");
  ASSERT_TRUE(basic128.ok()) << basic128.error().message();
  EXPECT_EQ(basic128->service.signature_key_length, 16u);
  EXPECT_EQ(basic128->service.encryption_key_length, 16u);
  EXPECT_EQ(basic128->service.default_key_size, 128u);
  auto sha256 = parse_serve_config("[wssc]\nalgorithm_suite = \"Basic256Sha256\"\n");
  ASSERT_TRUE(sha256.ok()) << sha256.error().message();
  EXPECT_EQ(sha256->service.signature_key_length, 24u);
  EXPECT_EQ(sha256->service.encryption_key_length, 32u);
  EXPECT_EQ(sha256->service.signature_method, xmlsec::SignatureMethod::kHmacSha256);
  EXPECT_NE(parse_serve_config("[wssc]\nalgorithm_suite = \"TripleDes\"\n").error().message().find("TripleDES"),
            std::string::npos);
  EXPECT_NE(parse_serve_config("[wssc]\nalgorithm_suite = \"Basic999\"\n").error().message().find("unknown"),
            std::string::npos);
}

TEST(TargetProfile, Errors) {
  EXPECT_NE(parse_target_profile("[wssc]\nsoap = \"1.2\"").error().message().find("service_url is required"),
            std::string::npos);
  EXPECT_NE(parse_target_profile("[target]\nkind = \"printer\"\n[wssc]\nservice_url=\"http://x\"")
                .error()
                .message()
                .find("kind must be"),
            std::string::npos);
  EXPECT_NE(parse_target_profile("[wssc]\nservice_url=\"http://x\"\nbootstrap=\"username-token\"")
                .error()
                .message()
                .find("needs username"),
            std::string::npos);
}

TEST(ServeConfig, CookieModeAndItsKeyRing) {
  const std::string k1(64, 'a'), k2(64, 'b');
  auto c = parse_serve_config("[cookie]\nenabled = true\nkeys = [\"k2 " + k2 + "\", \"k1 " + k1 +
                              "\"]\nlifetime_seconds = 60\n");
  ASSERT_TRUE(c.ok()) << c.error().message();
  ASSERT_TRUE(c->service.cookie.enabled);
  ASSERT_TRUE(c->service.cookie.ring);
  EXPECT_EQ(c->service.cookie.ring->current_id(), "k2");
  EXPECT_EQ(c->service.cookie.token_lifetime, std::chrono::seconds(60));
  EXPECT_FALSE(c->service.allow_cancel);  // WCF refuses cancel in cookie mode
  const std::string profile = target_profile(*c, "http://127.0.0.1:1");
  EXPECT_NE(profile.find("cookie_mode = true\n"), std::string::npos) << profile;
  EXPECT_NE(profile.find("cancel = false\n"), std::string::npos) << profile;
  auto parsed = parse_target_profile(profile);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_TRUE(parsed->cookie_mode);
  EXPECT_FALSE(parsed->cancel);

  // A key ring file, relative to the config's directory.
  const std::string dir = ::testing::TempDir();
  {
    FILE* f = std::fopen((dir + "/ring.keys").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(("# current first\nnew " + k2 + "\nold " + k1 + "\n").c_str(), f);
    std::fclose(f);
  }
  c = parse_serve_config("[cookie]\nenabled = true\nkey_ring_file = \"ring.keys\"\n", dir);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->service.cookie.ring->ids(), (std::vector<std::string>{"new", "old"}));

  auto off = parse_serve_config("");
  ASSERT_TRUE(off.ok());
  EXPECT_NE(target_profile(*off, "http://x").find("cookie_mode = false\n"), std::string::npos);

  struct Case {
    std::string toml, message;
  };
  const Case cases[] = {
      {"[cookie]\nenabled = true\n", "cookie: cookie mode needs a key ring"},
      {"[cookie]\nkeys = [\"k1 " + k1 + "\"]\n", "cookie: a key ring is given but enabled is not true"},
      {"[cookie]\nenabled = true\nkeys = [\"k1 abcd\"]\n", "key 'k1' is 2 bytes; AES-256 needs 32"},
      {"[cookie]\nenabled = true\nkeys = \"k1\"\n", "cookie.keys: must be an array of strings"},
      {"[cookie]\nenabled = true\nkey_ring_file = \"nope.keys\"\n", "nope.keys"},
      {"[cookie]\nenabled = true\nkeys = [\"k1 " + k1 + "\"]\nkey_ring_file = \"x\"\n", "not both"},
      {"[cookie]\nenabled = true\nkeys = [\"k1 " + k1 + "\"]\nsecret = 1\n", "cookie: unknown key 'secret'"},
      {"[wssc]\ncancel = true\n[cookie]\nenabled = true\nkeys = [\"k1 " + k1 + "\"]\n",
       "cookie-mode tokens cannot be cancelled"},
      {"[wssc]\nbootstrap = \"preshared-sct\"\n[preshared]\nidentifier = \"urn:x\"\nkey = \"" + k1 +
           "\"\n[cookie]\nenabled = true\nkeys = [\"k1 " + k1 + "\"]\n",
       "preshared-sct"},
  };
  for (const Case& tc : cases) {
    auto r = parse_serve_config(tc.toml);
    ASSERT_FALSE(r.ok()) << tc.toml;
    EXPECT_NE(r.error().message().find(tc.message), std::string::npos) << r.error().message();
    EXPECT_EQ(r.error().message().find(k1), std::string::npos) << "key material in the error";
  }
}

}  // namespace
}  // namespace parley::oracle
