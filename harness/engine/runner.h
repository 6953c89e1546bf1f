// Runs cases against a target and applies the verdict rules of architecture.md on top of what
// each case returns: capability gating, destructive gating, level capping, the WCF profile
// heading, the expected-results baseline, and the exit code.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "harness/engine/case.h"
#include "harness/engine/requirements.h"

namespace parley::engine {

struct CaseResult {
  const Case* test_case = nullptr;
  Verdict verdict = Verdict::kError;      // after the rules
  Verdict raw_verdict = Verdict::kError;  // what the case returned
  std::string reason;
  std::chrono::milliseconds duration{0};
  Evidence evidence;
  bool wcf_profile = false;     // reported under the WCF interop profile heading
  std::string baseline_reason;  // the baseline entry that matched, if any
  bool unexpected = false;      // differs from the baseline (an unexpected pass or failure)
  std::string replay;           // one-line command re-running this case alone
};

struct BaselineEntry {
  std::string case_id;
  Verdict verdict = Verdict::kFail;
  std::string reason;
};

struct Baseline {
  std::vector<BaselineEntry> entries;
  const BaselineEntry* find(std::string_view id) const;
};
// Schema parley-baseline/1: {"schema": ..., "entries": [{"case", "verdict", "reason"}]}; every
// entry needs a reason.
Result<Baseline> parse_baseline(std::string_view json_text);
std::string write_baseline(const std::vector<CaseResult>& results);

struct RunOptions {
  RunSettings settings;
  std::size_t jobs = 1;
  std::vector<std::string> filters;  // glob patterns on case IDs ('*' and '?'); empty = all
  std::string profile_path;          // for replay commands
  std::string suite;                 // for replay commands ("" = the default suite)
  const Baseline* baseline = nullptr;
  // Called after each case (serialized), e.g. for a progress line; done counts finished cases.
  std::function<void(const CaseResult& result, std::size_t done, std::size_t total)> progress;
  // Set (from a signal handler, say) to interrupt the run: no further case starts; cases still
  // running get `interrupt_grace` to finish, then the run returns without them (RunResult::
  // interrupted; their threads are abandoned: the caller must write its report and exit).
  const std::atomic<bool>* interrupt = nullptr;
  std::chrono::milliseconds interrupt_grace{3000};
};

struct RunSummary {
  std::size_t total = 0;
  std::size_t applicable = 0;  // not NOT_APPLICABLE
  std::size_t counts[7] = {};  // by Verdict
  std::vector<std::string> disclaimed;  // capabilities the profile disclaims
  bool any_decisive = false;            // some case reached PASS or FAIL
  std::size_t failures = 0;             // counted against the exit code
  int exit_code = 0;                    // 0 or 1 (2 and 3 are decided before a run)
};

struct RunResult {
  std::vector<CaseResult> results;
  RunSummary summary;
  // The run was interrupted (RunOptions::interrupt): cases that had not finished are ERROR with a
  // reason saying so. abandoned_cases: how many were still running when the run returned.
  bool interrupted = false;
  std::size_t abandoned_cases = 0;
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point finished;
};

// True when `id` matches one of the glob patterns (or there are none).
bool matches_filters(std::string_view id, const std::vector<std::string>& filters);

// Whether a verdict counts as a failure for the exit code (strict: WARN too).
bool counts_as_failure(Verdict v, bool strict);

RunResult run_cases(const Registry& registry, const oracle::TargetProfile& profile, const RunOptions& options);

// Applies level capping and the WCF profile rule to one case's raw outcome (exposed for tests).
Outcome apply_level_rules(const CaseInfo& info, Outcome raw, const RequirementCatalog& catalog, bool& wcf_profile);

}  // namespace parley::engine
