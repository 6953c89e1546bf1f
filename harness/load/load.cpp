#include "harness/load/load.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

#include "harness/oracle/http_binding.h"
#include "harness/transport/http_client.h"

namespace parley::load {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMaxErrorSamples = 8;
constexpr std::uint64_t kPendingMargin = 8;  // issuances past the declared bound (as wssc/10/context-exhaustion)

const std::vector<std::string> kReplayRequirements = {"WSS-13-01", "SC-3-16"};       // wssc/10/replay
const std::vector<std::string> kPendingRequirements = {"SC-10-04"};                  // wssc/10/context-exhaustion
const std::vector<std::string> kVerifyRequirements = {"SC-3-04", "SC-3-08"};         // wssc/03/proof-key-works

bool stopped(const LoadOptions& o) { return o.interrupt != nullptr && o.interrupt->load(); }

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

std::uint64_t micros_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(b - a).count());
}

double own_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

// Measures the CPU parley and the target spend while `phase` runs.
struct CpuMeter {
  explicit CpuMeter(std::optional<long> pid) : pid_(pid), own_(own_cpu_seconds()) {
    if (pid_) {
      if (auto t = process_cpu_seconds(*pid_); t.ok()) target_ = *t;
    }
  }
  void finish(PhaseResult& phase) const {
    phase.client_cpu_seconds = own_cpu_seconds() - own_;
    if (pid_ && target_) {
      if (auto t = process_cpu_seconds(*pid_); t.ok()) phase.target_cpu_seconds = *t - *target_;
    }
  }
  std::optional<long> pid_;
  double own_;
  std::optional<double> target_;
};

transport::HttpClient::Options http_options(const LoadOptions& o) {
  transport::HttpClient::Options h;
  h.total_timeout = o.request_timeout;
  h.connect_timeout = std::min<std::chrono::milliseconds>(o.request_timeout, std::chrono::seconds(5));
  // A target that stalls mid-answer is cut off by the total timeout, not after curl's 30 s.
  h.low_speed_time = std::chrono::seconds(std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(o.request_timeout).count()));
  return h;
}

// Where an issuance or cancel failed, from the reference client's error (http_sender makes
// transport failures kIo without a fault; a SOAP fault carries its name).
ErrorKind classify(const Error& e) {
  if (!e.fault().empty()) return ErrorKind::kSoapFault;
  if (e.code() == ErrorCode::kIo) return ErrorKind::kTransport;
  return ErrorKind::kProtocol;
}

// The outcome of one application exchange.
struct EchoResult {
  std::optional<ErrorKind> error;
  std::string message;
  std::string fault;         // Clark name, for a SOAP fault
  std::string request_body;  // the bytes sent, when asked to keep them
  std::uint64_t micros = 0;  // the HTTP round trip
};

// One worker: its own keep-alive connection (curl leaves TCP_NODELAY on) and a reference client
// that builds the protected requests. Nothing is recorded per exchange, so memory stays flat.
class Worker {
 public:
  Worker(const oracle::TargetProfile& profile, const LoadOptions& options)
      : profile_(profile), http_(http_options(options)), send_(oracle::http_sender(http_)), client_(config(profile, options), send_) {}

  static oracle::ClientConfig config(const oracle::TargetProfile& profile, const LoadOptions& options) {
    oracle::ClientConfig c = profile.client;
    c.encrypt = options.encrypt;
    return c;
  }

  // Builds, protects, sends and checks one echo under `context`.
  EchoResult echo(const wssc::ContextKey& context, bool keep_request) {
    EchoResult r;
    auto request = client_.application_request(profile_.request_body, context, client_.protect_options());
    if (!request.ok()) {
      r.error = ErrorKind::kProtocol;
      r.message = "parley could not build the request: " + request.error().message();
      return r;
    }
    std::string message_id;
    if (auto sent = wssc::parse_envelope(*request); sent.ok()) message_id = sent->headers.message_id;
    std::string body = xml::serialize(*request);
    exchange(body, &context, message_id, r);
    if (keep_request) r.request_body = std::move(body);
    return r;
  }

  // Sends `body` as it stands (a replay) and classifies the answer; a success answer is opened
  // under `context`.
  EchoResult send_bytes(const std::string& body, const wssc::ContextKey& context) {
    EchoResult r;
    exchange(body, &context, {}, r);
    return r;
  }

