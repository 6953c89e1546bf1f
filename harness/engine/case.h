// The conformance case model: a case has a stable ID that mirrors the spec, cites requirement
// IDs, names the capabilities it needs, and runs against a target through a CaseContext that
// records every exchange as evidence. Suites register their cases explicitly (suites/).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "harness/oracle/client.h"
#include "harness/oracle/config.h"
#include "harness/wssc/envelope.h"

namespace parley::engine {

enum class Verdict { kPass, kFail, kWarn, kInfo, kNotApplicable, kPrereqFailed, kError };
std::string_view to_string(Verdict v);
std::optional<Verdict> verdict_from_string(std::string_view text);

// What a target profile claims (architecture.md) plus what the bootstrap allows.
enum class Capability {
  kIssue,  // the target issues SCTs (bootstrap other than preshared-sct)
  kRenew,
  kCancel,
  kAmend,
  kCookieMode,
  kReplayDetection,
  kEncryption,
  kSignatureConfirmation,
  // Relying parties (kind = "relying-party", [capabilities] / [relying_party] of the profile):
  kWifCookieFormat,  // the session cookie is WIF's (SCT XML, transforms, chunks)
  kReferenceMode,    // sessions by reference (a server-side cache)
  kValueMode,        // WIF sessions by value (the token travels in the cookie)
  kWhoami,           // a whoami_url (docs/design/rp-whoami.md)
  kSignOut,          // a signout_url
  kCookieKeys,       // [cookie_protection]: parley may forge session tokens (value mode)
  kFarm,             // farm_urls: other nodes of the same farm
};
// The capabilities a profile of this kind can claim or disclaim (the run summary lists the
// disclaimed ones).
std::vector<Capability> capabilities_of(const oracle::TargetProfile& profile);
std::string_view to_string(Capability c);
bool has_capability(const oracle::TargetProfile& profile, Capability c);

struct CaseInfo {
  std::string id;     // e.g. "wssc/03/issue-rstrc" (suite / spec section / name)
  std::string title;  // one line
  std::vector<std::string> requirements;  // IDs in docs/requirements
  std::string role = "SVC";               // the role tested: SVC, ISS, CLI
  std::vector<Capability> needs;
  bool destructive = false;  // runs only with --allow-destructive
  // For `parley explain`: what the case sends, what it expects, typical causes of failure.
  std::string sends;
  std::string expects;
  std::string typical_causes;
};

// The result a case's run function returns; the runner applies the verdict rules on top.
struct Outcome {
  Verdict verdict = Verdict::kError;
  std::string reason;  // one sentence naming the offending element or behaviour
  static Outcome pass(std::string reason) { return {Verdict::kPass, std::move(reason)}; }
  static Outcome fail(std::string reason) { return {Verdict::kFail, std::move(reason)}; }
  static Outcome warn(std::string reason) { return {Verdict::kWarn, std::move(reason)}; }
  static Outcome info(std::string reason) { return {Verdict::kInfo, std::move(reason)}; }
  static Outcome not_applicable(std::string reason) { return {Verdict::kNotApplicable, std::move(reason)}; }
  static Outcome prereq_failed(std::string reason) { return {Verdict::kPrereqFailed, std::move(reason)}; }
  static Outcome error(std::string reason) { return {Verdict::kError, std::move(reason)}; }
};

// How a target answered one request, classified for the verdict rules.
struct Answer {
  enum class Kind {
    kSuccess,         // HTTP 2xx with a SOAP envelope that is not a fault
    kFault,           // a SOAP fault (any HTTP status)
    kBareHttpError,   // a non-2xx status without a SOAP fault
    kNotSoap,         // 2xx, but the body is not a SOAP envelope
    kTransportError,  // no answer: refused, reset, timeout, TLS failure
  };
  Kind kind = Kind::kTransportError;
  int status = 0;
  std::optional<wssc::SoapFault> fault;
  std::string detail;  // the transport error or the parse error
  std::string describe() const;  // "HTTP 500 without a SOAP fault", "fault wsc:BadContextToken" ...
};

// One recorded exchange of a case.
struct EvidenceExchange {
  std::string label;  // "control", "mutant", "issue" ...
  std::string url;
  std::string request_content_type;
  std::string request_soap_action;  // the SOAPAction header (SOAP 1.1), "" when absent
  std::string request_body;
  int response_status = 0;
  std::string response_content_type;
  std::string response_body;
  std::string error;  // transport error, when no response
};

struct Evidence {
  std::vector<EvidenceExchange> exchanges;
  std::vector<std::pair<std::string, std::string>> keys;  // label -> hex (redactable)
  std::vector<std::string> notes;
};

struct RunSettings {
  // The longest a time-bound case may wait for the target (key expiry, rollover, inactivity);
  // a case needing longer is NOT_APPLICABLE and says how long it would need.
  std::chrono::seconds max_wait{10};
  std::chrono::seconds request_timeout{30};
  // Wall-clock budget of one case: every request is cut at it, and a case still running then
  // is ERROR. Defaults to request_timeout * 4 + max_wait when zero.
  std::chrono::seconds case_timeout{0};
  std::uint64_t seed = 1;
  bool allow_destructive = false;
  bool strict = false;
  // Where requests go; tests inject an in-process target here. Default: HTTP via libcurl.
  oracle::SendFunction send;
};

class CaseContext {
 public:
  CaseContext(const oracle::TargetProfile& profile, const RunSettings& settings, std::uint64_t seed);

