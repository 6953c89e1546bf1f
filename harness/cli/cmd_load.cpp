// `parley load`: sessions, protected echo traffic and limit checks against a WS-SC service
// (harness/load, docs/load.md).
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>

#include "harness/cli/commands.h"
#include "harness/load/load.h"
#include "harness/report/machine_report.h"

namespace parley::cli {
namespace {

// SIGINT / SIGTERM: the first stops the load (the phases end, the checks that cannot run are
// NOT_APPLICABLE, a partial load.json marked interrupted is written, exit 3, as `parley run`);
// a second ends the process at once.
std::atomic<bool> g_load_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_load_signal(int signo) {
  if (g_load_interrupted.exchange(true)) {
    ::signal(signo, SIG_DFL);
    ::raise(signo);
  }
}

class LoadSignals {
 public:
  LoadSignals() {
    struct sigaction sa {};
    sa.sa_handler = on_load_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~LoadSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  LoadSignals(const LoadSignals&) = delete;
  LoadSignals& operator=(const LoadSignals&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

struct LoadCli {
  std::string target;
  std::size_t sessions = 100;
  std::size_t concurrency = 4;
  double duration = 10;
  double warmup = 0;
  double timeout = 10;
  std::string out = ".";
  bool json = false;
  long target_pid = 0;
  bool encrypt = false;
  bool no_cancel = false;
};

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0 + 0.5));
}

int run_load_command(const LoadCli& o) {
  // Bounds keep a typo from opening a million threads or sessions.
  if (o.sessions < 1 || o.sessions > 1000000) return usage_error("--sessions must be 1..1000000");
  if (o.concurrency < 1 || o.concurrency > 1024) return usage_error("--concurrency must be 1..1024");
  if (!(o.duration >= 0.001) || o.duration > 86400) return usage_error("--duration must be 0.001..86400 seconds");
  if (!(o.warmup >= 0) || o.warmup > 86400) return usage_error("--warmup must be 0..86400 seconds");
  if (!(o.timeout >= 0.001) || o.timeout > 600) return usage_error("--timeout must be 0.001..600 seconds");
  auto profile = oracle::load_target_profile(o.target);
  if (!profile.ok()) return usage_error(profile.error().message());
  if (profile->kind != "wssc-service") return usage_error(o.target + ": kind must be wssc-service for parley load");
  load::LoadOptions options;
  options.sessions = o.sessions;
  options.concurrency = o.concurrency;
  options.duration = millis(o.duration);
  options.warmup = millis(o.warmup);
  options.request_timeout = millis(o.timeout);
  options.encrypt = o.encrypt;
  options.cancel_after = !o.no_cancel;
  if (o.target_pid != 0) {
    if (o.target_pid < 0) return usage_error("--target-pid must be a process ID");
    if (auto rss = load::resident_set_bytes(o.target_pid); !rss.ok()) {
      return usage_error("--target-pid: " + rss.error().message());
    }
    options.target_pid = o.target_pid;
  }
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) return usage_error("--out " + o.out + ": " + ec.message());

  load::LoadResult result;
  {
    g_load_interrupted = false;
    LoadSignals signals;
    options.interrupt = &g_load_interrupted;
    result = load::run_load(*profile, options);
  }
  const int code = load::exit_code(result);
  const std::string json = load::load_json(result, *profile, o.target, options);
  const std::string path = o.out + "/load.json";
  if (Status s = report::write_atomically(path, json); !s.ok()) {
    std::cerr << "parley: error: " << s.error().message() << "\n";
    return kExitCannotRun;
  }
  if (!result.reachable) std::cerr << "parley: error: the target could not be reached: " << result.unreachable_reason << "\n";
  if (o.json) {
    std::cout << json;
  } else {
    std::cout << load::summary_text(result) << "load: " << path << "\n";
  }
  return code;
}

}  // namespace

void add_load_command(CLI::App& app, RunState& state) {
  auto o = std::make_shared<LoadCli>();
  CLI::App* load = app.add_subcommand("load", "Load a WS-SC service: sessions, protected echo throughput, latency, "
                                                "limits under load");
  load->add_option("--target", o->target, "Target profile (TOML, docs/target-profile.md)")->required();
  load->add_option("--sessions", o->sessions, "Security contexts to establish (default 100)");
  load->add_option("--concurrency", o->concurrency, "Concurrent workers, each with its own keep-alive connection (default 4)");
  load->add_option("--duration", o->duration, "Seconds of measured traffic (default 10)");
  load->add_option("--warmup", o->warmup, "Seconds of traffic before the measurement, not counted (default 0)");
  load->add_option("--timeout", o->timeout, "Seconds allowed for each HTTP exchange (default 10)");
  load->add_option("--out", o->out, "Directory for load.json (default: the current directory)");
  load->add_flag("--json", o->json, "Print load.json instead of the summary");
  load->add_option("--target-pid", o->target_pid,
                   "PID of a target on this machine: its VmRSS before and after establishing and at the end");
  load->add_flag("--encrypt", o->encrypt, "Encrypt the Body of application requests");
  load->add_flag("--no-cancel", o->no_cancel, "Leave the contexts open at the end (default: cancel them)");
  load->footer(
      "Example:\n  parley serve --profile-out /tmp/oracle.toml &\n"
      "  parley load --target /tmp/oracle.toml --sessions 100 --concurrency 8 --duration 10 --target-pid $!\n"
      "Exit codes: 0 no errors and every check PASS or NOT_APPLICABLE, 1 errors or a check FAILed,\n"
      "2 usage, 3 the target was unreachable or the run was interrupted (a partial load.json is written).");
  load->callback([o, &state] { state.exit_code = run_load_command(*o); });
}

}  // namespace parley::cli