  // Issues one context with the profile's bootstrap.
  Result<wssc::ContextKey> issue(std::uint64_t& micros) {
    oracle::Client c(client_.config(), send_);
    const auto t0 = SteadyClock::now();
    Status s = c.issue();
    micros = micros_between(t0, SteadyClock::now());
    if (!s.ok()) return s.error();
    return *c.context();
  }

  Status cancel(const wssc::ContextKey& context) {
    oracle::Client c(client_.config(), send_);
    c.set_context(context);
    return c.cancel();
  }

 private:
  void exchange(const std::string& body, const wssc::ContextKey* context, const std::string& message_id, EchoResult& r) {
    const auto& versions = profile_.client.versions;
    oracle::SoapRequest req;
    req.content_type = std::string(names::soap(versions.soap).content_type) + "; charset=utf-8";
    if (versions.soap == names::SoapVersion::k1_1) req.soap_action = "\"" + profile_.client.action + "\"";
    req.body = body;
    const auto t0 = SteadyClock::now();
    auto resp = send_(profile_.client.service_url, req);
    r.micros = micros_between(t0, SteadyClock::now());
    if (!resp.ok()) {
      r.error = ErrorKind::kTransport;
      r.message = resp.error().message();
      return;
    }
    auto parsed = xml::parse(resp->body);
    if (!parsed.ok()) {
      r.error = ErrorKind::kProtocol;
      r.message = "HTTP " + std::to_string(resp->status) + " with a body that is not XML: " + parsed.error().message();
      return;
    }
    auto view = wssc::parse_envelope(*parsed);
    if (!view.ok()) {
      r.error = ErrorKind::kProtocol;
      r.message = "HTTP " + std::to_string(resp->status) + ": " + view.error().message();
      return;
    }
    if (auto fault = wssc::parse_fault(*view); fault.ok()) {
      r.error = ErrorKind::kSoapFault;
      r.fault = wssc::clark(fault->specific().view());
      r.message = "SOAP fault " + r.fault + ": " + fault->reason;
      return;
    }
    if (resp->status != 200) {
      r.error = ErrorKind::kProtocol;
      r.message = "HTTP " + std::to_string(resp->status) + " without a SOAP fault";
      return;
    }
    wssc::SingleContextResolver resolver(*context);
    auto opened = wssc::open_envelope(*parsed, resolver);
    if (!opened.ok()) {
      r.error = ErrorKind::kVerification;
      r.message = "the response does not verify under the session's key: " + opened.error().message();
      return;
    }
    if (!message_id.empty() && opened->envelope.headers.relates_to != message_id) {
      r.error = ErrorKind::kVerification;
      r.message = "the response's wsa:RelatesTo '" + opened->envelope.headers.relates_to +
                  "' is not the request's wsa:MessageID";
      return;
    }
    if (opened->envelope.body_child == nullptr) {
      r.error = ErrorKind::kVerification;
      r.message = "the response Body is empty";
    }
  }

  const oracle::TargetProfile& profile_;
  transport::HttpClient http_;
  oracle::SendFunction send_;
  oracle::Client client_;
};

// Runs `body(worker_index, worker)` on `n` threads, each with its own Worker.
template <typename Body>
void on_workers(std::size_t n, const oracle::TargetProfile& profile, const LoadOptions& options, Body body) {
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      Worker worker(profile, options);
      body(i, worker);
    });
  }
  for (auto& t : threads) t.join();
}

// Replay during load: worker 0 resends one of its accepted requests byte for byte once half
// the measured phase has passed.
struct ReplayProbe {
  bool wanted = false;
  SteadyClock::time_point at{};
  bool done = false;
  EchoResult original;
  EchoResult replay;
};

CheckResult replay_verdict(const oracle::TargetProfile& profile, const ReplayProbe& probe, bool interrupted) {
  CheckResult c{"replay", "A protected message replayed during load is refused", kReplayRequirements,
                Verdict::kNotApplicable, ""};
  if (!profile.replay_detection) {
    c.reason = "the profile does not claim replay_detection";
    return c;
  }
  if (!probe.done) {
    c.reason = interrupted ? "the run was interrupted before the replay was sent"
                           : "no request was accepted during the measured phase, so there was nothing to replay";
    return c;
  }
  const EchoResult& r = probe.replay;
  if (!r.error) {
    c.verdict = Verdict::kFail;
    c.reason = "an accepted request sent again byte for byte was processed again (HTTP 200, verified answer)";
  } else if (*r.error == ErrorKind::kSoapFault) {
    c.verdict = Verdict::kPass;
    c.reason = "the replayed request was refused with " + r.fault;
  } else {
    c.verdict = Verdict::kFail;
    c.reason = "the replayed request was answered with " + std::string(to_string(*r.error)) + " (" + r.message +
               "); a refusal must be a SOAP fault";
  }
  return c;
}

