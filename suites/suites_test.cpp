// Every wssc-service case against the in-process oracle in each mode: 0 FAIL, 0 ERROR, and each
// NOT_APPLICABLE with its reason (the oracle is the reference: every check must pass on it).
#include <gtest/gtest.h>

#include <map>

#include "harness/core/x509_test_support.h"
#include "harness/engine/runner.h"
#include "harness/oracle/service.h"
#include "suites/suites.h"

namespace parley::suites {
namespace {

struct Mode {
  const char* name;
  oracle::ServiceConfig service;
  oracle::ClientConfig client;  // the certificate credentials a client needs (when any)
};

const x509::testing::TestPki& pki() {
  static const x509::testing::TestPki p = x509::testing::TestPki::make();
  return p;
}

std::vector<Mode> modes() {
  std::vector<Mode> out;
  for (auto sc : {names::ScVersion::kFeb2005, names::ScVersion::k1_3}) {
    for (auto soap : names::kAllSoapVersions) {
      oracle::ServiceConfig c;
      c.versions = wssc::Versions{soap, sc == names::ScVersion::kFeb2005 ? names::AddressingVersion::k2004_08
                                                                         : names::AddressingVersion::k1_0,
                                  sc};
      out.push_back({"versions", c, {}});
    }
  }
  oracle::ServiceConfig ut;
  ut.bootstrap = oracle::Bootstrap::kUsernameToken;
  ut.users = {{"alice", "wonderland"}};
  out.push_back({"username-token", ut, {}});
  oracle::ServiceConfig pre;
  pre.bootstrap = oracle::Bootstrap::kPresharedSct;
  pre.preshared_identifier = "urn:uuid:00000000-0000-4000-8000-0000000000aa";
  pre.preshared_key = Bytes(32, 7);
  out.push_back({"preshared-sct", pre, {}});
  oracle::ServiceConfig server;
  server.entropy = oracle::EntropyMode::kServer;
  out.push_back({"server-entropy", server, {}});
  // The certificate bootstraps (harness/oracle/cert_bootstrap.h).
  for (auto [name, bootstrap] : {std::pair{"x509-mutual", oracle::Bootstrap::kX509Mutual},
                                 std::pair{"anonymous-for-certificate", oracle::Bootstrap::kAnonymousForCertificate},
                                 std::pair{"username-for-certificate", oracle::Bootstrap::kUsernameForCertificate}}) {
    oracle::ServiceConfig c;
    c.bootstrap = bootstrap;
    c.users = {{"alice", "wonderland"}};
    c.certificates.own = *x509::Credentials::from_pem(pki().server.certificate, pki().server.private_key);
    c.certificates.client_cas = *x509::TrustStore::from_pem(pki().ca.certificate);
    oracle::ClientConfig client;
    client.client_certificate = *x509::Credentials::from_pem(pki().client.certificate, pki().client.private_key);
    client.service_certificate = *x509::Certificate::from_pem(pki().server.certificate);
    out.push_back({name, c, client});
  }
  return out;
}

TEST(WsscServiceSuite, OracleInEveryModePassesEveryApplicableCase) {
  engine::Registry registry;
  ASSERT_TRUE(register_wssc_service(registry).ok());
  ASSERT_GE(registry.all().size(), 18u);
  std::map<std::string, std::size_t> passed;
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
    profile.client.client_certificate = mode.client.client_certificate;
    profile.client.service_certificate = mode.client.service_certificate;
    profile.request_body = "<e:Echo xmlns:e='urn:example'>hi</e:Echo>";
    profile.amend = true;
    engine::RunOptions options;
    options.jobs = 2;
    options.settings.send = [&service](const std::string&, const oracle::SoapRequest& r) -> Result<oracle::SoapResponse> {
      return service.handle(r);
    };
    auto run = engine::run_cases(registry, profile, options);
    for (const auto& r : run.results) passed[mode.name] += r.verdict == engine::Verdict::kPass ? 1 : 0;
    for (const auto& r : run.results) {
      EXPECT_NE(r.verdict, engine::Verdict::kFail) << mode.name << " " << r.test_case->info.id << ": " << r.reason;
      EXPECT_NE(r.verdict, engine::Verdict::kError) << mode.name << " " << r.test_case->info.id << ": " << r.reason;
      EXPECT_NE(r.verdict, engine::Verdict::kPrereqFailed) << mode.name << " " << r.test_case->info.id << ": " << r.reason;
      if (r.verdict == engine::Verdict::kNotApplicable) {
        EXPECT_FALSE(r.reason.empty());
      }
    }
    EXPECT_EQ(run.summary.exit_code, 0) << mode.name;
  }
  // The certificate bootstraps run every case a username-token service runs.
  EXPECT_GE(passed["username-token"], 15u);
  for (const char* name : {"x509-mutual", "anonymous-for-certificate", "username-for-certificate"}) {
    EXPECT_EQ(passed[name], passed["username-token"]) << name;
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
