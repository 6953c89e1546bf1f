#include "harness/oracle/service.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "harness/core/crypto.h"

namespace parley::oracle {
namespace {

namespace ns = names::ns;
using names::ScOperation;
using names::TrustFault;
using names::WssFault;
using wssc::clark;

Error trust_reject(names::TrustVersion v, TrustFault f, std::string what, std::string requirement = {}) {
  Error e(ErrorCode::kVerification, std::move(what), "wst:RequestSecurityToken");
  e.with_fault(clark(names::trust_fault(v, f)));
  if (!requirement.empty()) e.cite(std::move(requirement));
  return e;
}

std::string media_type(std::string_view content_type) {
  std::string m(content_type.substr(0, content_type.find(';')));
  while (!m.empty() && (m.back() == ' ' || m.back() == '\t')) m.pop_back();
  for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return m;
}

// WCF's server entropy is non-zero random bytes (wire facts A).
Result<Bytes> nonzero_random(std::size_t n) {
  PARLEY_ASSIGN_OR_RETURN(Bytes b, crypto::random_bytes(n));
  for (auto& x : b) {
    if (x == 0) x = 1;
  }
  return b;
}

// The configuration a service runs with: faults that are limits set to "none" become config.
ServiceConfig with_faults(ServiceConfig c) {
  const FaultSet& f = c.faults;
  if (f.has(Fault::kUnboundedPendingSessions)) c.contexts.max_contexts = std::numeric_limits<std::size_t>::max();
  if (f.has(Fault::kSupersededKeysNeverExpire)) c.contexts.rollover = std::chrono::hours(24 * 365 * 50);
  if (f.has(Fault::kAcceptDktWithoutNonce)) {
    c.dkt_limits.require_nonce = false;
    c.dkt_limits.min_nonce_bytes = 0;
  }
  if (f.has(Fault::kAcceptUnknownDktAlgorithm)) c.dkt_limits.accept_unknown_algorithm = true;
  if (f.has(Fault::kUnboundedDkt)) {
    constexpr std::uint64_t kMiB = 1u << 20;
    c.dkt_limits.max_offset = kMiB;
    c.dkt_limits.max_label_chars = kMiB;
    c.dkt_limits.max_nonce_bytes = kMiB;
    c.dkt_limits.max_length = kMiB;
    c.dkt_limits.min_length = 1;
  }
  if (f.has(Fault::kSkipReplayDetection)) c.detect_replays = false;
  if (f.has(Fault::kAcceptDirectKey)) c.require_derived_keys = false;
  if (f.has(Fault::kCookieStateInClear)) c.cookie.state_in_clear = true;
  return c;
}

// The same URI in the other WS-SC namespace (fault wrong-fault-namespace).
names::QName other_sc_namespace(names::QName q) {
  if (q.ns == ns::kWsc13) {
    q.ns = ns::kWscFeb2005;
  } else if (q.ns == ns::kWscFeb2005) {
    q.ns = ns::kWsc13;
  }
  return q;
}

}  // namespace

std::string_view to_string(Bootstrap b) {
  switch (b) {
    case Bootstrap::kNone: return "none";
    case Bootstrap::kUsernameToken: return "username-token";
    case Bootstrap::kPresharedSct: return "preshared-sct";
    case Bootstrap::kX509Mutual: return "x509-mutual";
    case Bootstrap::kAnonymousForCertificate: return "anonymous-for-certificate";
    case Bootstrap::kUsernameForCertificate: return "username-for-certificate";
  }
  return "none";
}

std::optional<certs::Mode> certificate_mode(Bootstrap b) {
  switch (b) {
    case Bootstrap::kX509Mutual: return certs::Mode::kMutual;
    case Bootstrap::kAnonymousForCertificate: return certs::Mode::kAnonymous;
    case Bootstrap::kUsernameForCertificate: return certs::Mode::kUsername;
    default: return std::nullopt;
  }
}

std::string_view to_string(EntropyMode e) {
  switch (e) {
    case EntropyMode::kCombined: return "combined";
    case EntropyMode::kClient: return "client";
    case EntropyMode::kServer: return "server";
  }
  return "combined";
}

Service::Service(ServiceConfig config)
    : config_(with_faults(std::move(config))),
      store_(config_.contexts),
      cookies_(config_.cookie, config_.contexts),
      replays_(config_.replay_cache_size, config_.replay_window) {
  if (config_.bootstrap == Bootstrap::kPresharedSct) {
    wssc::SecurityContextToken sct;
    sct.version = config_.versions.sc;
    sct.identifier = config_.preshared_identifier;
    store_.install(sct, config_.preshared_key, Clock::now());
  }
}

SoapResponse Service::handle(const SoapRequest& request) { return handle(request, Clock::now()); }

std::unique_ptr<wssc::ContextResolver> Service::resolver(const xml::Document& request, Clock::time_point now,
                                                         bool allow_expired) {
  if (config_.cookie.enabled) {
    return std::make_unique<CookieResolver>(config_.cookie, config_.versions.sc, request, now, config_.max_clock_skew,
                                            allow_expired);
  }
  return std::make_unique<StoreResolver>(store_, now, allow_expired);
}

SoapResponse Service::to_response(const xml::Document& doc, int status) const {
  SoapResponse r;
  r.status = status;
  r.content_type = std::string(names::soap(config_.versions.soap).content_type) + "; charset=utf-8";
  r.body = xml::serialize(doc);
  return r;
}

SoapResponse Service::fault_response(const Error& error, std::string_view relates_to) const {
  const auto& soap = names::soap(config_.versions.soap);
  if (fault(Fault::kFaultsAsBare500)) {
    SoapResponse r;
    r.status = 500;
    r.content_type = "text/html; charset=utf-8";
    r.body = "<html><body><h1>Server Error</h1><p>The request could not be processed.</p></body></html>";
    return r;
  }
  names::QName name = soap.sender;
  if (auto q = wssc::from_clark(error.fault())) name = *q;
  const bool receiver = error.code() == ErrorCode::kInternal || error.code() == ErrorCode::kCrypto;
  const bool sc_fault = name.ns == ns::kWsc13 || name.ns == ns::kWscFeb2005;
  if (sc_fault && name.local == "RenewNeeded" && fault(Fault::kRenewNeededAsBadContext)) {
    name = names::sc_fault(config_.versions.sc, names::ScFault::kBadContextToken);
  }
  std::string_view action;
  // WCF's RenewNeeded fault carries its own action (WCF-02).
  if (sc_fault && name.local == "RenewNeeded" && !fault(Fault::kRenewNeededWrongAction)) {
    action = names::wcf::kSecureConversationFaultAction;
  }
  if (sc_fault && fault(Fault::kWrongFaultNamespace)) name = other_sc_namespace(name);
  xml::Document doc = wssc::build_fault(config_.versions, name, error.message(), relates_to, !receiver, action);
  // SOAP 1.2 HTTP binding s.7.5.2.2: Sender faults are 400, others 500; SOAP 1.1 uses 500.
  const int status = config_.versions.soap == names::SoapVersion::k1_2 && !receiver ? 400 : 500;
  return to_response(doc, status);
}

SoapResponse Service::handle(const SoapRequest& request, Clock::time_point now) {
  const auto& soap = names::soap(config_.versions.soap);
  if (media_type(request.content_type) != soap.content_type) {
    SoapResponse r;
    r.status = 415;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "unsupported Content-Type '" + request.content_type + "': this endpoint speaks " +
             std::string(soap.label) + " (" + std::string(soap.content_type) + ")\n";
    return r;
  }
  auto doc = xml::parse(request.body);
  if (!doc.ok()) return fault_response(doc.error(), "");
  auto view = wssc::parse_envelope(*doc);
  if (!view.ok()) return fault_response(view.error(), "");
  if (view->soap != config_.versions.soap) {
    Error e(ErrorCode::kParse, "this endpoint speaks " + std::string(soap.label), "soap:Envelope");
    e.with_fault(clark(soap.version_mismatch));
    return fault_response(e, "");
  }
  auto response = dispatch(*doc, *view, request, now);
  if (!response.ok()) return fault_response(response.error(), view->headers.message_id);
  return to_response(*response, 200);
}

Result<xml::Document> Service::dispatch(xml::Document& request, const wssc::EnvelopeView& view,
                                        const SoapRequest& raw, Clock::time_point now) {
  const auto& wsa = names::addressing(config_.versions.addressing);
  if (view.headers.action.empty()) {
    Error e(ErrorCode::kParse, "no wsa:Action header (dispatch is on wsa:Action, SOAPAction may be empty)",
            "soap:Header");
    return e.with_fault(clark(wsa.action_not_supported)).cite("SC-3-17");
  }
  if (fault(Fault::kDispatchOnSoapAction) && config_.versions.soap == names::SoapVersion::k1_1 &&
      (raw.soap_action.empty() || raw.soap_action == "\"\"")) {
    Error e(ErrorCode::kUnsupported, "the SOAPAction '" + raw.soap_action + "' names no operation", "SOAPAction");
    return e.with_fault(clark(wsa.action_not_supported)).cite("SC-3-17");
  }
  auto info = names::classify_sct_action(view.headers.action);
  if (info && info->direction == names::Direction::kRequest) {
    if (info->trust != config_.versions.trust()) {
      Error e(ErrorCode::kUnsupported,
              "'" + view.headers.action + "' is a " + std::string(names::trust(info->trust).label) +
                  " action; this service speaks " + std::string(names::trust(config_.versions.trust()).label),
              "wsa:Action");
      return e.with_fault(clark(wsa.action_not_supported)).cite("SC-3-01");
    }
    switch (info->operation) {
      case ScOperation::kIssue: return issue(request, view, raw, now);
      case ScOperation::kRenew: return renew(request, now);
      case ScOperation::kCancel: return cancel(request, now);
      case ScOperation::kAmend: return amend(request, now);
    }
  }
  return echo(request, now);
}

Status Service::authenticate(const wssc::EnvelopeView& view, const SoapRequest& raw, Clock::time_point now,
                             std::string& principal) {
  switch (config_.bootstrap) {
    case Bootstrap::kNone:
      principal = "anonymous";
      return ok_status();
    case Bootstrap::kPresharedSct: {
      Error e(ErrorCode::kUnsupported, "this service issues no tokens: its context is pre-shared", "wst:RequestSecurityToken");
      return e.with_fault(clark(names::trust_fault(config_.versions.trust(), TrustFault::kRequestFailed)));
    }
    case Bootstrap::kUsernameToken:
      break;
    case Bootstrap::kX509Mutual:
    case Bootstrap::kAnonymousForCertificate:
    case Bootstrap::kUsernameForCertificate:
      return Error(ErrorCode::kInternal, "certificate bootstraps are opened by open_certificate_request", "authenticate");
  }
  auto fail = [&](std::string what) {
    Error e(ErrorCode::kVerification, std::move(what), "wsse:UsernameToken");
    return e.with_fault(clark(names::wss_fault(WssFault::kFailedAuthentication)));
  };
  if (view.security_headers.size() != 1) return fail("a wsse:Security header with a wsse:UsernameToken is required");
  std::optional<wssc::UsernameToken> token;
  for (xmlNode* item : xml::child_elements(view.security_headers[0])) {
    if (xml::is_element(item, ns::kWsse, "UsernameToken")) {
      auto ut = wssc::parse_username_token(item);
      if (!ut.ok()) return fail(ut.error().message());
      token = std::move(*ut);
    } else if (xml::is_element(item, ns::kWsu, "Timestamp")) {
      auto ts = wssc::parse_timestamp(item);
      if (!ts.ok()) return fail(ts.error().message());
      if (!ts->expires.empty() && *wssc::parse_utc(ts->expires) + config_.max_clock_skew < now) {
        Error e(ErrorCode::kVerification, "the message expired at " + ts->expires, "wsu:Timestamp");
        return e.with_fault(clark(names::wss_fault(WssFault::kMessageExpired))).cite("WSS-10-03");
      }
    }
  }
  if (!token) return fail("no wsse:UsernameToken");
  PARLEY_TRY(check_user(*token, raw.over_tls || config_.allow_password_text_without_tls, now, principal));
  if (token->nonce) {
    PARLEY_TRY(check_issuance_replay("ut " + token->username + " " + base64_encode(*token->nonce) + " " + token->created,
                                     "the wsse:UsernameToken's wsse:Nonce", "wsse:UsernameToken/wsse:Nonce", now));
  }
  return ok_status();
}

Status Service::check_user(const wssc::UsernameToken& token, bool password_text_ok, Clock::time_point now,
                           std::string& principal) const {
  auto fail = [&](std::string what) {
    Error e(ErrorCode::kVerification, std::move(what), "wsse:UsernameToken");
    return e.with_fault(clark(names::wss_fault(WssFault::kFailedAuthentication)));
  };
  if (!token.digest && !password_text_ok) return fail("a PasswordText UsernameToken is accepted over TLS only");
  auto user = config_.users.find(token.username);
  if (user == config_.users.end() || !token.verify_password(user->second)) {
    return fail("unknown user or wrong password");
  }
  if (token.digest && !token.created.empty()) {
    auto created = wssc::parse_utc(token.created);
    if (!created.ok() || *created + config_.max_clock_skew < now || *created > now + config_.max_clock_skew) {
      return fail("the digest's wsu:Created is outside the allowed clock skew");
    }
  }
  principal = token.username;
  return ok_status();
}

Result<Service::KeyDecision> Service::decide_key(const wssc::RequestSecurityToken& rst) {
  const auto& t = names::trust(config_.versions.trust());
  KeyDecision d;
  std::uint64_t bits = rst.key_size.value_or(config_.default_key_size);
  bits = std::clamp(bits, config_.min_key_size, config_.max_key_size);  // SC-3-09
  bits -= bits % 8;
  d.key_size = bits;
  std::optional<Bytes> client;
  if (rst.entropy) {
    if (rst.entropy->kind != wssc::KeyMaterial::Kind::kBinarySecret) {
      return trust_reject(config_.versions.trust(), TrustFault::kInvalidRequest,
                          "only wst:BinarySecret client entropy is supported", "SC-3-07");
    }
    if (rst.entropy->secret.empty()) {
      return trust_reject(config_.versions.trust(), TrustFault::kInvalidRequest, "client entropy is empty", "SC-3-07");
    }
    client = rst.entropy->secret;
  }
  EntropyMode mode = config_.entropy;
  if (mode == EntropyMode::kCombined && !client) mode = EntropyMode::kServer;
  switch (mode) {
    case EntropyMode::kCombined: {
      PARLEY_ASSIGN_OR_RETURN(Bytes server, nonzero_random(bits / 8));
      PARLEY_ASSIGN_OR_RETURN(d.key, fault(Fault::kSwapComputedKeyEntropies) ? crypto::ck_psha1(server, *client, bits)
                                                                           : crypto::ck_psha1(*client, server, bits));
      d.proof = wssc::KeyMaterial{wssc::KeyMaterial::Kind::kComputedKey, {}, {}, std::string(t.computed_key_psha1), {}};
      d.entropy = wssc::KeyMaterial{wssc::KeyMaterial::Kind::kBinarySecret, server, std::string(t.binary_secret_nonce),
                                    {}, {}};
      break;
    }
    case EntropyMode::kServer: {
      PARLEY_ASSIGN_OR_RETURN(d.key, crypto::random_bytes(bits / 8));
      d.proof = wssc::KeyMaterial{wssc::KeyMaterial::Kind::kBinarySecret, d.key, {}, {}, {}};
      break;
    }
    case EntropyMode::kClient: {
      if (!client) {
        return trust_reject(config_.versions.trust(), TrustFault::kInvalidRequest,
                            "this service uses the client's entropy as the key; the request carries none", "SC-3-07");
      }
      d.key = *client;
      d.key_size = client->size() * 8;
      break;
    }
  }
  return d;
}

xml::Document Service::response_envelope(const wssc::EnvelopeView& request, std::string_view action,
                                         std::vector<std::string>& signed_ids) {
  xml::Document doc = wssc::new_envelope(config_.versions.soap);
  wssc::AddressingHeaders h;
  h.action = std::string(action);
  h.relates_to = request.headers.message_id;
  signed_ids = wssc::add_addressing_headers(wssc::envelope_header(doc), config_.versions.addressing, h);
  return doc;
}

wssc::OpenPolicy Service::open_policy(Clock::time_point now) const {
  wssc::OpenPolicy p;
  p.dkt_limits = config_.dkt_limits;
  p.max_clock_skew = config_.max_clock_skew;
  p.now = now;
  p.allow_direct_context_key = !config_.require_derived_keys;
  p.require_signed_addressing = !fault(Fault::kAcceptUnsignedAddressing);
  p.faults.ignore_dkt_generation = fault(Fault::kIgnoreDktGeneration);
  p.faults.ignore_dkt_label = fault(Fault::kIgnoreDktLabel);
  p.faults.skip_body_coverage = fault(Fault::kSignatureWrapping);
  p.faults.trust_keyinfo_secret = fault(Fault::kTrustKeyInfoSecret);
  p.faults.skip_timestamp_expiry = fault(Fault::kSkipTimestampExpiry);
  p.faults.accept_unsigned_timestamp = fault(Fault::kAcceptUnsignedTimestamp);
  return p;
}

Status Service::protect_response(xml::Document& response, const wssc::OpenedMessage& request,
                                 const wssc::ContextKey& context, const std::vector<std::string>& signed_ids,
                                 Clock::time_point now) {
  wssc::ProtectOptions o;
  o.derived_keys = config_.derived_keys;
  o.signature_key_length = config_.signature_key_length;
  o.encryption_key_length = config_.encryption_key_length;
  o.include_sct = false;  // a WCF service references the context by Identifier (wire facts A)
  o.signature_method = config_.signature_method;
  o.digest_method = config_.digest_method;
  o.encrypt_body = request.body_was_encrypted || config_.encrypt_responses;
  if (config_.signature_confirmation && !fault(Fault::kNoSignatureConfirmation)) {
    o.confirm_signature_values = {request.signature_value};
  }
  o.now = now;
  auto secured = wssc::secure_envelope(response, context, o, signed_ids);
  if (!secured.ok()) return secured.error();
  return ok_status();
}

Result<xml::Document> Service::issue(xml::Document& request, const wssc::EnvelopeView& view, const SoapRequest& raw,
                                     Clock::time_point now) {
  const names::TrustVersion tv = config_.versions.trust();
  const auto& t = names::trust(tv);
  std::string principal;
  xmlNode* body_child = view.body_child;
  std::optional<certs::OpenedRequest> secured;  // certificate bootstraps: how to answer
  if (auto mode = certificate_mode(config_.bootstrap)) {
    PARLEY_ASSIGN_OR_RETURN(secured, open_certificate_request(request, *mode, now, principal));
    body_child = secured->body_child;
    PARLEY_TRY(check_issuance_replay("sig " + secured->signature_value, "the request's SignatureValue", "ds:Signature", now));
  } else {
    PARLEY_TRY(authenticate(view, raw, now, principal));
  }
  if (body_child == nullptr) {
    return trust_reject(tv, TrustFault::kInvalidRequest, "the Body holds no wst:RequestSecurityToken", "SC-3-01");
  }
  if (fault(Fault::kMixedTrustNamespace)) {
    // Injected fault: a RequestType of the other Trust namespace is read as this one's Issue.
    const names::TrustVersion other =
        tv == names::TrustVersion::k1_3 ? names::TrustVersion::kFeb2005 : names::TrustVersion::k1_3;
    for (xmlNode* c : xml::child_elements(body_child)) {
      if (xml::local_name(c) == "RequestType" && xml::text_content(c) == names::trust(other).request_issue) {
        xmlNodeSetContent(c, xml::to_xml_chars(std::string(t.request_issue).c_str()));
      }
    }
  }
  auto rst = wssc::parse_rst(body_child);
  if (!rst.ok()) return rst.error().with_fault(clark(names::trust_fault(tv, TrustFault::kInvalidRequest)));
  if (rst->version != tv) {
    return trust_reject(tv, TrustFault::kInvalidRequest, "the RST is in another WS-Trust namespace", "WST-3.1-01");
  }
  if (rst->request_type != t.request_issue && !fault(Fault::kIgnoreRequestType)) {
    return trust_reject(tv, TrustFault::kInvalidRequest,
                        "RequestType '" + rst->request_type + "' on an RST/SCT issue request", "SC-3-02");
  }
  const auto& sc = names::sc(config_.versions.sc);
  if (!rst->token_type.empty() && rst->token_type != sc.sct_token_type) {
    return trust_reject(tv, TrustFault::kInvalidRequest, "TokenType '" + rst->token_type + "' is not " +
                                                             std::string(sc.sct_token_type),
                        "SC-2-09");
  }
  PARLEY_ASSIGN_OR_RETURN(KeyDecision key, decide_key(*rst));
  std::string identifier;
  if (fault(Fault::kReuseSctIdentifier)) identifier = "urn:uuid:00000000-0000-4000-8000-00000000c0de";
  if (fault(Fault::kRelativeSctIdentifier)) {
    PARLEY_ASSIGN_OR_RETURN(Bytes r, crypto::random_bytes(8));
    identifier = "ctx-" + hex_encode(r);
  }
  PARLEY_ASSIGN_OR_RETURN(SecurityContext ctx,
                          config_.cookie.enabled
                              ? cookies_.issue(config_.versions.sc, key.key, principal, now, std::move(identifier))
                              : store_.issue(config_.versions.sc, key.key, principal, now, std::move(identifier)));

  wssc::RequestSecurityTokenResponse r;
  r.version = tv;
  r.context = fault(Fault::kDropRstContext) ? std::string() : rst->context;  // SC-3-10
  r.token_type = std::string(sc.sct_token_type);
  if (fault(Fault::kMixedTokenType)) {
    r.token_type = std::string(
        names::sc(config_.versions.sc == names::ScVersion::kFeb2005 ? names::ScVersion::k1_3 : names::ScVersion::kFeb2005)
            .sct_token_type);
  }
  r.requested_token = ctx.sct;
  r.attached_reference = wssc::SecurityTokenReference::to_id(ctx.sct.wsu_id, sc.sct_token_type);
  r.unattached_reference = wssc::SecurityTokenReference::to_identifier(ctx.sct);
  r.proof = key.proof;
  r.entropy = key.entropy;
  r.lifetime = wssc::Lifetime{wssc::format_utc(ctx.generations[0].effective),
                              wssc::format_utc(ctx.generations[0].expires)};
  if (fault(Fault::kReversedLifetime)) std::swap(r.lifetime->created, r.lifetime->expires);
  if (config_.entropy != EntropyMode::kClient) r.key_size = key.key_size;
  if (fault(Fault::kMisreportKeySize) && rst->key_size) r.key_size = *rst->key_size;

  std::vector<std::string> signed_ids;
  xml::Document doc = response_envelope(view, t.rstr_sct, signed_ids);
  wssc::TrustResponse resp;
  resp.collection = tv == names::TrustVersion::k1_3 && !fault(Fault::kBareRstrUnder13);  // SC-3-05
  resp.responses.push_back(std::move(r));
  wssc::append_trust_response(wssc::envelope_body(doc), resp);
  if (secured) {
    PARLEY_TRY(certs::secure_response(doc, *secured, config_.certificates, certificate_suite(), signed_ids, now));
    return doc;
  }
  // The issuance response is protected by the transport (or not at all for bootstrap "none").
  xmlNode* security = wssc::security_header(doc, true);
  wssc::append_timestamp(security, wssc::make_timestamp(now, std::chrono::seconds(300)));
  return doc;
}

namespace {

// The identifier a RenewTarget / CancelTarget names: an absolute URI, or "#id" of an SCT
// carried in the request's Security header.
std::string target_identifier(const wssc::SecurityTokenReference& target, const wssc::EnvelopeView& view) {
  if (auto id = target.local_id()) {
    for (xmlNode* sec : view.security_headers) {
      for (xmlNode* item : xml::child_elements(sec)) {
        if (xml::local_name(item) == "SecurityContextToken" && wssc::wsu_id(item) == *id) {
          auto sct = wssc::parse_sct(item);
          if (sct.ok()) return sct->identifier;
        }
      }
    }
    return "#" + *id;
  }
  return target.uri;
}

}  // namespace

Result<xml::Document> Service::renew(xml::Document& request, Clock::time_point now) {
  const names::TrustVersion tv = config_.versions.trust();
  const auto& t = names::trust(tv);
  if (!config_.allow_renew) {
    Error e(ErrorCode::kUnsupported, "this service does not renew contexts", "wst:RequestSecurityToken");
    return e.with_fault(clark(names::sc_fault(config_.versions.sc, names::ScFault::kUnableToRenew))).cite("SC-5-08");
  }
  std::optional<cookie::CookieState> cookie_state;
  PARLEY_ASSIGN_OR_RETURN(wssc::OpenedMessage opened,
                          open_request(request, now, /*allow_expired=*/true, &cookie_state));
  if (opened.envelope.body_child == nullptr) {
    return trust_reject(tv, TrustFault::kInvalidRequest, "the Body holds no RST", "SC-5-01");
  }
  auto rst = wssc::parse_rst(opened.envelope.body_child);
  if (!rst.ok()) return rst.error().with_fault(clark(names::trust_fault(tv, TrustFault::kInvalidRequest)));
  if (rst->request_type != t.request_renew) {
    return trust_reject(tv, TrustFault::kInvalidRequest, "RequestType '" + rst->request_type + "' on RST/SCT/Renew",
                        "SC-5-01");
  }
  if (!rst->renew_target) return trust_reject(tv, TrustFault::kInvalidRequest, "no wst:RenewTarget", "SC-5-01");
  const std::string target = target_identifier(*rst->renew_target, opened.envelope);
  if (target != opened.context.sct.identifier && !fault(Fault::kRenewOtherContext)) {
    return trust_reject(tv, TrustFault::kFailedAuthentication,
                        "RenewTarget names '" + target + "' but the request proves possession of '" +
                            opened.context.sct.identifier + "'",
                        "SC-5-02");
  }
  PARLEY_ASSIGN_OR_RETURN(KeyDecision key, decide_key(*rst));
  wssc::ContextKey renewed;
  Clock::time_point key_expires = now + config_.contexts.key_lifetime;
  if (config_.cookie.enabled) {
    if (!cookie_state) return Error(ErrorCode::kInternal, "no cookie state after opening the request", "renew");
    PARLEY_ASSIGN_OR_RETURN(SecurityContext next, cookies_.renew(config_.versions.sc, *cookie_state, key.key, now));
    renewed = wssc::ContextKey{next.sct, next.generations.front().key};
    key_expires = next.generations.front().expires;
  } else {
    PARLEY_ASSIGN_OR_RETURN(renewed, store_.renew(target, key.key, now));
  }
  if (fault(Fault::kRenewKeepsInstance)) renewed.sct.instance = opened.context.sct.instance;
  if (fault(Fault::kRenewNewIdentifier)) renewed.sct.identifier = wssc::new_uuid_urn();

  const auto& sc = names::sc(config_.versions.sc);
  wssc::RequestSecurityTokenResponse r;
  r.version = tv;
  r.context = fault(Fault::kDropRstContext) ? std::string() : rst->context;
  r.token_type = std::string(sc.sct_token_type);
  r.requested_token = renewed.sct;
  r.attached_reference = wssc::SecurityTokenReference::to_id(renewed.sct.wsu_id, sc.sct_token_type);
  r.unattached_reference = wssc::SecurityTokenReference::to_identifier(renewed.sct);
  r.proof = key.proof;
  r.entropy = key.entropy;
  r.lifetime = wssc::Lifetime{wssc::format_utc(now), wssc::format_utc(key_expires)};
  if (config_.entropy != EntropyMode::kClient) r.key_size = key.key_size;

  std::vector<std::string> signed_ids;
  xml::Document doc = response_envelope(opened.envelope, t.rstr_sct_renew, signed_ids);
  wssc::TrustResponse resp;
  resp.collection = tv == names::TrustVersion::k1_3 && !fault(Fault::kBareRenewResponse);  // WCF-06
  resp.responses.push_back(std::move(r));
  wssc::append_trust_response(wssc::envelope_body(doc), resp);
  // Protected with the key the request used (the old generation), as WCF does.
  PARLEY_TRY(protect_response(doc, opened, opened.context, signed_ids, now));
  return doc;
}

Result<xml::Document> Service::cancel(xml::Document& request, Clock::time_point now) {
  const names::TrustVersion tv = config_.versions.trust();
  const auto& t = names::trust(tv);
  auto opened_or = open_request(request, now, /*allow_expired=*/true);
  if (!opened_or.ok() && fault(Fault::kSecondCancelSucceeds) &&
      wssc::from_clark(opened_or.error().fault()) ==
          std::optional(names::sc_fault(config_.versions.sc, names::ScFault::kBadContextToken))) {
    // Injected fault: a cancel of a context the service no longer knows "succeeds".
    auto view = wssc::parse_envelope(request);
    if (!view.ok()) return view.error();
    wssc::RequestSecurityTokenResponse r;
    r.version = tv;
    r.requested_token_cancelled = true;
    std::vector<std::string> signed_ids;
    xml::Document doc = response_envelope(*view, t.rstr_sct_cancel, signed_ids);
    wssc::TrustResponse resp;
    resp.collection = tv == names::TrustVersion::k1_3;
    resp.responses.push_back(std::move(r));
    wssc::append_trust_response(wssc::envelope_body(doc), resp);
    return doc;
  }
  PARLEY_ASSIGN_OR_RETURN(wssc::OpenedMessage opened, std::move(opened_or));
  if (config_.cookie.enabled) {
    // WCF with RequireCancellation = false (wire facts A): a stateless token cannot be cancelled.
    Error e(ErrorCode::kUnsupported,
            "this service issues cookie-mode (stateless) security context tokens, which cannot be cancelled",
            "wst:RequestSecurityToken");
    return e.with_fault(clark(names::wcf_fault(names::WcfFault::kSecureConversationCancellationNotAllowed)))
        .cite("WCF-04");
  }
  if (!config_.allow_cancel) {
    Error e(ErrorCode::kUnsupported, "this service does not cancel contexts", "wst:RequestSecurityToken");
    return e.with_fault(clark(names::wcf_fault(names::WcfFault::kSecureConversationCancellationNotAllowed)));
  }
  if (opened.envelope.body_child == nullptr) {
    return trust_reject(tv, TrustFault::kInvalidRequest, "the Body holds no RST", "SC-6-01");
  }
  auto rst = wssc::parse_rst(opened.envelope.body_child);
  if (!rst.ok()) return rst.error().with_fault(clark(names::trust_fault(tv, TrustFault::kInvalidRequest)));
  if (rst->request_type != t.request_cancel) {
    return trust_reject(tv, TrustFault::kInvalidRequest, "RequestType '" + rst->request_type + "' on RST/SCT/Cancel",
                        "SC-6-01");
  }
  if (!rst->cancel_target) return trust_reject(tv, TrustFault::kInvalidRequest, "no wst:CancelTarget", "SC-6-01");
  const std::string target = target_identifier(*rst->cancel_target, opened.envelope);
  if (target != opened.context.sct.identifier && !fault(Fault::kCancelOtherContext)) {
    return trust_reject(tv, TrustFault::kFailedAuthentication,
                        "CancelTarget names '" + target + "' but the request proves possession of '" +
                            opened.context.sct.identifier + "'",
                        "SC-6-02");
  }
  wssc::RequestSecurityTokenResponse r;
  r.version = tv;
  r.context = fault(Fault::kDropRstContext) ? std::string() : rst->context;
  r.requested_token_cancelled = !fault(Fault::kNoRequestedTokenCancelled);
  std::vector<std::string> signed_ids;
  xml::Document doc = response_envelope(opened.envelope, t.rstr_sct_cancel, signed_ids);
  wssc::TrustResponse resp;
  resp.collection = tv == names::TrustVersion::k1_3 && !fault(Fault::kBareRenewResponse);  // WCF-06
  resp.responses.push_back(std::move(r));
  wssc::append_trust_response(wssc::envelope_body(doc), resp);
  PARLEY_TRY(protect_response(doc, opened, opened.context, signed_ids, now));
  if (!fault(Fault::kCancelIsNoop)) PARLEY_TRY(store_.cancel(target));
  return doc;
}

Result<xml::Document> Service::amend(xml::Document& request, Clock::time_point now) {
  const names::TrustVersion tv = config_.versions.trust();
  const auto& t = names::trust(tv);
  PARLEY_ASSIGN_OR_RETURN(wssc::OpenedMessage opened, open_request(request, now, /*allow_expired=*/false));
  if (!config_.allow_amend) {
    return trust_reject(tv, TrustFault::kRequestFailed, "this service does not accept amendments", "SC-4-04");
  }
  if (opened.envelope.body_child == nullptr) {
    return trust_reject(tv, TrustFault::kInvalidRequest, "the Body holds no RST", "SC-4-01");
  }
  auto rst = wssc::parse_rst(opened.envelope.body_child);
  if (!rst.ok()) return rst.error().with_fault(clark(names::trust_fault(tv, TrustFault::kInvalidRequest)));
  if (rst->request_type != names::request_type(tv, ScOperation::kAmend)) {
    return trust_reject(tv, TrustFault::kInvalidRequest, "RequestType '" + rst->request_type + "' on RST/SCT/Amend",
                        "SC-4-01");
  }
  // An amendment changes neither the Identifier nor the key (SC-4-05): answer with the token as is.
  wssc::RequestSecurityTokenResponse r;
  r.version = tv;
  r.context = rst->context;
  r.token_type = std::string(names::sc(config_.versions.sc).sct_token_type);
  r.requested_token = opened.context.sct;
  if (fault(Fault::kAmendNewIdentifier)) r.requested_token->identifier = wssc::new_uuid_urn();
  std::vector<std::string> signed_ids;
  xml::Document doc = response_envelope(opened.envelope, t.rstr_sct_amend, signed_ids);
  wssc::TrustResponse resp;
  resp.collection = tv == names::TrustVersion::k1_3;
  resp.responses.push_back(std::move(r));
  wssc::append_trust_response(wssc::envelope_body(doc), resp);
  PARLEY_TRY(protect_response(doc, opened, opened.context, signed_ids, now));
  return doc;
}

Result<xml::Document> Service::echo(xml::Document& request, Clock::time_point now) {
  PARLEY_ASSIGN_OR_RETURN(wssc::OpenedMessage opened, open_request(request, now, /*allow_expired=*/false));
  std::vector<std::string> signed_ids;
  xml::Document doc = response_envelope(opened.envelope, opened.envelope.headers.action + "Response", signed_ids);
  // The echo contract: the first child element of the request Body, unchanged.
  if (opened.envelope.body_child != nullptr) xml::append_copy(wssc::envelope_body(doc), opened.envelope.body_child);
  PARLEY_TRY(protect_response(doc, opened, opened.context, signed_ids, now));
  return doc;
}

}  // namespace parley::oracle

