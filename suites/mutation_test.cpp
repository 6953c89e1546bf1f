// The mutation rule over the whole wssc-service suite, in process: for every fault the oracle
// declares, the suite runs against the clean and the faulty oracle (same configuration), and
//   - at least one case citing one of the fault's requirement IDs turns red (FAIL, or WARN when
//     the level rules cap it: every requirement it cites is a SHOULD, MAY or profile row), and
//   - every case citing none of them keeps its clean verdict, unless `kExplained` below says
//     why it may not.
// issue 13 runs the same rule over HTTP with `parley serve --fault` and publishes the table;
// this test is its fast guard on every build.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "harness/engine/runner.h"
#include "harness/oracle/cookie_state.h"
#include "harness/oracle/faults.h"
#include "harness/oracle/service.h"
#include "suites/suites.h"

namespace parley::suites {
namespace {

using oracle::Fault;

struct FaultSetup {
  oracle::ServiceConfig service;
  oracle::TargetProfile profile;
  std::vector<std::string> filters;  // empty: the whole suite
  bool destructive = false;
  bool custom = false;  // not the base setup (its clean run is its own)
};

// The configuration every fault runs in unless it needs another: a username-token bootstrap
// (so issuance replays are detectable), replay detection and amend claimed.
FaultSetup base_setup() {
  FaultSetup s;
  s.service.bootstrap = oracle::Bootstrap::kUsernameToken;
  s.service.users = {{"alice", "wonderland"}};
  auto& p = s.profile;
  p.client.bootstrap = oracle::Bootstrap::kUsernameToken;
  p.client.username = "alice";
  p.client.password = "wonderland";
  p.client.sts_url = "http://127.0.0.1:1/sts";
  p.client.service_url = "http://127.0.0.1:1/service";
  p.request_body = "<e:Echo xmlns:e='urn:example'>hi</e:Echo>";
  p.amend = true;
  p.replay_detection = true;
  return s;
}

// Faults that only show in another configuration. Time-bound ones get short key lifetimes; the
// profile is changed only where it declares what the service is configured with.
FaultSetup setup_for(Fault f) {
  FaultSetup s = base_setup();
  switch (f) {
    case Fault::kDispatchOnSoapAction:
      s.service.versions.soap = names::SoapVersion::k1_1;
      s.profile.client.versions.soap = names::SoapVersion::k1_1;
      break;
    case Fault::kKeysNeverExpire:
    case Fault::kRenewNeededAsBadContext:
    case Fault::kRenewNeededWrongAction:
      s.service.contexts.key_lifetime = std::chrono::seconds(1);
      s.filters = {"wssc/03/lifetime-enforced", "wssc/03/lifetime", "wssc/00/*"};
      break;
    case Fault::kSupersededKeysNeverExpire:
      s.service.contexts.rollover = std::chrono::seconds(1);
      s.profile.key_rollover_seconds = 1;
      break;
    case Fault::kUnboundedPendingSessions:
      s.service.contexts.max_contexts = 6;
      s.profile.max_pending_sessions = 6;
      s.filters = {"wssc/10/context-exhaustion", "wssc/00/*"};
      s.destructive = true;
      break;
    case Fault::kAcceptDirectKey:
      s.service.require_derived_keys = true;
      s.profile.requires_derived_keys = true;
      break;
    case Fault::kNoSignatureConfirmation:
      s.service.signature_confirmation = true;
      s.profile.signature_confirmation = true;
      break;
    case Fault::kCookieStateInClear: {
      s.service.cookie.enabled = true;
      s.service.cookie.ring = std::make_shared<const oracle::cookie::KeyRing>(
          std::move(oracle::cookie::KeyRing::create({{"current", Bytes(32, 1)}})).value());
      s.service.allow_cancel = false;
      s.profile.cookie_mode = true;
      s.profile.cancel = false;
      break;
    }
    default: return s;
  }
  s.custom = true;
  return s;
}

// Cases that cite none of a fault's requirements yet legitimately change verdict with it; the
// fault's description (harness/oracle/faults.cpp, `parley serve --list-faults`) says why. "*"
// stands for every case: the fault breaks something every case depends on. Anything not listed
// that changes is a test failure.
const std::map<Fault, std::set<std::string>>& explained() {
  static const std::map<Fault, std::set<std::string>> m = {
      {Fault::kReuseSctIdentifier, {"*"}},
      {Fault::kRelativeSctIdentifier, {"*"}},
      {Fault::kReversedLifetime, {"*"}},
      {Fault::kSwapComputedKeyEntropies, {"*"}},
      {Fault::kFaultsAsBare500, {"*"}},
      {Fault::kAmendNewIdentifier, {"wssc/00/amend-probe"}},
      {Fault::kRenewKeepsInstance, {"wssc/08/instance-selects-key", "wssc/10/replay-renew"}},
      {Fault::kRenewNewIdentifier,
       {"wssc/00/renew-probe", "wssc/05/renew-response-wrapping", "wssc/08/instance-selects-key",
        "wssc/10/replay-renew"}},
      {Fault::kCancelIsNoop, {"wssc/05/cancelled-not-renewable", "wssc/06/second-cancel"}},
      {Fault::kNoRequestedTokenCancelled,
       {"wssc/05/cancelled-not-renewable", "wssc/06/cancel-response-wrapping", "wssc/06/second-cancel",
        "wssc/10/replay-cancel"}},
      {Fault::kResolveUnknownIdentifier, {"wssc/06/cancelled-refused", "wssc/09/fault-qname"}},
      {Fault::kWrongFaultNamespace, {"wssc/07/no-source", "wssc/08/instance-selects-key", "wssc/10/replay-cancel"}},
  };
  return m;
}

std::map<std::string, engine::CaseResult> run_suite(const engine::Registry& registry, const FaultSetup& s, bool faulty,
                                                    Fault f) {
  oracle::ServiceConfig config = s.service;
  if (faulty) config.faults.add(f);
  oracle::Service service(config);
  engine::RunOptions options;
  options.jobs = 2;
  options.filters = s.filters;
  options.settings.max_wait = std::chrono::seconds(4);
  options.settings.allow_destructive = s.destructive;
  options.settings.send = [&service](const std::string&, const oracle::SoapRequest& r) -> Result<oracle::SoapResponse> {
    return service.handle(r);
  };
  auto run = engine::run_cases(registry, s.profile, options);
  std::map<std::string, engine::CaseResult> out;
  for (auto& r : run.results) out.emplace(r.test_case->info.id, std::move(r));
  return out;
}

bool cites_any(const engine::CaseInfo& info, const std::vector<std::string_view>& requirements) {
  return std::any_of(info.requirements.begin(), info.requirements.end(), [&](const std::string& id) {
    return std::find(requirements.begin(), requirements.end(), id) != requirements.end();
  });
}

bool red(engine::Verdict v) { return v == engine::Verdict::kFail || v == engine::Verdict::kWarn; }

TEST(MutationSelfTest, EveryOracleFaultIsCaughtAndNothingElseMoves) {
  engine::Registry registry;
  ASSERT_TRUE(register_wssc_service(registry).ok());
  std::optional<std::map<std::string, engine::CaseResult>> base_clean;
  std::ostringstream table;
  std::size_t detected = 0;
  std::size_t conformance_faults = 0;
  for (const auto& info : oracle::all_faults()) {
    // hostile-* faults break HTTP, not a requirement: tests/e2e/test_hostile_peers.py covers them.
    if (info.transport) continue;
    ++conformance_faults;
    const FaultSetup s = setup_for(info.fault);
    // Faults in the base setup share one clean run.
    if (!s.custom && !base_clean) base_clean = run_suite(registry, s, false, info.fault);
    std::map<std::string, engine::CaseResult> own;
    if (s.custom) own = run_suite(registry, s, false, info.fault);
    const auto& clean = s.custom ? own : *base_clean;
    auto faulty = run_suite(registry, s, true, info.fault);
    ASSERT_EQ(clean.size(), faulty.size());
    std::vector<std::string> flipped;
    for (const auto& [id, c] : clean) {
      const auto& f = faulty.at(id);
      // The clean oracle passes everything that applies (suites_test checks every mode).
      EXPECT_TRUE(c.verdict == engine::Verdict::kPass || c.verdict == engine::Verdict::kInfo ||
                  c.verdict == engine::Verdict::kNotApplicable)
          << info.name << " clean " << id << ": " << engine::to_string(c.verdict) << " " << c.reason;
      if (cites_any(c.test_case->info, info.requirements)) {
        if (red(f.verdict) && !red(c.verdict)) flipped.push_back(id);
        continue;
      }
      if (f.verdict == c.verdict) continue;
      const auto& allowed = explained();
      auto e = allowed.find(info.fault);
      if (e != allowed.end() && (e->second.count("*") != 0 || e->second.count(id) != 0)) continue;
      ADD_FAILURE() << info.name << ": " << id << " cites none of its requirements but went from "
                    << engine::to_string(c.verdict) << " to " << engine::to_string(f.verdict) << ": " << f.reason;
    }
    EXPECT_FALSE(flipped.empty()) << info.name << ": no case citing its requirements turned red";
    detected += flipped.empty() ? 0 : 1;
    table << info.name << " ->";
    for (const auto& id : flipped) table << " " << id;
    table << "\n";
  }
  std::cout << table.str() << detected << " of " << conformance_faults << " faults detected\n";
  EXPECT_EQ(detected, conformance_faults);
}

}  // namespace
}  // namespace parley::suites
