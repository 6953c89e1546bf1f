#include "harness/engine/case.h"

#include "harness/engine/requirements.h"
#include "harness/oracle/http_binding.h"

#include <thread>

namespace parley::engine {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "PASS";
    case Verdict::kFail: return "FAIL";
    case Verdict::kWarn: return "WARN";
    case Verdict::kInfo: return "INFO";
    case Verdict::kNotApplicable: return "NOT_APPLICABLE";
    case Verdict::kPrereqFailed: return "PREREQ_FAILED";
    case Verdict::kError: return "ERROR";
  }
  return "ERROR";
}

std::optional<Verdict> verdict_from_string(std::string_view text) {
  for (Verdict v : {Verdict::kPass, Verdict::kFail, Verdict::kWarn, Verdict::kInfo, Verdict::kNotApplicable,
                    Verdict::kPrereqFailed, Verdict::kError}) {
    if (to_string(v) == text) return v;
  }
  return std::nullopt;
}

std::string_view to_string(Capability c) {
  switch (c) {
    case Capability::kIssue: return "issue";
    case Capability::kRenew: return "renew";
    case Capability::kCancel: return "cancel";
    case Capability::kAmend: return "amend";
    case Capability::kCookieMode: return "cookie_mode";
    case Capability::kReplayDetection: return "replay_detection";
    case Capability::kEncryption: return "encryption";
    case Capability::kSignatureConfirmation: return "signature_confirmation";
    case Capability::kWifCookieFormat: return "wif_cookie_format";
    case Capability::kReferenceMode: return "reference_mode";
    case Capability::kValueMode: return "value_mode";
    case Capability::kWhoami: return "whoami";
    case Capability::kSignOut: return "signout";
    case Capability::kCookieKeys: return "cookie_keys";
    case Capability::kFarm: return "farm";
  }
  return "?";
}

bool has_capability(const oracle::TargetProfile& p, Capability c) {
  const oracle::RelyingPartyProfile* rp = p.relying_party ? &*p.relying_party : nullptr;
  switch (c) {
    case Capability::kIssue: return p.client.bootstrap != oracle::Bootstrap::kPresharedSct;
    case Capability::kRenew: return p.renew;
    case Capability::kCancel: return p.cancel;
    case Capability::kAmend: return p.amend;
    case Capability::kCookieMode: return p.cookie_mode;
    case Capability::kReplayDetection: return p.replay_detection;
    case Capability::kEncryption: return p.encryption;
    case Capability::kSignatureConfirmation: return p.signature_confirmation;
    case Capability::kWifCookieFormat: return rp && rp->wif_cookie_format;
    case Capability::kReferenceMode: return rp && rp->wif_cookie_format && rp->reference_mode;
    case Capability::kValueMode: return rp && rp->wif_cookie_format && !rp->reference_mode;
    case Capability::kWhoami: return rp && !rp->whoami_url.empty();
    case Capability::kSignOut: return rp && !rp->signout_url.empty();
    case Capability::kCookieKeys: return rp && rp->wif_cookie_format && !rp->reference_mode && rp->can_forge();
    case Capability::kFarm: return rp && !rp->farm_urls.empty();
  }
  return false;
}

std::vector<Capability> capabilities_of(const oracle::TargetProfile& p) {
  if (p.relying_party) {
    return {Capability::kWifCookieFormat, Capability::kReferenceMode, Capability::kValueMode, Capability::kWhoami,
            Capability::kSignOut,         Capability::kCookieKeys,    Capability::kFarm};
  }
  return {Capability::kIssue,          Capability::kRenew,      Capability::kCancel,
          Capability::kAmend,          Capability::kCookieMode, Capability::kReplayDetection,
          Capability::kEncryption,     Capability::kSignatureConfirmation};
}

std::string Answer::describe() const {
  switch (kind) {
    case Kind::kSuccess: return "a successful response (HTTP " + std::to_string(status) + ")";
    case Kind::kFault:
      return "a SOAP fault " + wssc::clark(fault->specific().view()) + " (HTTP " + std::to_string(status) + ")";
    case Kind::kBareHttpError: return "HTTP " + std::to_string(status) + " without a SOAP fault";
    case Kind::kNotSoap: return "HTTP " + std::to_string(status) + " with a body that is not SOAP (" + detail + ")";
    case Kind::kTransportError: return "no answer: " + detail;
  }
  return "?";
}

namespace {

Answer classify_response(int status, const std::string& body) {
  Answer a;
  a.status = status;
  auto doc = xml::parse(body);
  if (!doc.ok()) {
    a.kind = status >= 200 && status < 300 ? Answer::Kind::kNotSoap : Answer::Kind::kBareHttpError;
    a.detail = doc.error().message();
    return a;
  }
  auto view = wssc::parse_envelope(*doc);
  if (!view.ok()) {
    a.kind = status >= 200 && status < 300 ? Answer::Kind::kNotSoap : Answer::Kind::kBareHttpError;
    a.detail = view.error().message();
    return a;
  }
  if (auto fault = wssc::parse_fault(*view); fault.ok()) {
    a.kind = Answer::Kind::kFault;
    a.fault = std::move(*fault);
    return a;
  }
  a.kind = status >= 200 && status < 300 ? Answer::Kind::kSuccess : Answer::Kind::kBareHttpError;
  return a;
}

}  // namespace

