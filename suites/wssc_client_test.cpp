// The client suite against the in-process reference client (harness/oracle/harness_client.h):
// in every version and mode it passes every applicable case; with each client fault, the cases
// written for it turn red; a client that never connects is ERROR, never PASS.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "harness/clientsuite/driver.h"
#include "harness/engine/runner.h"
#include "suites/suites.h"

namespace parley::suites {
namespace {

oracle::TargetProfile client_profile(wssc::Versions versions = {}) {
  oracle::TargetProfile p;
  p.name = "reference client";
  p.kind = "wssc-client";
  p.client.versions = versions;
  p.protection = "derived-keys";
  p.algorithm_suite = "Basic256";
  p.request_body = "<e:Echo xmlns:e='urn:example'>hi</e:Echo>";
  p.renew = true;
  p.cancel = true;
  p.amend = true;
  p.encryption = true;
  return p;
}

// The results point into the registry: both live together.
struct SuiteRun {
  std::unique_ptr<engine::Registry> registry = std::make_unique<engine::Registry>();
  engine::RunResult result;
  const engine::RunResult* operator->() const { return &result; }
};

SuiteRun run_suite(const oracle::TargetProfile& profile, std::shared_ptr<clientsuite::ClientDriver> driver,
                   std::vector<std::string> filters = {}) {
  SuiteRun out;
  EXPECT_TRUE(register_wssc_client(*out.registry, driver).ok());
  engine::RunOptions options;
  options.jobs = 2;
  options.filters = std::move(filters);
  out.result = engine::run_cases(*out.registry, profile, options);
  return out;
}

struct Mode {
  std::string name;
  oracle::TargetProfile profile;
};

std::vector<Mode> modes() {
  std::vector<Mode> out;
  for (auto sc : {names::ScVersion::kFeb2005, names::ScVersion::k1_3}) {
    for (auto soap : names::kAllSoapVersions) {
      wssc::Versions v{soap,
                       sc == names::ScVersion::kFeb2005 ? names::AddressingVersion::k2004_08 : names::AddressingVersion::k1_0,
                       sc};
      out.push_back({std::string(oracle::sc_name(sc)) + "/soap" + std::string(oracle::soap_name(soap)), client_profile(v)});
    }
  }
  Mode ut{"username-token", client_profile()};
  ut.profile.client.bootstrap = oracle::Bootstrap::kUsernameToken;
  ut.profile.client.username = "alice";
  ut.profile.client.password = "wonderland";
  out.push_back(ut);
  Mode sct_key{"sct-key", client_profile()};
  sct_key.profile.protection = "sct-key";
  out.push_back(sct_key);
  return out;
}

TEST(WsscClientSuite, HasAtLeastThirtyCasesWithRequirements) {
  engine::Registry registry;
  ASSERT_TRUE(register_wssc_client(registry, nullptr).ok());
  EXPECT_GE(registry.all().size(), 30u);
  for (const auto& c : registry.all()) {
    EXPECT_FALSE(c.info.requirements.empty()) << c.info.id;
    EXPECT_EQ(c.info.role, "CLI") << c.info.id;
    EXPECT_EQ(c.info.id.rfind("wssc-client/", 0), 0u) << c.info.id;
  }
}

TEST(WsscClientSuite, ReferenceClientPassesInEveryMode) {
  for (const auto& mode : modes()) {
    SCOPED_TRACE(mode.name);
    auto driver = std::make_shared<clientsuite::InProcessDriver>();
    auto run = run_suite(mode.profile, driver);
    std::size_t passed = 0;
    for (const auto& r : run->results) {
      const std::string& id = r.test_case->info.id;
      EXPECT_TRUE(r.verdict == engine::Verdict::kPass || r.verdict == engine::Verdict::kNotApplicable)
          << id << ": " << engine::to_string(r.verdict) << " " << r.reason;
      if (r.verdict == engine::Verdict::kNotApplicable) {
        EXPECT_FALSE(r.reason.empty()) << id;
      }
      passed += r.verdict == engine::Verdict::kPass ? 1 : 0;
    }
    EXPECT_EQ(run->summary.exit_code, 0);
    EXPECT_GE(passed, 40u);
  }
}

TEST(WsscClientSuite, SctKeyProtectionMakesDerivedKeyCasesNotApplicable) {
  auto profile = client_profile();
  profile.protection = "sct-key";
  auto run = run_suite(profile, std::make_shared<clientsuite::InProcessDriver>(),
                       {"wssc-client/07/derived-keys", "wssc-client/07/dkt-nonce"});
  ASSERT_EQ(run->results.size(), 2u);
  for (const auto& r : run->results) EXPECT_EQ(r.verdict, engine::Verdict::kNotApplicable) << r.reason;
}

// Each client fault and the cases that must catch it (their raw verdict FAIL; the runner caps
// cases citing only SHOULD / MAY / unconfirmed rows at WARN).
TEST(WsscClientSuite, EachClientFaultTurnsItsCasesRed) {
  using oracle::ClientFault;
  const std::map<ClientFault, std::vector<std::string>> catches = {
      {ClientFault::kConstantEntropy, {"wssc-client/03/entropy-fresh"}},
      {ClientFault::kWrongKeySize, {"wssc-client/03/rst-key-size"}},
      {ClientFault::kAcceptWrongContext, {"wssc-client/10/hostile-rstr-context-mismatch"}},
      {ClientFault::kAcceptExpiredLifetime, {"wssc-client/10/hostile-lifetime-expired"}},
      {ClientFault::kAcceptAnyKeySize, {"wssc-client/10/hostile-key-size-tiny", "wssc-client/10/hostile-key-size-huge"}},
      {ClientFault::kNoDerivedKeys, {"wssc-client/07/derived-keys"}},
      {ClientFault::kReuseDktNonce, {"wssc-client/07/fresh-dkt-nonces"}},
      {ClientFault::kSameKeySignEncrypt, {"wssc-client/07/separate-keys"}},
      {ClientFault::kUnsignedAddressing, {"wssc-client/10/signed-addressing"}},
      {ClientFault::kDropCookie, {"wssc-client/02/cookie-echoed", "wssc-client/02/extension-echoed"}},
      {ClientFault::kIgnoreRenewNeeded, {"wssc-client/05/renew-on-renew-needed"}},
      {ClientFault::kStaleInstanceAfterRenew, {"wssc-client/05/retry-new-instance"}},
      {ClientFault::kSkipRstrVerification, {"wssc-client/10/hostile-renew-tampered", "wssc-client/10/hostile-renew-forged"}},
      {ClientFault::kRenewDespitePolicy, {"wssc-client/05/must-not-send-renew"}},
      {ClientFault::kCancelDespitePolicy, {"wssc-client/06/must-not-send-cancel"}},
      {ClientFault::kAmendDespitePolicy, {"wssc-client/04/must-not-send-amend"}},
      {ClientFault::kAcceptUncoveredBody, {"wssc-client/10/hostile-response-body-not-covered"}},
      {ClientFault::kAcceptReplayedResponse, {"wssc-client/10/hostile-response-replayed"}},
  };
  ASSERT_EQ(catches.size(), oracle::all_client_faults().size()) << "every client fault needs its cases here";
  ASSERT_GE(catches.size(), 10u);
  const auto profile = client_profile();
  for (const auto& [fault, ids] : catches) {
    const auto& info = oracle::client_fault_info(fault);
    SCOPED_TRACE(std::string(info.name));
    oracle::ClientFaultSet faults;
    faults.add(fault);
    auto run = run_suite(profile, std::make_shared<clientsuite::InProcessDriver>(faults), ids);
    ASSERT_EQ(run->results.size(), ids.size());
    for (const auto& r : run->results) {
      EXPECT_EQ(r.raw_verdict, engine::Verdict::kFail)
          << r.test_case->info.id << ": " << engine::to_string(r.raw_verdict) << " " << r.reason;
      EXPECT_TRUE(r.verdict == engine::Verdict::kFail || r.verdict == engine::Verdict::kWarn) << r.test_case->info.id;
      bool cites = false;
      for (const auto& req : r.test_case->info.requirements) {
        for (auto violated : info.requirements) cites = cites || req == violated;
      }
      EXPECT_TRUE(cites) << r.test_case->info.id << " cites none of " << info.name << "'s requirements";
    }
  }
}

TEST(WsscClientSuite, AClientThatNeverConnectsIsErrorNeverPass) {
  auto driver = std::make_shared<clientsuite::ExecDriver>("exit 0", std::chrono::seconds(5));
  auto run = run_suite(client_profile(), driver,
                       {"wssc-client/03/rst-action", "wssc-client/10/hostile-response-wrong-key",
                        "wssc-client/06/must-not-send-cancel"});
  ASSERT_EQ(run->results.size(), 3u);
  for (const auto& r : run->results) {
    EXPECT_EQ(r.verdict, engine::Verdict::kError) << r.test_case->info.id << ": " << r.reason;
    EXPECT_NE(r.reason.find("never connected"), std::string::npos) << r.reason;
  }
  EXPECT_EQ(run->summary.exit_code, 1);
}

TEST(WsscClientSuite, CasesWithoutADriverAreError) {
  auto run = run_suite(client_profile(), nullptr, {"wssc-client/03/rst-action"});
  ASSERT_EQ(run->results.size(), 1u);
  EXPECT_EQ(run->results[0].verdict, engine::Verdict::kError);
}

}  // namespace
}  // namespace parley::suites