  const oracle::TargetProfile& profile() const { return profile_; }
  const RunSettings& settings() const { return settings_; }
  std::mt19937_64& rng() { return rng_; }
  Evidence& evidence() { return evidence_; }

  // A reference client for this case, configured from the profile; its exchanges are recorded
  // under `label` when it is destroyed or when record_client() is called.
  std::unique_ptr<oracle::Client> new_client(std::string label = "client");
  void record_client(const oracle::Client& client, const std::string& label);

  // Sends a prepared envelope and classifies the answer (the exchange is recorded as `label`).
  // `soap_action` overrides the SOAP 1.1 SOAPAction header (default: the quoted wsa:Action).
  Answer send(const std::string& label, const std::string& url, const xml::Document& doc, std::string_view action,
              std::optional<std::string> soap_action = std::nullopt);
  // The same for a body given as bytes (a replay of exactly what was sent before, or a body no
  // DOM can hold: a DTD, an entity bomb). Bodies over kMaxRecordedBody are recorded shortened.
  Answer send_bytes(const std::string& label, const std::string& url, std::string body, std::string_view action,
                    std::optional<std::string> soap_action = std::nullopt);
  static constexpr std::size_t kMaxRecordedBody = std::size_t{64} << 10;
  // Classifies a client step's result the same way (for steps done through oracle::Client).
  static Answer classify(const Status& status, const oracle::Client& client);

  void note(std::string text) { evidence_.notes.push_back(std::move(text)); }

  // A context the case established: the runner cancels it once the case has concluded (when the
  // profile claims cancel and the target issues its contexts), so a run does not leave the
  // target's context store full for the next run. The cancels are not part of the evidence and
  // their answers are ignored.
  void keep_for_cleanup(const wssc::ContextKey& context);
  void cleanup();
  void key(std::string label, const Bytes& key);

  // Time-bound steps: waits `duration` when it fits in --max-wait and in the case's budget;
  // else returns, without waiting, an Error saying how long the step would need (the case
  // reports NOT_APPLICABLE with it).
  Status wait(std::chrono::milliseconds duration, std::string_view what);
  // The case's budget (RunSettings::case_timeout) and whether it ran out.
  std::chrono::seconds budget() const { return budget_; }
  bool out_of_time() const { return std::chrono::steady_clock::now() >= deadline_; }

 private:
  const oracle::TargetProfile& profile_;
  const RunSettings& settings_;
  std::mt19937_64 rng_;
  Evidence evidence_;
  std::chrono::seconds budget_;
  std::chrono::steady_clock::time_point deadline_;
  std::shared_ptr<oracle::SendFunction> send_;
  std::vector<wssc::ContextKey> cleanup_;
};

// The effective per-case budget of `settings` (case_timeout, or its default).
std::chrono::seconds case_budget(const RunSettings& settings);

// The differential rule for negative cases (architecture.md): the control must succeed (else
// PREREQ_FAILED); the mutant passes only with a SOAP fault whose most specific QName is one of
// `expected` (another fault: WARN); a bare HTTP error, a non-SOAP answer or a success is FAIL,
// no answer at all is ERROR; when `context_survives`, a control after the mutant must succeed
// again (else FAIL).
struct NegativeStep {
  std::function<Answer()> control;
  std::function<Answer()> mutant;
  std::vector<names::QName> expected;
  bool context_survives = true;
  std::string mutation;  // what the mutant changes, for the reason
};
Outcome judge_negative(const NegativeStep& step);

using RunFunction = std::function<Outcome(CaseContext&)>;

class PassiveObserver;   // passive.h
struct PassiveSettings;  // passive.h

struct Case {
  CaseInfo info;
  RunFunction run;  // a live case; empty for a passive check
  // A passive check (`parley analyze`, passive.h): makes the observer that watches a capture.
  std::function<std::unique_ptr<PassiveObserver>(const PassiveSettings&)> passive = {};
};

// The cases of every suite, in registration order. Suites add theirs through register_*().
class Registry {
 public:
  Status add(Case c);  // kInvalidArgument on a duplicate ID or an unknown requirement ID
  const std::vector<Case>& all() const { return cases_; }
  const Case* find(std::string_view id) const;

 private:
  std::vector<Case> cases_;
};

}  // namespace parley::engine
