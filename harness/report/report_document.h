// A report.json read back for people's views (index.html, merge, diff): parsed with a size
// limit and checked against the parts of parley-report/1 those views rely on. Errors name the
// file and the JSON pointer of the first problem, so a wrong or hand-edited input is found fast.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "harness/core/error.h"

namespace parley::report {

inline constexpr std::size_t kMaxReportBytes = std::size_t{256} << 20;

// DIR/report.json for a directory, else `path` itself.
std::string report_path(const std::string& path);

// Reads, parses and checks a report (a directory holding report.json, or the file).
Result<nlohmann::json> load_report(const std::string& path, std::size_t max_bytes = kMaxReportBytes);

// The schema id and every field the views read, with their types ("/cases/3/verdict: ...").
Status check_report(const nlohmann::json& doc);

// How bad a verdict is, for diffs and comparison rows: 0 PASS, INFO, NOT_APPLICABLE (nothing
// wrong was seen); 1 WARN; 2 FAIL, PREREQ_FAILED, ERROR (the run is not clean); -1 unknown.
int verdict_severity(std::string_view verdict);

}  // namespace parley::report
