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
  return ok_status();
}

}  // namespace parley::suites::wssc_service