std::string join_kinds(const ErrorTally& t) {
  std::string s;
  for (const auto& [kind, n] : t.counts) {
    if (n == 0) continue;
    s += (s.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(to_string(kind));
  }
  return s.empty() ? "none" : s;
}

nlohmann::ordered_json latency_json(const LatencyHistogram& h) {
  return {{"count", h.count()},
          {"min", h.min()},
          {"p50", h.percentile(50)},
          {"p90", h.percentile(90)},
          {"p99", h.percentile(99)},
          {"max", h.max()},
          {"mean", h.mean()}};
}

nlohmann::ordered_json cpu_json(const std::optional<double>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json errors_json(const ErrorTally& t) {
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (ErrorKind k : {ErrorKind::kTransport, ErrorKind::kSoapFault, ErrorKind::kVerification, ErrorKind::kProtocol}) {
    auto it = t.counts.find(k);
    counts[std::string(to_string(k))] = it == t.counts.end() ? 0 : it->second;
  }
  return {{"total", t.total()}, {"by_kind", counts}, {"samples", t.samples}};
}

}  // namespace

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTransport: return "transport";
    case ErrorKind::kSoapFault: return "soap_fault";
    case ErrorKind::kVerification: return "verification";
    case ErrorKind::kProtocol: return "protocol";
  }
  return "?";
}

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass: return "PASS";
    case Verdict::kFail: return "FAIL";
    case Verdict::kNotApplicable: return "NOT_APPLICABLE";
  }
  return "?";
}

void ErrorTally::add(ErrorKind kind, const std::string& message) {
  counts[kind] += 1;
  if (samples.size() < kMaxErrorSamples) samples.push_back(std::string(to_string(kind)) + ": " + message);
}

void ErrorTally::merge(const ErrorTally& other) {
  for (const auto& [k, n] : other.counts) counts[k] += n;
  for (const auto& s : other.samples) {
    if (samples.size() >= kMaxErrorSamples) break;
    samples.push_back(s);
  }
}

std::uint64_t ErrorTally::total() const {
  std::uint64_t n = 0;
  for (const auto& [k, c] : counts) n += c;
  return n;
}

Result<double> process_cpu_seconds(long pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return Error(ErrorCode::kIo, "cannot read (no such process?)", path);
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from
  // the last ')'. utime and stime are fields 14 and 15 (proc(5)), in clock ticks.
  const std::size_t close = line.rfind(')');
  if (close == std::string::npos) return Error(ErrorCode::kParse, "no ')' after the command name", path);
  std::istringstream fields(line.substr(close + 1));
  std::string skip;
  for (int i = 3; i <= 13; ++i) fields >> skip;
  std::uint64_t utime = 0;
  std::uint64_t stime = 0;
  if (!(fields >> utime >> stime)) return Error(ErrorCode::kParse, "no utime / stime fields", path);
  const long ticks = sysconf(_SC_CLK_TCK);
  if (ticks <= 0) return Error(ErrorCode::kInternal, "sysconf(_SC_CLK_TCK) failed", path);
  return static_cast<double>(utime + stime) / static_cast<double>(ticks);
}

Result<std::uint64_t> resident_set_bytes(long pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kIo, "cannot read (no such process?)", path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    std::uint64_t kb = 0;
    if (std::sscanf(line.c_str() + 6, "%" SCNu64, &kb) != 1) break;
    return kb * 1024;
  }
  return Error(ErrorCode::kParse, "no VmRSS line (a kernel thread or a zombie?)", path);
}

