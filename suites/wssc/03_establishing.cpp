// WS-SecureConversation 1.3 section 3 (catalog 2.2): establishing a security context.
#include <libxml/tree.h>

#include "suites/suites.h"
#include "suites/wssc/support.h"

namespace parley::suites::wssc_service {
namespace {

using engine::Answer;
using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_support;

// Issues once and hands the RSTR(s) to `check`.
template <class Check>
Outcome with_issuance(CaseContext& ctx, Check check,
                      const std::function<void(wssc::RequestSecurityToken&)>& edit = {}) {
  auto issuance = sup::issue_raw(ctx, "issue", edit);
  if (issuance.answer.kind != Answer::Kind::kSuccess) {
    return Outcome::prereq_failed("issuance did not succeed: " + issuance.answer.describe());
  }
  if (!issuance.response) return Outcome::fail("the issuance response is not XML");
  auto response = sup::trust_response(*issuance.response);
  if (!response.ok()) return Outcome::fail("the issuance response does not parse: " + response.error().message());
  return check(*issuance.response, *response, issuance);
}

// SC-3-01: the response action is RSTR/SCT of the same Trust version.
Outcome issue_actions(CaseContext& ctx) {
  return with_issuance(ctx, [&](const xml::Document& doc, const wssc::TrustResponse&, const sup::Issuance&) {
    auto view = wssc::parse_envelope(doc);
    const auto& t = names::trust(ctx.profile().client.versions.trust());
    if (!view.ok() || view->headers.action != t.rstr_sct) {
      return Outcome::fail("response wsa:Action is '" + (view.ok() ? view->headers.action : std::string("?")) +
                           "', expected '" + std::string(t.rstr_sct) + "'");
    }
    return Outcome::pass("RST/SCT answered with " + std::string(t.rstr_sct));
  });
}

// SC-3-05, WST-4.3-01: 1.3 wraps the final response in an RSTRC with one RSTR; Feb 2005 does not.
Outcome response_wrapping(CaseContext& ctx) {
  return with_issuance(ctx, [&](const xml::Document&, const wssc::TrustResponse& r, const sup::Issuance&) {
    const bool v13 = ctx.profile().client.versions.trust() == names::TrustVersion::k1_3;
    if (v13 && !r.collection) return Outcome::fail("WS-Trust 1.3 issuance answered with a bare RSTR, not an RSTRC");
    if (!v13 && r.collection) return Outcome::fail("WS-Trust Feb 2005 issuance answered with an RSTRC");
    if (r.responses.size() != 1) {
      return Outcome::fail("the response holds " + std::to_string(r.responses.size()) + " RSTRs, expected exactly one");
    }
    return Outcome::pass(v13 ? "an RSTRC with exactly one RSTR" : "a bare RSTR");
  });
}

// SC-3-04, SC-3-08, WST-4.4-01: the key the response conveys is the one the service uses.
Outcome proof_key_works(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::fail("no usable key from the issuance: " + session.error().message());
  Answer call = sup::send_application(ctx, *session, "call");
  if (call.kind != Answer::Kind::kSuccess) {
    return Outcome::fail("a message protected with the conveyed key was not accepted: " + call.describe());
  }
  return Outcome::pass("the conveyed key (" + std::to_string(session->context.key.size() * 8) +
                       " bits) protects a message the service accepts and answers under the same context");
}

// SC-3-02: a wrong RequestType on RST/SCT is refused.
Outcome wrong_request_type(CaseContext& ctx) {
  const auto& t = names::trust(ctx.profile().client.versions.trust());
  engine::NegativeStep step;
  step.control = [&] { return sup::issue_raw(ctx, "control").answer; };
  step.mutant = [&] {
    return sup::issue_raw(ctx, "mutant", [&](wssc::RequestSecurityToken& rst) {
             rst.request_type = std::string(t.request_validate);
           }).answer;
  };
  step.expected = {names::trust_fault(ctx.profile().client.versions.trust(), names::TrustFault::kInvalidRequest),
                   names::trust_fault(ctx.profile().client.versions.trust(), names::TrustFault::kBadRequest)};
  step.context_survives = false;
  step.mutation = "an RST/SCT whose RequestType is " + std::string(t.request_validate);
  return engine::judge_negative(step);
}

// WST-3.1-01: a RequestType in the other WS-Trust namespace is refused.
Outcome mixed_trust_namespace(CaseContext& ctx) {
  const names::TrustVersion tv = ctx.profile().client.versions.trust();
  const names::TrustVersion other =
      tv == names::TrustVersion::k1_3 ? names::TrustVersion::kFeb2005 : names::TrustVersion::k1_3;
  engine::NegativeStep step;
  step.control = [&] { return sup::issue_raw(ctx, "control").answer; };
  step.mutant = [&] {
    return sup::issue_raw(ctx, "mutant", {}, [&](xml::Document& doc) {
             auto rt = xml::xpath(doc, "//*[local-name()='RequestType']");
             if (!rt.ok()) return;
             for (xmlNode* n : *rt) {
               xmlNodeSetContent(n, xml::to_xml_chars(std::string(names::trust(other).request_issue).c_str()));
             }
           }).answer;
  };
  step.expected = {names::trust_fault(tv, names::TrustFault::kInvalidRequest),
                   names::trust_fault(tv, names::TrustFault::kBadRequest)};
  step.context_survives = false;
  step.mutation = "an RST/SCT whose RequestType is the Issue URI of " + std::string(names::trust(other).label);
  return engine::judge_negative(step);
}

// WST-3.3-01: BinarySecret/@Type of the other Trust namespace in the client entropy is refused.
Outcome binary_secret_type(CaseContext& ctx) {
  const names::TrustVersion tv = ctx.profile().client.versions.trust();
  const names::TrustVersion other =
      tv == names::TrustVersion::k1_3 ? names::TrustVersion::kFeb2005 : names::TrustVersion::k1_3;
  engine::NegativeStep step;
  step.control = [&] { return sup::issue_raw(ctx, "control").answer; };
  step.mutant = [&] {
    return sup::issue_raw(ctx, "mutant", [&](wssc::RequestSecurityToken& rst) {
             rst.entropy = wssc::KeyMaterial{wssc::KeyMaterial::Kind::kBinarySecret, Bytes(32, 0x5a),
                                             std::string(names::trust(other).binary_secret_nonce), {}, {}};
           }).answer;
  };
  step.expected = {names::trust_fault(tv, names::TrustFault::kInvalidRequest),
                   names::trust_fault(tv, names::TrustFault::kBadRequest)};
  step.context_survives = false;
  step.mutation = "client entropy whose BinarySecret/@Type is the Nonce URI of " + std::string(names::trust(other).label);
  return engine::judge_negative(step);
}

// SC-3-03: the RSTR echoes the requested TokenType.
Outcome token_type_echoed(CaseContext& ctx) {
  return with_issuance(ctx, [&](const xml::Document&, const wssc::TrustResponse& r, const sup::Issuance&) {
    const std::string want(names::sc(ctx.profile().client.versions.sc).sct_token_type);
    const auto& rstr = r.responses.front();
    if (rstr.token_type.empty()) return Outcome::fail("the RSTR names no wst:TokenType");
    if (rstr.token_type != want) return Outcome::fail("wst:TokenType '" + rstr.token_type + "', requested '" + want + "'");
    return Outcome::pass("wst:TokenType echoed");
  });
}

// SC-3-06: attached (#Id) and unattached (Identifier, /sct ValueType) references.
Outcome references(CaseContext& ctx) {
  return with_issuance(ctx, [&](const xml::Document&, const wssc::TrustResponse& r, const sup::Issuance&) {
    const auto& rstr = r.responses.front();
    if (!rstr.requested_token) return Outcome::fail("no RequestedSecurityToken");
    const auto& sct = *rstr.requested_token;
    if (!rstr.attached_reference) return Outcome::fail("no wst:RequestedAttachedReference");
    if (!rstr.unattached_reference) return Outcome::fail("no wst:RequestedUnattachedReference");
    if (rstr.attached_reference->local_id() != sct.wsu_id || sct.wsu_id.empty()) {
      return Outcome::fail("the attached reference '" + rstr.attached_reference->uri + "' does not name the token's "
                           "wsu:Id '" + sct.wsu_id + "'");
    }
    if (rstr.unattached_reference->uri != sct.identifier) {
      return Outcome::fail("the unattached reference '" + rstr.unattached_reference->uri +
                           "' is not the Identifier '" + sct.identifier + "'");
    }
    if (rstr.unattached_reference->value_type != names::sc(sct.version).sct_token_type) {
      return Outcome::fail("the unattached reference's ValueType is '" + rstr.unattached_reference->value_type + "'");
    }
    return Outcome::pass("attached #" + sct.wsu_id + " and unattached " + sct.identifier);
  });
}

// SC-3-09, WST-KS-01: a KeySize far outside the suite is clamped or refused, and the key has
// the size reported.
Outcome key_size_honoured(CaseContext& ctx) {
  std::string observations;
  for (std::uint64_t bits : {64u, 4096u}) {
    auto issuance = sup::issue_raw(ctx, "KeySize " + std::to_string(bits),
                                   [&](wssc::RequestSecurityToken& rst) { rst.key_size = bits; });
    if (issuance.answer.kind == Answer::Kind::kFault) {
      observations += " KeySize " + std::to_string(bits) + ": refused with " + issuance.answer.describe() + ";";
      continue;
    }
    if (issuance.answer.kind != Answer::Kind::kSuccess || !issuance.response) {
      return Outcome::fail("KeySize " + std::to_string(bits) + " answered with " + issuance.answer.describe());
    }
    auto r = sup::trust_response(*issuance.response);
    if (!r.ok() || r->responses.empty()) return Outcome::fail("the response does not parse");
    const auto& rstr = r->responses.front();
    auto key = wssc::issued_key(rstr, issuance.entropy, bits);
    if (!key.ok()) return Outcome::fail("no key: " + key.error().message());
    const std::uint64_t issued = key->size() * 8;
    if (rstr.key_size && *rstr.key_size != issued) {
      return Outcome::fail("wst:KeySize says " + std::to_string(*rstr.key_size) + " bits but the key has " +
                           std::to_string(issued));
    }
    // The key computed from what the response says must be the key the service holds.
    if (!rstr.requested_token) return Outcome::fail("KeySize " + std::to_string(bits) + ": no token in the response");
    sup::Session session;
    session.client = ctx.new_client("KeySize " + std::to_string(bits));
    session.context = wssc::ContextKey{*rstr.requested_token, *key};
    Answer used = sup::send_application(ctx, session, "call with the " + std::to_string(issued) + "-bit key");
    if (used.kind != Answer::Kind::kSuccess) {
      return Outcome::fail("KeySize " + std::to_string(bits) + ": the " + std::to_string(issued) +
                           "-bit key computed from the response does not protect messages the service accepts: " +
                           used.describe());
    }
    observations += " KeySize " + std::to_string(bits) + ": issued " + std::to_string(issued) + " bits;";
  }
  return Outcome::pass("the issued keys have the sizes reported:" + observations);
}

// SC-3-10: RSTR/@Context echoes RST/@Context.
Outcome context_echoed(CaseContext& ctx) {
  const std::string context = "urn:parley:context:" + std::to_string(ctx.rng()());
  return with_issuance(
      ctx,
      [&](const xml::Document&, const wssc::TrustResponse& r, const sup::Issuance&) {
        const auto& got = r.responses.front().context;
        if (got != context) return Outcome::fail("RSTR/@Context is '" + got + "', the request said '" + context + "'");
        return Outcome::pass("@Context echoed");
      },
      [&](wssc::RequestSecurityToken& rst) { rst.context = context; });
}

// SC-3-11, WST-LT-01, SC-2-08: the Lifetime, when present, is UTC with Created <= Expires.
Outcome lifetime(CaseContext& ctx) {
  return with_issuance(ctx, [&](const xml::Document&, const wssc::TrustResponse& r, const sup::Issuance&) {
    const auto& lt = r.responses.front().lifetime;  // the parser already refused non-UTC / reversed values
    if (!lt) return Outcome::info("no wst:Lifetime (the issuer may omit it, SC-2-08)");
    if (lt->expires.empty()) return Outcome::info("wst:Lifetime without Expires");
    return Outcome::pass("wst:Lifetime " + lt->created + " .. " + lt->expires);
  });
}

// SC-3-11, SC-5-09 (time-bound): the key window wst:Lifetime announces is enforced. A message
// sent after Expires is refused, with wsc:RenewNeeded as SC-5-09 asks.
Outcome lifetime_enforced(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  std::optional<wssc::Lifetime> lifetime;
  const auto& exchanges = session->client->exchanges();
  if (!exchanges.empty() && exchanges.front().response) {
    auto doc = xml::parse(exchanges.front().response->body);
    if (doc.ok()) {
      auto r = sup::trust_response(*doc);
      if (r.ok() && !r->responses.empty()) lifetime = r->responses.front().lifetime;
    }
  }
  if (!lifetime || lifetime->expires.empty()) {
    return Outcome::not_applicable("the issuance announced no wst:Lifetime/wsu:Expires, so there is no end to wait for");
  }
  auto expires = wssc::parse_utc(lifetime->expires);
  if (!expires.ok()) return Outcome::fail("wst:Lifetime/wsu:Expires '" + lifetime->expires + "' is not a UTC time");
  Answer before = sup::send_application(ctx, *session, "control (before Expires)");
  if (before.kind != Answer::Kind::kSuccess) {
    return Outcome::prereq_failed("a message under the fresh context was not accepted: " + before.describe());
  }
  // One second past Expires, measured on parley's clock (loopback targets share it).
  const auto until = *expires + std::chrono::seconds(1) - std::chrono::system_clock::now();
  const auto duration = std::max(std::chrono::milliseconds(0),
                                 std::chrono::duration_cast<std::chrono::milliseconds>(until));
  if (Status waited = ctx.wait(duration, "reaching wst:Lifetime Expires " + lifetime->expires); !waited.ok()) {
    return Outcome::not_applicable(waited.error().what());
  }
  Answer after = sup::send_application(ctx, *session, "after Expires");
  const names::QName renew_needed = names::sc_fault(ctx.profile().client.versions.sc, names::ScFault::kRenewNeeded);
  switch (after.kind) {
    case Answer::Kind::kFault:
      if (after.fault->specific() == renew_needed) {
        // WCF-02: WCF's clients recognise RenewNeeded by its action as well as its subcode.
        std::string action;
        if (auto response = xml::parse(ctx.evidence().exchanges.back().response_body); response.ok()) {
          auto node = xml::xpath_one(*response, "/*/*[local-name()='Header']/*[local-name()='Action']");
          if (node.ok()) action = xml::text_content(*node);
        }
        if (action != names::wcf::kSecureConversationFaultAction) {
          return Outcome::warn("after Expires the message was refused with " + after.describe() +
                               " but its wsa:Action is '" + action + "'; WCF-02 expects " +
                               std::string(names::wcf::kSecureConversationFaultAction));
        }
        return Outcome::pass("after Expires " + lifetime->expires + " the message was refused with " + after.describe() +
                             " and WCF's SecureConversationFault action");
      }
      return Outcome::warn("after Expires the message was refused with " + after.describe() + ", SC-5-09 asks for " +
                           wssc::clark(renew_needed));
    case Answer::Kind::kSuccess:
      return Outcome::fail("a message under the context's key was accepted after its wst:Lifetime Expires " +
                           lifetime->expires);
    case Answer::Kind::kBareHttpError:
    case Answer::Kind::kNotSoap:
      return Outcome::fail("after Expires the message was answered with " + after.describe() +
                           "; a refusal must be a SOAP fault (" + wssc::clark(renew_needed) + ")");
    case Answer::Kind::kTransportError: break;
  }
  return Outcome::error("no answer after Expires: " + after.detail);
}

// SC-3-17: dispatch is on wsa:Action, even when the HTTP SOAPAction is empty (SOAP 1.1).
Outcome empty_soap_action(CaseContext& ctx) {
  if (ctx.profile().client.versions.soap != names::SoapVersion::k1_1) {
    return Outcome::not_applicable("SOAP 1.2 has no SOAPAction header; the action travels in wsa:Action only");
  }
  auto issuance = sup::issue_raw(ctx, "empty SOAPAction", {}, {}, std::string("\"\""));
  if (issuance.answer.kind != Answer::Kind::kSuccess) {
    return Outcome::fail("an RST/SCT with SOAPAction \"\" was not dispatched on wsa:Action: " +
                         issuance.answer.describe());
  }
  return Outcome::pass("an RST/SCT with an empty SOAPAction was issued (dispatch on wsa:Action)");
}

// SC-3-07: client entropy of several sizes and KeySize values are accepted (MAY: INFO when not).
Outcome entropy_sizes(CaseContext& ctx) {
  const auto& t = names::trust(ctx.profile().client.versions.trust());
  std::string refused;
  for (std::size_t bytes : {16u, 32u, 64u}) {
    auto issuance = sup::issue_raw(ctx, "entropy " + std::to_string(bytes), [&](wssc::RequestSecurityToken& rst) {
      rst.entropy = wssc::KeyMaterial{wssc::KeyMaterial::Kind::kBinarySecret, Bytes(bytes, 0x5a),
                                      std::string(t.binary_secret_nonce), {}, {}};
    });
    if (issuance.answer.kind == Answer::Kind::kFault) {
      refused += " " + std::to_string(bytes) + "-byte entropy refused with " + issuance.answer.describe() + ";";
      continue;
    }
    if (issuance.answer.kind != Answer::Kind::kSuccess) {
      return Outcome::fail(std::to_string(bytes) + "-byte client entropy answered with " + issuance.answer.describe());
    }
  }
  if (!refused.empty()) return Outcome::info("some client entropy sizes were refused (allowed: MAY):" + refused);
  return Outcome::pass("16-, 32- and 64-byte client entropy were each accepted");
}

}  // namespace

Status register_03_establishing(engine::Registry& r) {
  const std::vector<Capability> issue = {Capability::kIssue};
  PARLEY_TRY(r.add({{"wssc/03/issue-actions", "RST/SCT is answered with RSTR/SCT of the same WS-Trust version",
                     {"SC-3-01"}, "ISS", issue, false, "An RST/SCT issue request.",
                     "wsa:Action of the response is .../RSTR/SCT of the request's Trust version.",
                     "Answering with the other version's action, or with the request action."},
                    issue_actions}));
  PARLEY_TRY(r.add({{"wssc/03/response-wrapping", "Issuance responses: RSTRC with one RSTR (1.3), bare RSTR (Feb 2005)",
                     {"SC-3-05", "WST-4.3-01"}, "ISS", issue, false, "An RST/SCT issue request.",
                     "WS-Trust 1.3: wst:RequestSecurityTokenResponseCollection with exactly one RSTR; Feb 2005: a "
                     "bare RSTR.",
                     "A 1.3 service answering like Feb 2005; several RSTRs."},
                    response_wrapping}));
  PARLEY_TRY(r.add({{"wssc/03/proof-key-works", "The key the issuance conveys protects messages the service accepts",
                     {"SC-3-04", "SC-3-08", "WST-4.4-01", "WST-4.4-02"}, "ISS", {}, false,
                     "Issue, derive the key (BinarySecret, CK/PSHA1 or client entropy), send one protected message.",
                     "The message is accepted and the answer verifies under the same context.",
                     "CK/PSHA1 with the entropies swapped; KeySize ignored in the computation; a proof token of "
                     "another key."},
                    proof_key_works}));
  PARLEY_TRY(r.add({{"wssc/03/wrong-request-type", "An RST/SCT with a wrong RequestType is refused",
                     {"SC-3-02", "WST-11-01"}, "ISS", issue, false,
                     "A normal issue request, then one whose RequestType is Validate, then a normal one.",
                     "wst:InvalidRequest (or wst:BadRequest) for the mutant.",
                     "Dispatching on the action alone and issuing anyway."},
                    wrong_request_type}));
  PARLEY_TRY(r.add({{"wssc/03/mixed-trust-namespace", "A RequestType of the other WS-Trust namespace is refused",
                     {"WST-3.1-01"}, "ISS", issue, false,
                     "A normal issue request, one whose RequestType is the other Trust version's Issue URI, a "
                     "normal one.",
                     "wst:InvalidRequest (or wst:BadRequest) for the mutant.",
                     "Comparing only the last path segment of RequestType."},
                    mixed_trust_namespace}));
  PARLEY_TRY(r.add({{"wssc/03/binary-secret-type", "A BinarySecret/@Type of the other WS-Trust namespace is refused",
                     {"WST-3.3-01"}, "ISS", issue, false,
                     "A normal issue request, one whose client entropy has the other Trust version's Nonce type, "
                     "a normal one.",
                     "wst:InvalidRequest (or wst:BadRequest) for the mutant.", "Ignoring @Type altogether."},
                    binary_secret_type}));
  PARLEY_TRY(r.add({{"wssc/03/token-type-echoed", "The RSTR names the requested SCT token type",
                     {"SC-3-03"}, "ISS", issue, false, "An RST/SCT naming the /sct token type.",
                     "The RSTR's wst:TokenType equals it.", "No TokenType in the RSTR (a SHOULD: WARN)."},
                    token_type_echoed}));
  PARLEY_TRY(r.add({{"wssc/03/references", "Attached and unattached references name the issued token",
                     {"SC-3-06"}, "ISS", issue, false, "An RST/SCT issue request.",
                     "RequestedAttachedReference to #wsu:Id of the token; RequestedUnattachedReference to its "
                     "Identifier with the /sct ValueType.",
                     "References missing (a SHOULD: WARN), or pointing at another id."},
                    references}));
  PARLEY_TRY(r.add({{"wssc/03/key-size", "KeySize far outside the suite is clamped or refused, and honestly reported",
                     {"SC-3-09", "WST-KS-01"}, "ISS", issue, false, "Issue requests with KeySize 64 and 4096.",
                     "Each is refused with a fault, or answered with a key of the size wst:KeySize reports, and that key "
                     "protects a message the service accepts.",
                     "Reporting one size and issuing another."},
                    key_size_honoured}));
  PARLEY_TRY(r.add({{"wssc/03/context-echoed", "RSTR/@Context echoes RST/@Context", {"SC-3-10"}, "ISS", issue, false,
                     "An RST/SCT with a random @Context.", "The RSTR carries the same @Context.",
                     "Dropping the attribute (WCF never sends one, so WCF-based services often miss it)."},
                    context_echoed}));
  PARLEY_TRY(r.add({{"wssc/03/lifetime", "wst:Lifetime, when present, is UTC with Created <= Expires",
                     {"SC-3-11", "WST-LT-01", "SC-2-08"}, "ISS", issue, false, "An RST/SCT issue request.",
                     "wst:Lifetime with wsu:Created <= wsu:Expires in UTC, or none (INFO).",
                     "Local times with an offset; Expires before Created."},
                    lifetime}));
  PARLEY_TRY(r.add({{"wssc/03/lifetime-enforced", "The key window of wst:Lifetime is enforced (time-bound)",
                     {"SC-3-11", "SC-5-09", "SC-9-04", "WCF-02"}, "SVC", issue, false,
                     "Issue, one message before wst:Lifetime Expires, wait until one second past it (if that is "
                     "within --max-wait), then the same message again.",
                     "The first is accepted; the second is refused with wsc:RenewNeeded.",
                     "Keys that never expire; a Lifetime that announces one window and enforces another; an "
                     "expired key answered with a 500."},
                    lifetime_enforced}));
  PARLEY_TRY(r.add({{"wssc/03/empty-soapaction", "RST/SCT with an empty SOAPAction is dispatched on wsa:Action",
                     {"SC-3-17"}, "ISS", issue, false, "A SOAP 1.1 RST/SCT with the HTTP header SOAPAction: \"\".",
                     "Issued as usual (WCF may send an empty SOAPAction).",
                     "Dispatching on SOAPAction and answering ActionNotSupported or a 500."},
                    empty_soap_action}));
  PARLEY_TRY(r.add({{"wssc/03/entropy-sizes", "Client entropy of 16, 32 and 64 bytes is accepted",
                     {"SC-3-07"}, "ISS", issue, false, "Three RST/SCT requests with 16-, 32- and 64-byte client entropy.",
                     "Each is issued (refusals are reported as INFO: entropy is a MAY).",
                     "Fixed-size buffers for the client entropy."},
                    entropy_sizes}));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
