// Claimed capabilities are probed (architecture.md, "Rules that keep verdicts honest"): a
// profile that claims renew, cancel or amend is held to it, and a failing probe is FAIL, never
// NOT_APPLICABLE. A disclaimed capability makes the probe NOT_APPLICABLE like every case needing it.
#include "suites/suites.h"
#include "suites/wssc/support.h"

namespace parley::suites::wssc_service {
namespace {

using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_support;

Outcome probe(CaseContext& ctx, const char* what, Status (oracle::Client::*step)()) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  Status s = ((*session->client).*step)();
  ctx.record_client(*session->client, what);
  if (!s.ok()) {
    return Outcome::fail(std::string("the profile claims ") + what + ", but it failed: " + s.error().message());
  }
  return Outcome::pass(std::string("claimed ") + what + " works");
}

}  // namespace

Status register_00_capability_probes(engine::Registry& r) {
  PARLEY_TRY(r.add({{"wssc/00/renew-probe", "The claimed renew capability works",
                     {"SC-5-01", "WST-5-01"}, "ISS", {Capability::kRenew}, false,
                     "Issue, then RST/SCT/Renew with RenewTarget, signed with the context key.",
                     "RSTR/SCT/Renew with a new token for the same context.",
                     "Renew not implemented although the profile claims it; RenewTarget ignored."},
                    [](CaseContext& ctx) { return probe(ctx, "renew", &oracle::Client::renew); }}));
  PARLEY_TRY(r.add({{"wssc/00/cancel-probe", "The claimed cancel capability works",
                     // kIssue: cancelling the one pre-shared context would break every other case.
                     {"SC-6-01", "SC-6-03", "WST-6-01"}, "ISS", {Capability::kCancel, Capability::kIssue}, false,
                     "Issue, then RST/SCT/Cancel with CancelTarget, signed with the context key.",
                     "RSTR/SCT/Cancel with wst:RequestedTokenCancelled.",
                     "Cookie-mode services refuse cancel (dnse:SecureConversationCancellationNotAllowed): "
                     "disclaim cancel in the profile."},
                    [](CaseContext& ctx) { return probe(ctx, "cancel", &oracle::Client::cancel); }}));
  PARLEY_TRY(r.add({{"wssc/00/amend-probe", "The claimed amend capability works",
                     {"SC-4-01"}, "ISS", {Capability::kAmend}, false,
                     "Issue, then RST/SCT/Amend signed with the context key.",
                     "RSTR/SCT/Amend; the token keeps its Identifier.",
                     "WCF never amends: WCF services should disclaim amend."},
                    [](CaseContext& ctx) { return probe(ctx, "amend", &oracle::Client::amend); }}));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