std::chrono::seconds case_budget(const RunSettings& settings) {
  if (settings.case_timeout.count() > 0) return settings.case_timeout;
  return settings.request_timeout * 4 + settings.max_wait;
}

CaseContext::CaseContext(const oracle::TargetProfile& profile, const RunSettings& settings, std::uint64_t seed)
    : profile_(profile),
      settings_(settings),
      rng_(seed),
      budget_(case_budget(settings)),
      deadline_(std::chrono::steady_clock::now() + budget_) {
  oracle::SendFunction inner = settings.send;
  if (!inner) {
    transport::HttpClient::Options o;
    o.connect_timeout = std::min<std::chrono::milliseconds>(settings.request_timeout, std::chrono::seconds(10));
    o.total_timeout = settings.request_timeout;
    auto http = std::make_shared<transport::HttpClient>(o);
    http->set_deadline(deadline_);  // a request in flight at the deadline is cut there
    inner = [http](const std::string& url, const oracle::SoapRequest& r) { return oracle::http_sender(*http)(url, r); };
  }
  // No request starts once the budget is spent.
  send_ = std::make_shared<oracle::SendFunction>(
      [inner = std::move(inner), deadline = deadline_, budget = budget_](const std::string& url,
                                                                          const oracle::SoapRequest& r) {
        if (std::chrono::steady_clock::now() >= deadline) {
          return Result<oracle::SoapResponse>(Error(ErrorCode::kLimitExceeded,
                                                    "the case's time budget of " + std::to_string(budget.count()) +
                                                        " s ran out before this request (--case-timeout)",
                                                    "case"));
        }
        return inner(url, r);
      });
}

Status CaseContext::wait(std::chrono::milliseconds duration, std::string_view what) {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  auto whole_seconds = [](std::chrono::milliseconds d) {
    if (d.count() < 1000) return std::to_string(std::max<long long>(d.count(), 0)) + " ms";
    return std::to_string((d.count() + 999) / 1000) + " s";
  };
  if (duration > settings_.max_wait) {
    return Error(ErrorCode::kUnsupported,
                 std::string(what) + " needs a wait of " + whole_seconds(duration) + ", more than --max-wait " +
                     std::to_string(settings_.max_wait.count()) + " s",
                 "max-wait");
  }
  const auto left = duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
  if (duration >= left) {
    return Error(ErrorCode::kLimitExceeded,
                 std::string(what) + " needs a wait of " + whole_seconds(duration) + ", more than the " +
                     whole_seconds(left) + " left of the case's budget (--case-timeout)",
                 "case");
  }
  note("waited " + whole_seconds(duration) + ": " + std::string(what));
  if (duration.count() > 0) std::this_thread::sleep_for(duration);
  return ok_status();
}

std::unique_ptr<oracle::Client> CaseContext::new_client(std::string) {
  auto send = send_;
  return std::make_unique<oracle::Client>(
      profile_.client, [send](const std::string& url, const oracle::SoapRequest& r) { return (*send)(url, r); });
}

void CaseContext::keep_for_cleanup(const wssc::ContextKey& context) { cleanup_.push_back(context); }

void CaseContext::cleanup() {
  const bool cancellable = profile_.cancel && !profile_.cookie_mode &&
                           profile_.client.bootstrap != oracle::Bootstrap::kPresharedSct;
  if (cancellable) {
    for (const auto& context : cleanup_) {
      auto client = new_client("cleanup");
      client->set_context(context);
      (void)client->cancel();
    }
  }
  cleanup_.clear();
}

void CaseContext::record_client(const oracle::Client& client, const std::string& label) {
  for (const auto& e : client.exchanges()) {
    EvidenceExchange x;
    x.label = label;
    x.url = e.url;
    x.request_content_type = e.request.content_type;
    x.request_soap_action = e.request.soap_action;
    x.request_body = e.request.body;
    if (e.response) {
      x.response_status = e.response->status;
      x.response_content_type = e.response->content_type;
      x.response_body = e.response->body;
    } else {
      x.error = "no response";
    }
    evidence_.exchanges.push_back(std::move(x));
  }
}

Answer CaseContext::send(const std::string& label, const std::string& url, const xml::Document& doc,
                         std::string_view action, std::optional<std::string> soap_action) {
  return send_bytes(label, url, xml::serialize(doc), action, std::move(soap_action));
}

