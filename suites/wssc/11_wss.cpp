// WS-Security 1.1 as secure sessions use it (catalog 2.11): timestamps and signature
// confirmation.
#include "harness/engine/mutator.h"
#include "suites/suites.h"
#include "suites/wssc/support.h"

namespace parley::suites::wssc_service {
namespace {

using engine::Answer;
using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_support;

// WSS-10-03: a Timestamp that expired (or lies in the future) beyond any skew is refused.
Outcome timestamp_out_of_range(CaseContext& ctx, std::chrono::hours shift) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  step.mutant = [&] {
    wssc::ProtectOptions o = session->client->protect_options();
    o.now = std::chrono::system_clock::now() + shift;
    return sup::send_application(ctx, *session, "mutant", {}, o);
  };
  step.expected = {names::wss_fault(names::WssFault::kMessageExpired)};
  step.mutation = shift.count() < 0 ? "a message whose wsu:Timestamp expired two hours ago"
                                    : "a message whose wsu:Timestamp is created two hours in the future";
  return engine::judge_negative(step);
}

// WSS-10-04: the Timestamp in the Security header must be the signed one.
Outcome unsigned_timestamp(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  step.mutant = [&] {
    return sup::send_application(ctx, *session, "mutant", [](xml::Document& doc) {
      (void)engine::mutate::duplicate(doc, "//wsse:Security/wsu:Timestamp", /*strip_ids=*/true);
      (void)engine::mutate::move(doc, "//wsse:Security/wsu:Timestamp[@wsu:Id]", "/*/*[local-name()='Header']");
    });
  };
  step.expected = sup::security_faults(ctx.profile().client.versions.sc);
  step.mutation = "a message whose signed wsu:Timestamp was moved out of the Security header and replaced by an "
                  "unsigned copy";
  return engine::judge_negative(step);
}

// WSS-10-01: at most one Timestamp per Security header.
Outcome two_timestamps(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  step.mutant = [&] {
    return sup::send_application(ctx, *session, "mutant", [](xml::Document& doc) {
      (void)engine::mutate::duplicate(doc, "//wsse:Security/wsu:Timestamp", /*strip_ids=*/true);
    });
  };
  step.expected = sup::security_faults(ctx.profile().client.versions.sc);
  step.mutation = "a Security header with two wsu:Timestamp elements";
  return engine::judge_negative(step);
}

// WSS-8.5-01: a service that confirms signatures echoes the request's SignatureValue.
Outcome signature_confirmation(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  Answer a = sup::send_application(ctx, *session, "call");
  if (a.kind != Answer::Kind::kSuccess) return Outcome::prereq_failed("the call did not succeed: " + a.describe());
  const auto& x = ctx.evidence().exchanges.back();
  auto request = xml::parse(x.request_body);
  auto response = xml::parse(x.response_body);
  if (!request.ok() || !response.ok()) return Outcome::error("the exchange could not be re-read");
  auto sent = xml::xpath_one(*request, "//wsse:Security/ds:Signature/ds:SignatureValue");
  if (!sent.ok()) return Outcome::error("the request has no SignatureValue");
  const std::string value = xml::text_content(*sent);
  auto confirmations = xml::xpath(*response, "//wsse:Security/wsse11:SignatureConfirmation");
  if (!confirmations.ok() || confirmations->empty()) {
    return Outcome::fail("the response carries no wsse11:SignatureConfirmation although the profile claims it");
  }
  std::string seen;
  for (xmlNode* c : *confirmations) {
    std::string v = xml::attribute(c, "", "Value").value;
    std::erase_if(v, [](char ch) { return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t'; });
    std::string want = value;
    std::erase_if(want, [](char ch) { return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t'; });
    if (v == want) return Outcome::pass("SignatureConfirmation echoes the request's SignatureValue");
    seen += (seen.empty() ? "" : ", ") + v.substr(0, 16);
  }
  return Outcome::fail("no SignatureConfirmation has the request's SignatureValue (saw " + seen + "...)");
}

}  // namespace

Status register_11_wss(engine::Registry& r) {
  PARLEY_TRY(r.add({{"wssc/11/expired-timestamp", "A message whose Timestamp expired is refused",
                     {"WSS-10-03"}, "SVC", {}, false, "A control; a message stamped two hours ago; a control.",
                     "wsse:MessageExpired for the old message.", "No expiry check; a huge clock skew."},
                    [](CaseContext& ctx) { return timestamp_out_of_range(ctx, std::chrono::hours(-2)); }}));
  PARLEY_TRY(r.add({{"wssc/11/future-timestamp", "A message whose Timestamp lies in the future is refused",
                     {"WSS-10-03"}, "SVC", {}, false, "A control; a message stamped two hours ahead; a control.",
                     "wsse:MessageExpired for the future-dated message.", "Only Expires is checked, not Created."},
                    [](CaseContext& ctx) { return timestamp_out_of_range(ctx, std::chrono::hours(2)); }}));
  PARLEY_TRY(r.add({{"wssc/11/unsigned-timestamp", "The Timestamp in the Security header must be the signed one",
                     {"WSS-10-04"}, "SVC", {}, false,
                     "A control; the signed Timestamp moved into another header and an unsigned copy in its "
                     "place; a control.",
                     "A security fault.", "Checking that some Timestamp was signed rather than this one."},
                    unsigned_timestamp}));
  PARLEY_TRY(r.add({{"wssc/11/two-timestamps", "A Security header with two Timestamps is refused",
                     {"WSS-10-01"}, "SVC", {}, false, "A control; a message with a second wsu:Timestamp; a control.",
                     "A security fault.", "Reading the last Timestamp while the signature covers the first."},
                    two_timestamps}));
  PARLEY_TRY(r.add({{"wssc/11/signature-confirmation", "Responses confirm the request's signature",
                     {"WSS-8.5-01"}, "SVC", {Capability::kSignatureConfirmation}, false, "One protected message.",
                     "The response's wsse11:SignatureConfirmation/@Value equals the request's SignatureValue.",
                     "Confirmation missing or echoing another value."},
                    signature_confirmation}));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