namespace parley::oracle {
namespace {

// Fault resolve-unknown-identifier: an unknown Identifier falls back to the context used last.
class FallbackResolver : public wssc::ContextResolver {
 public:
  FallbackResolver(wssc::ContextResolver& inner, std::optional<wssc::ContextKey> last)
      : inner_(inner), last_(std::move(last)) {}
  Result<wssc::ContextKey> resolve(names::ScVersion version, std::string_view identifier, std::string_view instance,
                                   const wssc::SecurityContextToken* embedded) override {
    auto found = inner_.resolve(version, identifier, instance, embedded);
    if (!found.ok() && last_ && found.error().requirement() == "SC-8-05") return *last_;
    return found;
  }

 private:
  wssc::ContextResolver& inner_;
  std::optional<wssc::ContextKey> last_;
};

}  // namespace

Result<wssc::OpenedMessage> Service::open_request(xml::Document& request, Clock::time_point now, bool allow_expired,
                                                  std::optional<cookie::CookieState>* cookie_state) {
  // Fault keys-never-expire: expired keys are as good as fresh ones.
  std::unique_ptr<wssc::ContextResolver> base = resolver(request, now, allow_expired || fault(Fault::kKeysNeverExpire));
  wssc::ContextResolver* active = base.get();
  std::optional<FallbackResolver> fallback;
  if (fault(Fault::kResolveUnknownIdentifier)) {
    std::lock_guard lock(last_mu_);
    fallback.emplace(*base, last_context_);
    active = &*fallback;
  }
  PARLEY_ASSIGN_OR_RETURN(wssc::OpenedMessage opened, wssc::open_envelope(request, *active, open_policy(now)));
  PARLEY_TRY(check_replay(opened, now));
  if (cookie_state != nullptr && config_.cookie.enabled) {
    *cookie_state = static_cast<const CookieResolver&>(*base).state();
  }
  if (fault(Fault::kResolveUnknownIdentifier)) {
    std::lock_guard lock(last_mu_);
    last_context_ = opened.context;
  }
  return opened;
}

Status Service::check_issuance_replay(const std::string& key, std::string_view what, std::string_view where,
                                      Clock::time_point now) {
  if (!config_.detect_replays || key.empty()) return ok_status();
  if (replays_.remember(key, now)) return ok_status();
  Error e(ErrorCode::kVerification,
          std::string(what) + " was already presented within the last " + std::to_string(config_.replay_window.count()) +
              " s (a replayed RST/SCT)",
          std::string(where));
  return e.with_fault(clark(names::wss_fault(WssFault::kInvalidSecurity))).cite("SC-3-16");
}

Status Service::check_replay(const wssc::OpenedMessage& opened, Clock::time_point now) {
  if (!config_.detect_replays) return ok_status();
  auto reject = [](std::string what) {
    Error e(ErrorCode::kVerification, std::move(what), "ds:Signature");
    return e.with_fault(clark(names::wss_fault(WssFault::kInvalidSecurity))).cite("WSS-13-01");
  };
  // A message older than the replay window cannot be told from a replay: refused (WCF does the same).
  if (opened.timestamp && !opened.timestamp->created.empty()) {
    auto created = wssc::parse_utc(opened.timestamp->created);
    if (created.ok() && *created + config_.replay_window + config_.max_clock_skew < now) {
      return reject("wsu:Created " + opened.timestamp->created + " is older than the replay window of " +
                    std::to_string(config_.replay_window.count()) + " s");
    }
  }
  if (opened.signature_value.empty()) return ok_status();
  if (!replays_.remember(opened.signature_value, now)) {
    return reject("a message with this SignatureValue was already processed within the last " +
                  std::to_string(config_.replay_window.count()) + " s (a replay)");
  }
  return ok_status();
}

}  // namespace parley::oracle
