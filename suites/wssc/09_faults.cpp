// WS-SecureConversation 1.3 section 9 (catalog 2.8): error handling — fault QNames and shape.
#include "suites/suites.h"
#include "suites/wssc/support.h"

namespace parley::suites::wssc_service {
namespace {

using engine::Answer;
using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_support;

// SC-9-06, SC-9-01: a wsc fault uses the namespace of the version in use and the SOAP version's
// fault structure (1.2: Sender + Subcode; 1.1: the QName as faultcode).
Outcome fault_qname_shape(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const auto& v = ctx.profile().client.versions;
  wssc::ContextKey unknown = session->context;
  unknown.sct.identifier = wssc::new_uuid_urn();
  unknown.sct.instance.clear();
  Answer a = sup::send_application(ctx, *session, "unknown context", {}, std::nullopt, unknown);
  if (a.kind == Answer::Kind::kTransportError) return Outcome::error("no answer: " + a.detail);
  if (a.kind != Answer::Kind::kFault) {
    return Outcome::fail("a message under an unknown context was answered with " + a.describe() +
                         ", not a SOAP fault");
  }
  const auto& f = *a.fault;
  const std::string_view wsc_ns = names::sc(v.sc).ns;
  if (f.specific().ns != wsc_ns) {
    return Outcome::fail("the fault's QName is " + wssc::clark(f.specific().view()) + "; a " +
                         std::string(names::sc(v.sc).label) + " context error belongs in " + std::string(wsc_ns));
  }
  if (v.soap == names::SoapVersion::k1_2) {
    if (f.code.local != "Sender" || f.subcodes.empty()) {
      return Outcome::fail("SOAP 1.2 fault code '" + f.code.local + "' with " + std::to_string(f.subcodes.size()) +
                           " subcodes; expected Sender with the wsc QName as Subcode");
    }
  } else if (f.code.ns != wsc_ns) {
    return Outcome::fail("SOAP 1.1 faultcode is " + wssc::clark(f.code.view()) + ", expected the wsc QName itself");
  }
  return Outcome::pass("answered with " + wssc::clark(f.specific().view()) + " in the SOAP " +
                       std::string(v.soap == names::SoapVersion::k1_2 ? "1.2 Sender/Subcode" : "1.1 faultcode") +
                       " form");
}

// WCF-02: the RenewNeeded fault as WCF sends it: Sender + wsc:RenewNeeded subcode and the
// action .../2006/05/security/SecureConversationFault (time-bound: waits for the key to expire).
Outcome renew_needed_shape(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const auto& exchanges = session->client->exchanges();
  std::optional<wssc::Lifetime> lifetime;
  if (!exchanges.empty() && exchanges.front().response) {
    auto doc = xml::parse(exchanges.front().response->body);
    if (doc.ok()) {
      auto r = sup::trust_response(*doc);
      if (r.ok() && !r->responses.empty()) lifetime = r->responses.front().lifetime;
    }
  }
  if (!lifetime || lifetime->expires.empty()) {
    return Outcome::not_applicable("the issuance announced no wst:Lifetime/wsu:Expires to wait for");
  }
  auto expires = wssc::parse_utc(lifetime->expires);
  if (!expires.ok()) return Outcome::fail("wst:Lifetime/wsu:Expires '" + lifetime->expires + "' is not a UTC time");
  const auto wait = std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                               *expires + std::chrono::seconds(1) -
                                                               std::chrono::system_clock::now()));
  if (Status waited = ctx.wait(wait, "reaching wst:Lifetime Expires " + lifetime->expires); !waited.ok()) {
    return Outcome::not_applicable(waited.error().what());
  }
  Answer a = sup::send_application(ctx, *session, "after Expires");
  if (a.kind != Answer::Kind::kFault) return Outcome::fail("after Expires: " + a.describe() + ", expected a fault");
  const auto renew_needed = names::sc_fault(ctx.profile().client.versions.sc, names::ScFault::kRenewNeeded);
  if (!(a.fault->specific() == renew_needed)) {
    return Outcome::fail("the expired key got " + a.describe() + "; WCF sends " + wssc::clark(renew_needed));
  }
  auto doc = xml::parse(ctx.evidence().exchanges.back().response_body);
  auto view = doc.ok() ? wssc::parse_envelope(*doc) : Result<wssc::EnvelopeView>(doc.error());
  const std::string action = view.ok() ? view->headers.action : "";
  if (action != names::wcf::kSecureConversationFaultAction) {
    return Outcome::fail("the RenewNeeded fault's wsa:Action is '" + action + "'; WCF uses " +
                         std::string(names::wcf::kSecureConversationFaultAction));
  }
  return Outcome::pass("RenewNeeded with WCF's SecureConversationFault action");
}

}  // namespace

Status register_09_faults(engine::Registry& r) {
  PARLEY_TRY(r.add({{"wssc/09/fault-qname", "Context errors are wsc faults in the version's namespace and SOAP form",
                     {"SC-9-06", "SC-9-01"}, "SVC", {}, false,
                     "A message under an Identifier the service never issued.",
                     "A SOAP fault whose most specific QName is in the WS-SC namespace of the version in use; "
                     "SOAP 1.2: Code Sender with that QName as Subcode; SOAP 1.1: the QName as faultcode.",
                     "Feb 2005 namespace on a 1.3 endpoint (or the reverse); a bare HTTP 500; the QName in the "
                     "Reason text only."},
                    fault_qname_shape}));
  PARLEY_TRY(r.add({{"wssc/09/renew-needed-shape", "An expired key gets WCF's RenewNeeded fault (time-bound)",
                     {"WCF-02"}, "SVC", {Capability::kIssue}, false,
                     "Issue, wait past wst:Lifetime Expires (within --max-wait), send a message.",
                     "Sender + wsc:RenewNeeded subcode, wsa:Action .../2006/05/security/SecureConversationFault.",
                     "The addressing fault action: WCF clients then do not renew."},
                    renew_needed_shape}));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
