#include "suites/wssc/support.h"

namespace parley::suites::wssc_support {

Result<Session> establish(engine::CaseContext& ctx, const std::string& label) {
  Session s;
  s.client = ctx.new_client(label);
  Status issued = s.client->issue();
  ctx.record_client(*s.client, label);
  if (!issued.ok()) return issued.error().within("establishing a security context");
  s.context = *s.client->context();
  ctx.key(label + ": context key", s.context.key);
  return s;
}

engine::Answer send_application(engine::CaseContext& ctx, Session& session, const std::string& label,
                                const std::function<void(xml::Document&)>& mutate,
                                std::optional<wssc::ProtectOptions> options, std::optional<wssc::ContextKey> context) {
  auto doc = session.client->application_request(ctx.profile().request_body, context.value_or(session.context),
                                                 options.value_or(session.client->protect_options()));
  if (!doc.ok()) {
    engine::Answer a;
    a.kind = engine::Answer::Kind::kTransportError;
    a.detail = "parley could not build the request: " + doc.error().message();
    return a;
  }
  if (mutate) mutate(*doc);
  engine::Answer a = ctx.send(label, ctx.profile().client.service_url, *doc, ctx.profile().client.action);
  if (a.kind == engine::Answer::Kind::kSuccess) {
    // A success must also be a response protected with the same context.
    auto response = xml::parse(ctx.evidence().exchanges.back().response_body);
    if (response.ok()) {
      wssc::SingleContextResolver resolver(context.value_or(session.context));
      auto opened = wssc::open_envelope(*response, resolver);
      if (!opened.ok()) {
        a.kind = engine::Answer::Kind::kNotSoap;
        a.detail = "the response does not verify with the context: " + opened.error().message();
      }
    }
  }
  return a;
}

Issuance issue_raw(engine::CaseContext& ctx, const std::string& label,
                   const std::function<void(wssc::RequestSecurityToken&)>& edit,
                   const std::function<void(xml::Document&)>& mutate, std::optional<std::string> soap_action) {
  Issuance out;
  auto client = ctx.new_client(label);
  // `mutate` edits the request before a certificate bootstrap signs and encrypts it.
  auto request = client->issue_request(edit, mutate);
  if (!request.ok()) {
    out.answer.kind = engine::Answer::Kind::kTransportError;
    out.answer.detail = "parley could not build the request: " + request.error().message();
    return out;
  }
  out.entropy = request->entropy;
  out.request_xml = xml::serialize(request->doc);
  const auto& t = names::trust(ctx.profile().client.versions.trust());
  out.answer = ctx.send(label, ctx.profile().client.sts_url, request->doc, t.rst_sct, std::move(soap_action));
  if (out.answer.kind == engine::Answer::Kind::kSuccess) {
    auto parsed = xml::parse(ctx.evidence().exchanges.back().response_body);
    if (parsed.ok()) {
      // The certificate bootstraps sign and encrypt the answer: the cases read it opened.
      Status opened = client->open_issue_response(*parsed, *request);
      if (!opened.ok()) {
        out.answer.kind = engine::Answer::Kind::kNotSoap;
        out.answer.detail = "the issuance response does not verify: " + opened.error().message();
        return out;
      }
      out.response = std::move(*parsed);
    }
  }
  return out;
}

Result<wssc::TrustResponse> trust_response(const xml::Document& response) {
  PARLEY_ASSIGN_OR_RETURN(wssc::EnvelopeView view, wssc::parse_envelope(response));
  if (view.body_child == nullptr) return Error(ErrorCode::kParse, "the response Body is empty", "soap:Body");
  return wssc::parse_trust_response(view.body_child);
}

namespace {
// An unprotected renew / cancel / amend request naming `target`, addressed to the STS.
struct OperationRequest {
  xml::Document doc;
  std::vector<std::string> signed_ids;
  std::string action;
};
OperationRequest operation_request(engine::CaseContext& ctx, names::ScOperation op,
                                   const wssc::SecurityContextToken& target) {
  const auto& client = ctx.profile().client;
  const names::TrustVersion tv = client.versions.trust();
  OperationRequest out{wssc::new_envelope(client.versions.soap), {},
                       std::string(names::sct_action(tv, op, names::Direction::kRequest))};
  wssc::AddressingHeaders h;
  h.action = out.action;
  h.message_id = wssc::new_uuid_urn();
  h.to = client.sts_url;
  out.signed_ids = wssc::add_addressing_headers(wssc::envelope_header(out.doc), client.versions.addressing, h);
  wssc::RequestSecurityToken rst;
  rst.version = tv;
  rst.token_type = std::string(names::sc(client.versions.sc).sct_token_type);
  rst.request_type = std::string(names::request_type(tv, op));
  if (op == names::ScOperation::kRenew) {
    rst.renew_target = wssc::SecurityTokenReference::to_identifier(target);
    rst.key_size = client.key_size;
  }
  if (op == names::ScOperation::kCancel) rst.cancel_target = wssc::SecurityTokenReference::to_identifier(target);
  wssc::append_rst(wssc::envelope_body(out.doc), rst);
  return out;
}

engine::Answer not_built(const std::string& why) {
  engine::Answer a;
  a.kind = engine::Answer::Kind::kTransportError;
  a.detail = "parley could not build the request: " + why;
  return a;
}
}  // namespace

engine::Answer context_operation(engine::CaseContext& ctx, const std::string& label, names::ScOperation op,
                                 const wssc::ContextKey& signer, const wssc::SecurityContextToken& target,
                                 const std::function<void(xml::Document&)>& mutate) {
  OperationRequest request = operation_request(ctx, op, target);
  auto reference = ctx.new_client(label);
  wssc::ProtectOptions o = reference->protect_options();
  o.encrypt_body = false;
  if (auto secured = wssc::secure_envelope(request.doc, signer, o, request.signed_ids); !secured.ok()) {
    return not_built(secured.error().message());
  }
  if (mutate) mutate(request.doc);
  return ctx.send(label, ctx.profile().client.sts_url, request.doc, request.action);
}

engine::Answer bootstrap_only_operation(engine::CaseContext& ctx, const std::string& label, names::ScOperation op,
                                        const wssc::SecurityContextToken& target) {
  OperationRequest request = operation_request(ctx, op, target);
  auto reference = ctx.new_client(label);
  if (Status secured = reference->secure_with_bootstrap(request.doc, request.signed_ids); !secured.ok()) {
    return not_built(secured.error().message());
  }
  return ctx.send(label, ctx.profile().client.sts_url, request.doc, request.action);
}

engine::Outcome operation_on_other_context(engine::CaseContext& ctx, names::ScOperation op) {
  auto attacker = establish(ctx, "issue (requester)");
  auto victim = establish(ctx, "issue (victim)");
  if (!attacker.ok() || !victim.ok()) {
    return engine::Outcome::prereq_failed((attacker.ok() ? victim : attacker).error().message());
  }
  const bool renew = op == names::ScOperation::kRenew;
  engine::NegativeStep step;
  step.control = [&] { return send_application(ctx, *victim, "control (victim's context)"); };
  step.mutant = [&] { return context_operation(ctx, "mutant", op, attacker->context, victim->context.sct); };
  const auto& v = ctx.profile().client.versions;
  step.expected = security_faults(v.sc);
  step.expected.push_back(names::trust_fault(v.trust(), names::TrustFault::kFailedAuthentication));
  step.expected.push_back(names::trust_fault(v.trust(), names::TrustFault::kInvalidRequest));
  if (renew) step.expected.push_back(names::sc_fault(v.sc, names::ScFault::kUnableToRenew));
  step.mutation = renew ? "an RST/SCT/Renew whose RenewTarget names another requester's context"
                        : "an RST/SCT/Cancel whose CancelTarget names another requester's context";
  return engine::judge_negative(step);  // the victim's context must survive
}

engine::Outcome operation_with_bootstrap_only(engine::CaseContext& ctx, names::ScOperation op) {
  auto session = establish(ctx);
  if (!session.ok()) return engine::Outcome::prereq_failed(session.error().message());
  engine::NegativeStep step;
  step.control = [&] { return send_application(ctx, *session, "control"); };
  step.mutant = [&] { return bootstrap_only_operation(ctx, "mutant", op, session->context.sct); };
  const auto& v = ctx.profile().client.versions;
  step.expected = security_faults(v.sc);
  step.expected.push_back(names::wss_fault(names::WssFault::kFailedAuthentication));
  step.expected.push_back(names::trust_fault(v.trust(), names::TrustFault::kFailedAuthentication));
  step.expected.push_back(names::trust_fault(v.trust(), names::TrustFault::kInvalidRequest));
  if (op == names::ScOperation::kRenew) step.expected.push_back(names::sc_fault(v.sc, names::ScFault::kUnableToRenew));
  const std::string what = op == names::ScOperation::kRenew ? "an RST/SCT/Renew" : op == names::ScOperation::kCancel
                                                                                     ? "an RST/SCT/Cancel"
                                                                                     : "an RST/SCT/Amend";
  step.mutation = what + " for the context protected only as an issuance request is (" +
                  std::string(oracle::to_string(ctx.profile().client.bootstrap)) +
                  " bootstrap), with no signature by the context's key";
  return engine::judge_negative(step);  // the context must survive
}

xml::Document application_unsigned_addressing(engine::CaseContext& ctx, Session& session) {
  const auto& client = ctx.profile().client;
  xml::Document doc = wssc::new_envelope(client.versions.soap);
  wssc::AddressingHeaders h;
  h.action = client.action;
  h.message_id = wssc::new_uuid_urn();
  h.to = client.service_url;
  wssc::add_addressing_headers(wssc::envelope_header(doc), client.versions.addressing, h, /*ids=*/false);
  (void)xml::append_fragment(wssc::envelope_body(doc), ctx.profile().request_body);
  (void)wssc::secure_envelope(doc, session.context, session.client->protect_options(), {});
  return doc;
}

std::vector<names::QName> security_faults(names::ScVersion v) {
  using names::WssFault;
  return {names::wss_fault(WssFault::kInvalidSecurity),        names::wss_fault(WssFault::kInvalidSecurityToken),
          names::wss_fault(WssFault::kSecurityTokenUnavailable), names::wss_fault(WssFault::kUnsupportedSecurityToken),
          names::wss_fault(WssFault::kFailedCheck),             names::sc_fault(v, names::ScFault::kBadContextToken)};
}

}  // namespace parley::suites::wssc_support