LoadResult run_load(const oracle::TargetProfile& profile, const LoadOptions& options) {
  LoadResult result;
  result.started = utc_now();
  const std::size_t workers = std::max<std::size_t>(1, options.concurrency);

  // Reachability first, as `parley run` does: an unreachable target is exit 3, not N errors.
  {
    transport::HttpClient probe(http_options(options));
    transport::HttpRequest get;
    auto answer = probe.send(profile.client.service_url, get);
    if (!answer.ok()) {
      result.reachable = false;
      result.unreachable_reason = answer.error().message();
      result.finished = utc_now();
      return result;
    }
  }

  if (options.target_pid) result.memory.emplace();
  auto sample_rss = [&](std::optional<std::uint64_t> MemorySample::*slot) {
    if (!result.memory) return;
    auto rss = resident_set_bytes(*options.target_pid);
    if (rss.ok()) {
      (*result.memory).*slot = *rss;
    } else if (result.memory->error.empty()) {
      result.memory->error = rss.error().message();
    }
  };
  sample_rss(&MemorySample::before_bytes);

  // Establishment: N contexts issued by C workers.
  std::vector<std::optional<wssc::ContextKey>> slots(options.sessions);
  {
    std::atomic<std::size_t> next{0};
    std::mutex merge;
    const CpuMeter cpu(options.target_pid);
    const auto t0 = SteadyClock::now();
    on_workers(std::min(workers, std::max<std::size_t>(1, options.sessions)), profile, options,
               [&](std::size_t, Worker& w) {
                 PhaseResult local;
                 for (;;) {
                   if (stopped(options)) break;
                   const std::size_t i = next.fetch_add(1);
                   if (i >= options.sessions) break;
                   std::uint64_t micros = 0;
                   auto issued = w.issue(micros);
                   ++local.attempted;
                   local.latency.record(micros);
                   if (issued.ok()) {
                     ++local.succeeded;
                     slots[i] = std::move(issued).value();
                   } else {
                     local.errors.add(classify(issued.error()), issued.error().message());
                   }
                 }
                 std::lock_guard lock(merge);
                 result.establishment.attempted += local.attempted;
                 result.establishment.succeeded += local.succeeded;
                 result.establishment.errors.merge(local.errors);
                 result.establishment.latency.merge(local.latency);
               });
    result.establishment.elapsed_seconds = seconds_since(t0);
    cpu.finish(result.establishment);
  }
  std::vector<wssc::ContextKey> live;
  live.reserve(result.establishment.succeeded);
  for (auto& s : slots) {
    if (s) live.push_back(std::move(*s));
  }
  slots = {};
  sample_rss(&MemorySample::established_bytes);

  // Traffic: round robin over the live sessions from C workers, for the warm-up (not counted)
  // and then the measured duration. Worker 0 also replays one accepted request mid-way.
  ReplayProbe probe;
  probe.wanted = profile.replay_detection;
  auto traffic = [&](std::chrono::milliseconds duration, bool measured) {
    PhaseResult phase;
    if (live.empty() || duration.count() <= 0 || stopped(options)) return phase;
    std::atomic<std::size_t> next{0};
    std::mutex merge;
    const CpuMeter cpu(options.target_pid);
    const auto t0 = SteadyClock::now();
    const auto deadline = t0 + duration;
    if (measured) probe.at = t0 + duration / 2;
    on_workers(workers, profile, options, [&](std::size_t index, Worker& w) {
      PhaseResult local;
      while (!stopped(options) && SteadyClock::now() < deadline) {
        const wssc::ContextKey& context = live[next.fetch_add(1) % live.size()];
        const bool replay_now = measured && index == 0 && probe.wanted && !probe.done && SteadyClock::now() >= probe.at;
        EchoResult r = w.echo(context, replay_now);
        ++local.attempted;
        local.latency.record(r.micros);
        if (r.error) {
          local.errors.add(*r.error, r.message);
          continue;
        }
        ++local.succeeded;
        if (replay_now) {
          probe.replay = w.send_bytes(r.request_body, context);
          probe.original = std::move(r);
          probe.done = true;
        }
      }
      std::lock_guard lock(merge);
      phase.attempted += local.attempted;
      phase.succeeded += local.succeeded;
      phase.errors.merge(local.errors);
      phase.latency.merge(local.latency);
    });
    phase.elapsed_seconds = seconds_since(t0);
    cpu.finish(phase);
    return phase;
  };
  result.warmup_requests = traffic(options.warmup, false).attempted;
  result.traffic = traffic(options.duration, true);
  // A run too short for a mid-way replay still gets one, just after the traffic.
  if (probe.wanted && !probe.done && !live.empty() && !stopped(options)) {
    Worker w(profile, options);
    EchoResult r = w.echo(live.front(), true);
    if (!r.error) {
      probe.replay = w.send_bytes(r.request_body, live.front());
      probe.original = std::move(r);
      probe.done = true;
    }
  }
  result.checks.push_back(replay_verdict(profile, probe, stopped(options)));

  // The pending-session bound: with the load's sessions still open, issue past the declared
  // max_pending_sessions; one issuance must be refused with a SOAP fault and the established
  // sessions must keep working.
  std::vector<wssc::ContextKey> flood;
  {
    CheckResult c{"pending-sessions", "Issuance past max_pending_sessions is refused; established sessions keep working",
                  kPendingRequirements, Verdict::kNotApplicable, ""};
    const bool preshared = profile.client.bootstrap == oracle::Bootstrap::kPresharedSct;
    if (profile.cookie_mode) {
      c.reason = "a cookie-mode service keeps no per-context state to bound";
    } else if (preshared) {
      c.reason = "the bootstrap is preshared-sct: nothing is issued";
    } else if (!profile.max_pending_sessions) {
      c.reason = "the profile declares no [limits] max_pending_sessions";
    } else if (live.empty()) {
      c.reason = "no session was established, so none could be shown to keep working";
    } else if (stopped(options)) {
      c.reason = "the run was interrupted before the check ran";
    } else {
      const std::uint64_t bound = *profile.max_pending_sessions;
      const std::uint64_t attempts = (bound > live.size() ? bound - live.size() : 0) + kPendingMargin;
      std::atomic<std::uint64_t> next{0};
      std::atomic<bool> refused{false};
      std::mutex m;
      std::optional<Error> refusal;
      on_workers(workers, profile, options, [&](std::size_t, Worker& w) {
        while (!refused.load() && !stopped(options) && next.fetch_add(1) < attempts) {
          std::uint64_t micros = 0;
          auto issued = w.issue(micros);
          std::lock_guard lock(m);
          if (issued.ok()) {
            flood.push_back(std::move(issued).value());
          } else {
            if (!refusal) refusal = issued.error();
            refused = true;
          }
        }
      });
      const std::string opened = std::to_string(live.size() + flood.size()) + " open contexts (" +
                                 std::to_string(live.size()) + " from the load, " + std::to_string(flood.size()) +
                                 " more)";
      // The first and the last established sessions must still work after the flood.
      Worker w(profile, options);
      std::vector<EchoResult> survivors = {w.echo(live.front(), false), w.echo(live.back(), false)};
      const auto broken = std::find_if(survivors.begin(), survivors.end(), [](const EchoResult& r) { return r.error.has_value(); });
      if (stopped(options) && !refusal) {
        c.reason = "the run was interrupted during the check";
      } else if (!refusal) {
        c.verdict = Verdict::kFail;
        c.reason = "issuance was never refused: " + opened + " although the profile declares max_pending_sessions = " +
                   std::to_string(bound);
      } else if (classify(*refusal) != ErrorKind::kSoapFault) {
        c.verdict = Verdict::kFail;
        c.reason = "after " + opened + " the issuance failed with " + std::string(to_string(classify(*refusal))) +
                   " (" + refusal->message() + "); a refusal must be a SOAP fault";
      } else if (broken != survivors.end()) {
        c.verdict = Verdict::kFail;
        c.reason = "issuance was refused after " + opened + ", but an established session no longer works: " +
                   broken->message;
      } else {
        c.verdict = Verdict::kPass;
        c.reason = "issuance was refused after " + opened + " with " + refusal->fault() +
                   " (declared bound " + std::to_string(bound) + "); established sessions still work";
      }
    }
    result.checks.push_back(std::move(c));
  }

  // Every success answer was opened under its session's key (Worker::exchange).
  {
    CheckResult c{"response-verification", "Every response verifies under its session's key", kVerifyRequirements,
                  Verdict::kNotApplicable, ""};
    const std::uint64_t failed = result.traffic.errors.counts[ErrorKind::kVerification];
    const std::uint64_t verified = result.traffic.succeeded;
    if (failed > 0) {
      c.verdict = Verdict::kFail;
      c.reason = std::to_string(failed) + " of " + std::to_string(failed + verified) +
                 " success answers did not verify under the session's key";
    } else if (verified == 0) {
      c.reason = "no request was answered with success, so no response could be verified";
    } else {
      c.verdict = Verdict::kPass;
      c.reason = "all " + std::to_string(verified) + " success answers verified under their session's key";
    }
    result.checks.push_back(std::move(c));
  }
  sample_rss(&MemorySample::end_bytes);

  // Leave the target as found: cancel what was opened, when it can be cancelled.
  if (options.cancel_after && profile.cancel && !profile.cookie_mode &&
      profile.client.bootstrap != oracle::Bootstrap::kPresharedSct) {
    for (auto& f : flood) live.push_back(std::move(f));
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> ok{0};
    std::atomic<std::uint64_t> failed{0};
    on_workers(std::min(workers, std::max<std::size_t>(1, live.size())), profile, options, [&](std::size_t, Worker& w) {
      for (;;) {
        if (stopped(options)) break;
        const std::size_t i = next.fetch_add(1);
        if (i >= live.size()) break;
        (w.cancel(live[i]).ok() ? ok : failed) += 1;
      }
    });
    result.cancelled = ok;
    result.cancel_failed = failed;
  }
  result.interrupted = stopped(options);
  result.finished = utc_now();
  return result;
}

