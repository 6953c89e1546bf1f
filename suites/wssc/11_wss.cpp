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

// A negative application-message case whose mutant is the control message edited by `edit`
// (the edit must apply: an edit that matched nothing is reported as ERROR, never as a pass).
Outcome edited(CaseContext& ctx, std::string mutation,
               const std::function<Status(xml::Document&, const wssc::ContextKey&)>& edit,
               std::vector<names::QName> expected = {}, bool encrypt = false) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  std::string edit_error;
  engine::NegativeStep step;
  wssc::ProtectOptions options = session->client->protect_options();
  if (encrypt) options.encrypt_body = true;
  step.control = [&] { return sup::send_application(ctx, *session, "control", {}, options); };
  step.mutant = [&] {
    return sup::send_application(
        ctx, *session, "mutant",
        [&](xml::Document& doc) {
          if (Status s = edit(doc, session->context); !s.ok()) edit_error = s.error().message();
        },
        options);
  };
  step.expected = expected.empty() ? sup::security_faults(ctx.profile().client.versions.sc) : std::move(expected);
  step.mutation = std::move(mutation);
  Outcome o = engine::judge_negative(step);
  if (!edit_error.empty()) return Outcome::error("the mutation could not be applied: " + edit_error);
  return o;
}

namespace mut = engine::mutate;
constexpr const char* kSignatureKeyRef = "//ds:Signature/ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference/@URI";

}  // namespace

Status register_11_wss(engine::Registry& r) {
  PARLEY_TRY(r.add({{"wssc/11/expired-timestamp", "A message whose Timestamp expired is refused",
                     {"WSS-10-03", "WSS-12-01"}, "SVC", {}, false, "A control; a message stamped two hours ago; a control.",
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
  PARLEY_TRY(r.add({{"wssc/11/two-security-headers", "Two wsse:Security headers for the same role are refused",
                     {"WSS-5-01"}, "SVC", {}, false,
                     "A control; the message with its Security header duplicated (ids stripped); a control.",
                     "A security fault.", "Processing the first header and ignoring the second (or the reverse)."},
                    [](CaseContext& ctx) {
                      return edited(ctx, "a message with two wsse:Security headers", [](xml::Document& doc, const wssc::ContextKey&) -> Status {
                        return mut::duplicate(doc, "//wsse:Security", /*strip_ids=*/true);
                      });
                    }}));
  PARLEY_TRY(r.add({{"wssc/11/token-after-use", "A token placed after the signature that uses it is refused",
                     {"WSS-5-02", "WSS-7-02"}, "SVC", {}, false,
                     "A control; the message with the signing key's token moved behind the ds:Signature; a control.",
                     "A security fault (tokens precede their use; the #reference is dangling when read).",
                     "Two-pass processing that resolves references forward."},
                    [](CaseContext& ctx) {
                      return edited(ctx, "a message whose signing token follows the signature", [](xml::Document& doc, const wssc::ContextKey&) -> Status {
                        auto uri = xml::xpath_one(doc, kSignatureKeyRef);
                        if (!uri.ok()) return uri.error();
                        const std::string id = xml::text_content(*uri).substr(1);
                        return mut::move(doc, "//wsse:Security/*[@wsu:Id='" + id + "']", "//wsse:Security");
                      });
                    }}));
  PARLEY_TRY(r.add({{"wssc/11/id-collision", "A wsu:Id used twice is refused, not resolved to either element",
                     {"WSS-7-02", "SC-10-01"}, "SVC", {}, false,
                     "A control; the message with a copy of its signed Body (same wsu:Id) inside a header; a control.",
                     "A security fault: '#id' must resolve to exactly one element.",
                     "First-match ID lookup (the classic signature-wrapping foothold)."},
                    [](CaseContext& ctx) {
                      return edited(ctx, "a message whose Body's wsu:Id appears twice", [](xml::Document& doc, const wssc::ContextKey&) -> Status {
                        if (Status st = mut::duplicate(doc, "/*/*[local-name()='Body']"); !st.ok()) return st;
                        return mut::move(doc, "(/*/*[local-name()='Body'])[2]", "/*/*[local-name()='Header']");
                      });
                    }}));
  PARLEY_TRY(r.add({{"wssc/11/reversed-timestamp", "A Timestamp whose Created is after its Expires is refused",
                     {"WSS-10-02"}, "SVC", {}, false,
                     "A control; the message with wsu:Created and wsu:Expires swapped and re-signed with its own "
                     "key; a control.",
                     "A security fault (wsse:InvalidSecurity or wsse:MessageExpired).",
                     "Checking only Expires against the clock."},
                    [](CaseContext& ctx) {
                      return edited(ctx, "a message whose Timestamp has Created after Expires",
                                    [](xml::Document& doc, const wssc::ContextKey& context) -> Status {
                        auto created = xml::xpath_one(doc, "//wsse:Security/wsu:Timestamp/wsu:Created");
                        auto expires = xml::xpath_one(doc, "//wsse:Security/wsu:Timestamp/wsu:Expires");
                        if (!created.ok() || !expires.ok()) return Error(ErrorCode::kNotFound, "no Created/Expires");
                        const std::string c = xml::text_content(*created), e = xml::text_content(*expires);
                        if (Status st = mut::set_text(doc, "//wsse:Security/wsu:Timestamp/wsu:Created", e); !st.ok()) return st;
                        if (Status st = mut::set_text(doc, "//wsse:Security/wsu:Timestamp/wsu:Expires", c); !st.ok()) return st;
                        return mut::resign_with_context(doc, context);
                      });
                    }}));
  PARLEY_TRY(r.add({{"wssc/11/hmac-truncation", "A truncated HMAC (HMACOutputLength) is refused",
                     {"WSS-8-02"}, "SVC", {}, false,
                     "A control; the message with <ds:HMACOutputLength>80</ds:HMACOutputLength> added to its "
                     "SignatureMethod; a control.",
                     "A security fault before any comparison (CVE-2009-0217).",
                     "Comparing only the first HMACOutputLength bits of the SignatureValue."},
                    [](CaseContext& ctx) {
                      return edited(ctx, "a signature declaring HMACOutputLength 80", [](xml::Document& doc, const wssc::ContextKey&) -> Status {
                        return mut::append(doc, "//ds:Signature/ds:SignedInfo/ds:SignatureMethod",
                                           "<ds:HMACOutputLength xmlns:ds='http://www.w3.org/2000/09/xmldsig#'>80"
                                           "</ds:HMACOutputLength>");
                      });
                    }}));
  PARLEY_TRY(r.add({{"wssc/11/dangling-data-reference", "A ReferenceList entry that resolves to nothing is refused",
                     {"WSS-9-01"}, "SVC", {Capability::kEncryption}, false,
                     "A control with an encrypted Body; the same with its xenc:DataReference pointing at a missing "
                     "id; a control.",
                     "A security fault.", "Skipping references that do not resolve and processing the rest."},
                    [](CaseContext& ctx) {
                      return edited(ctx, "an xenc:DataReference to an id that does not exist", [](xml::Document& doc, const wssc::ContextKey&) -> Status {
                        return mut::set_attribute(doc, "//wsse:Security/xenc:ReferenceList/xenc:DataReference", "",
                                                  "URI", "#parley-missing");
                      }, {}, /*encrypt=*/true);
                    }}));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
