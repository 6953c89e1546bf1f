// WS-SecureConversation 1.3 section 5 (catalog 2.4): renewing a security context.
#include "suites/suites.h"
#include "suites/wssc/support.h"

namespace parley::suites::wssc_service {
namespace {

using engine::Answer;
using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_support;

// SC-5-05, SC-2-04: the renewed token keeps its Identifier and gets a new Instance and key.
Outcome renew_new_instance(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const wssc::ContextKey before = session->context;
  Status renewed = session->client->renew();
  ctx.record_client(*session->client, "renew");
  if (!renewed.ok()) return Outcome::fail("the renewal failed: " + renewed.error().message());
  const wssc::ContextKey after = *session->client->context();
  ctx.key("renewed key", after.key);
  if (after.sct.identifier != before.sct.identifier) {
    return Outcome::fail("the renewed token's Identifier '" + after.sct.identifier + "' differs from '" +
                         before.sct.identifier + "'");
  }
  if (after.sct.instance.empty() || after.sct.instance == before.sct.instance) {
    return Outcome::fail("the renewed token carries " +
                         (after.sct.instance.empty() ? std::string("no wsc:Instance")
                                                     : "the previous wsc:Instance '" + after.sct.instance + "'") +
                         " although its key changed");
  }
  if (after.key == before.key) return Outcome::fail("the renewal conveyed the same key again");
  session->context = after;
  Answer call = sup::send_application(ctx, *session, "call with the renewed key");
  if (call.kind != Answer::Kind::kSuccess) {
    return Outcome::fail("a message under the renewed key was not accepted: " + call.describe());
  }
  return Outcome::pass("same Identifier, new Instance " + after.sct.instance + " and a new key that works");
}

// SC-5-02: a renewal must be signed by the context it renews.
Outcome renew_other_context(CaseContext& ctx) {
  return sup::operation_on_other_context(ctx, names::ScOperation::kRenew);
}

// SC-5-07: a cancelled context cannot be renewed.
Outcome cancelled_not_renewable(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const wssc::ContextKey old = session->context;
  Status cancelled = session->client->cancel();
  ctx.record_client(*session->client, "cancel");
  if (!cancelled.ok()) return Outcome::prereq_failed("the cancel did not succeed: " + cancelled.error().message());
  Answer renew = sup::context_operation(ctx, "renew after cancel", names::ScOperation::kRenew, old, old.sct);
  switch (renew.kind) {
    case Answer::Kind::kFault: return Outcome::pass("renewal of a cancelled context refused with " + renew.describe());
    case Answer::Kind::kSuccess: return Outcome::fail("a cancelled context was renewed");
    case Answer::Kind::kTransportError: return Outcome::error("no answer: " + renew.detail);
    case Answer::Kind::kBareHttpError:
    case Answer::Kind::kNotSoap: break;
  }
  return Outcome::fail("the renewal of a cancelled context was answered with " + renew.describe());
}

// SC-5-08, SC-9-05: a refused renewal is answered with wsc:UnableToRenew. Only a target that
// issues but disclaims renew refuses a well-formed renewal of a live context.
Outcome refused_renewal_fault(CaseContext& ctx) {
  if (ctx.profile().renew) {
    return Outcome::not_applicable("the profile claims renew: a renewal of a live context would be granted, so "
                                   "there is no refusal to judge");
  }
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  Answer a = sup::context_operation(ctx, "renew (the profile disclaims renew)", names::ScOperation::kRenew,
                                    session->context, session->context.sct);
  const names::QName unable = names::sc_fault(ctx.profile().client.versions.sc, names::ScFault::kUnableToRenew);
  switch (a.kind) {
    case Answer::Kind::kFault:
      if (a.fault->specific() == unable) return Outcome::pass("the renewal was refused with " + a.describe());
      return Outcome::warn("the renewal was refused with " + a.describe() + "; SC-5-08 asks for " +
                           wssc::clark(unable));
    case Answer::Kind::kSuccess:
      return Outcome::not_applicable("the target renewed the context although the profile disclaims renew (the "
                                     "capability probe reports that); there is no refusal to judge");
    case Answer::Kind::kTransportError: return Outcome::error("no answer to the renewal: " + a.detail);
    case Answer::Kind::kBareHttpError:
    case Answer::Kind::kNotSoap: break;
  }
  return Outcome::fail("the renewal was refused with " + a.describe() + "; a refusal must be a SOAP fault");
}

// WCF-06: under WS-Trust 1.3 renew and cancel answers come in an RSTRC (WCF), bare elsewhere.
Outcome lifecycle_wrapping(CaseContext& ctx, names::ScOperation op) {
  if (ctx.profile().client.versions.trust() != names::TrustVersion::k1_3) {
    return Outcome::not_applicable("WCF-06 is about WS-Trust 1.3; Feb 2005 answers are bare RSTRs by definition");
  }
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const bool renew = op == names::ScOperation::kRenew;
  Status s = renew ? session->client->renew() : session->client->cancel();
  ctx.record_client(*session->client, renew ? "renew" : "cancel");
  const auto& exchanges = session->client->exchanges();
  if (!s.ok() || exchanges.empty() || !exchanges.back().response) {
    return Outcome::prereq_failed(std::string(renew ? "renew" : "cancel") + " did not succeed" +
                                  (s.ok() ? "" : ": " + s.error().message()));
  }
  auto doc = xml::parse(exchanges.back().response->body);
  if (!doc.ok()) return Outcome::fail("the response is not XML");
  auto r = sup::trust_response(*doc);
  if (!r.ok()) return Outcome::fail("the response does not parse: " + r.error().message());
  if (!r->collection) {
    return Outcome::fail(std::string("the ") + (renew ? "renew" : "cancel") +
                         " response is a bare RSTR; WCF wraps it in an RSTRC under WS-Trust 1.3");
  }
  if (r->responses.size() != 1) {
    return Outcome::fail("the RSTRC holds " + std::to_string(r->responses.size()) + " RSTRs; WCF expects exactly one");
  }
  return Outcome::pass("an RSTRC with exactly one RSTR");
}

}  // namespace

Status register_05_renewing(engine::Registry& r) {
  // kIssue: renewing the one pre-shared context again and again would change it under every other
  // case (and pile up key generations); these cases need contexts of their own.
  const std::vector<Capability> renew = {Capability::kRenew, Capability::kIssue};
  PARLEY_TRY(r.add({{"wssc/05/renew-new-instance", "A renewal keeps the Identifier and brings a new Instance and key",
                     {"SC-5-05", "SC-2-04", "SC-5-06", "WCF-05"}, "ISS", renew, false,
                     "Issue, RST/SCT/Renew signed with the context key, then a message under the new key.",
                     "Same wsc:Identifier, a new wsc:Instance, a new key, and the new key works.",
                     "Keeping the Instance (clients cannot tell the keys apart); issuing a new Identifier."},
                    renew_new_instance}));
  PARLEY_TRY(r.add({{"wssc/05/renew-other-context", "A renewal of a context the requester cannot prove is refused",
                     {"SC-5-02"}, "ISS", renew, false,
                     "Two contexts; a message under the second; an RST/SCT/Renew naming the second but signed "
                     "with the first; the message under the second again.",
                     "A fault for the renewal (wst:FailedAuthentication or a security fault); the second context "
                     "unaffected.",
                     "Renewing the RenewTarget without matching it to the signing context."},
                    renew_other_context}));
  PARLEY_TRY(r.add({{"wssc/05/refused-renewal-fault", "A refused renewal is answered with wsc:UnableToRenew",
                     {"SC-5-08", "SC-9-05"}, "ISS", {Capability::kIssue}, false,
                     "Against a target that issues but disclaims renew: a context, then a well-formed "
                     "RST/SCT/Renew for it signed with its key.",
                     "A SOAP fault wsc:UnableToRenew (another fault is WARN).",
                     "A generic fault (wst:RequestFailed, a 500) that tells the client nothing about renewing."},
                    refused_renewal_fault}));
  PARLEY_TRY(r.add({{"wssc/05/renew-bootstrap-only", "A renewal protected by the bootstrap token alone is refused",
                     {"SC-5-02"}, "ISS", renew, false,
                     "A message under the context; an RST/SCT/Renew for it protected only as an issuance request is "
                     "(UsernameToken, certificate signature or nothing, per the bootstrap); the message again.",
                     "A fault for the renewal; the context still works.",
                     "Accepting the requester's credentials as proof of possession of the context's key."},
                    [](CaseContext& ctx) { return sup::operation_with_bootstrap_only(ctx, names::ScOperation::kRenew); }}));
  PARLEY_TRY(r.add({{"wssc/05/cancelled-not-renewable", "A cancelled context cannot be renewed",
                     {"SC-5-07"}, "ISS", {Capability::kRenew, Capability::kCancel, Capability::kIssue}, false,
                     "Issue, cancel, then RST/SCT/Renew signed with the cancelled context's key.",
                     "A fault (wsc:BadContextToken, wsc:UnableToRenew ...).",
                     "Cancel that only marks the session closed while renewal still finds it."},
                    cancelled_not_renewable}));
  PARLEY_TRY(r.add({{"wssc/05/renew-response-wrapping", "Renew responses come in an RSTRC under WS-Trust 1.3 (WCF)",
                     {"WCF-06"}, "ISS", renew, false, "Issue and renew.",
                     "Under WS-Trust 1.3 an RSTRC with one RSTR, as WCF sends and expects.",
                     "A bare RSTR: WCF clients reject it."},
                    [](CaseContext& ctx) { return lifecycle_wrapping(ctx, names::ScOperation::kRenew); }}));
  PARLEY_TRY(r.add({{"wssc/06/cancel-response-wrapping", "Cancel responses come in an RSTRC under WS-Trust 1.3 (WCF)",
                     {"WCF-06"}, "ISS", {Capability::kCancel, Capability::kIssue}, false, "Issue and cancel.",
                     "Under WS-Trust 1.3 an RSTRC with one RSTR, as WCF sends and expects.",
                     "A bare RSTR: WCF clients reject it."},
                    [](CaseContext& ctx) { return lifecycle_wrapping(ctx, names::ScOperation::kCancel); }}));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
