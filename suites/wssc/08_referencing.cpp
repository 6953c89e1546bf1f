// WS-SecureConversation 1.3 section 8 (catalog 2.7): referencing a security context.
#include "suites/suites.h"
#include "suites/wssc/support.h"

namespace parley::suites::wssc_service {
namespace {

using engine::Answer;
using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_support;

Outcome reference_forms(CaseContext& ctx, bool include_sct) {
  if (!include_sct && ctx.profile().cookie_mode) {
    return Outcome::not_applicable(
        "the profile claims cookie_mode: such a service keeps no context state and resolves the context from the "
        "SCT (its dnse:Cookie) in each message, so a reference by Identifier alone cannot resolve (WCF-04)");
  }
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  wssc::ProtectOptions o = session->client->protect_options();
  o.include_sct = include_sct;
  Answer a = sup::send_application(ctx, *session, include_sct ? "by #wsu:Id" : "by Identifier", {}, o);
  if (a.kind != Answer::Kind::kSuccess) {
    return Outcome::fail(std::string("a message referencing the context ") +
                         (include_sct ? "by #wsu:Id of the SCT in the header" : "by its Identifier alone") +
                         " was not accepted: " + a.describe());
  }
  return Outcome::pass(include_sct ? "accepted the SCT in the header referenced by #wsu:Id"
                                   : "resolved the Identifier of a context issued earlier");
}

// SC-8-05: an unknown Identifier gives wsc:BadContextToken.
Outcome unknown_identifier(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const auto version = ctx.profile().client.versions.sc;
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  step.mutant = [&] {
    wssc::ContextKey unknown = session->context;
    unknown.sct.identifier = wssc::new_uuid_urn();
    unknown.sct.instance.clear();
    return sup::send_application(ctx, *session, "mutant", {}, std::nullopt, unknown);
  };
  step.expected = {names::sc_fault(version, names::ScFault::kBadContextToken)};
  step.mutation = "a message naming an Identifier the service never issued";
  return engine::judge_negative(step);
}

// SC-8-02: a Reference to the SCT with a wrong ValueType is refused.
Outcome wrong_value_type(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const auto version = ctx.profile().client.versions.sc;
  const std::string sct_type(names::sc(version).sct_token_type);
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  step.mutant = [&] {
    return sup::send_application(ctx, *session, "mutant", [&](xml::Document& doc) {
      auto refs = xml::xpath(doc, "//wsse:Reference[@ValueType]");
      if (!refs.ok()) return;
      for (xmlNode* ref : *refs) {
        if (xml::attribute(ref, "", "ValueType").value == sct_type) {
          xml::set_attribute(ref, "", "", "ValueType", names::wss::kX509v3);
        }
      }
    });
  };
  step.expected = sup::security_faults(version);
  step.mutation = "a message whose reference to the SCT carries the X.509 ValueType";
  return engine::judge_negative(step);
}

// SC-8-03: after renewal, a bogus Instance is refused while the real one works.
Outcome instance_selects_key(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  Status renewed = session->client->renew();
  ctx.record_client(*session->client, "renew");
  if (!renewed.ok()) return Outcome::prereq_failed("renewal failed: " + renewed.error().message());
  session->context = *session->client->context();
  const auto version = ctx.profile().client.versions.sc;
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  step.mutant = [&] {
    wssc::ContextKey bogus = session->context;
    bogus.sct.instance = wssc::new_uuid_urn();
    wssc::ProtectOptions o = session->client->protect_options();
    // The Instance travels on the reference (SC-8-03); a cookie-mode service needs the SCT itself,
    // whose Instance then disagrees with the KeyGeneration its cookie names.
    o.include_sct = ctx.profile().cookie_mode;
    return sup::send_application(ctx, *session, "mutant", {}, o, bogus);
  };
  step.expected = {names::sc_fault(version, names::ScFault::kBadContextToken)};
  step.mutation = "a message naming a key instance the service never issued";
  return engine::judge_negative(step);
}

}  // namespace

Status register_08_referencing(engine::Registry& r) {
  PARLEY_TRY(r.add({{"wssc/08/reference-by-identifier", "A context issued earlier is resolved from its Identifier",
                     {"SC-8-01", "SC-8-04"}, "SVC", {}, false,
                     "A protected message whose tokens reference the context by Identifier only (no SCT in the header).",
                     "Accepted, and answered under the same context.",
                     "Services that only look for an SCT in the header (cookie-mode habits)."},
                    [](CaseContext& ctx) { return reference_forms(ctx, false); }}));
  PARLEY_TRY(r.add({{"wssc/08/reference-by-id", "An SCT in the header referenced by #wsu:Id is accepted",
                     {"SC-8-01", "SC-8-06"}, "SVC", {}, false,
                     "A protected message carrying the SCT, with DKTs referencing it by #wsu:Id (WCF's client form).",
                     "Accepted.", "Resolving only by Identifier."},
                    [](CaseContext& ctx) { return reference_forms(ctx, true); }}));
  PARLEY_TRY(r.add({{"wssc/08/unknown-identifier", "An unknown Identifier gets wsc:BadContextToken",
                     {"SC-8-05", "SC-9-01"}, "SVC", {}, false,
                     "A message signed with the real key but naming a fresh urn:uuid Identifier, between two normal "
                     "messages.",
                     "wsc:BadContextToken; the real context keeps working.",
                     "wsse:InvalidSecurityToken (WARN), a 500 without a fault, or accepting it."},
                    unknown_identifier}));
  PARLEY_TRY(r.add({{"wssc/08/wrong-value-type", "A reference to the SCT with a wrong ValueType is refused",
                     {"SC-8-02", "WSS-7-03"}, "SVC", {}, false,
                     "A message whose wsse:Reference to the SCT carries the X.509 ValueType.",
                     "A security fault; the context keeps working.", "Ignoring ValueType."},
                    wrong_value_type}));
  PARLEY_TRY(r.add({{"wssc/08/instance-selects-key", "After renewal, an unknown wsc:Instance is refused",
                     {"SC-8-03"}, "SVC", {Capability::kRenew}, false,
                     "Renew, then a message naming the context with a fresh, never-issued Instance.",
                     "wsc:BadContextToken; the renewed key keeps working.",
                     "Ignoring Instance and using the newest key (WSS4J does, see docs/interop/wss4j.md)."},
                    instance_selects_key}));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
