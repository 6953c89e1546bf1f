// WS-SecureConversation 1.3 section 4 (catalog 2.3): amending a security context.
#include "suites/suites.h"
#include "suites/wssc/support.h"

namespace parley::suites::wssc_service {
namespace {

using engine::Answer;
using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_support;

// SC-4-01, SC-4-05: an amendment keeps the Identifier and the key.
Outcome amend_keeps_context(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  Status amended = session->client->amend();
  ctx.record_client(*session->client, "amend");
  if (!amended.ok()) return Outcome::fail("the amendment failed: " + amended.error().message());
  Answer after = sup::send_application(ctx, *session, "call after amend");
  if (after.kind != Answer::Kind::kSuccess) {
    return Outcome::fail("after the amendment the context's key no longer works: " + after.describe());
  }
  return Outcome::pass("amended; Identifier " + session->context.sct.identifier + " and its key unchanged");
}

// SC-4-02: an amendment must prove possession of the context key.
Outcome amend_needs_proof(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  engine::NegativeStep step;
  step.control = [&] {
    return sup::context_operation(ctx, "control", names::ScOperation::kAmend, session->context, session->context.sct);
  };
  step.mutant = [&] {
    wssc::ContextKey wrong = session->context;
    wrong.key = Bytes(wrong.key.size(), 0x42);  // the right token, a key the requester does not hold
    return sup::context_operation(ctx, "mutant", names::ScOperation::kAmend, wrong, session->context.sct);
  };
  step.expected = sup::security_faults(ctx.profile().client.versions.sc);
  step.mutation = "an RST/SCT/Amend naming the context but signed with a key other than the context's";
  return engine::judge_negative(step);
}

}  // namespace

Status register_04_amending(engine::Registry& r) {
  const std::vector<Capability> amend = {Capability::kAmend};
  PARLEY_TRY(r.add({{"wssc/04/amend-keeps-context", "An amendment keeps the Identifier and the key",
                     {"SC-4-01", "SC-4-05"}, "ISS", amend, false,
                     "Issue, RST/SCT/Amend signed with the context key, then an application message.",
                     "RSTR/SCT/Amend; the returned token (if any) has the same Identifier; the old key still works.",
                     "Issuing a new context on amend; changing the key."},
                    amend_keeps_context}));
  PARLEY_TRY(r.add({{"wssc/04/amend-needs-proof", "An amendment signed without the context key is refused",
                     {"SC-4-02"}, "ISS", amend, false,
                     "A normal RST/SCT/Amend, one naming the same context but signed with another key, another "
                     "normal one.",
                     "A security fault for the mutant (wsse:FailedCheck or similar).",
                     "Amending whatever context the request names."},
                    amend_needs_proof}));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
