// WS-SecureConversation 1.3 section 6 (catalog 2.5): cancelling a security context.
#include "suites/suites.h"
#include "suites/wssc/support.h"

namespace parley::suites::wssc_service {
namespace {

using engine::Answer;
using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_support;

// SC-6-04, SC-6-03, WST-6-01: after a successful cancel the context is refused for everything.
Outcome cancelled_refused(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  Answer before = sup::send_application(ctx, *session, "call before cancel");
  if (before.kind != Answer::Kind::kSuccess) return Outcome::prereq_failed("the fresh context did not work: " + before.describe());
  Status cancelled = session->client->cancel();
  ctx.record_client(*session->client, "cancel");
  if (!cancelled.ok()) return Outcome::fail("the cancel failed: " + cancelled.error().message());
  Answer after = sup::send_application(ctx, *session, "call after cancel");
  switch (after.kind) {
    case Answer::Kind::kFault: return Outcome::pass("after the cancel the context is refused: " + after.describe());
    case Answer::Kind::kSuccess: return Outcome::fail("a message under the cancelled context was accepted");
    case Answer::Kind::kTransportError: return Outcome::error("no answer after the cancel: " + after.detail);
    case Answer::Kind::kBareHttpError:
    case Answer::Kind::kNotSoap: break;
  }
  return Outcome::fail("a message under the cancelled context was answered with " + after.describe() +
                       "; a refusal must be a SOAP fault");
}

// SC-6-02, SC-6-05: a cancel must be signed by the context it cancels.
Outcome cancel_other_context(CaseContext& ctx) {
  return sup::operation_on_other_context(ctx, names::ScOperation::kCancel);
}

// SC-6-07: a second cancel of the same context fails cleanly.
Outcome second_cancel(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const wssc::ContextKey old = session->context;
  Status cancelled = session->client->cancel();
  ctx.record_client(*session->client, "cancel");
  if (!cancelled.ok()) return Outcome::prereq_failed("the first cancel did not succeed: " + cancelled.error().message());
  Answer again = sup::context_operation(ctx, "second cancel", names::ScOperation::kCancel, old, old.sct);
  switch (again.kind) {
    case Answer::Kind::kFault: return Outcome::pass("the second cancel was refused with " + again.describe());
    case Answer::Kind::kSuccess: return Outcome::fail("a second cancel of the same context reported success");
    case Answer::Kind::kTransportError: return Outcome::error("no answer to the second cancel: " + again.detail);
    case Answer::Kind::kBareHttpError:
    case Answer::Kind::kNotSoap: break;
  }
  return Outcome::fail("the second cancel was answered with " + again.describe() + "; expected a SOAP fault");
}

}  // namespace

Status register_06_cancelling(engine::Registry& r) {
  // kIssue: cancelling the one pre-shared context would break every other case.
  const std::vector<Capability> cancel = {Capability::kCancel, Capability::kIssue};
  PARLEY_TRY(r.add({{"wssc/06/cancelled-refused", "After a cancel, the context is refused",
                     {"SC-6-04", "SC-6-03", "WST-6-01"}, "ISS", cancel, false,
                     "Issue, a message, RST/SCT/Cancel (expects wst:RequestedTokenCancelled), the message again.",
                     "The cancel succeeds with RequestedTokenCancelled; the last message gets a fault.",
                     "Cancel acknowledged but the session kept; RequestedTokenCancelled missing."},
                    cancelled_refused}));
  PARLEY_TRY(r.add({{"wssc/06/cancel-other-context", "A cancel of a context the requester cannot prove is refused",
                     {"SC-6-02", "SC-6-05", "WCF-01"}, "ISS", cancel, false,
                     "Two contexts; a message under the second; an RST/SCT/Cancel naming the second but signed "
                     "with the first; the message under the second again.",
                     "A fault for the cancel; the second context still works.",
                     "Cancelling the CancelTarget without matching it to the signing context (a denial of service "
                     "on every session whose Identifier leaks)."},
                    cancel_other_context}));
  PARLEY_TRY(r.add({{"wssc/06/cancel-bootstrap-only", "A cancel protected by the bootstrap token alone is refused",
                     {"SC-6-02", "WCF-01"}, "ISS", cancel, false,
                     "A message under the context; an RST/SCT/Cancel for it protected only as an issuance request is "
                     "(UsernameToken, certificate signature or nothing, per the bootstrap); the message again.",
                     "A fault for the cancel; the context still works.",
                     "Accepting the requester's credentials as proof of possession of the context's key."},
                    [](CaseContext& ctx) { return sup::operation_with_bootstrap_only(ctx, names::ScOperation::kCancel); }}));
  PARLEY_TRY(r.add({{"wssc/06/second-cancel", "A second cancel of the same context fails cleanly",
                     {"SC-6-07"}, "ISS", cancel, false, "Issue, cancel, cancel again with the old key.",
                     "A SOAP fault for the second cancel.", "Reporting success twice; a 500 without a fault."},
                    second_cancel}));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
