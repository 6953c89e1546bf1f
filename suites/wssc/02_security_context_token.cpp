// WS-SecureConversation 1.3 section 2 (catalog 2.1): the Security Context Token.
#include <algorithm>
#include <set>

#include "suites/suites.h"
#include "suites/wssc/support.h"

namespace parley::suites::wssc_service {
namespace {

using engine::Answer;
using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_support;

// SC-2-01, SC-2-02, SC-2-09: the issued token's shape, judged with the wire model's parser.
Outcome sct_shape(CaseContext& ctx) {
  auto issuance = sup::issue_raw(ctx, "issue");
  if (issuance.answer.kind != Answer::Kind::kSuccess) {
    return Outcome::prereq_failed("issuance did not succeed: " + issuance.answer.describe());
  }
  if (!issuance.response) return Outcome::fail("the issuance response is not XML");
  auto view = wssc::parse_envelope(*issuance.response);
  if (!view.ok() || view->body_child == nullptr) return Outcome::fail("the issuance response has no Body content");
  // Find the token without the RSTR parser's own checks, so the token's error is what we report.
  auto tokens = xml::xpath(*issuance.response, "//wst:RequestedSecurityToken/* | //wst05:RequestedSecurityToken/*");
  if (!tokens.ok() || tokens->size() != 1) {
    return Outcome::fail("the response holds " + std::to_string(tokens.ok() ? tokens->size() : 0) +
                         " tokens under wst:RequestedSecurityToken, expected one wsc:SecurityContextToken");
  }
  auto sct = wssc::parse_sct((*tokens)[0]);
  if (!sct.ok()) return Outcome::fail(sct.error().message());
  const auto expected_version = ctx.profile().client.versions.sc;
  const bool same_ns = names::sc(sct->version).ns == names::sc(expected_version).ns;
  if (!same_ns) {
    return Outcome::fail("the token is in the " + std::string(names::sc(sct->version).label) +
                         " namespace; the exchange uses " + std::string(names::sc(expected_version).label));
  }
  auto tt = xml::xpath(*issuance.response, "//wst:RequestSecurityTokenResponse/wst:TokenType | "
                                           "//wst05:RequestSecurityTokenResponse/wst05:TokenType");
  if (tt.ok() && !tt->empty()) {
    const std::string token_type = xml::text_content((*tt)[0]);
    if (token_type != names::sc(expected_version).sct_token_type) {
      return Outcome::fail("wst:TokenType is '" + token_type + "', not the /sct URI of " +
                           std::string(names::sc(expected_version).label) + " (SC-2-09)");
    }
  }
  return Outcome::pass("one wsc:Identifier, an absolute URI ('" + sct->identifier + "'), in the " +
                       std::string(names::sc(sct->version).label) + " namespace");
}

// SC-2-03: identifiers are unique across issuances.
Outcome identifiers_unique(CaseContext& ctx) {
  constexpr int kIssuances = 5;
  std::set<std::string> seen;
  for (int i = 0; i < kIssuances; ++i) {
    auto session = sup::establish(ctx, "issue " + std::to_string(i + 1));
    if (!session.ok()) return Outcome::prereq_failed(session.error().message());
    if (!seen.insert(session->context.sct.identifier).second) {
      return Outcome::fail("issuance " + std::to_string(i + 1) + " repeated the Identifier '" +
                           session->context.sct.identifier + "'");
    }
  }
  return Outcome::pass(std::to_string(kIssuances) + " issuances gave " + std::to_string(seen.size()) +
                       " distinct Identifiers");
}

// SC-2-04: a re-keyed SCT keeps its Identifier and carries a new Instance.
Outcome renew_keeps_identifier(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  std::set<std::string> instances;
  const std::string identifier = session->context.sct.identifier;
  for (int i = 0; i < 2; ++i) {
    Status renewed = session->client->renew();
    ctx.record_client(*session->client, "renew");
    if (!renewed.ok()) return Outcome::fail("renewal " + std::to_string(i + 1) + " failed: " + renewed.error().message());
    const auto& sct = session->client->context()->sct;
    if (sct.identifier != identifier) {
      return Outcome::fail("the renewed token's Identifier is '" + sct.identifier + "', not '" + identifier + "'");
    }
    if (sct.instance.empty()) return Outcome::fail("the renewed token carries no wsc:Instance");
    if (!instances.insert(sct.instance).second) {
      return Outcome::fail("renewal " + std::to_string(i + 1) + " repeated the Instance '" + sct.instance + "'");
    }
  }
  return Outcome::pass("two renewals kept '" + identifier + "' and gave two distinct Instances");
}

// SC-2-07: a KeyIdentifier reference must not name an SCT.
Outcome keyidentifier_refused(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const std::string identifier = session->context.sct.identifier;
  const auto version = ctx.profile().client.versions.sc;
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  step.mutant = [&] {
    return sup::send_application(ctx, *session, "mutant", [&](xml::Document& doc) {
      // Every STR that points at the context (directly or from a DKT) becomes a KeyIdentifier.
      auto refs = xml::xpath(doc, "//wsse:SecurityTokenReference/wsse:Reference");
      if (!refs.ok()) return;
      for (xmlNode* ref : *refs) {
        xmlNode* str = ref->parent;
        xmlUnlinkNode(ref);
        xmlFreeNode(ref);
        xmlNode* ki = xml::add_element(str, names::ns::kWsse, "o", "KeyIdentifier", base64_encode(as_bytes(identifier)));
        xml::set_attribute(ki, "", "", "ValueType", names::sc(version).sct_token_type);
      }
    });
  };
  step.expected = sup::security_faults(version);
  step.mutation = "a message whose SecurityTokenReferences name the context by wsse:KeyIdentifier";
  return engine::judge_negative(step);
}

// WCF-04 (cookie mode): the dnse:Cookie carries the context state protected: the context key is
// not in it in clear, and a cookie changed by the holder is refused.
Outcome cookie_protected(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const auto& cookie = session->context.sct.cookie;
  if (!cookie || cookie->empty()) {
    return Outcome::fail("the profile claims cookie mode, but the issued SCT carries no dnse:Cookie");
  }
  const Bytes& key = session->context.key;
  if (!key.empty() && std::search(cookie->begin(), cookie->end(), key.begin(), key.end()) != cookie->end()) {
    return Outcome::fail("the dnse:Cookie (" + std::to_string(cookie->size()) +
                         " bytes) contains the context key in clear: whoever sees the token holds the session");
  }
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  step.mutant = [&] {
    wssc::ContextKey tampered = session->context;
    (*tampered.sct.cookie)[tampered.sct.cookie->size() / 2] ^= 0x01;
    // The token is echoed from its extensions byte for byte (SC-2-06): drop the original cookie
    // element so that the altered one is written.
    std::erase_if(tampered.sct.extensions,
                  [](const std::string& e) { return e.find("Cookie") != std::string::npos; });
    return sup::send_application(ctx, *session, "mutant", {}, std::nullopt, tampered);
  };
  step.expected = sup::security_faults(ctx.profile().client.versions.sc);
  step.mutation = "the SCT with one bit of its dnse:Cookie flipped";
  return engine::judge_negative(step);
}

}  // namespace

Status register_02_security_context_token(engine::Registry& r) {
  PARLEY_TRY(r.add({{"wssc/02/cookie-protected", "A cookie-mode SCT's state is protected (WCF)",
                     {"WCF-04"}, "ISS", {engine::Capability::kCookieMode}, false,
                     "Issue; look for the context key inside the dnse:Cookie; a control, the SCT with one bit of "
                     "its cookie flipped, a control.",
                     "The key is not in the cookie in clear, and the altered cookie is refused.",
                     "Cookie state serialized without encryption or authentication (a stateless service then "
                     "trusts whatever the client sends back)."},
                    cookie_protected}));
  PARLEY_TRY(r.add({{"wssc/02/sct-shape",
                     "The issued SCT has one absolute-URI Identifier in the version's namespace",
                     {"SC-2-01", "SC-2-02", "SC-2-09"},
                     "ISS",
                     {Capability::kIssue},
                     false,
                     "An RST/SCT issue request with the profile's bootstrap.",
                     "wst:RequestedSecurityToken holds one wsc:SecurityContextToken of the exchange's WS-SC "
                     "namespace with exactly one wsc:Identifier that is an absolute URI; wst:TokenType is the /sct "
                     "URI of the same version.",
                     "Identifiers such as a bare GUID without urn:uuid:, a token in the Feb 2005 namespace on a "
                     "1.3 endpoint, a TokenType of the other version."},
                    sct_shape}));
  PARLEY_TRY(r.add({{"wssc/02/identifier-unique",
                     "Five issuances give five distinct Identifiers",
                     {"SC-2-03"},
                     "ISS",
                     {Capability::kIssue},
                     false,
                     "Five RST/SCT issue requests.",
                     "Five distinct wsc:Identifier values.",
                     "Identifiers derived from a counter reset at start-up, or from the client's input."},
                    identifiers_unique}));
  PARLEY_TRY(r.add({{"wssc/02/renew-keeps-identifier",
                     "Renewal keeps the Identifier and gives a new Instance each time",
                     {"SC-2-04", "SC-5-05"},
                     "ISS",
                     {Capability::kRenew},
                     false,
                     "Issue (or use the pre-shared context), then two RST/SCT/Renew requests.",
                     "Each renewed token has the same wsc:Identifier and a wsc:Instance not seen before.",
                     "Issuing a new context on renew; no wsc:Instance; the same Instance twice."},
                    renew_keeps_identifier}));
  PARLEY_TRY(r.add({{"wssc/02/keyidentifier-refused",
                     "A wsse:KeyIdentifier naming the context is refused",
                     {"SC-2-07", "WSS-7-01"},
                     "SVC",
                     {},
                     false,
                     "An application message whose SecurityTokenReferences name the SCT by wsse:KeyIdentifier "
                     "(between two normal messages).",
                     "A SOAP fault (a WSS security fault or wsc:BadContextToken); the context keeps working.",
                     "Resolving any reference form by guessing; a 500 without a fault."},
                    keyidentifier_refused}));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
