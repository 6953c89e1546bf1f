// Machine-readable reports of a run: report.json (schema reports/report.schema.json, versioned)
// and junit.xml. Both are written atomically (temporary file, then rename), so a report
// already on disk is never left half-written.
#pragma once

#include <string>

#include "harness/engine/runner.h"
#include "harness/report/redaction.h"

namespace parley::report {

struct RunInfo {
  std::string tool_version;
  std::string build_id;
  std::string suite;
  std::string profile_path;
  std::string profile_text;  // as given, redacted when asked
  std::uint64_t seed = 1;
  bool redact = false;
  SecretSet secrets;  // known secrets (profile_secrets()), masked wherever they appear when redact
  bool strict = false;
};

inline constexpr std::string_view kReportSchemaVersion = "parley-report/1";

std::string report_json(const engine::RunResult& run, const oracle::TargetProfile& profile, const RunInfo& info);
std::string junit_xml(const engine::RunResult& run, const RunInfo& info);

// The credentials of a target profile (password, pre-shared context key), for RunInfo::secrets.
SecretSet profile_secrets(const oracle::TargetProfile& profile);

// Writes `content` to `path` atomically.
Status write_atomically(const std::string& path, const std::string& content);

}  // namespace parley::report