int exit_code(const LoadResult& r) {
  if (!r.reachable || r.interrupted) return 3;
  if (r.establishment.errors.total() > 0 || r.traffic.errors.total() > 0) return 1;
  for (const auto& c : r.checks) {
    if (c.verdict == Verdict::kFail) return 1;
  }
  return 0;
}

std::string load_json(const LoadResult& r, const oracle::TargetProfile& profile, const std::string& profile_path,
                      const LoadOptions& o) {
  nlohmann::ordered_json j;
  j["format"] = "parley-load/1";
  j["tool_version"] = PARLEY_LOAD_VERSION;
  j["started"] = r.started;
  j["finished"] = r.finished;
  j["interrupted"] = r.interrupted;
  j["exit_code"] = exit_code(r);
  j["target"] = {{"profile", profile_path},
                 {"name", profile.name},
                 {"service_url", profile.client.service_url},
                 {"sts_url", profile.client.sts_url},
                 {"bootstrap", std::string(oracle::to_string(profile.client.bootstrap))},
                 {"reachable", r.reachable}};
  if (!r.reachable) j["target"]["unreachable_reason"] = r.unreachable_reason;
  j["options"] = {{"sessions", o.sessions},
                  {"concurrency", o.concurrency},
                  {"duration_seconds", std::chrono::duration<double>(o.duration).count()},
                  {"warmup_seconds", std::chrono::duration<double>(o.warmup).count()},
                  {"request_timeout_seconds", std::chrono::duration<double>(o.request_timeout).count()},
                  {"encrypt", o.encrypt},
                  {"target_pid", o.target_pid ? nlohmann::ordered_json(*o.target_pid) : nlohmann::ordered_json(nullptr)}};
  const auto& e = r.establishment;
  j["establishment"] = {{"requested", o.sessions},
                        {"attempted", e.attempted},
                        {"established", e.succeeded},
                        {"failed", e.attempted - e.succeeded},
                        {"errors", errors_json(e.errors)},
                        {"elapsed_seconds", e.elapsed_seconds},
                        {"rate_per_second", e.elapsed_seconds > 0 ? static_cast<double>(e.succeeded) / e.elapsed_seconds : 0.0},
                        {"latency_us", latency_json(e.latency)},
                        {"client_cpu_seconds", e.client_cpu_seconds},
                        {"target_cpu_seconds", cpu_json(e.target_cpu_seconds)}};
  const auto& t = r.traffic;
  j["traffic"] = {{"warmup_requests", r.warmup_requests},
                  {"requests", t.attempted},
                  {"ok", t.succeeded},
                  {"errors", errors_json(t.errors)},
                  {"elapsed_seconds", t.elapsed_seconds},
                  {"throughput_rps", t.elapsed_seconds > 0 ? static_cast<double>(t.attempted) / t.elapsed_seconds : 0.0},
                  {"latency_us", latency_json(t.latency)},
                  {"client_cpu_seconds", t.client_cpu_seconds},
                  {"target_cpu_seconds", cpu_json(t.target_cpu_seconds)}};
  if (r.memory) {
    const auto& m = *r.memory;
    auto opt = [](const std::optional<std::uint64_t>& v) { return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr); };
    nlohmann::ordered_json per_session = nullptr;
    if (m.before_bytes && m.established_bytes && e.succeeded > 0) {
      const auto grown = static_cast<double>(*m.established_bytes) - static_cast<double>(*m.before_bytes);
      per_session = grown / static_cast<double>(e.succeeded);
    }
    j["memory"] = {{"pid", *o.target_pid},
                   {"rss_before_bytes", opt(m.before_bytes)},
                   {"rss_established_bytes", opt(m.established_bytes)},
                   {"rss_end_bytes", opt(m.end_bytes)},
                   {"bytes_per_session", per_session}};
    if (!m.error.empty()) j["memory"]["error"] = m.error;
  } else {
    j["memory"] = nullptr;
  }
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  for (const auto& c : r.checks) {
    checks.push_back({{"id", c.id},
                      {"title", c.title},
                      {"requirements", c.requirements},
                      {"verdict", std::string(to_string(c.verdict))},
                      {"reason", c.reason}});
  }
  j["checks"] = checks;
  j["cleanup"] = {{"cancelled", r.cancelled}, {"cancel_failed", r.cancel_failed}};
  return j.dump(2) + "\n";
}

