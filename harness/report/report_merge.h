// `parley report merge`: several runs (one per target, or one target over time) side by side,
// as Autobahn's matrix: one column per report, rows by requirement and by case.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace parley::report {

inline constexpr std::string_view kComparisonSchemaVersion = "parley-comparison/1";

struct MergeInput {
  std::string report_dir;  // as the page links it: relative to the output directory
  std::string index_html;  // the run's own index.html, relative to the output directory; "" if none
  nlohmann::json report;   // checked with check_report()
};

// The comparison document (comparison.json, schema parley-comparison/1): targets, then
// requirements and cases in first-seen order, each with one result per input (null: not run).
nlohmann::json merge_reports(const std::vector<MergeInput>& inputs);

}  // namespace parley::report
