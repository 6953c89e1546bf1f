// Every wssc-service case against the in-process oracle in each mode: 0 FAIL, 0 ERROR, and each
// NOT_APPLICABLE with its reason (the oracle is the reference: every check must pass on it).
#include <gtest/gtest.h>

#include <map>

#include "harness/engine/runner.h"
#include "harness/oracle/faults.h"
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

// The derived-key cases (wssc/07) against the oracle, clean and with each derived-key fault.
std::map<std::string, engine::CaseResult> run_derived_key_cases(const engine::Registry& registry,
                                                                std::optional<oracle::Fault> fault) {
  oracle::ServiceConfig config;
  if (fault) config.faults.add(*fault);
  oracle::Service service(config);
  oracle::TargetProfile profile;
  profile.client.sts_url = "http://127.0.0.1:1/sts";
  profile.client.service_url = "http://127.0.0.1:1/service";
  profile.request_body = "<e:Echo xmlns:e='urn:example'>hi</e:Echo>";
  engine::RunOptions options;
  options.jobs = 2;
  options.filters = {"wssc/07/*"};
  options.settings.send = [&service](const std::string&, const oracle::SoapRequest& r) -> Result<oracle::SoapResponse> {
    return service.handle(r);
  };
  auto run = engine::run_cases(registry, profile, options);
  std::map<std::string, engine::CaseResult> out;
  for (auto& r : run.results) out.emplace(r.test_case->info.id, std::move(r));
  return out;
}

TEST(WsscServiceSuite, DerivedKeyCasesCatchEveryDerivedKeyFault) {
  engine::Registry registry;
  ASSERT_TRUE(register_wssc_service(registry).ok());
  const auto clean = run_derived_key_cases(registry, std::nullopt);
  ASSERT_GE(clean.size(), 29u);
  for (const auto& [id, r] : clean) {
    EXPECT_TRUE(r.verdict == engine::Verdict::kPass || r.verdict == engine::Verdict::kInfo ||
                (r.verdict == engine::Verdict::kNotApplicable && !r.reason.empty()))
        << id << ": " << engine::to_string(r.verdict) << ", " << r.reason;
  }
  // The oracle supports every MAY form these cases try, so nothing is merely INFO on it.
  for (const char* id : {"wssc/07/implied-key", "wssc/07/dkt-from-dkt", "wssc/07/empty-label", "wssc/07/nonce-sizes",
                         "wssc/07/default-dkt"}) {
    ASSERT_TRUE(clean.count(id)) << id;
    EXPECT_EQ(clean.at(id).verdict, engine::Verdict::kPass) << id << ": " << clean.at(id).reason;
  }

  // Which cases catch which fault. Cases citing only SHOULD / MAY rows are capped at WARN by the
  // runner (their raw verdict is FAIL); those citing a confirmed MUST stay FAIL.
  struct Expectation {
    oracle::Fault fault;
    std::vector<std::string> cases;
    engine::Verdict verdict;
  };
  const std::vector<Expectation> expectations = {
      {oracle::Fault::kAcceptDktWithoutNonce, {"wssc/07/no-nonce", "wssc/07/empty-nonce"}, engine::Verdict::kWarn},
      {oracle::Fault::kIgnoreDktGeneration, {"wssc/07/generation", "wssc/07/generation-not-offset-zero"},
       engine::Verdict::kFail},
      {oracle::Fault::kIgnoreDktLabel, {"wssc/07/custom-label"}, engine::Verdict::kFail},
      {oracle::Fault::kUnboundedDkt,
       {"wssc/07/offset-beyond-bound", "wssc/07/generation-beyond-bound", "wssc/07/length-outside-suite",
        "wssc/07/label-beyond-bound", "wssc/07/nonce-beyond-bound"},
       engine::Verdict::kWarn},
      {oracle::Fault::kAcceptUnknownDktAlgorithm, {"wssc/07/unknown-algorithm"}, engine::Verdict::kWarn},
  };
  for (const auto& e : expectations) {
    const auto& info = oracle::fault_info(e.fault);
    SCOPED_TRACE(std::string(info.name));
    const auto faulty = run_derived_key_cases(registry, e.fault);
    for (const auto& id : e.cases) {
      ASSERT_TRUE(faulty.count(id)) << id;
      const auto& r = faulty.at(id);
      EXPECT_EQ(r.raw_verdict, engine::Verdict::kFail) << id << ": " << r.reason;
      EXPECT_EQ(r.verdict, e.verdict) << id << ": " << r.reason;
      // The case cites a requirement the fault violates.
      bool cites = false;
      for (const auto& req : r.test_case->info.requirements) {
        for (auto violated : info.requirements) cites = cites || req == violated;
      }
      EXPECT_TRUE(cites) << id;
    }
    // Cases citing none of the fault's requirements keep their clean verdict.
    for (const auto& [id, r] : faulty) {
      bool cites = false;
      for (const auto& req : r.test_case->info.requirements) {
        for (auto violated : info.requirements) cites = cites || req == violated;
      }
      if (!cites) {
        EXPECT_EQ(r.verdict, clean.at(id).verdict) << id << ": " << r.reason;
      }
    }
  }
}

}  // namespace
}  // namespace parley::suites
