#include "harness/clientsuite/scenario_service.h"

#include "harness/core/crypto.h"
#include "harness/engine/mutator.h"

namespace parley::clientsuite {
namespace {

namespace ns = names::ns;
namespace mutate = engine::mutate;

constexpr std::string_view kRstr = "//*[local-name()='RequestSecurityTokenResponse']";

MessageKind kind_of(std::string_view action) {
  auto info = names::classify_sct_action(action);
  if (!info || info->direction != names::Direction::kRequest) return MessageKind::kApplication;
  switch (info->operation) {
    case names::ScOperation::kIssue: return MessageKind::kIssue;
    case names::ScOperation::kRenew: return MessageKind::kRenew;
    case names::ScOperation::kCancel: return MessageKind::kCancel;
    case names::ScOperation::kAmend: return MessageKind::kAmend;
  }
  return MessageKind::kOther;
}

// "success", or what the answer was instead.
std::string describe_answer(const oracle::SoapResponse& r, bool& success) {
  success = false;
  auto doc = xml::parse(r.body);
  if (!doc.ok()) return "HTTP " + std::to_string(r.status) + " without a SOAP envelope";
  auto view = wssc::parse_envelope(*doc);
  if (!view.ok()) return "HTTP " + std::to_string(r.status) + " without a SOAP envelope";
  if (auto fault = wssc::parse_fault(*view); fault.ok()) {
    return "fault " + wssc::clark(fault->specific().view()) + ": " + fault->reason;
  }
  if (r.status != 200) return "HTTP " + std::to_string(r.status);
  success = true;
  return "success";
}

// The context a protected request names: the SCT in its header, else a reference by Identifier.
void referenced_context(const wssc::EnvelopeView& view, names::ScVersion version, std::string& identifier,
                        std::string& instance) {
  for (xmlNode* sec : view.security_headers) {
    for (xmlNode* item : xml::child_elements(sec)) {
      if (xml::local_name(item) != "SecurityContextToken") continue;
      auto sct = wssc::parse_sct(item);
      if (sct.ok()) {
        identifier = sct->identifier;
        instance = sct->instance;
        return;
      }
    }
  }
  const std::string_view sct_type = names::sc(version).sct_token_type;
  for (xmlNode* sec : view.security_headers) {
    std::vector<xmlNode*> todo = {sec};
    while (!todo.empty()) {
      xmlNode* n = todo.back();
      todo.pop_back();
      for (xmlNode* c : xml::child_elements(n)) {
        if (xml::local_name(c) == "SecurityTokenReference") {
          auto str = wssc::parse_str(c);
          if (str.ok() && str->value_type == sct_type && !str->local_id()) {
            identifier = str->uri;
            instance = str->instance;
            return;
          }
        }
        todo.push_back(c);
      }
    }
  }
}

}  // namespace

std::string_view to_string(Hostility h) {
  switch (h) {
    case Hostility::kNone: return "none";
    case Hostility::kRstrContextMismatch: return "rstr-context-mismatch";
    case Hostility::kRstrTokenType: return "rstr-token-type";
    case Hostility::kLifetimeExpired: return "lifetime-expired";
    case Hostility::kKeySizeTiny: return "key-size-tiny";
    case Hostility::kKeySizeHuge: return "key-size-huge";
    case Hostility::kResponseWrongKey: return "response-wrong-key";
    case Hostility::kResponseReplayed: return "response-replayed";
    case Hostility::kResponseBodyNotCovered: return "response-body-not-covered";
    case Hostility::kRenewTampered: return "renew-tampered";
    case Hostility::kRenewForged: return "renew-forged";
  }
  return "none";
}

HostileStep hostile_step(Hostility h) {
  switch (h) {
    case Hostility::kNone: return HostileStep::kNone;
    case Hostility::kRstrContextMismatch:
    case Hostility::kRstrTokenType:
    case Hostility::kLifetimeExpired:
    case Hostility::kKeySizeTiny:
    case Hostility::kKeySizeHuge: return HostileStep::kIssue;
    case Hostility::kResponseWrongKey:
    case Hostility::kResponseReplayed:
    case Hostility::kResponseBodyNotCovered: return HostileStep::kApplication;
    case Hostility::kRenewTampered:
    case Hostility::kRenewForged: return HostileStep::kRenew;
  }
  return HostileStep::kNone;
}

std::string_view to_string(MessageKind k) {
  switch (k) {
    case MessageKind::kIssue: return "issue";
    case MessageKind::kRenew: return "renew";
    case MessageKind::kCancel: return "cancel";
    case MessageKind::kAmend: return "amend";
    case MessageKind::kApplication: return "application";
    case MessageKind::kOther: return "other";
  }
  return "other";
}

Result<std::unique_ptr<ScenarioService>> ScenarioService::create(Scenario scenario,
                                                                const oracle::TargetProfile& profile) {
  const oracle::ClientConfig& c = profile.client;
  oracle::ServiceConfig config;
  config.versions = c.versions;
  config.bootstrap = c.bootstrap;
  switch (c.bootstrap) {
    case oracle::Bootstrap::kNone: break;
    case oracle::Bootstrap::kUsernameToken:
      config.users = {{c.username, c.password}};
      config.allow_password_text_without_tls = true;  // loopback: the client may send PasswordText
      break;
    default:
      return Error(ErrorCode::kUnsupported,
                   "the client suite plays bootstraps none and username-token; the profile says " +
                       std::string(oracle::to_string(c.bootstrap)),
                   "wssc.bootstrap");
  }
  PARLEY_TRY(oracle::apply_algorithm_suite(profile.algorithm_suite, config));
  config.entropy = scenario.entropy;
  if (scenario.cookie) {
    config.cookie.enabled = true;
    PARLEY_ASSIGN_OR_RETURN(Bytes ring_key, crypto::random_bytes(32));
    PARLEY_ASSIGN_OR_RETURN(oracle::cookie::KeyRing ring, oracle::cookie::KeyRing::create({{"scenario", ring_key}}));
    config.cookie.ring = std::make_shared<const oracle::cookie::KeyRing>(std::move(ring));
    config.allow_cancel = false;
    scenario.must_not_send_cancel = true;  // WCF's policy for stateless tokens (WCF-07)
  }
  return std::unique_ptr<ScenarioService>(new ScenarioService(std::move(scenario), profile, std::move(config)));
}

ScenarioService::ScenarioService(Scenario scenario, const oracle::TargetProfile& profile, oracle::ServiceConfig config)
    : scenario_(std::move(scenario)),
      versions_(profile.client.versions),
      config_(std::move(config)),
      service_(std::make_unique<oracle::Service>(config_)) {}

std::vector<Recorded> ScenarioService::messages() const {
  std::lock_guard lock(mu_);
  return messages_;
}

std::string ScenarioService::policy_xml() const {
  const bool feb2005 = versions_.sc == names::ScVersion::kFeb2005;
  const std::string wsp(feb2005 ? ns::kWsp200409 : ns::kWsp15);
  const std::string sp(feb2005 ? ns::kSp200507 : ns::kSp12);
  std::string inner;
  // WS-SP 2005/07 has no MustNotSendCancel of its own: WCF writes mssp: (WCF-07).
  if (scenario_.must_not_send_cancel) {
    inner += feb2005 ? "<mssp:MustNotSendCancel xmlns:mssp=\"" + std::string(ns::kMssp) + "\"/>"
                     : "<sp:MustNotSendCancel/>";
  }
  if (scenario_.must_not_send_amend) inner += "<sp:MustNotSendAmend/>";
  if (scenario_.must_not_send_renew) inner += "<sp:MustNotSendRenew/>";
  return "<wsp:Policy xmlns:wsp=\"" + wsp + "\" xmlns:sp=\"" + sp + "\"><sp:SecureConversationToken><wsp:Policy>" +
         inner + "</wsp:Policy></sp:SecureConversationToken></wsp:Policy>\n";
}

void ScenarioService::inspect(Recorded& r, const xml::Document& doc) {
  auto view = wssc::parse_envelope(doc);
  if (!view.ok()) return;
  r.action = view->headers.action;
  r.message_id = view->headers.message_id;
  r.kind = kind_of(r.action);
  if (r.kind == MessageKind::kIssue) return;
  referenced_context(*view, versions_.sc, r.context_identifier, r.context_instance);
  // Opened on a copy, before the oracle sees it (a cancel removes the context).
  auto copy = xml::parse(r.request.body);
  if (!copy.ok()) return;
  const auto now = wssc::Clock::now();
  std::unique_ptr<wssc::ContextResolver> resolver;
  if (config_.cookie.enabled) {
    resolver = std::make_unique<oracle::CookieResolver>(config_.cookie, versions_.sc, *copy, now,
                                                        config_.max_clock_skew, true);
  } else {
    resolver = std::make_unique<oracle::StoreResolver>(service_->contexts(), now, true);
  }
  wssc::OpenPolicy policy;
  policy.require_signed_addressing = false;  // recorded here, judged by the cases
  policy.dkt_limits = config_.dkt_limits;
  policy.now = now;
  auto opened = wssc::open_envelope(*copy, *resolver, policy);
  if (!opened.ok()) {
    r.open_error = opened.error().message();
    return;
  }
  r.opened = true;
  r.context_identifier = opened->context.sct.identifier;
  r.context_instance = opened->context.sct.instance;
  r.covered_ids = opened->covered_ids;
  r.dkts = opened->dkts;
  r.signed_with_derived_key = opened->signed_with_derived_key;
  r.body_was_encrypted = opened->body_was_encrypted;
}

Status ScenarioService::make_hostile(Recorded& r, xml::Document& response) {
  const std::string rstr(kRstr);
  switch (scenario_.hostility) {
    case Hostility::kNone: return ok_status();
    case Hostility::kRstrContextMismatch:
      return mutate::set_attribute(response, rstr, "", "Context", "urn:parley:hostile:not-the-rst-context");
    case Hostility::kRstrTokenType: {
      const auto other = versions_.sc == names::ScVersion::kFeb2005 ? names::ScVersion::k1_3 : names::ScVersion::kFeb2005;
      return mutate::set_text(response, rstr + "/*[local-name()='TokenType']", names::sc(other).sct_token_type);
    }
    case Hostility::kLifetimeExpired: {
      const auto now = wssc::Clock::now();
      PARLEY_TRY(mutate::set_text(response, rstr + "/*[local-name()='Lifetime']/wsu:Created",
                                  wssc::format_utc(now - std::chrono::hours(2))));
      return mutate::set_text(response, rstr + "/*[local-name()='Lifetime']/wsu:Expires",
                              wssc::format_utc(now - std::chrono::hours(1)));
    }
    case Hostility::kKeySizeTiny: return mutate::set_text(response, rstr + "/*[local-name()='KeySize']", "16");
    case Hostility::kKeySizeHuge: return mutate::set_text(response, rstr + "/*[local-name()='KeySize']", "1048576");
    case Hostility::kResponseWrongKey:
    case Hostility::kRenewForged: {
      PARLEY_ASSIGN_OR_RETURN(Bytes key, crypto::random_bytes(config_.signature_key_length));
      return mutate::resign(response, key);
    }
    case Hostility::kResponseReplayed: {
      if (!first_application_response_) {
        return Error(ErrorCode::kInternal, "no earlier response to replay", "scenario " + scenario_.name);
      }
      PARLEY_ASSIGN_OR_RETURN(response, xml::parse(*first_application_response_));
      return ok_status();
    }
    case Hostility::kResponseBodyNotCovered: {
      const std::string soap_ns(names::soap(versions_.soap).envelope_ns);
      return mutate::wrap(response, "/*/*[local-name()='Body']", "/*/*[local-name()='Header']",
                          "<s:Body xmlns:s='" + soap_ns +
                              "'><e:Echo xmlns:e='urn:example'>forged by the service</e:Echo></s:Body>");
    }
    case Hostility::kRenewTampered:
      return mutate::set_text(response, rstr + "//*[local-name()='SecurityContextToken']/*[local-name()='Instance']",
                              "urn:uuid:00000000-0000-4000-8000-00000000dead");
  }
  (void)r;
  return ok_status();
}

oracle::SoapResponse ScenarioService::handle(const std::string& path, const oracle::SoapRequest& request) {
  std::lock_guard lock(mu_);
  Recorded r;
  r.index = messages_.size();
  r.path = path;
  r.request = request;
  auto doc = xml::parse(request.body);
  if (doc.ok()) inspect(r, *doc);
  if (r.kind == MessageKind::kApplication) ++application_requests_;

  if (r.kind == MessageKind::kApplication && application_requests_ == scenario_.renew_needed_at) {
    // WCF's shape of the fault (WCF-02): Sender, subcode wsc:RenewNeeded, its own action.
    const auto name = names::sc_fault(versions_.sc, names::ScFault::kRenewNeeded);
    xml::Document fault = wssc::build_fault(versions_, name, "The security context key needs to be renewed",
                                            r.message_id, true, names::wcf::kSecureConversationFaultAction);
    r.response.status = versions_.soap == names::SoapVersion::k1_2 ? 400 : 500;
    r.response.content_type = std::string(names::soap(versions_.soap).content_type) + "; charset=utf-8";
    r.response.body = xml::serialize(fault);
    r.renew_needed = true;
    r.oracle_answer = "wsc:RenewNeeded (scenario)";
    messages_.push_back(std::move(r));
    return messages_.back().response;
  }

  if (r.kind == MessageKind::kApplication) ++served_applications_;
  r.response = service_->handle(request);
  r.oracle_answer = describe_answer(r.response, r.accepted);
  if (r.accepted) {
    const HostileStep step = hostile_step(scenario_.hostility);
    const bool hostile_here =
        !hostile_done_ && ((step == HostileStep::kIssue && r.kind == MessageKind::kIssue) ||
                           (step == HostileStep::kRenew && r.kind == MessageKind::kRenew) ||
                           (step == HostileStep::kApplication && r.kind == MessageKind::kApplication &&
                            served_applications_ == scenario_.hostile_call));
    const bool extend = scenario_.sct_extension && r.kind == MessageKind::kIssue;
    if (hostile_here || extend || r.kind == MessageKind::kIssue || r.kind == MessageKind::kRenew) {
      auto response = xml::parse(r.response.body);
      if (response.ok()) {
        if (extend) {
          auto sct = xml::xpath(*response, std::string(kRstr) + "//*[local-name()='RequestedSecurityToken']/*");
          if (sct.ok() && !sct->empty()) (void)xml::append_fragment(sct->front(), kSctExtension);
        }
        if (hostile_here) {
          Status made = make_hostile(r, *response);
          if (made.ok()) {
            r.hostile = true;
            hostile_done_ = true;
          } else {
            r.oracle_answer += " (the hostile edit failed: " + made.error().message() + ")";
          }
        }
        auto sct = xml::xpath(*response, std::string(kRstr) + "//*[local-name()='RequestedSecurityToken']/*");
        if (sct.ok() && !sct->empty()) {
          auto parsed = wssc::parse_sct(sct->front());
          if (parsed.ok()) r.issued = std::move(*parsed);
          r.issued_sct_xml = xml::serialize(sct->front());
        }
        if (hostile_here || extend) r.response.body = xml::serialize(*response);
      }
    }
    if (r.kind == MessageKind::kApplication && !first_application_response_) {
      first_application_response_ = r.response.body;
    }
  }
  messages_.push_back(std::move(r));
  return messages_.back().response;
}

}  // namespace parley::clientsuite