std::string summary_text(const LoadResult& r) {
  std::ostringstream o;
  if (!r.reachable) {
    o << "the target could not be reached: " << r.unreachable_reason << "\n";
    return o.str();
  }
  char buf[256];
  const auto& e = r.establishment;
  std::snprintf(buf, sizeof buf, "sessions: %" PRIu64 " established, %" PRIu64 " failed in %.2f s (%.0f/s)\n",
                e.succeeded, e.attempted - e.succeeded, e.elapsed_seconds,
                e.elapsed_seconds > 0 ? static_cast<double>(e.succeeded) / e.elapsed_seconds : 0.0);
  o << buf;
  if (e.errors.total() > 0) o << "  establishment errors: " << join_kinds(e.errors) << "\n";
  const auto& t = r.traffic;
  std::snprintf(buf, sizeof buf, "requests: %" PRIu64 " in %.2f s, %.1f req/s, %" PRIu64 " errors (%s)\n", t.attempted,
                t.elapsed_seconds, t.elapsed_seconds > 0 ? static_cast<double>(t.attempted) / t.elapsed_seconds : 0.0,
                t.errors.total(), join_kinds(t.errors).c_str());
  o << buf;
  const auto& h = t.latency;
  std::snprintf(buf, sizeof buf,
                "latency us: min %" PRIu64 ", p50 %" PRIu64 ", p90 %" PRIu64 ", p99 %" PRIu64 ", max %" PRIu64 "\n",
                h.min(), h.percentile(50), h.percentile(90), h.percentile(99), h.max());
  o << buf;
  std::snprintf(buf, sizeof buf, "cpu during the traffic: parley %.2f s", t.client_cpu_seconds);
  o << buf;
  if (t.target_cpu_seconds) {
    std::snprintf(buf, sizeof buf, ", target %.2f s (%.0f us per request)", *t.target_cpu_seconds,
                  t.attempted > 0 ? *t.target_cpu_seconds * 1e6 / static_cast<double>(t.attempted) : 0.0);
    o << buf;
  }
  o << "\n";
  for (const auto& s : t.errors.samples) o << "  " << s << "\n";
  if (r.memory) {
    const auto& m = *r.memory;
    auto mib = [](const std::optional<std::uint64_t>& v) {
      return v ? std::to_string(*v / 1024) + " KiB" : std::string("n/a");
    };
    o << "target RSS: " << mib(m.before_bytes) << " before, " << mib(m.established_bytes) << " established, "
      << mib(m.end_bytes) << " at the end";
    if (m.before_bytes && m.established_bytes && e.succeeded > 0) {
      o << ", " << (static_cast<std::int64_t>(*m.established_bytes) - static_cast<std::int64_t>(*m.before_bytes)) /
                       static_cast<std::int64_t>(e.succeeded)
        << " bytes/session";
    }
    if (!m.error.empty()) o << " (" << m.error << ")";
    o << "\n";
  }
  for (const auto& c : r.checks) o << to_string(c.verdict) << "  " << c.id << ": " << c.reason << "\n";
  if (r.interrupted) o << "interrupted: the result is partial\n";
  return o.str();
}

}  // namespace parley::load
