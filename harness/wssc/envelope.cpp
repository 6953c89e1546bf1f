#include "harness/wssc/parse_support.h"
#include "harness/wssc/envelope.h"

#include <atomic>

#include "harness/wssc/tokens.h"

namespace parley::wssc {
namespace {

namespace ns = names::ns;

using detail::spec_error;
using detail::trimmed_text;

std::string next_header_id() {
  static std::atomic<long> counter{100};
  return "_" + std::to_string(counter++);
}

// Resolves "prefix:local" in an element's text against the namespaces in scope there.
bool resolve_qname(const xmlNode* node, const std::string& text, std::string& ns_storage,
                   std::string& local_storage) {
  auto colon = text.find(':');
  std::string prefix = colon == std::string::npos ? std::string() : text.substr(0, colon);
  local_storage = colon == std::string::npos ? text : text.substr(colon + 1);
  xmlNs* n = xmlSearchNs(node->doc, const_cast<xmlNode*>(node),
                         prefix.empty() ? nullptr : xml::to_xml_chars(prefix.c_str()));
  if (n == nullptr) return false;
  ns_storage = xml::from_xml_chars(n->href);
  return true;
}

}  // namespace

xml::Document new_envelope(SoapVersion soap) {
  const std::string_view env_ns = names::soap(soap).envelope_ns;
  xml::Document doc = xml::new_document(env_ns, prefix::kSoap, "Envelope");
  xml::add_element(doc.root(), env_ns, prefix::kSoap, "Header");
  xml::add_element(doc.root(), env_ns, prefix::kSoap, "Body");
  return doc;
}

xmlNode* envelope_header(const xml::Document& doc) {
  for (xmlNode* c : xml::child_elements(doc.root())) {
    if (xml::local_name(c) == "Header") return c;
  }
  return nullptr;
}

xmlNode* envelope_body(const xml::Document& doc) {
  for (xmlNode* c : xml::child_elements(doc.root())) {
    if (xml::local_name(c) == "Body") return c;
  }
  return nullptr;
}

std::vector<std::string> add_addressing_headers(xmlNode* header, AddressingVersion version,
                                                const AddressingHeaders& h, bool ids) {
  const auto& a = names::addressing(version);
  const std::string_view soap_ns = xml::namespace_uri(header);
  std::vector<std::string> written;
  auto add = [&](std::string_view name, const std::string& value, bool must_understand) {
    if (value.empty()) return static_cast<xmlNode*>(nullptr);
    xmlNode* el = xml::add_element(header, a.ns, prefix::kWsa, name, name == "ReplyTo" ? std::string_view() : value);
    if (name == "ReplyTo") xml::add_element(el, a.ns, prefix::kWsa, "Address", value);
    if (must_understand) xml::set_attribute(el, soap_ns, prefix::kSoap, "mustUnderstand", "1");
    if (ids) {
      std::string id = next_header_id();
      set_wsu_id(el, id);
      written.push_back(id);
    }
    return el;
  };
  add("Action", h.action, true);
  add("MessageID", h.message_id, false);
  add("RelatesTo", h.relates_to, false);
  add("ReplyTo", h.reply_to, false);
  add("To", h.to, true);
  return written;
}

Result<EnvelopeView> parse_envelope(const xml::Document& doc) {
  EnvelopeView v;
  v.envelope = doc.root();
  const std::string_view env_ns = xml::namespace_uri(v.envelope);
  if (xml::local_name(v.envelope) != "Envelope" || (env_ns != ns::kSoap11 && env_ns != ns::kSoap12)) {
    return spec_error("soap:Envelope", "root element is not a SOAP 1.1 or 1.2 Envelope");
  }
  v.soap = env_ns == ns::kSoap11 ? SoapVersion::k1_1 : SoapVersion::k1_2;
  int index = 0;
  for (xmlNode* c : xml::child_elements(v.envelope)) {
    const bool same_ns = xml::namespace_uri(c) == env_ns;
    if (same_ns && xml::local_name(c) == "Header" && index == 0) {
      v.header = c;
    } else if (same_ns && xml::local_name(c) == "Body" && v.body == nullptr) {
      v.body = c;
    } else if (v.soap == SoapVersion::k1_1 && v.body != nullptr && !same_ns) {
      // SOAP 1.1 allows trailing elements after Body (section 4.1); ignore them.
    } else {
      return spec_error("soap:Envelope", "unexpected <" + std::string(xml::local_name(c)) + "> in the Envelope");
    }
    ++index;
  }
  if (v.body == nullptr) return spec_error("soap:Envelope", "no soap:Body");
  auto body_children = xml::child_elements(v.body);
  v.body_child = body_children.empty() ? nullptr : body_children.front();
  if (v.header == nullptr) return v;
  for (xmlNode* h : xml::child_elements(v.header)) {
    const std::string_view hns = xml::namespace_uri(h);
    if (hns == ns::kWsse && xml::local_name(h) == "Security") {
      v.security_headers.push_back(h);
      continue;
    }
    std::optional<AddressingVersion> av;
    if (hns == ns::kWsa10) av = AddressingVersion::k1_0;
    if (hns == ns::kWsa200408) av = AddressingVersion::k2004_08;
    if (!av) continue;
    if (v.addressing && *v.addressing != *av) {
      return spec_error("soap:Header", "WS-Addressing headers of two versions in one message");
    }
    v.addressing = av;
    const std::string_view name = xml::local_name(h);
    if (name == "Action") v.headers.action = trimmed_text(h);
    if (name == "MessageID") v.headers.message_id = trimmed_text(h);
    if (name == "To") v.headers.to = trimmed_text(h);
    if (name == "RelatesTo") v.headers.relates_to = trimmed_text(h);
    if (name == "ReplyTo") {
      for (xmlNode* a : xml::child_elements(h)) {
        if (xml::local_name(a) == "Address") v.headers.reply_to = trimmed_text(a);
      }
    }
  }
  return v;
}

xml::Document build_fault(const Versions& versions, const QName& name, std::string_view reason,
                          std::string_view relates_to, bool sender, std::string_view action) {
  const auto& soap = names::soap(versions.soap);
  xml::Document doc = new_envelope(versions.soap);
  AddressingHeaders h;
  h.action = std::string(action.empty() ? names::addressing(versions.addressing).fault_action : action);
  h.relates_to = std::string(relates_to);
  add_addressing_headers(envelope_header(doc), versions.addressing, h, /*ids=*/false);
  xmlNode* fault = xml::add_element(envelope_body(doc), soap.envelope_ns, prefix::kSoap, "Fault");
  // The fault name's prefix: a fixed one per well-known namespace keeps faults readable.
  std::string_view name_prefix = "f";
  if (name.ns == ns::kWsc13 || name.ns == ns::kWscFeb2005) name_prefix = prefix::kWsc;
  if (name.ns == ns::kWst13 || name.ns == ns::kWstFeb2005) name_prefix = prefix::kWst;
  if (name.ns == ns::kWsse) name_prefix = prefix::kWsse;
  if (name.ns == ns::kDnse) name_prefix = prefix::kDnse;
  if (name.ns == soap.envelope_ns) name_prefix = prefix::kSoap;
  const std::string qualified = std::string(name_prefix) + ":" + std::string(name.local);
  if (versions.soap == SoapVersion::k1_2) {
    xmlNode* code = xml::add_element(fault, soap.envelope_ns, prefix::kSoap, "Code");
    const QName top = sender ? soap.sender : soap.receiver;
    xml::add_element(code, soap.envelope_ns, prefix::kSoap, "Value", "s:" + std::string(top.local));
    if (name != top) {
      xmlNode* sub = xml::add_element(code, soap.envelope_ns, prefix::kSoap, "Subcode");
      xmlNode* value = xml::add_element(sub, soap.envelope_ns, prefix::kSoap, "Value", qualified);
      xmlNewNs(value, xml::to_xml_chars(std::string(name.ns).c_str()),
               xml::to_xml_chars(std::string(name_prefix).c_str()));
    }
    xmlNode* r = xml::add_element(fault, soap.envelope_ns, prefix::kSoap, "Reason");
    xmlNode* text = xml::add_element(r, soap.envelope_ns, prefix::kSoap, "Text", reason);
    xml::set_attribute(text, ns::kXml, "xml", "lang", "en");
  } else {
    xmlNode* code = xml::add_element(fault, "", "", "faultcode", qualified);
    if (name.ns != soap.envelope_ns) {
      xmlNewNs(code, xml::to_xml_chars(std::string(name.ns).c_str()),
               xml::to_xml_chars(std::string(name_prefix).c_str()));
    }
    xml::add_element(fault, "", "", "faultstring", reason);
  }
  return doc;
}

Result<SoapFault> parse_fault(const EnvelopeView& envelope) {
  if (envelope.body_child == nullptr || xml::local_name(envelope.body_child) != "Fault" ||
      xml::namespace_uri(envelope.body_child) != names::soap(envelope.soap).envelope_ns) {
    return Error(ErrorCode::kNotFound, "the Body holds no soap:Fault", "soap:Body");
  }
  auto qname_of = [&](const xmlNode* value) -> Result<FaultName> {
    FaultName q;
    const std::string text = trimmed_text(value);
    if (!resolve_qname(value, text, q.ns, q.local)) {
      return spec_error("soap:Fault", "fault code '" + text + "' has an undeclared prefix", "SC-9-06");
    }
    return q;
  };
  SoapFault f;
  f.soap = envelope.soap;
  const xmlNode* fault = envelope.body_child;
  if (envelope.soap == SoapVersion::k1_2) {
    const std::string_view env_ns = names::soap(envelope.soap).envelope_ns;
    for (xmlNode* c : xml::child_elements(fault)) {
      if (xml::is_element(c, env_ns, "Code")) {
        const xmlNode* level = c;
        bool top = true;
        while (level != nullptr) {
          const xmlNode* next = nullptr;
          for (xmlNode* k : xml::child_elements(level)) {
            if (xml::is_element(k, env_ns, "Value")) {
              PARLEY_ASSIGN_OR_RETURN(FaultName q, qname_of(k));
              if (top) {
                f.code = q;
              } else {
                f.subcodes.push_back(q);
              }
            }
            if (xml::is_element(k, env_ns, "Subcode")) next = k;
          }
          if (f.subcodes.size() > 16) return spec_error("soap:Fault", "Subcode nesting deeper than 16");
          level = next;
          top = false;
        }
      } else if (xml::is_element(c, env_ns, "Reason")) {
        for (xmlNode* t : xml::child_elements(c)) {
          if (f.reason.empty()) f.reason = trimmed_text(t);
        }
      }
    }
    if (f.code.local.empty()) return spec_error("soap:Fault", "no soap:Code/soap:Value", "SC-9-06");
  } else {
    for (xmlNode* c : xml::child_elements(fault)) {
      if (xml::local_name(c) == "faultcode") {
        PARLEY_ASSIGN_OR_RETURN(f.code, qname_of(c));
      } else if (xml::local_name(c) == "faultstring") {
        f.reason = trimmed_text(c);
      }
    }
    if (f.code.local.empty()) return spec_error("soap:Fault", "no faultcode", "SC-9-06");
  }
  return f;
}

std::string clark(const QName& name) { return "{" + std::string(name.ns) + "}" + std::string(name.local); }

std::optional<QName> from_clark(std::string_view c) {
  if (c.size() < 3 || c.front() != '{') return std::nullopt;
  auto close = c.find('}');
  if (close == std::string_view::npos || close + 1 >= c.size()) return std::nullopt;
  return QName{c.substr(1, close - 1), c.substr(close + 1)};
}

}  // namespace parley::wssc
