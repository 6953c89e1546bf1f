// `parley analyze`: the passive checks over captures, HAR files, WCF logs and raw HTTP
// directories, with the reports and exit codes of `parley run` (docs/analyze.md).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "harness/cli/commands.h"
#include "harness/engine/passive.h"
#include "harness/report/html_report.h"
#include "harness/report/machine_report.h"
#include "suites/passive/passive.h"
#include "suites/suites.h"

namespace parley::cli {
namespace {

struct AnalyzeCli {
  std::vector<std::string> inputs;
  std::string out;
  std::string keys;
  std::string suite = "passive";
  std::vector<std::string> filters;
  std::string cookie_name = "FedAuth";
  int max_clock_skew = 300;
  bool strict = false;
  bool redact = false;
  std::string baseline;
};

int run_analyze(const AnalyzeCli& o) {
  engine::Registry registry;
  if (Status s = suites::register_suite(o.suite, registry); !s.ok()) return usage_error(s.error().message());
  std::size_t passive = 0;
  for (const auto& c : registry.all()) passive += c.passive && engine::matches_filters(c.info.id, o.filters) ? 1 : 0;
  if (passive == 0) return usage_error("no passive check of suite " + o.suite + " matches the --filter patterns");
  for (const auto& in : o.inputs) {
    std::error_code ec;
    if (!std::filesystem::exists(in, ec)) return usage_error(in + ": no such file or directory");
  }
  std::optional<engine::AnalysisKeys> keys;
  if (!o.keys.empty()) {
    auto loaded = suites::load_analysis_keys(o.keys);
    if (!loaded.ok()) return usage_error("--keys: " + loaded.error().message());
    keys = std::move(*loaded);
  }
  std::optional<engine::Baseline> baseline;
  if (!o.baseline.empty()) {
    std::ifstream in(o.baseline);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto parsed = engine::parse_baseline(text);
    if (!parsed.ok()) return usage_error(o.baseline + ": " + parsed.error().message());
    baseline = std::move(*parsed);
  }
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) return usage_error("--out " + o.out + ": " + ec.message());

  engine::AnalyzeOptions options;
  options.filters = o.filters;
  options.strict = o.strict;
  options.baseline = baseline ? &*baseline : nullptr;
  options.settings.keys = keys ? &*keys : nullptr;
  options.settings.cookie_name = o.cookie_name;
  options.settings.max_clock_skew = std::chrono::seconds(o.max_clock_skew);
  engine::AnalyzeResult result = engine::analyze_inputs(registry, o.inputs, options);

  // The "target" of an analysis is its inputs.
  oracle::TargetProfile profile;
  profile.kind = "capture";
  nlohmann::json inputs = nlohmann::json::array();
  bool fatal = false;
  for (const auto& in : result.inputs) {
    profile.name += (profile.name.empty() ? "" : ", ") + std::filesystem::path(in.path).filename().string();
    inputs.push_back({{"path", in.path}, {"kind", in.kind}, {"messages", in.messages}, {"exchanges", in.exchanges},
                      {"body_bytes", in.bytes}, {"errors", in.errors}, {"notes", in.notes}, {"fatal", in.fatal}});
    fatal = fatal || !in.fatal.empty();
  }
  report::RunInfo info;
  info.tool_version = PARLEY_VERSION;
  info.build_id = __DATE__ " " __TIME__;
  info.suite = o.suite;
  info.profile_path = o.inputs.empty() ? "" : o.inputs.front();
  info.profile_text = inputs.dump(2);
  info.redact = o.redact;
  info.strict = o.strict;
  if (keys) {
    for (const auto& c : keys->contexts) info.secrets.add_key(c.key);
    for (const auto& k : keys->cookie_keys) info.secrets.add_key(k);
  }
  const std::string report_text = report::report_json(result.run, profile, info);
  for (const auto& [file, content] :
       {std::pair<std::string, std::string>{"report.json", report_text},
        {"index.html", report::html_report(nlohmann::json::parse(report_text))},
        {"junit.xml", report::junit_xml(result.run, info)},
        {"inputs.json", inputs.dump(2) + "\n"}}) {
    if (Status s = report::write_atomically(o.out + "/" + file, content); !s.ok()) {
      std::cerr << "parley: error: " << s.error().message() << "\n";
      return kExitCannotRun;
    }
  }