namespace {
// Evidence keeps the head of a body too large to record whole, and says how much was left out.
std::string recorded_body(const std::string& body) {
  if (body.size() <= CaseContext::kMaxRecordedBody) return body;
  constexpr std::size_t kHead = 4096;
  return body.substr(0, kHead) + "\n[parley: " + std::to_string(body.size() - kHead) + " more bytes not recorded (" +
         std::to_string(body.size()) + " in all)]";
}
}  // namespace

Answer CaseContext::send_bytes(const std::string& label, const std::string& url, std::string body,
                               std::string_view action, std::optional<std::string> soap_action) {
  oracle::SoapRequest req;
  req.content_type = std::string(names::soap(profile_.client.versions.soap).content_type) + "; charset=utf-8";
  if (profile_.client.versions.soap == names::SoapVersion::k1_1) {
    req.soap_action = soap_action.value_or("\"" + std::string(action) + "\"");
  }
  req.body = std::move(body);
  EvidenceExchange x;
  x.label = label;
  x.url = url;
  x.request_content_type = req.content_type;
  x.request_soap_action = req.soap_action;
  x.request_body = recorded_body(req.body);
  auto resp = (*send_)(url, req);
  Answer a;
  if (!resp.ok()) {
    a.kind = Answer::Kind::kTransportError;
    a.detail = resp.error().message();
    x.error = a.detail;
  } else {
    x.response_status = resp->status;
    x.response_content_type = resp->content_type;
    x.response_body = recorded_body(resp->body);
    a = classify_response(resp->status, resp->body);
  }
  evidence_.exchanges.push_back(std::move(x));
  return a;
}

Answer CaseContext::classify(const Status& status, const oracle::Client& client) {
  const auto& exchanges = client.exchanges();
  if (exchanges.empty() || !exchanges.back().response) {
    Answer a;
    a.kind = Answer::Kind::kTransportError;
    a.detail = status.ok() ? "no exchange" : status.error().message();
    return a;
  }
  Answer a = classify_response(exchanges.back().response->status, exchanges.back().response->body);
  if (a.kind == Answer::Kind::kSuccess && !status.ok()) {
    // The target answered, but the answer did not check out (bad signature, wrong shape...).
    a.kind = Answer::Kind::kNotSoap;
    a.detail = status.error().message();
  }
  return a;
}

void CaseContext::key(std::string label, const Bytes& k) { evidence_.keys.emplace_back(std::move(label), hex_encode(k)); }

Outcome judge_negative(const NegativeStep& step) {
  Answer before = step.control();
  if (before.kind != Answer::Kind::kSuccess) {
    return Outcome::prereq_failed("the unmutated control message did not succeed: " + before.describe());
  }
  Answer mutant = step.mutant();
  std::string expected_names;
  for (const auto& q : step.expected) expected_names += (expected_names.empty() ? "" : " or ") + wssc::clark(q);
  Outcome verdict;
  switch (mutant.kind) {
    case Answer::Kind::kFault: {
      bool matched = false;
      for (const auto& q : step.expected) matched = matched || mutant.fault->specific() == q;
      verdict = matched ? Outcome::pass("refused " + step.mutation + " with " + mutant.describe())
                        : Outcome::warn("refused " + step.mutation + " with " + mutant.describe() + ", expected " +
                                        expected_names);
      break;
    }
    case Answer::Kind::kSuccess:
      return Outcome::fail("accepted " + step.mutation + ": " + mutant.describe() + " instead of " + expected_names);
    case Answer::Kind::kBareHttpError:
    case Answer::Kind::kNotSoap:
      return Outcome::fail("answered " + step.mutation + " with " + mutant.describe() +
                           "; a refusal must be a SOAP fault (" + expected_names + ")");
    case Answer::Kind::kTransportError:
      return Outcome::error("no answer to " + step.mutation + ": " + mutant.detail);
  }
  if (step.context_survives) {
    Answer after = step.control();
    if (after.kind != Answer::Kind::kSuccess) {
      return Outcome::fail("after refusing " + step.mutation + ", the context no longer works: " + after.describe());
    }
  }
  return verdict;
}

Status Registry::add(Case c) {
  if (find(c.info.id) != nullptr) {
    return Error(ErrorCode::kInvalidArgument, "duplicate case id '" + c.info.id + "'", "registry");
  }
  if (c.info.requirements.empty()) {
    return Error(ErrorCode::kInvalidArgument, "case '" + c.info.id + "' cites no requirement", "registry");
  }
  for (const auto& r : c.info.requirements) {
    if (RequirementCatalog::builtin().find(r) == nullptr) {
      return Error(ErrorCode::kInvalidArgument, "case '" + c.info.id + "' cites unknown requirement '" + r + "'",
                   "registry");
    }
  }
  cases_.push_back(std::move(c));
  return ok_status();
}

const Case* Registry::find(std::string_view id) const {
  for (const auto& c : cases_) {
    if (c.info.id == id) return &c;
  }
  return nullptr;
}

}  // namespace parley::engine
