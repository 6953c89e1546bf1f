// Every wssc-service case against the in-process oracle in each mode: 0 FAIL, 0 ERROR, and each
// NOT_APPLICABLE with its reason (the oracle is the reference: every check must pass on it).
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "harness/core/x509_test_support.h"
#include "harness/engine/runner.h"
#include "harness/oracle/faults.h"
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
  oracle::ServiceConfig feb_sct_key;  // Feb 2005, signed with the context key referenced by Identifier
  feb_sct_key.versions = wssc::Versions{names::SoapVersion::k1_1, names::AddressingVersion::k2004_08,
                                        names::ScVersion::kFeb2005};
  feb_sct_key.derived_keys = false;
  out.push_back({"feb2005-sct-key", feb_sct_key, {}});
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
  oracle::ServiceConfig confirming;
  confirming.signature_confirmation = true;
  confirming.encrypt_responses = true;
  out.push_back({"signature-confirmation", confirming, {}});
  for (auto sc : {names::ScVersion::kFeb2005, names::ScVersion::k1_3}) {
    oracle::ServiceConfig cookie;
    cookie.versions.sc = sc;
    if (sc == names::ScVersion::kFeb2005) cookie.versions.addressing = names::AddressingVersion::k2004_08;
    cookie.cookie.enabled = true;
    auto ring = oracle::cookie::KeyRing::create({{"current", Bytes(32, 1)}, {"previous", Bytes(32, 2)}});
    cookie.cookie.ring = std::make_shared<const oracle::cookie::KeyRing>(std::move(ring).value());
    cookie.allow_cancel = false;
    out.push_back({"cookie-mode", cookie, {}});
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
    profile.replay_detection = mode.service.detect_replays;
    profile.signature_confirmation = mode.service.signature_confirmation;
    profile.cancel = mode.service.allow_cancel && !mode.service.cookie.enabled;
    profile.cookie_mode = mode.service.cookie.enabled;
    engine::RunOptions options;
    options.jobs = 2;
    options.settings.send = [&service](const std::string&, const oracle::SoapRequest& r) -> Result<oracle::SoapResponse> {
      return service.handle(r);
    };
    auto run = engine::run_cases(registry, profile, options);
    for (const auto& r : run.results) {
      // Only the certificate modes name a service certificate to wrap a key for; an anonymous
      // issuance has nothing a replay could steal.
      const std::string& id = r.test_case->info.id;
      if (id == "wssc/10/encrypted-key-key" || id == "wssc/10/replay-issuance") continue;
      passed[mode.name] += r.verdict == engine::Verdict::kPass ? 1 : 0;
    }
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

// The mutation rule in small (issue 13 runs it for every fault over HTTP): each injected fault
// turns the case written for it red, and the same case passes against the clean oracle.
struct Mutation {
  oracle::Fault fault;
  const char* case_id;
  std::function<void(oracle::ServiceConfig&, oracle::TargetProfile&)> setup = {};
};

TEST(WsscServiceSuite, EachInjectedFaultTurnsItsCaseRed) {
  using oracle::Fault;
  const std::vector<Mutation> mutations = {
      {Fault::kReuseSctIdentifier, "wssc/02/identifier-unique"},
      {Fault::kRelativeSctIdentifier, "wssc/02/sct-shape"},
      {Fault::kMixedTokenType, "wssc/03/token-type-echoed"},
      {Fault::kBareRstrUnder13, "wssc/03/response-wrapping"},
      {Fault::kIgnoreRequestType, "wssc/03/wrong-request-type"},
      {Fault::kDropRstContext, "wssc/03/context-echoed"},
      {Fault::kSwapComputedKeyEntropies, "wssc/03/proof-key-works"},
      {Fault::kMisreportKeySize, "wssc/03/key-size"},
      {Fault::kDispatchOnSoapAction, "wssc/03/empty-soapaction",
       [](oracle::ServiceConfig& c, oracle::TargetProfile& p) {
         c.versions.soap = names::SoapVersion::k1_1;
         p.client.versions.soap = names::SoapVersion::k1_1;
       }},
      {Fault::kReversedLifetime, "wssc/03/lifetime"},
      {Fault::kRenewNeededWrongAction, "wssc/03/lifetime-enforced",
       [](oracle::ServiceConfig& c, oracle::TargetProfile&) { c.contexts.key_lifetime = std::chrono::seconds(1); }},
      {Fault::kSupersededKeysNeverExpire, "wssc/10/old-generation-after-rollover",
       [](oracle::ServiceConfig& c, oracle::TargetProfile& p) {
         c.contexts.rollover = std::chrono::seconds(1);
         p.key_rollover_seconds = 1;
       }},
      {Fault::kUnboundedPendingSessions, "wssc/10/context-exhaustion",
       [](oracle::ServiceConfig& c, oracle::TargetProfile& p) {
         c.contexts.max_contexts = 6;
         p.max_pending_sessions = 6;
       }},
      {Fault::kAcceptDirectKey, "wssc/10/no-derived-keys",
       [](oracle::ServiceConfig& c, oracle::TargetProfile& p) {
         c.require_derived_keys = true;
         p.requires_derived_keys = true;
       }},
      {Fault::kSkipReplayDetection, "wssc/10/replay-issuance",
       [](oracle::ServiceConfig& c, oracle::TargetProfile& p) {
         c.bootstrap = oracle::Bootstrap::kUsernameToken;
         c.users = {{"alice", "wonderland"}};
         p.client.bootstrap = oracle::Bootstrap::kUsernameToken;
         p.client.username = "alice";
         p.client.password = "wonderland";
       }},
      {Fault::kSkipReplayDetection, "wssc/10/replay-renew"},
      {Fault::kAcceptUnsignedAddressing, "wssc/10/reparented-action"},
      {Fault::kKeysNeverExpire, "wssc/03/lifetime-enforced",
       [](oracle::ServiceConfig& c, oracle::TargetProfile&) { c.contexts.key_lifetime = std::chrono::seconds(1); }},
      {Fault::kRenewNeededAsBadContext, "wssc/03/lifetime-enforced",
       [](oracle::ServiceConfig& c, oracle::TargetProfile&) { c.contexts.key_lifetime = std::chrono::seconds(1); }},
      {Fault::kMixedTrustNamespace, "wssc/03/mixed-trust-namespace"},
      {Fault::kAmendNewIdentifier, "wssc/04/amend-keeps-context"},
      {Fault::kRenewKeepsInstance, "wssc/05/renew-new-instance"},
      {Fault::kRenewNewIdentifier, "wssc/05/renew-new-instance"},
      {Fault::kRenewOtherContext, "wssc/05/renew-other-context"},
      {Fault::kBareRenewResponse, "wssc/05/renew-response-wrapping"},
      {Fault::kCancelIsNoop, "wssc/06/cancelled-refused"},
      {Fault::kNoRequestedTokenCancelled, "wssc/06/cancelled-refused"},
      {Fault::kCancelOtherContext, "wssc/06/cancel-other-context"},
      {Fault::kSecondCancelSucceeds, "wssc/06/second-cancel"},
      {Fault::kResolveUnknownIdentifier, "wssc/08/unknown-identifier"},
      {Fault::kWrongFaultNamespace, "wssc/09/fault-qname"},
      {Fault::kFaultsAsBare500, "wssc/09/fault-qname"},
      {Fault::kSkipReplayDetection, "wssc/10/replay"},
      {Fault::kSignatureWrapping, "wssc/10/body-wrapping"},
      {Fault::kAcceptUnsignedAddressing, "wssc/10/unsigned-addressing"},
      {Fault::kTrustKeyInfoSecret, "wssc/10/keyinfo-secret"},
      {Fault::kSkipTimestampExpiry, "wssc/11/future-timestamp"},
      {Fault::kAcceptUnsignedTimestamp, "wssc/11/unsigned-timestamp"},
      {Fault::kCookieStateInClear, "wssc/02/cookie-protected",
       [](oracle::ServiceConfig& c, oracle::TargetProfile& p) {
         c.cookie.enabled = true;
         c.cookie.ring = std::make_shared<const oracle::cookie::KeyRing>(
             std::move(oracle::cookie::KeyRing::create({{"current", Bytes(32, 1)}})).value());
         c.allow_cancel = false;
         p.cookie_mode = true;
         p.cancel = false;
       }},
      {Fault::kNoSignatureConfirmation, "wssc/11/signature-confirmation",
       [](oracle::ServiceConfig& c, oracle::TargetProfile& p) {
         c.signature_confirmation = true;
         p.signature_confirmation = true;
       }},
  };
  engine::Registry registry;
  ASSERT_TRUE(register_wssc_service(registry).ok());
  for (const auto& m : mutations) {
    ASSERT_NE(registry.find(m.case_id), nullptr) << m.case_id;
    auto verdict_with = [&](bool faulty) {
      oracle::ServiceConfig config;
      oracle::TargetProfile profile;
      profile.client.sts_url = "http://127.0.0.1:1/sts";
      profile.client.service_url = "http://127.0.0.1:1/service";
      profile.request_body = "<e:Echo xmlns:e='urn:example'>hi</e:Echo>";
      profile.amend = true;
      profile.replay_detection = true;
      if (m.setup) m.setup(config, profile);
      if (faulty) config.faults.add(m.fault);
      oracle::Service service(config);
      engine::RunOptions options;
      options.filters = {m.case_id};
      options.settings.max_wait = std::chrono::seconds(5);
      options.settings.allow_destructive = true;
      options.settings.send = [&service](const std::string&, const oracle::SoapRequest& r) {
        return Result<oracle::SoapResponse>(service.handle(r));
      };
      auto run = engine::run_cases(registry, profile, options);
      return run.results.at(0);
    };
    const std::string fault_name(oracle::fault_info(m.fault).name);
    auto clean = verdict_with(false);
    EXPECT_EQ(clean.verdict, engine::Verdict::kPass) << fault_name << " / " << m.case_id << " clean: " << clean.reason;
    auto faulty = verdict_with(true);
    EXPECT_TRUE(faulty.verdict == engine::Verdict::kFail || faulty.verdict == engine::Verdict::kWarn)
        << fault_name << " / " << m.case_id << " faulty: " << engine::to_string(faulty.verdict) << " "
        << faulty.reason;
  }
}

// The destructive cases (context exhaustion, hostile XML) against the oracle: both PASS, and
// the oracle still serves afterwards (the flood's contexts were cancelled).
TEST(WsscServiceSuite, DestructiveCasesPassAgainstTheOracle) {
  engine::Registry registry;
  ASSERT_TRUE(register_wssc_service(registry).ok());
  oracle::ServiceConfig config;
  config.contexts.max_contexts = 12;
  oracle::Service service(config);
  oracle::TargetProfile profile;
  profile.client.sts_url = "http://127.0.0.1:1/sts";
  profile.client.service_url = "http://127.0.0.1:1/service";
  profile.request_body = "<e:Echo xmlns:e='urn:example'>hi</e:Echo>";
  profile.max_pending_sessions = 12;
  engine::RunOptions options;
  options.filters = {"wssc/10/context-exhaustion", "wssc/10/hostile-xml"};
  options.settings.allow_destructive = true;
  options.settings.send = [&service](const std::string&, const oracle::SoapRequest& r) -> Result<oracle::SoapResponse> {
    return service.handle(r);
  };
  auto run = engine::run_cases(registry, profile, options);
  ASSERT_EQ(run.results.size(), 2u);
  for (const auto& r : run.results) {
    EXPECT_EQ(r.verdict, engine::Verdict::kPass) << r.test_case->info.id << ": " << r.reason;
  }
  EXPECT_NE(run.results[0].reason.find("after 12 open contexts"), std::string::npos) << run.results[0].reason;
  // Every context the flood opened was cancelled again: only the kept one remains.
  EXPECT_LE(service.contexts().size(), 2u);
  // Without --allow-destructive neither runs.
  options.settings.allow_destructive = false;
  auto skipped = engine::run_cases(registry, profile, options);
  for (const auto& r : skipped.results) EXPECT_EQ(r.verdict, engine::Verdict::kNotApplicable) << r.test_case->info.id;
}

// SC-5-08: an oracle that issues but does not renew answers a renewal with wsc:UnableToRenew;
// against one that renews the case has nothing to judge.
TEST(WsscServiceSuite, RefusedRenewalFaultAgainstAnOracleThatDoesNotRenew) {
  engine::Registry registry;
  ASSERT_TRUE(register_wssc_service(registry).ok());
  for (bool renews : {false, true}) {
    oracle::ServiceConfig config;
    config.allow_renew = renews;
    oracle::Service service(config);
    oracle::TargetProfile profile;
    profile.client.sts_url = "http://127.0.0.1:1/sts";
    profile.client.service_url = "http://127.0.0.1:1/service";
    profile.request_body = "<e:Echo xmlns:e='urn:example'>hi</e:Echo>";
    profile.renew = renews;
    engine::RunOptions options;
    options.filters = {"wssc/05/refused-renewal-fault"};
    options.settings.send = [&service](const std::string&, const oracle::SoapRequest& r) -> Result<oracle::SoapResponse> {
      return service.handle(r);
    };
    auto run = engine::run_cases(registry, profile, options);
    ASSERT_EQ(run.results.size(), 1u);
    if (renews) {
      EXPECT_EQ(run.results[0].verdict, engine::Verdict::kNotApplicable) << run.results[0].reason;
    } else {
      EXPECT_EQ(run.results[0].verdict, engine::Verdict::kPass) << run.results[0].reason;
      EXPECT_NE(run.results[0].reason.find("UnableToRenew"), std::string::npos) << run.results[0].reason;
    }
  }
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
