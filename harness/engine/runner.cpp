#include "harness/engine/runner.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/core/text.h"

namespace parley::engine {
namespace {

std::uint64_t case_seed(std::uint64_t seed, std::string_view id) {
  return seed ^ (std::hash<std::string_view>{}(id) * 0x9e3779b97f4a7c15ull);
}

}  // namespace

const BaselineEntry* Baseline::find(std::string_view id) const {
  for (const auto& e : entries) {
    if (e.case_id == id) return &e;
  }
  return nullptr;
}

Result<Baseline> parse_baseline(std::string_view text) {
  const std::string where = "baseline";
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Error(ErrorCode::kParse, "not valid JSON", where);
  if (doc.value("schema", "") != "parley-baseline/1") {
    return Error(ErrorCode::kParse, "schema must be parley-baseline/1", where);
  }
  Baseline b;
  for (const auto& e : doc.value("entries", nlohmann::json::array())) {
    BaselineEntry entry;
    entry.case_id = e.value("case", "");
    auto v = verdict_from_string(e.value("verdict", ""));
    entry.reason = e.value("reason", "");
    if (entry.case_id.empty() || !v) {
      return Error(ErrorCode::kParse, "every entry needs a case and a verdict", where);
    }
    if (entry.reason.empty()) {
      return Error(ErrorCode::kParse, "entry '" + entry.case_id + "' has no reason: a known deviation needs one",
                   where);
    }
    entry.verdict = *v;
    b.entries.push_back(std::move(entry));
  }
  return b;
}

std::string write_baseline(const std::vector<CaseResult>& results) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& r : results) {
    if (!counts_as_failure(r.verdict, false)) continue;
    entries.push_back({{"case", r.test_case->info.id},
                       {"verdict", std::string(to_string(r.verdict))},
                       {"reason", "TODO: why this deviation is known and accepted: " + r.reason}});
  }
  return nlohmann::json{{"schema", "parley-baseline/1"}, {"entries", entries}}.dump(2) + "\n";
}

bool matches_filters(std::string_view id, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  return std::any_of(filters.begin(), filters.end(), [&](const std::string& f) { return core::glob_match(f, id); });
}

bool counts_as_failure(Verdict v, bool strict) {
  return v == Verdict::kFail || v == Verdict::kError || v == Verdict::kPrereqFailed ||
         (strict && v == Verdict::kWarn);
}

Outcome apply_level_rules(const CaseInfo& info, Outcome raw, const RequirementCatalog& catalog, bool& wcf_profile) {
  wcf_profile = false;
  bool any_firm_must = false;
  bool all_profile = !info.requirements.empty();
  for (const auto& id : info.requirements) {
    const Requirement* r = catalog.find(id);
    if (r == nullptr) continue;
    if (r->level != Level::kProfile) all_profile = false;
    if (r->level == Level::kMust && r->status != SourceStatus::kUnconfirmed) any_firm_must = true;
  }
  wcf_profile = all_profile;
  if (raw.verdict != Verdict::kFail) return raw;
  if (wcf_profile) {
    // WCF's behaviour, not the specs: never turns a spec-conformant target red.
    return Outcome::warn(raw.reason + " (WCF interop profile: reported, not a conformance failure)");
  }
  if (!any_firm_must) {
    return Outcome::warn(raw.reason + " (capped at WARN: the requirement is a SHOULD/MAY or its source is unconfirmed)");
  }
  return raw;
}

