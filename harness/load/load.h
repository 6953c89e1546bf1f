// `parley load`: establishes many security contexts against a WS-SC service, sends protected
// echo messages over them from concurrent workers, measures throughput and latency, and checks
// that the target's limits hold under load (replay detection, the pending-session bound, every
// response verifying under its session's key). docs/load.md describes the run and load.json.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/error.h"
#include "harness/load/histogram.h"
#include "harness/oracle/config.h"

namespace parley::load {

struct LoadOptions {
  std::size_t sessions = 100;
  std::size_t concurrency = 4;
  std::chrono::milliseconds duration{10000};
  std::chrono::milliseconds warmup{0};
  std::chrono::milliseconds request_timeout{10000};  // every HTTP exchange, connect included
  bool encrypt = false;                              // encrypt application request Bodies
  std::optional<long> target_pid;                    // loopback target: its VmRSS is sampled
  bool cancel_after = true;                          // cancel the contexts at the end (if the target can)
  // Set (from a signal handler) to stop early: the phases end, the partial result is returned.
  const std::atomic<bool>* interrupt = nullptr;
};

// How a request went wrong.
enum class ErrorKind {
  kTransport,     // no HTTP answer: refused, reset, timeout
  kSoapFault,     // the target answered a SOAP fault
  kVerification,  // a success answer that does not verify under the session's key
  kProtocol,      // an answer that is neither: not XML, not SOAP, an HTTP error without a fault
};
std::string_view to_string(ErrorKind kind);

struct ErrorTally {
  std::map<ErrorKind, std::uint64_t> counts;
  std::vector<std::string> samples;  // the first few messages, for the report (bounded)
  void add(ErrorKind kind, const std::string& message);
  void merge(const ErrorTally& other);
  std::uint64_t total() const;
};

struct PhaseResult {
  std::uint64_t attempted = 0;
  std::uint64_t succeeded = 0;
  ErrorTally errors;
  LatencyHistogram latency;  // microseconds, successful and failed exchanges alike
  double elapsed_seconds = 0;
  // CPU time (user + system) spent during the phase by parley itself and, with a target PID,
  // by the target: where a loopback run's two cores went.
  double client_cpu_seconds = 0;
  std::optional<double> target_cpu_seconds;
};

enum class Verdict { kPass, kFail, kNotApplicable };
std::string_view to_string(Verdict verdict);

struct CheckResult {
  std::string id;  // replay | pending-sessions | response-verification
  std::string title;
  std::vector<std::string> requirements;
  Verdict verdict = Verdict::kNotApplicable;
  std::string reason;
};

struct MemorySample {
  std::optional<std::uint64_t> before_bytes;       // before establishing
  std::optional<std::uint64_t> established_bytes;  // after establishing
  std::optional<std::uint64_t> end_bytes;          // after the traffic and the checks
  std::string error;                               // why a sample is missing
};

struct LoadResult {
  std::string started;   // UTC, ISO 8601
  std::string finished;
  bool interrupted = false;
  bool reachable = true;
  std::string unreachable_reason;
  PhaseResult establishment;
  PhaseResult traffic;
  std::uint64_t warmup_requests = 0;
  std::vector<CheckResult> checks;
  std::optional<MemorySample> memory;
  std::uint64_t cancelled = 0;
  std::uint64_t cancel_failed = 0;
};

// Runs the whole load against the service `profile` describes (kind wssc-service).
LoadResult run_load(const oracle::TargetProfile& profile, const LoadOptions& options);

// VmRSS of a process from /proc/PID/status, in bytes.
Result<std::uint64_t> resident_set_bytes(long pid);
// User + system CPU time of a process so far, from /proc/PID/stat, in seconds.
Result<double> process_cpu_seconds(long pid);

// 0 when every check is PASS or NOT_APPLICABLE and nothing failed; 1 otherwise; 3 when the
// target was unreachable or the run was interrupted (docs/load.md, as `parley run`).
int exit_code(const LoadResult& result);

// load.json (format "parley-load/1", docs/load.md).
std::string load_json(const LoadResult& result, const oracle::TargetProfile& profile, const std::string& profile_path,
                      const LoadOptions& options);
// The short console summary.
std::string summary_text(const LoadResult& result);

}  // namespace parley::load
