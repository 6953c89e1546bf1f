// Every wssc-service case against the in-process oracle in each mode: 0 FAIL, 0 ERROR, and each
// NOT_APPLICABLE with its reason (the oracle is the reference: every check must pass on it).
#include <gtest/gtest.h>

#include "harness/engine/runner.h"
#include "harness/oracle/service.h"
#include "suites/suites.h"

namespace parley::suites {
namespace {

struct Mode {
  const char* name;
  oracle::ServiceConfig service;
};

std::vector<Mode> modes() {
  std::vector<Mode> out;
  for (auto sc : {names::ScVersion::kFeb2005, names::ScVersion::k1_3}) {
    for (auto soap : names::kAllSoapVersions) {
      oracle::ServiceConfig c;
      c.versions = wssc::Versions{soap, sc == names::ScVersion::kFeb2005 ? names::AddressingVersion::k2004_08
                                                                         : names::AddressingVersion::k1_0,
                                  sc};
      out.push_back({"versions", c});
    }
  }
  oracle::ServiceConfig ut;
  ut.bootstrap = oracle::Bootstrap::kUsernameToken;
  ut.users = {{"alice", "wonderland"}};
  out.push_back({"username-token", ut});
  oracle::ServiceConfig pre;
  pre.bootstrap = oracle::Bootstrap::kPresharedSct;
  pre.preshared_identifier = "urn:uuid:00000000-0000-4000-8000-0000000000aa";
  pre.preshared_key = Bytes(32, 7);
  out.push_back({"preshared-sct", pre});
  oracle::ServiceConfig server;
  server.entropy = oracle::EntropyMode::kServer;
  out.push_back({"server-entropy", server});
  for (auto sc : {names::ScVersion::kFeb2005, names::ScVersion::k1_3}) {
    oracle::ServiceConfig cookie;
    cookie.versions.sc = sc;
    if (sc == names::ScVersion::kFeb2005) cookie.versions.addressing = names::AddressingVersion::k2004_08;
    cookie.cookie.enabled = true;
    auto ring = oracle::cookie::KeyRing::create({{"current", Bytes(32, 1)}, {"previous", Bytes(32, 2)}});
    cookie.cookie.ring = std::make_shared<const oracle::cookie::KeyRing>(std::move(ring).value());
    cookie.allow_cancel = false;
    out.push_back({"cookie-mode", cookie});
  }
  return out;
}

TEST(WsscServiceSuite, OracleInEveryModePassesEveryApplicableCase) {
  engine::Registry registry;
  ASSERT_TRUE(register_wssc_service(registry).ok());
  ASSERT_GE(registry.all().size(), 18u);
  for (const auto& mode : modes()) {
    oracle::Service service(mode.service);
    oracle::TargetProfile profile;
    profile.name = mode.name;
    profile.client.versions = mode.service.versions;
    profile.client.bootstrap = mode.service.bootstrap;
    profile.client.sts_url = "http://127.0.0.1:1/sts";
    profile.client.service_url = "http://127.0.0.1:1/service";
    profile.client.username = "alice";
    profile.client.password = "wonderland";
    profile.client.preshared_identifier = mode.service.preshared_identifier;
    profile.client.preshared_key = mode.service.preshared_key;
    profile.request_body = "<e:Echo xmlns:e='urn:example'>hi</e:Echo>";
    profile.amend = true;
    profile.cancel = mode.service.allow_cancel && !mode.service.cookie.enabled;
    profile.cookie_mode = mode.service.cookie.enabled;
    engine::RunOptions options;
    options.jobs = 2;
    options.settings.send = [&service](const std::string&, const oracle::SoapRequest& r) -> Result<oracle::SoapResponse> {
      return service.handle(r);
    };
    auto run = engine::run_cases(registry, profile, options);
    for (const auto& r : run.results) {
      EXPECT_NE(r.verdict, engine::Verdict::kFail) << mode.name << " " << r.test_case->info.id << ": " << r.reason;
      EXPECT_NE(r.verdict, engine::Verdict::kError) << mode.name << " " << r.test_case->info.id << ": " << r.reason;
      EXPECT_NE(r.verdict, engine::Verdict::kPrereqFailed) << mode.name << " " << r.test_case->info.id << ": " << r.reason;
      if (r.verdict == engine::Verdict::kNotApplicable) {
        EXPECT_FALSE(r.reason.empty());
      }
    }
    EXPECT_EQ(run.summary.exit_code, 0) << mode.name;
    if (mode.service.cookie.enabled) {
      // Cookie mode: cancel is disclaimed, reference-by-identifier cannot apply; the rest passes.
      for (const auto& r : run.results) {
        const std::string& id = r.test_case->info.id;
        if (id == "wssc/00/cancel-probe") {
          EXPECT_EQ(r.verdict, engine::Verdict::kNotApplicable) << r.reason;
          EXPECT_NE(r.reason.find("cancel"), std::string::npos) << r.reason;
        } else if (id == "wssc/08/reference-by-identifier") {
          EXPECT_EQ(r.verdict, engine::Verdict::kNotApplicable) << r.reason;
          EXPECT_NE(r.reason.find("cookie_mode"), std::string::npos) << r.reason;
        } else if (id == "wssc/08/instance-selects-key" || id == "wssc/08/unknown-identifier" ||
                   id == "wssc/02/renew-keeps-identifier" || id == "wssc/00/renew-probe") {
          EXPECT_EQ(r.verdict, engine::Verdict::kPass) << id << ": " << r.reason;
        }
      }
      EXPECT_EQ(service.contexts().size(), 0u) << "cookie mode stores nothing";
    }
  }
}

TEST(WsscServiceSuite, AClaimedCapabilityTheTargetLacksIsFail) {
  engine::Registry registry;
  ASSERT_TRUE(register_wssc_service(registry).ok());
  oracle::ServiceConfig config;
  config.allow_amend = false;  // the target lacks amend ...
  oracle::Service service(config);
  oracle::TargetProfile profile;
  profile.client.sts_url = "http://127.0.0.1:1/sts";
  profile.client.service_url = "http://127.0.0.1:1/service";
  profile.request_body = "<e:Echo xmlns:e='urn:example'>hi</e:Echo>";
  profile.amend = true;  // ... but its profile claims it
  engine::RunOptions options;
  options.filters = {"wssc/00/*"};
  options.settings.send = [&service](const std::string&, const oracle::SoapRequest& r) -> Result<oracle::SoapResponse> {
    return service.handle(r);
  };
  auto run = engine::run_cases(registry, profile, options);
  ASSERT_EQ(run.results.size(), 3u);
  for (const auto& r : run.results) {
    if (r.test_case->info.id == "wssc/00/amend-probe") {
      EXPECT_EQ(r.verdict, engine::Verdict::kFail) << r.reason;
      EXPECT_NE(r.reason.find("the profile claims amend"), std::string::npos);
    } else {
      EXPECT_EQ(r.verdict, engine::Verdict::kPass) << r.test_case->info.id << ": " << r.reason;
    }
  }
  EXPECT_EQ(run.summary.exit_code, 1);
  // Disclaimed, the same target is fine.
  profile.amend = false;
  auto honest = engine::run_cases(registry, profile, options);
  EXPECT_EQ(honest.summary.exit_code, 0);
}

TEST(WsscServiceSuite, NothingPassesAgainstATargetThatAlwaysAnswers500) {
  engine::Registry registry;
  ASSERT_TRUE(register_wssc_service(registry).ok());
  oracle::TargetProfile profile;
  profile.client.sts_url = "http://127.0.0.1:1/sts";
  profile.client.service_url = "http://127.0.0.1:1/service";
  profile.request_body = "<e:Echo xmlns:e='urn:example'>hi</e:Echo>";
  engine::RunOptions options;
  options.settings.send = [](const std::string&, const oracle::SoapRequest&) -> Result<oracle::SoapResponse> {
    return oracle::SoapResponse{500, "text/html", "<html>Internal Server Error</html>"};
  };
  auto run = engine::run_cases(registry, profile, options);
  for (const auto& r : run.results) {
    EXPECT_NE(r.verdict, engine::Verdict::kPass) << r.test_case->info.id << ": " << r.reason;
    EXPECT_NE(r.verdict, engine::Verdict::kInfo) << r.test_case->info.id << ": " << r.reason;
  }
  EXPECT_EQ(run.summary.exit_code, 1);
}

}  // namespace
}  // namespace parley::suites