RunResult run_cases(const Registry& registry, const oracle::TargetProfile& profile, const RunOptions& options) {
  RunResult run;
  run.started = std::chrono::system_clock::now();
  std::vector<const Case*> selected;
  for (const auto& c : registry.all()) {
    if (matches_filters(c.info.id, options.filters)) selected.push_back(&c);
  }
  run.results.resize(selected.size());
  // What the workers share lives on the heap: after an interrupt the run returns while cases may
  // still be running, and their threads (detached) must not touch this frame.
  struct Shared {
    std::vector<const Case*> selected;
    std::atomic<std::size_t> next{0};
    std::mutex mu;  // guards everything below
    std::condition_variable cv;
    std::vector<CaseResult> finished;  // moved into run.results at the end
    std::vector<bool> done_flags;
    std::vector<bool> started_flags;
    std::size_t done = 0;
    std::size_t workers_left = 0;
    bool abandoned = false;  // the run returned: workers drop what they finish
  };
  auto shared = std::make_shared<Shared>();
  shared->selected = selected;
  shared->finished.resize(selected.size());
  shared->done_flags.assign(selected.size(), false);
  shared->started_flags.assign(selected.size(), false);
  const RequirementCatalog& catalog = RequirementCatalog::builtin();
  const std::atomic<bool>* interrupt = options.interrupt;
  auto interrupted = [interrupt] { return interrupt != nullptr && interrupt->load(); };

  // Copies: a detached worker may outlive `options` (the profile and registry are the caller's,
  // alive until it exits).
  auto run_one = [&profile, &catalog, settings = options.settings, profile_path = options.profile_path,
                  suite = options.suite, shared](std::size_t index) {
    const Case& c = *shared->selected[index];
    CaseResult r;
    r.test_case = &c;
    r.replay = "parley run " + (suite.empty() ? std::string() : "--suite " + suite + " ") + "--target " +
               (profile_path.empty() ? std::string("PROFILE") : profile_path) + " --filter '" + c.info.id +
               "' --seed " + std::to_string(settings.seed);
    const auto start = std::chrono::steady_clock::now();
    Outcome raw;
    std::string missing;
    for (Capability cap : c.info.needs) {
      if (!has_capability(profile, cap)) missing += (missing.empty() ? "" : ", ") + std::string(to_string(cap));
    }
    if (!c.run) {
      raw = Outcome::not_applicable("a passive check: it runs under parley analyze, over captures");
    } else if (!missing.empty()) {
      raw = Outcome::not_applicable("the profile disclaims " + missing);
    } else if (c.info.destructive && !settings.allow_destructive) {
      raw = Outcome::not_applicable("destructive case: runs only with --allow-destructive");
    } else {
      CaseContext ctx(profile, settings, case_seed(settings.seed, c.info.id));
      try {
        raw = c.run(ctx);
      } catch (const std::exception& e) {
        raw = Outcome::error(std::string("the case threw: ") + e.what());
      } catch (...) {
        raw = Outcome::error("the case threw an unknown exception");
      }
      r.evidence = std::move(ctx.evidence());
      if (raw.verdict == Verdict::kPrereqFailed && !r.evidence.exchanges.empty() &&
          !r.evidence.exchanges.back().error.empty() && r.evidence.exchanges.back().response_status == 0) {
        // The step the case needed got no HTTP answer at all (reset, timeout, garbage, over a
        // limit): the target broke, which is ERROR (architecture.md), not a refused prerequisite.
        raw = Outcome::error("the target gave no usable HTTP answer, so the case could not run: " + raw.reason);
      }
      if (ctx.out_of_time()) {
        // Whatever the case concluded, it ran out of time: some step was cut short.
        raw = Outcome::error("the case ran past its time budget of " + std::to_string(ctx.budget().count()) +
                             " s (--case-timeout); it had concluded: " + std::string(to_string(raw.verdict)) +
                             ", " + raw.reason);
      }
      ctx.cleanup();
    }
    r.raw_verdict = raw.verdict;
    Outcome judged = apply_level_rules(c.info, raw, catalog, r.wcf_profile);
    r.verdict = judged.verdict;
    r.reason = judged.reason;
    r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    return r;
  };

  const std::size_t jobs = std::max<std::size_t>(1, std::min(options.jobs, selected.size()));
  shared->workers_left = jobs;
  const auto progress = options.progress;
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < jobs; ++w) {
    workers.emplace_back([shared, run_one, interrupted, progress] {
      for (std::size_t i = shared->next++; i < shared->selected.size() && !interrupted(); i = shared->next++) {
        {
          std::lock_guard lock(shared->mu);
          shared->started_flags[i] = true;
        }
        CaseResult r = run_one(i);
        std::lock_guard lock(shared->mu);
        if (shared->abandoned) return;
        shared->finished[i] = std::move(r);
        shared->done_flags[i] = true;
        if (progress) progress(shared->finished[i], ++shared->done, shared->selected.size());
      }
      std::lock_guard lock(shared->mu);
      --shared->workers_left;
      shared->cv.notify_all();
    });
  }
  {
    // Wait for the workers; once interrupted, for at most the grace period.
    std::unique_lock lock(shared->mu);
    std::optional<std::chrono::steady_clock::time_point> give_up;
    while (shared->workers_left > 0) {
      if (!give_up && interrupted()) give_up = std::chrono::steady_clock::now() + options.interrupt_grace;
      if (give_up && std::chrono::steady_clock::now() >= *give_up) break;
      shared->cv.wait_for(lock, std::chrono::milliseconds(50));
    }
    run.interrupted = interrupted();
    for (std::size_t i = 0; i < selected.size(); ++i) {
      if (shared->done_flags[i]) {
        run.results[i] = std::move(shared->finished[i]);
        continue;
      }
      CaseResult& r = run.results[i];
      r.test_case = selected[i];
      r.verdict = r.raw_verdict = Verdict::kError;
      if (shared->started_flags[i]) {
        ++run.abandoned_cases;
        r.reason = "interrupted: the run was stopped (SIGINT / SIGTERM) while this case was running";
      } else {
        r.reason = "not run: the run was stopped (SIGINT / SIGTERM) before this case started";
      }
    }
    shared->abandoned = true;
  }
  for (auto& t : workers) {
    if (run.abandoned_cases > 0) {
      t.detach();
    } else {
      t.join();
    }
  }

  RunSummary& s = run.summary;
  s.total = run.results.size();
  for (Capability cap : capabilities_of(profile)) {
    if (!has_capability(profile, cap)) s.disclaimed.emplace_back(to_string(cap));
  }
  for (auto& r : run.results) {
    s.counts[static_cast<int>(r.verdict)]++;
    if (r.verdict != Verdict::kNotApplicable) ++s.applicable;
    if (r.verdict == Verdict::kPass || r.verdict == Verdict::kFail) s.any_decisive = true;
    bool failure = counts_as_failure(r.verdict, options.settings.strict);
    if (options.baseline != nullptr) {
      if (const BaselineEntry* e = options.baseline->find(r.test_case->info.id)) {
        r.baseline_reason = e->reason;
        if (r.verdict == e->verdict) {
          failure = false;  // a known deviation
        } else {
          r.unexpected = true;  // fixed, or failing differently: both fail the run (tlsfuzzer, TLS-Anvil)
          failure = true;
        }
      }
    }
    if (failure) ++s.failures;
  }
  s.exit_code = (s.failures > 0 || !s.any_decisive) ? 1 : 0;
  run.finished = std::chrono::system_clock::now();
  return run;
}

}  // namespace parley::engine
