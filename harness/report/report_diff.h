// `parley report diff OLD NEW`: what changed between two runs of the same target, for release
// gating. A regression is a case present in both runs whose verdict got worse by
// verdict_severity() (PASS -> WARN, PASS -> FAIL, WARN -> ERROR ...); it makes the exit code 1.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace parley::report {

struct CaseChange {
  std::string id;
  std::string old_verdict;  // "" for an added case
  std::string new_verdict;  // "" for a removed case
  std::string old_reason;
  std::string new_reason;
};

struct ReportDiff {
  std::vector<CaseChange> regressions;      // worse verdict (new failures among them)
  std::vector<CaseChange> fixed;            // better verdict
  std::vector<CaseChange> changed_verdict;  // another verdict of the same severity (FAIL -> ERROR)
  std::vector<CaseChange> changed_reason;   // same verdict, another reason
  std::vector<CaseChange> added;            // only in NEW
  std::vector<CaseChange> removed;          // only in OLD
  std::vector<std::string> notes;           // the runs differ in target, suite or catalog
  std::size_t unchanged = 0;

  bool has_regressions() const { return !regressions.empty(); }
};

// A reason with what differs between any two runs masked: loopback ports become "<port>",
// UTC times "<time>", and tokens of 16 or more characters mixing letters and digits (UUIDs,
// nonces, keys) "<value>". Reasons are compared in this form.
std::string stable_reason(std::string_view reason);

// Both documents checked with check_report(). A reason counts as changed when its
// stable_reason() changed.
ReportDiff diff_reports(const nlohmann::json& old_report, const nlohmann::json& new_report);

// For people: one section per kind of change, one line per case.
std::string diff_text(const ReportDiff& diff);
// For machines (schema parley-diff/1).
nlohmann::json diff_json(const ReportDiff& diff);

}  // namespace parley::report