  for (const auto& in : result.inputs) {
    std::cout << in.path << " (" << (in.kind.empty() ? "?" : in.kind) << "): " << in.exchanges << " exchanges";
    if (!in.errors.empty()) std::cout << ", " << in.errors.size() << " record(s) rejected";
    std::cout << "\n";
    for (std::size_t i = 0; i < in.errors.size() && i < 10; ++i) std::cout << "  rejected: " << in.errors[i] << "\n";
    for (const auto& n : in.notes) std::cout << "  note: " << n << "\n";
    if (!in.fatal.empty()) std::cout << "  error: " << in.fatal << "\n";
  }
  for (const auto& r : result.run.results) {
    const bool failure = engine::counts_as_failure(r.verdict, o.strict) || r.unexpected;
    if (!failure && r.verdict != engine::Verdict::kWarn) continue;
    std::cout << engine::to_string(r.verdict) << (r.unexpected ? " (unexpected)" : "") << "  " << r.test_case->info.id
              << ": " << r.reason << "\n";
  }
  const auto& s = result.run.summary;
  std::cout << s.applicable << " of " << s.total << " checks applicable\n";
  for (int v = 0; v < 7; ++v) {
    if (s.counts[v] > 0) std::cout << "  " << engine::to_string(static_cast<engine::Verdict>(v)) << " " << s.counts[v] << "\n";
  }
  if (!s.any_decisive) std::cout << "no check reached PASS or FAIL: nothing was verified\n";
  std::cout << "report: " << o.out << "/index.html, " << o.out << "/report.json, " << o.out << "/junit.xml\n";
  if (fatal) {
    std::cerr << "parley: error: an input could not be read (see above)\n";
    return kExitCannotRun;
  }
  return s.exit_code;
}

}  // namespace

void add_analyze_command(CLI::App& app, RunState& state) {
  auto o = std::make_shared<AnalyzeCli>();
  CLI::App* cmd = app.add_subcommand(
      "analyze", "Run the passive checks over captures, HAR files, WCF .svclog files or raw HTTP directories");
  cmd->add_option("INPUT", o->inputs, "Capture (parley record), .har, .svclog, or a directory of raw HTTP files")
      ->required();
  cmd->add_option("--out", o->out, "Report directory (index.html, report.json, junit.xml, inputs.json)")->required();
  cmd->add_option("--keys", o->keys, "Keys (TOML): SCT secrets to derive keys and verify signatures (docs/analyze.md)");
  cmd->add_option("--suite", o->suite, "Suite whose passive checks run")->capture_default_str();
  cmd->add_option("--filter", o->filters, "Only checks whose ID matches this glob (repeatable)");
  cmd->add_option("--cookie-name", o->cookie_name, "Base name of the WIF session cookie")->capture_default_str();
  cmd->add_option("--max-clock-skew", o->max_clock_skew, "Timestamp freshness tolerance against capture time, seconds")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400 * 365));
  cmd->add_flag("--strict", o->strict, "Count WARN as a failure");
  cmd->add_flag("--redact", o->redact, "Mask keys, passwords, Authorization headers and cookies in reports");
  cmd->add_option("--baseline", o->baseline, "Expected-results baseline (known deviations, each with a reason)");
  cmd->footer("Exit codes: 0 no failure beyond the baseline, 1 failures (or nothing verified),\n"
              "2 usage error, 3 an input could not be read.");
  cmd->callback([o, &state] { state.exit_code = run_analyze(*o); });
}

}  // namespace parley::cli
