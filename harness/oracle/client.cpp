#include "harness/oracle/client.h"

#include <algorithm>

#include "harness/core/crypto.h"

namespace parley::oracle {
namespace {

namespace ns = names::ns;

Error protocol_error(std::string what, std::string where = "client") {
  return Error(ErrorCode::kVerification, std::move(what), std::move(where));
}

}  // namespace

Client::Client(ClientConfig config, SendFunction send) : config_(std::move(config)), send_(std::move(send)) {}

Client::Prepared Client::prepare(std::string_view action, const std::string& to) {
  Prepared p{wssc::new_envelope(config_.versions.soap), {}};
  wssc::AddressingHeaders h;
  h.action = std::string(action);
  h.message_id = wssc::new_uuid_urn();
  h.to = to;
  h.reply_to = std::string(names::addressing(config_.versions.addressing).anonymous);
  p.signed_ids = wssc::add_addressing_headers(wssc::envelope_header(p.doc), config_.versions.addressing, h);
  if (config_.faults.has(ClientFault::kUnsignedAddressing)) p.signed_ids.clear();
  return p;
}

Result<xml::Document> Client::send(const std::string& url, const xml::Document& doc, std::string_view action) {
  SoapRequest req;
  const auto& soap = names::soap(config_.versions.soap);
  req.content_type = std::string(soap.content_type) + "; charset=utf-8";
  if (config_.versions.soap == names::SoapVersion::k1_1) req.soap_action = "\"" + std::string(action) + "\"";
  req.body = xml::serialize(doc);
  req.over_tls = url.rfind("https://", 0) == 0;
  exchanges_.push_back(Exchange{url, req, std::nullopt});
  PARLEY_ASSIGN_OR_RETURN(SoapResponse resp, send_(url, req));
  exchanges_.back().response = resp;
  auto parsed = xml::parse(resp.body);
  if (!parsed.ok()) {
    std::string excerpt = resp.body.substr(0, std::min<std::size_t>(resp.body.size(), 120));
    for (char& c : excerpt) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    return protocol_error("HTTP " + std::to_string(resp.status) + " (" + resp.content_type +
                              ") with a body that is not XML: '" + excerpt + "'",
                          url);
  }
  auto view = wssc::parse_envelope(*parsed);
  if (!view.ok()) return protocol_error("HTTP " + std::to_string(resp.status) + ": " + view.error().message(), url);
  if (auto fault = wssc::parse_fault(*view); fault.ok()) {
    Error e(ErrorCode::kVerification,
            "the service answered a fault " + wssc::clark(fault->specific().view()) + ": " + fault->reason, url);
    return e.with_fault(wssc::clark(fault->specific().view()));
  }
  if (resp.status != 200) return protocol_error("HTTP " + std::to_string(resp.status) + " without a SOAP fault", url);
  return std::move(parsed).value();
}

Result<wssc::RequestSecurityTokenResponse> Client::single_rstr(const wssc::EnvelopeView& view,
                                                              std::string_view expected_action) {
  if (view.headers.action != expected_action) {
    return protocol_error("response wsa:Action '" + view.headers.action + "', expected '" +
                          std::string(expected_action) + "'");
  }
  if (view.body_child == nullptr) return protocol_error("empty response Body");
  PARLEY_ASSIGN_OR_RETURN(wssc::TrustResponse resp, wssc::parse_trust_response(view.body_child));
  if (resp.responses.size() != 1) {
    return protocol_error("the response holds " + std::to_string(resp.responses.size()) + " RSTRs, expected one");
  }
  return resp.responses.front();
}

Result<wssc::OpenedMessage> Client::open_response(xml::Document& response) {
  if (!context_) return protocol_error("no security context");
  wssc::SingleContextResolver resolver(*context_);
  wssc::OpenPolicy policy;
  policy.faults.skip_body_coverage = config_.faults.has(ClientFault::kAcceptUncoveredBody);
  return wssc::open_envelope(response, resolver, policy);
}

Result<std::optional<Bytes>> Client::fresh_entropy() {
  if (config_.entropy_bytes == 0) return std::optional<Bytes>();
  if (config_.faults.has(ClientFault::kConstantEntropy)) return std::optional<Bytes>(Bytes(config_.entropy_bytes, 0x5a));
  PARLEY_ASSIGN_OR_RETURN(Bytes b, crypto::random_bytes(config_.entropy_bytes));
  return std::optional<Bytes>(std::move(b));
}

Result<Client::IssueRequest> Client::issue_request(const std::function<void(wssc::RequestSecurityToken&)>& edit,
                                                   const std::function<void(xml::Document&)>& edit_document) {
  const names::TrustVersion tv = config_.versions.trust();
  const auto& t = names::trust(tv);
  const auto& sc = names::sc(config_.versions.sc);
  Prepared p = prepare(t.rst_sct, config_.sts_url);
  const std::optional<certs::Mode> cert_mode = certificate_mode(config_.bootstrap);
  if (!cert_mode) {
    xmlNode* security = wssc::security_header(p.doc, true);
    wssc::append_timestamp(security, wssc::make_timestamp(wssc::Clock::now(), std::chrono::seconds(300)));
  }
  if (config_.bootstrap == Bootstrap::kUsernameToken) {
    xmlNode* security = wssc::security_header(p.doc, true);
    PARLEY_ASSIGN_OR_RETURN(wssc::UsernameToken ut, username_token());
    wssc::append_username_token(security, ut);
  }
  wssc::RequestSecurityToken rst;
  rst.version = tv;
  rst.token_type = std::string(sc.sct_token_type);
  rst.request_type = std::string(t.request_issue);
  PARLEY_ASSIGN_OR_RETURN(std::optional<Bytes> entropy, fresh_entropy());
  if (entropy) {
    rst.entropy = wssc::KeyMaterial{wssc::KeyMaterial::Kind::kBinarySecret, *entropy,
                                    std::string(t.binary_secret_nonce), {}, {}};
  }
  rst.key_size = config_.faults.has(ClientFault::kWrongKeySize) ? config_.key_size / 8 : config_.key_size;
  if (config_.strict) rst.context = wssc::new_uuid_urn();  // echoed in the RSTR (SC-3-10)
  if (edit) edit(rst);
  std::optional<Bytes> sent_entropy;
  if (rst.entropy && rst.entropy->kind == wssc::KeyMaterial::Kind::kBinarySecret) sent_entropy = rst.entropy->secret;
  wssc::append_rst(wssc::envelope_body(p.doc), rst);
  if (edit_document) edit_document(p.doc);
  std::optional<certs::PendingRequest> pending;
  if (cert_mode) {
    PARLEY_ASSIGN_OR_RETURN(certs::ClientCredentials credentials, certificate_credentials());
    PARLEY_ASSIGN_OR_RETURN(pending, certs::secure_request(p.doc, *cert_mode, credentials, certificate_suite(),
                                                           p.signed_ids, wssc::Clock::now()));
  }
  return IssueRequest{std::move(p.doc), sent_entropy, std::move(pending), rst.context};
}

Result<wssc::UsernameToken> Client::username_token() const {
  if (!config_.password_digest) {
    wssc::UsernameToken ut;
    ut.username = config_.username;
    ut.password = config_.password;
    return ut;
  }
  return wssc::UsernameToken::with_digest(config_.username, config_.password, wssc::Clock::now());
}

Status Client::secure_with_bootstrap(xml::Document& doc, const std::vector<std::string>& signed_ids) {
  if (const std::optional<certs::Mode> mode = certificate_mode(config_.bootstrap)) {
    PARLEY_ASSIGN_OR_RETURN(certs::ClientCredentials credentials, certificate_credentials());
    certs::RequestOptions options;
    options.encrypt_body = false;
    auto secured = certs::secure_request(doc, *mode, credentials, certificate_suite(), signed_ids, wssc::Clock::now(),
                                         options);
    if (!secured.ok()) return secured.error();
    return ok_status();
  }
  xmlNode* security = wssc::security_header(doc, true);
  wssc::append_timestamp(security, wssc::make_timestamp(wssc::Clock::now(), std::chrono::seconds(300)));
  if (config_.bootstrap == Bootstrap::kUsernameToken) {
    PARLEY_ASSIGN_OR_RETURN(wssc::UsernameToken ut, username_token());
    wssc::append_username_token(security, ut);
  }
  return ok_status();
}

Result<certs::ClientCredentials> Client::certificate_credentials() const {
  certs::ClientCredentials c;
  c.own = config_.client_certificate;
  c.service = config_.service_certificate;
  if (config_.bootstrap == Bootstrap::kUsernameForCertificate) {
    PARLEY_ASSIGN_OR_RETURN(wssc::UsernameToken ut, username_token());
    c.username_token = std::move(ut);
  }
  return c;
}

certs::Suite Client::certificate_suite() const {
  certs::Suite s;
  s.symmetric_signature = config_.signature_method;
  s.digest = config_.digest_method;
  s.signature_key_length = config_.signature_key_length;
  s.encryption_key_length = config_.encryption_key_length;
  s.sc = config_.versions.sc;
  return s;
}

Status Client::open_issue_response(xml::Document& response, const IssueRequest& request) const {
  if (!request.pending) return ok_status();
  certs::ReadPolicy policy;
  policy.now = wssc::Clock::now();
  PARLEY_ASSIGN_OR_RETURN(certs::ClientCredentials credentials, certificate_credentials());
  return certs::open_response(response, *request.pending, credentials, certificate_suite(), policy);
}

Result<wssc::ContextKey> Client::context_from_issue_response(const xml::Document& response,
                                                             const std::optional<Bytes>& entropy,
                                                             std::string_view rst_context) {
  const auto& t = names::trust(config_.versions.trust());
  PARLEY_ASSIGN_OR_RETURN(wssc::EnvelopeView view, wssc::parse_envelope(response));
  PARLEY_ASSIGN_OR_RETURN(wssc::RequestSecurityTokenResponse rstr, single_rstr(view, t.rstr_sct));
  if (!rstr.requested_token) return protocol_error("the RSTR carries no RequestedSecurityToken (SC-3-04)");
  PARLEY_TRY(check_issued(rstr, rst_context));
  PARLEY_ASSIGN_OR_RETURN(Bytes key, wssc::issued_key(rstr, entropy, config_.key_size));
  return wssc::ContextKey{*rstr.requested_token, std::move(key)};
}

Status Client::issue() {
  if (config_.bootstrap == Bootstrap::kPresharedSct) {
    wssc::ContextKey ctx;
    ctx.sct.version = config_.versions.sc;
    ctx.sct.identifier = config_.preshared_identifier;
    ctx.key = config_.preshared_key;
    context_ = std::move(ctx);
    return ok_status();
  }
  const auto& t = names::trust(config_.versions.trust());
  PARLEY_ASSIGN_OR_RETURN(IssueRequest request, issue_request());
  PARLEY_ASSIGN_OR_RETURN(xml::Document response, send(config_.sts_url, request.doc, t.rst_sct));
  PARLEY_TRY(open_issue_response(response, request));
  PARLEY_ASSIGN_OR_RETURN(wssc::ContextKey issued, context_from_issue_response(response, request.entropy, request.context));
  context_ = held(std::move(issued));
  return ok_status();
}

wssc::ProtectOptions Client::protect_options() const {
  wssc::ProtectOptions o;
  o.derived_keys = config_.derived_keys;
  o.encrypt_body = config_.encrypt;
  o.signature_key_length = config_.signature_key_length;
  o.encryption_key_length = config_.encryption_key_length;
  o.signature_method = config_.signature_method;
  o.digest_method = config_.digest_method;
  if (config_.faults.has(ClientFault::kNoDerivedKeys)) o.derived_keys = false;
  if (config_.faults.has(ClientFault::kReuseDktNonce)) o.deviations.dkt.fixed_nonce = "parley-same-nonce";
  if (config_.faults.has(ClientFault::kSameKeySignEncrypt)) o.deviations.encrypt_with_signing_key = true;
  return o;
}

Result<xml::Document> Client::application_request(std::string_view body_xml, const wssc::ContextKey& context,
                                                  const wssc::ProtectOptions& options) {
  Prepared p = prepare(config_.action, config_.service_url);
  PARLEY_TRY(xml::append_fragment(wssc::envelope_body(p.doc), body_xml));
  PARLEY_TRY(wssc::secure_envelope(p.doc, context, options, p.signed_ids));
  return std::move(p.doc);
}

Result<std::string> Client::call(std::string_view body_xml) {
  if (!context_) return protocol_error("no security context: issue first");
  PARLEY_ASSIGN_OR_RETURN(xml::Document request, application_request(body_xml, *context_, protect_options()));
  PARLEY_ASSIGN_OR_RETURN(xml::Document response, send(config_.service_url, request, config_.action));
  PARLEY_ASSIGN_OR_RETURN(wssc::OpenedMessage opened, open_response(response));
  PARLEY_TRY(check_relates_to(opened.envelope, request));
  if (opened.envelope.body_child == nullptr) return protocol_error("the response Body is empty");
  return xml::canonicalize(opened.envelope.body_child);
}

Result<wssc::RequestSecurityTokenResponse> Client::context_operation(names::ScOperation operation,
                                                                      wssc::RequestSecurityToken rst) {
  if (!context_) return protocol_error("no security context: issue first");
  const names::TrustVersion tv = config_.versions.trust();
  const auto request_action = names::sct_action(tv, operation, names::Direction::kRequest);
  rst.version = tv;
  rst.token_type = std::string(names::sc(config_.versions.sc).sct_token_type);
  rst.request_type = std::string(names::request_type(tv, operation));
  Prepared p = prepare(request_action, config_.sts_url);
  wssc::append_rst(wssc::envelope_body(p.doc), rst);
  // Renew, amend and cancel prove possession of the context key (SC-4-02, SC-5-02, SC-6-02).
  wssc::ProtectOptions o = protect_options();
  o.encrypt_body = false;
  PARLEY_TRY(wssc::secure_envelope(p.doc, *context_, o, p.signed_ids));
  PARLEY_ASSIGN_OR_RETURN(xml::Document response, send(config_.sts_url, p.doc, request_action));
  const auto response_action = names::sct_action(tv, operation, names::Direction::kResponse);
  if (config_.faults.has(ClientFault::kSkipRstrVerification)) {
    // Injected fault: the RSTR is read as it stands, its signature never checked.
    PARLEY_ASSIGN_OR_RETURN(wssc::EnvelopeView unverified, wssc::parse_envelope(response));
    return single_rstr(unverified, response_action);
  }
  PARLEY_ASSIGN_OR_RETURN(wssc::OpenedMessage opened, open_response(response));
  PARLEY_TRY(check_relates_to(opened.envelope, p.doc));
  return single_rstr(opened.envelope, response_action);
}

Status Client::renew() {
  if (!context_) return protocol_error("no security context: issue first");
  const auto& t = names::trust(config_.versions.trust());
  wssc::RequestSecurityToken rst;
  rst.renew_target = wssc::SecurityTokenReference::to_identifier(context_->sct);
  PARLEY_ASSIGN_OR_RETURN(std::optional<Bytes> entropy, fresh_entropy());
  if (entropy) {
    rst.entropy = wssc::KeyMaterial{wssc::KeyMaterial::Kind::kBinarySecret, *entropy,
                                    std::string(t.binary_secret_nonce), {}, {}};
  }
  rst.key_size = config_.faults.has(ClientFault::kWrongKeySize) ? config_.key_size / 8 : config_.key_size;
  PARLEY_ASSIGN_OR_RETURN(wssc::RequestSecurityTokenResponse rstr,
                          context_operation(names::ScOperation::kRenew, std::move(rst)));
  if (!rstr.requested_token) return protocol_error("the renewal response carries no new token");
  if (rstr.requested_token->identifier != context_->sct.identifier) {
    return protocol_error("the renewed token has another Identifier (SC-5-05)");
  }
  PARLEY_TRY(check_issued(rstr, rstr.context));
  PARLEY_ASSIGN_OR_RETURN(Bytes key, wssc::issued_key(rstr, entropy, config_.key_size));
  // Injected fault: the renewal "succeeds" but the old key and Instance stay in use.
  if (config_.faults.has(ClientFault::kStaleInstanceAfterRenew)) return ok_status();
  context_ = held(wssc::ContextKey{*rstr.requested_token, std::move(key)});
  return ok_status();
}

Status Client::amend() {
  PARLEY_ASSIGN_OR_RETURN(wssc::RequestSecurityTokenResponse rstr,
                          context_operation(names::ScOperation::kAmend, wssc::RequestSecurityToken{}));
  if (rstr.requested_token && rstr.requested_token->identifier != context_->sct.identifier) {
    return protocol_error("the amendment changed the Identifier (SC-4-05)");
  }
  return ok_status();
}

Status Client::cancel() {
  if (!context_) return protocol_error("no security context: issue first");
  wssc::RequestSecurityToken rst;
  rst.cancel_target = wssc::SecurityTokenReference::to_identifier(context_->sct);
  PARLEY_ASSIGN_OR_RETURN(wssc::RequestSecurityTokenResponse rstr,
                          context_operation(names::ScOperation::kCancel, std::move(rst)));
  if (!rstr.requested_token_cancelled) return protocol_error("no wst:RequestedTokenCancelled (SC-6-03)");
  context_.reset();
  return ok_status();
}

}  // namespace parley::oracle
