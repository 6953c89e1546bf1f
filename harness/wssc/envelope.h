// SOAP 1.1 / 1.2 envelopes and faults, WS-Addressing 2004/08 / 1.0 headers.
#pragma once

#include <libxml/tree.h>

#include <optional>
#include <string>
#include <vector>

#include "harness/core/error.h"
#include "harness/core/names.h"
#include "harness/core/xml.h"

namespace parley::wssc {

using names::AddressingVersion;
using names::QName;
using names::SoapVersion;

// The protocol versions of one exchange.
struct Versions {
  SoapVersion soap = SoapVersion::k1_2;
  AddressingVersion addressing = AddressingVersion::k1_0;
  names::ScVersion sc = names::ScVersion::k1_3;
  names::TrustVersion trust() const { return names::trust_version_for(sc); }
  friend bool operator==(const Versions&, const Versions&) = default;
};

struct AddressingHeaders {
  std::string action;
  std::string message_id;
  std::string to;
  std::string relates_to;
  std::string reply_to;  // ReplyTo/Address ("" = not written)
};

// A fresh envelope: <s:Envelope><s:Header/><s:Body/></s:Envelope>.
xml::Document new_envelope(SoapVersion soap);
xmlNode* envelope_header(const xml::Document& doc);
xmlNode* envelope_body(const xml::Document& doc);

// Writes the addressing headers (each with a wsu:Id "_<n>" when ids is true, so that they can
// be signed, as WCF does) and returns the ids given.
std::vector<std::string> add_addressing_headers(xmlNode* header, AddressingVersion version,
                                                const AddressingHeaders& headers, bool ids = true);

// A parsed envelope: pointers into the caller's document.
struct EnvelopeView {
  SoapVersion soap = SoapVersion::k1_2;
  xmlNode* envelope = nullptr;
  xmlNode* header = nullptr;  // nullptr when absent
  xmlNode* body = nullptr;
  std::optional<AddressingVersion> addressing;  // by the headers found; nullopt when none
  AddressingHeaders headers;
  std::vector<xmlNode*> security_headers;  // every wsse:Security header block
  xmlNode* body_child = nullptr;           // first element child of Body, or nullptr
};

// Checks the SOAP structure: Envelope of SOAP 1.1 or 1.2, optional Header first, one Body,
// nothing else; collects addressing headers (one version only) and wsse:Security headers.
Result<EnvelopeView> parse_envelope(const xml::Document& doc);

// --- faults -------------------------------------------------------------------------------------

// An owned qualified name (a fault read off the wire outlives nothing but itself).
struct FaultName {
  std::string ns;
  std::string local;
  QName view() const { return {ns, local}; }
  bool operator==(const QName& q) const { return ns == q.ns && local == q.local; }
};

struct SoapFault {
  SoapVersion soap = SoapVersion::k1_2;
  FaultName code;                   // s12: Sender / Receiver ...; s11: the faultcode
  std::vector<FaultName> subcodes;  // s12 Subcode chain; empty for s11
  std::string reason;
  // The most specific name: the last subcode, else the code. Checks match this.
  const FaultName& specific() const { return subcodes.empty() ? code : subcodes.back(); }
};

// A fault message. SOAP 1.2: Code Sender (or Receiver when `sender` is false) with `name` as
// Subcode; SOAP 1.1: faultcode = `name` (SC-9-06). wsa:Action is the addressing fault action
// unless `action` is given (WCF's RenewNeeded uses its own, WCF-02).
xml::Document build_fault(const Versions& versions, const QName& name, std::string_view reason,
                          std::string_view relates_to = {}, bool sender = true,
                          std::string_view action = {});

// The fault in a Body, or kNotFound when the Body holds no Fault.
Result<SoapFault> parse_fault(const EnvelopeView& envelope);

// "{ns}local" for Error::with_fault, and back.
std::string clark(const QName& name);
std::optional<QName> from_clark(std::string_view clark_name);  // views into clark_name

}  // namespace parley::wssc
