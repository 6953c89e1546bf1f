// `parley run`, `parley list`, `parley explain`: the conformance engine on the command line.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "harness/cli/commands.h"
#include "harness/cli/input.h"
#include "harness/clientsuite/driver.h"
#include "harness/engine/runner.h"
#include "harness/report/html_report.h"
#include "harness/report/machine_report.h"
#include "harness/transport/http_client.h"
#include "suites/suites.h"

namespace parley::cli {
namespace {

// SIGINT / SIGTERM during a run: the first one interrupts it (no new case starts, running ones get
// a grace period, then a partial report marked interrupted is written and parley exits 3); a
// second one ends the process at once, as the default action would.
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_interrupt_signal(int signo) {
  if (g_interrupted.exchange(true)) {
    ::signal(signo, SIG_DFL);
    ::raise(signo);
  }
}

// Installs the handlers for the lifetime of the run; restores the previous ones after.
class InterruptHandlers {
 public:
  InterruptHandlers() {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~InterruptHandlers() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptHandlers(const InterruptHandlers&) = delete;
  InterruptHandlers& operator=(const InterruptHandlers&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

struct RunOptionsCli {
  std::string target;
  std::string suite = "wssc-service";
  std::vector<std::string> filters;
  int jobs = 0;
  int timeout = 30;
  int max_wait = 10;
  int case_timeout = 0;
  bool no_progress = false;
  bool strict = false;
  std::uint64_t seed = 1;
  bool redact = false;
  bool allow_destructive = false;
  std::string baseline;
  std::string write_baseline;
  std::string out;
  // --suite wssc-client: how the client under test runs (docs/client-harness.md).
  std::string exec;
  std::string listen;
  int client_timeout = 20;
};


int run_run(const RunOptionsCli& o) {
  engine::Registry registry;
  const bool client_suite = o.suite == "wssc-client";
  if (!client_suite) {
    if (Status s = suites::register_suite(o.suite, registry); !s.ok()) return usage_error(s.error().message());
    if (!o.exec.empty() || !o.listen.empty()) return usage_error("--exec and --listen belong to --suite wssc-client");
  } else if (o.exec.empty() == o.listen.empty()) {
    return usage_error("--suite wssc-client needs exactly one of --exec 'CLIENT COMMAND' and --listen ADDR");
  }
  auto profile_text = read_input(o.target, 1u << 20);
  if (!profile_text.ok()) return usage_error(profile_text.error().message());
  auto profile = oracle::load_target_profile(o.target);
  if (!profile.ok()) return usage_error(profile.error().message());
  if (const std::string kind = suites::suite_kind(o.suite); profile->kind != kind) {
    return usage_error(o.target + ": suite " + o.suite + " tests a " + kind + " target, the profile says " +
                       profile->kind + (profile->kind == "relying-party" ? " (use --suite wif-session)" : ""));
  }
  // The client suite: parley plays the service, the driver runs the client per scenario.
  std::shared_ptr<clientsuite::ClientDriver> driver;
  clientsuite::ListenDriver* listener = nullptr;
  if (client_suite) {
    const auto timeout = std::chrono::seconds(o.client_timeout);
    if (!o.exec.empty()) {
      driver = std::make_shared<clientsuite::ExecDriver>(o.exec, timeout);
    } else {
      auto made = clientsuite::ListenDriver::create(o.listen, timeout);
      if (!made.ok()) return usage_error(made.error().where() + ": " + made.error().message());
      listener = made->get();
      driver = std::shared_ptr<clientsuite::ClientDriver>(std::move(*made));
      std::cerr << "parley: listening on " << listener->base_url() << ": start the client under test, e.g.\n"
                << "  parley client --poll " << listener->base_url() << "\n";
    }
    if (Status s = suites::register_wssc_client(registry, driver); !s.ok()) return usage_error(s.error().message());
  }
  std::optional<engine::Baseline> baseline;
  if (!o.baseline.empty()) {
    auto text = read_input(o.baseline, 16u << 20);
    if (!text.ok()) return usage_error(text.error().message());
    auto parsed = engine::parse_baseline(*text);
    if (!parsed.ok()) return usage_error(o.baseline + ": " + parsed.error().message());
    for (const auto& e : parsed->entries) {
      if (registry.find(e.case_id) == nullptr) {
        return usage_error(o.baseline + ": names case '" + e.case_id + "', which does not exist (anymore)");
      }
    }
    baseline = std::move(*parsed);
  }
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) return usage_error("--out " + o.out + ": " + ec.message());

  engine::RunOptions options;
  options.jobs = o.jobs > 0 ? static_cast<std::size_t>(o.jobs)
                            : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  if (driver && driver->serial()) options.jobs = 1;  // --listen: one scenario at a time
  options.filters = o.filters;
  options.profile_path = o.target;
  if (o.suite != "wssc-service" && !client_suite) options.suite = o.suite;
  options.baseline = baseline ? &*baseline : nullptr;
  options.settings.seed = o.seed;
  options.settings.strict = o.strict;
  options.settings.allow_destructive = o.allow_destructive;
  options.settings.max_wait = std::chrono::seconds(o.max_wait);
  options.settings.request_timeout = std::chrono::seconds(o.timeout);
  options.settings.case_timeout = std::chrono::seconds(o.case_timeout);

  std::size_t selected = 0;
  for (const auto& c : registry.all()) selected += engine::matches_filters(c.info.id, o.filters) ? 1 : 0;
  if (selected == 0) return usage_error("no case matches the --filter patterns");
  // A progress line on a terminal only: CI logs (not a tty) stay quiet.
  const bool tty = isatty(STDERR_FILENO) != 0 && !o.no_progress;
  if (tty) {
    std::size_t counts[7] = {};
    options.progress = [counts](const engine::CaseResult& r, std::size_t done, std::size_t total) mutable {
      counts[static_cast<int>(r.verdict)]++;
      const std::size_t pass = counts[static_cast<int>(engine::Verdict::kPass)];
      const std::size_t fail = counts[static_cast<int>(engine::Verdict::kFail)];
      const std::size_t errors = counts[static_cast<int>(engine::Verdict::kError)] +
                                 counts[static_cast<int>(engine::Verdict::kPrereqFailed)];
      std::string id = r.test_case->info.id;
      if (id.size() > 40) id = id.substr(0, 37) + "...";
      std::cerr << "\r\033[K[" << done << "/" << total << "] " << pass << " pass, " << fail << " fail, " << errors
                << " error  " << id << std::flush;
    };
  }

  // Reachability first: a target nobody answers is exit 3, not a pile of failures. (A client
  // under test is reached per scenario: one that never connects makes its cases ERROR.)
  if (!client_suite) {
    transport::HttpClient::Options probe_options;
    probe_options.connect_timeout = std::chrono::seconds(std::min(o.timeout, 10));
    probe_options.total_timeout = std::chrono::seconds(o.timeout);
    if (profile->relying_party) probe_options.ca_file = profile->relying_party->ca_file;
    transport::HttpClient probe(probe_options);
    transport::HttpRequest get;
    auto answer = probe.send(profile->client.service_url, get);
    if (!answer.ok()) {
      std::cerr << "parley: error: the target could not be reached: " << answer.error().message() << "\n";
      return kExitCannotRun;
    }
  }

  InterruptHandlers interrupt_handlers;
  options.interrupt = &g_interrupted;
  engine::RunResult run = engine::run_cases(registry, *profile, options);
  if (run.interrupted) {
    run.summary.exit_code = kExitCannotRun;
    std::cerr << (tty ? "\r\033[K" : "") << "parley: interrupted: writing a partial report ("
              << run.abandoned_cases << " case(s) cut short)\n";
  }
  if (listener != nullptr) listener->finish();
  if (client_suite) {
    // Re-running one case needs the client too.
    const std::string how = o.exec.empty() ? " --listen " + o.listen : " --exec '" + o.exec + "'";
    for (auto& r : run.results) r.replay += " --suite wssc-client" + how + " --out OUT";
  }
  if (tty) std::cerr << "\r\033[K" << std::flush;
  report::RunInfo info;
  info.tool_version = PARLEY_VERSION;
  info.build_id = __DATE__ " " __TIME__;
  info.suite = o.suite;
  info.profile_path = o.target;
  info.profile_text = *profile_text;
  info.seed = o.seed;
  info.redact = o.redact;
  info.strict = o.strict;
  info.secrets = report::profile_secrets(*profile);
  const std::string dir = o.out;
  const std::string report_text = report::report_json(run, *profile, info);
  if (Status s = report::write_atomically(dir + "/report.json", report_text); !s.ok()) {
    std::cerr << "parley: error: " << s.error().message() << "\n";
    return kExitCannotRun;
  }
  // index.html is made from the document just written, as `parley report html` would.
  if (Status s = report::write_atomically(dir + "/index.html", report::html_report(nlohmann::json::parse(report_text)));
      !s.ok()) {
    std::cerr << "parley: error: " << s.error().message() << "\n";
    return kExitCannotRun;
  }
  if (Status s = report::write_atomically(dir + "/junit.xml", report::junit_xml(run, info)); !s.ok()) {
    std::cerr << "parley: error: " << s.error().message() << "\n";
    return kExitCannotRun;
  }
  if (!o.write_baseline.empty()) {
    if (Status s = report::write_atomically(o.write_baseline, engine::write_baseline(run.results)); !s.ok()) {
      std::cerr << "parley: error: " << s.error().message() << "\n";
      return kExitCannotRun;
    }
  }

  // Console summary: failures first, one line each, then the counts.
  for (const auto& r : run.results) {
    const bool failure = engine::counts_as_failure(r.verdict, o.strict) || r.unexpected;
    if (!failure && r.verdict != engine::Verdict::kWarn) continue;
    std::cout << engine::to_string(r.verdict) << (r.unexpected ? " (unexpected)" : "") << "  " << r.test_case->info.id
              << ": " << r.reason << "\n";
  }
  const auto& s = run.summary;
  std::cout << s.applicable << " of " << s.total << " cases applicable";
  if (!s.disclaimed.empty()) {
    std::cout << " (disclaimed:";
    for (const auto& d : s.disclaimed) std::cout << " " << d;
    std::cout << ")";
  }
  std::cout << "\n";
  for (int v = 0; v < 7; ++v) {
    if (s.counts[v] > 0) std::cout << "  " << engine::to_string(static_cast<engine::Verdict>(v)) << " " << s.counts[v] << "\n";
  }
  if (!s.any_decisive) std::cout << "no case reached PASS or FAIL: nothing was verified\n";
  std::cout << "report: " << dir << "/index.html, " << dir << "/report.json, " << dir << "/junit.xml\n";
  if (run.abandoned_cases > 0) {
    // Their threads are still running against the target: leave without unwinding under them.
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(s.exit_code);
  }
  return s.exit_code;
}

struct ListOptions {
  std::string suite = "wssc-service";
  bool requirements = false;
  std::string format = "table";
};

int run_list(const ListOptions& o) {
  engine::Registry registry;
  if (Status s = suites::register_suite(o.suite, registry); !s.ok()) return usage_error(s.error().message());
  const auto& catalog = engine::RequirementCatalog::builtin();
  if (o.requirements) {
    // The suite's own catalog (docs/requirements/<catalog>.json); cases may cite other catalogs too.
    const std::string suite_catalog = suites::suite_catalog(o.suite);
    auto listed = [&](const engine::Requirement& r) { return r.catalog == suite_catalog; };
    // Live cases of the suite and the passive checks of `parley analyze`, told apart.
    engine::Registry passive;
    if (o.suite != "passive") (void)suites::register_suite("passive", passive);
    std::map<std::string, std::vector<std::string>> covering, live, observed;
    for (const auto* reg : {&registry, &passive}) {
      for (const auto& c : reg->all()) {
        for (const auto& r : c.info.requirements) {
          covering[r].push_back(c.info.id);
          (c.passive ? observed : live)[r].push_back(c.info.id);
        }
      }
    }
    auto checked = [&](const std::string& id) {
      const bool l = !live[id].empty(), p = !observed[id].empty();
      return std::string(l && p ? "both" : l ? "live" : p ? "passive" : "untested");
    };
    if (o.format == "markdown") {
      std::cout << "| requirement | level | checked | live cases | passive checks |\n|---|---|---|---|---|\n";
      auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& x : v) out += (out.empty() ? "`" : ", `") + x + "`";
        return out;
      };
      for (const auto& r : catalog.all()) {
        if (!listed(r)) continue;
        std::cout << "| " << r.id << " | " << r.level_text << " | " << checked(r.id) << " | " << join(live[r.id])
                  << " | " << join(observed[r.id]) << " |\n";
      }
      return kExitOk;
    }
    if (o.format == "json") {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : catalog.all()) {
        if (!listed(r)) continue;
        out.push_back({{"id", r.id}, {"spec", r.spec}, {"version", r.version}, {"section", r.section},
                       {"catalog_section", r.catalog_section}, {"level", r.level_text},
                       {"status", std::string(engine::to_string(r.status))}, {"roles", r.roles}, {"text", r.text},
                       {"source", r.source}, {"cases", covering[r.id]}, {"live_cases", live[r.id]},
                       {"passive_checks", observed[r.id]}, {"checked", checked(r.id)},
                       {"untested_reason", r.untested_reason}});
      }
      std::cout << out.dump(2) << "\n";
      return kExitOk;
    }
    std::size_t covered = 0, total = 0;
    for (const auto& r : catalog.all()) {
      if (!listed(r)) continue;
      ++total;
      const auto& cases = covering[r.id];
      covered += cases.empty() ? 0 : 1;
      std::cout << r.id << "  " << r.level_text << " [" << engine::to_string(r.status) << "] (" << checked(r.id) << ")  ";
      if (cases.empty()) {
        std::cout << "UNTESTED" << (r.untested_reason.empty() ? "" : ": " + r.untested_reason);
      } else {
        for (std::size_t i = 0; i < cases.size(); ++i) std::cout << (i ? ", " : "") << cases[i];
      }
      std::cout << "\n    " << r.text << "\n";
    }
    std::cout << covered << " of " << total << " requirements (docs/requirements/" << suite_catalog
              << ".json) covered by at least one case\n";
    return kExitOk;
  }
  if (o.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : registry.all()) {
      std::vector<std::string> needs;
      for (auto cap : c.info.needs) needs.emplace_back(engine::to_string(cap));
      out.push_back({{"id", c.info.id}, {"title", c.info.title}, {"requirements", c.info.requirements},
                     {"role", c.info.role}, {"needs", needs}, {"destructive", c.info.destructive}});
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& c : registry.all()) {
    std::cout << c.info.id << "  " << c.info.title << "  [";
    for (std::size_t i = 0; i < c.info.requirements.size(); ++i) std::cout << (i ? " " : "") << c.info.requirements[i];
    std::cout << "]\n";
  }
  std::cout << registry.all().size() << " cases\n";
  return kExitOk;
}

int run_explain(const std::string& id) {
  engine::Registry registry;
  for (const auto& name : suites::suite_names()) (void)suites::register_suite(name, registry);
  const engine::Case* c = registry.find(id);
  if (c == nullptr) return usage_error("no case '" + id + "' (see parley list)");
  const auto& catalog = engine::RequirementCatalog::builtin();
  std::cout << c->info.id << ": " << c->info.title << "\n\nRole tested: " << c->info.role << "\n";
  if (!c->info.needs.empty()) {
    std::cout << "Needs:";
    for (auto cap : c->info.needs) std::cout << " " << engine::to_string(cap);
    std::cout << "\n";
  }
  std::cout << "\nRequirements:\n";
  for (const auto& rid : c->info.requirements) {
    const engine::Requirement* r = catalog.find(rid);
    if (r == nullptr) continue;
    std::cout << "  " << r->id << " (" << r->spec << " " << r->version << " section " << r->section << ", "
              << r->level_text << ", source status " << engine::to_string(r->status) << ")\n    "
              << (r->quoted ? "\"" + r->text + "\"" : r->text + " (paraphrased)") << "\n    source: " << r->source
              << "\n";
  }
  std::cout << "\nSends: " << c->info.sends << "\nExpects: " << c->info.expects
            << "\nTypical causes of failure: " << c->info.typical_causes << "\n";
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, RunState& state) {
  auto o = std::make_shared<RunOptionsCli>();
  CLI::App* run = app.add_subcommand("run", "Run a conformance suite against a target and write reports");
  run->add_option("--target", o->target, "Target profile (TOML, docs/target-profile.md)")->required();
  run->add_option("--suite", o->suite, "Suite to run")->capture_default_str();
  run->add_option("--filter", o->filters, "Only cases whose ID matches this glob (repeatable)");
  run->add_option("--jobs", o->jobs, "Parallel workers (default: the number of cores)")->check(CLI::Range(0, 256));
  run->add_option("--timeout", o->timeout, "Per-request timeout, seconds")->capture_default_str()->check(CLI::Range(1, 3600));
  run->add_option("--max-wait", o->max_wait,
                  "Longest wait a time-bound case may do (key expiry, rollover), seconds; cases needing more are "
                  "NOT_APPLICABLE")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  run->add_option("--case-timeout", o->case_timeout,
                  "Wall-clock budget of one case, seconds (default: 4 x --timeout + --max-wait); a case past it is "
                  "ERROR")
      ->check(CLI::Range(0, 86400));
  run->add_flag("--no-progress", o->no_progress, "No progress line on the terminal");
  run->add_flag("--strict", o->strict, "Count WARN as a failure");
  run->add_option("--seed", o->seed, "Seed of every random choice")->capture_default_str();
  run->add_flag("--redact", o->redact, "Mask keys, passwords, Authorization headers and cookies in reports");
  run->add_flag("--allow-destructive", o->allow_destructive, "Also run destructive cases (floods, bombs)");
  run->add_option("--baseline", o->baseline, "Expected-results baseline (known deviations, each with a reason)");
  run->add_option("--write-baseline", o->write_baseline, "Write this run's failures as a baseline to edit");
  run->add_option("--out", o->out, "Report directory (index.html, report.json, junit.xml)")->required();
  run->add_option("--exec", o->exec,
                  "--suite wssc-client: the client under test, run under /bin/sh once per scenario with the "
                  "PARLEY_* environment of docs/client-harness.md");
  run->add_option("--listen", o->listen,
                  "--suite wssc-client: serve every scenario on HOST:PORT one at a time; a client started apart "
                  "fetches each from GET /parley/scenario (docs/client-harness.md)");
  run->add_option("--client-timeout", o->client_timeout,
                  "--suite wssc-client: seconds a client may take for one scenario (and, with --listen, to fetch it)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  run->footer("Exit codes: 0 no failure beyond the baseline, 1 conformance failures (or nothing verified),\n"
              "2 usage or configuration error, 3 the target could not be reached.");
  run->callback([o, &state] { state.exit_code = run_run(*o); });

  auto l = std::make_shared<ListOptions>();
  CLI::App* list = app.add_subcommand("list", "List the cases of a suite, or the requirements and their coverage");
  list->add_option("--suite", l->suite, "Suite")->capture_default_str();
  list->add_flag("--requirements", l->requirements, "List every requirement with the cases covering it");
  list->add_option("--format", l->format, "Output format (markdown: with --requirements)")
      ->check(CLI::IsMember({"table", "json", "markdown"}))
      ->capture_default_str();
  list->callback([l, &state] { state.exit_code = run_list(*l); });

  auto id = std::make_shared<std::string>();
  CLI::App* explain = app.add_subcommand("explain", "Explain a case: its requirements, what it sends and expects");
  explain->add_option("CASE-ID", *id, "Case ID (see parley list)")->required();
  explain->callback([id, &state] { state.exit_code = run_explain(*id); });
}

}  // namespace parley::cli
