// Passive observer checks: the check type of `parley analyze`. A live case drives a target; a
// passive check only watches recorded exchanges (captures, HAR files, WCF logs) go by, one at a
// time, keeping per-session state, and concludes at the end. Passive checks are registered in
// the same Registry as live cases (Case::passive), cite the same requirement IDs, and their
// results go through the same verdict rules, reports and exit codes.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/capture/capture.h"
#include "harness/capture/importers.h"
#include "harness/core/xml.h"
#include "harness/engine/case.h"
#include "harness/engine/runner.h"
#include "harness/wssc/envelope.h"
#include "harness/wssc/security.h"

namespace parley::engine {

// Keys that let checks verify signatures and decrypt (`parley analyze --keys`).
struct AnalysisKeys {
  struct Context {
    std::string identifier;  // the SCT's wsc:Identifier
    std::string instance;    // "" = any instance
    Bytes key;
  };
  std::vector<Context> contexts;
  std::vector<Bytes> cookie_keys;  // WIF cookie transform keys (reported; not used by checks yet)
  std::string path;                // where they came from, for reasons
};

struct PassiveSettings {
  const AnalysisKeys* keys = nullptr;           // nullptr: no --keys
  std::chrono::seconds max_clock_skew{300};     // freshness of timestamps against capture time
  std::string cookie_name = "FedAuth";          // the WIF session cookie's base name
  std::size_t max_sessions = 10000;             // per-session state kept at once (memory bound)
};

// One HTTP message of an exchange, with its SOAP envelope parsed once for every check.
struct ObservedMessage {
  const capture::Message* http = nullptr;    // nullptr when the capture lacks this message
  std::optional<xml::Document> doc;          // when the body is XML
  std::optional<wssc::EnvelopeView> envelope;  // when the document is a SOAP envelope
  std::string parse_error;                   // why doc / envelope is missing ("" when not XML)
  bool soap() const { return envelope.has_value(); }
};

struct Observation {
  std::string source;  // the input file
  std::uint64_t index = 0;  // exchange number in the input
  std::uint64_t ordinal = 0;  // position of this exchange among all analyzed (1-based)
  const capture::Exchange* exchange = nullptr;
  ObservedMessage request;
  ObservedMessage response;
  const std::vector<std::string>* input_notes = nullptr;  // importer findings about the input
  // "capture.jsonl exchange 3 request"
  std::string where(const capture::Message* m = nullptr) const;
  // Service level on either side (WCF ServiceLevel* logs): wire-level checks do not apply.
  bool service_level() const;
};

// One passive check's state over a whole analysis. observe() is called for every exchange in
// order, finish() once at the end.
class PassiveObserver {
 public:
  virtual ~PassiveObserver() = default;
  virtual void observe(const Observation& o) = 0;
  // After each input, with the importer's findings about it (e.g. "cookies stripped: ...").
  virtual void end_input(const std::vector<std::string>& notes) { (void)notes; }
  virtual Outcome finish() = 0;
  Evidence& evidence() { return evidence_; }

 protected:
  Evidence evidence_;
};

// The usual shape of a passive check: count what was checked, keep findings with the exchange
// and element that caused them, conclude FAIL > WARN > PASS (+ INFO notes), NOT_APPLICABLE when
// nothing in the input was checkable.
class TallyObserver : public PassiveObserver {
 public:
  explicit TallyObserver(std::string not_applicable_reason) : na_reason_(std::move(not_applicable_reason)) {}
  Outcome finish() override;

 protected:
  void checked() { ++checked_; }
  void fail(const Observation& o, const capture::Message* m, std::string element, std::string what);
  void warn(const Observation& o, const capture::Message* m, std::string element, std::string what);
  void info(const Observation& o, const capture::Message* m, std::string element, std::string what);
  // Replaces the NOT_APPLICABLE reason (e.g. "every message is service level").
  void set_not_applicable_reason(std::string reason) { na_reason_ = std::move(reason); }
  std::size_t checked_count() const { return checked_; }
  std::string pass_reason_suffix;  // appended to the PASS reason ("; 4 signatures verified")

 private:
  void add(Verdict v, const Observation& o, const capture::Message* m, std::string element, std::string what);
  std::string na_reason_;
  std::size_t checked_ = 0;
  std::size_t counts_[3] = {};  // fail, warn, info
  std::string first_[3];
  std::size_t exchanges_recorded_ = 0;
};

using PassiveFactory = std::function<std::unique_ptr<PassiveObserver>(const PassiveSettings&)>;

// A passive check for the registry: Case::passive holds the factory, Case::run is empty.
Case passive_case(CaseInfo info, PassiveFactory factory);

struct AnalyzeOptions {
  std::vector<std::string> filters;
  PassiveSettings settings;
  const Baseline* baseline = nullptr;
  bool strict = false;
  capture::ImportLimits import_limits;
};

struct InputSummary {
  std::string path;
  std::string kind;  // capture | har | svclog | raw
  std::uint64_t messages = 0;
  std::uint64_t exchanges = 0;
  std::uint64_t bytes = 0;  // body bytes seen
  std::vector<std::string> errors;  // records rejected (named)
  std::vector<std::string> notes;
  std::string fatal;  // the input could not be read at all
};

struct AnalyzeResult {
  RunResult run;
  std::vector<InputSummary> inputs;
};

// Streams every input through every selected passive check of `registry` (live cases are
// skipped), then applies the verdict rules, the baseline and the exit-code rule of run_cases.
AnalyzeResult analyze_inputs(const Registry& registry, const std::vector<std::string>& inputs,
                             const AnalyzeOptions& options);

}  // namespace parley::engine
