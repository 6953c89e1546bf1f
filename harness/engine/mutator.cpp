#include "harness/engine/mutator.h"

#include <libxml/tree.h>

#include "harness/core/xmlsec.h"

namespace parley::engine::mutate {
namespace {

Result<std::vector<xmlNode*>> matches(const xml::Document& doc, std::string_view xpath) {
  PARLEY_ASSIGN_OR_RETURN(std::vector<xmlNode*> found, xml::xpath(doc, xpath));
  if (found.empty()) return Error(ErrorCode::kNotFound, "the mutation's XPath matches nothing", std::string(xpath));
  return found;
}

Result<xmlNode*> first_element(const xml::Document& doc, std::string_view xpath) {
  PARLEY_ASSIGN_OR_RETURN(std::vector<xmlNode*> found, matches(doc, xpath));
  if (found.front()->type != XML_ELEMENT_NODE) {
    return Error(ErrorCode::kInvalidArgument, "the XPath selects a non-element", std::string(xpath));
  }
  return found.front();
}

xmlNs* namespace_of(xmlNode* element, std::string_view ns) {
  if (ns.empty()) return nullptr;
  const std::string uri(ns);
  xmlNs* found = xmlSearchNsByHref(element->doc, element, xml::to_xml_chars(uri.c_str()));
  if (found == nullptr) found = xmlNewNs(element, xml::to_xml_chars(uri.c_str()), xml::to_xml_chars("mut"));
  return found;
}

// Parses `fragment` as a child of `parent` and detaches it (so it can go anywhere).
Result<xmlNode*> build(xmlNode* parent, std::string_view fragment) {
  PARLEY_ASSIGN_OR_RETURN(xmlNode* node, xml::append_fragment(parent, fragment));
  xmlUnlinkNode(node);
  return node;
}

void strip_wsu_ids(xmlNode* node) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    const std::string wsu(names::ns::kWsu);
    if (xmlAttr* id = xmlHasNsProp(n, xml::to_xml_chars("Id"), xml::to_xml_chars(wsu.c_str()))) xmlRemoveProp(id);
    strip_wsu_ids(n->children);
  }
}

}  // namespace

Status set_text(xml::Document& doc, std::string_view xpath, std::string_view text) {
  PARLEY_ASSIGN_OR_RETURN(std::vector<xmlNode*> found, matches(doc, xpath));
  const std::string value(text);
  for (xmlNode* n : found) {
    xmlChar* escaped = xmlEncodeSpecialChars(doc.get(), xml::to_xml_chars(value.c_str()));
    xmlNodeSetContent(n, escaped);
    xmlFree(escaped);
  }
  return ok_status();
}

Status set_attribute(xml::Document& doc, std::string_view xpath, std::string_view ns, std::string_view name,
                     std::string_view value) {
  PARLEY_ASSIGN_OR_RETURN(std::vector<xmlNode*> found, matches(doc, xpath));
  const std::string n(name), v(value);
  for (xmlNode* el : found) {
    if (el->type != XML_ELEMENT_NODE) return Error(ErrorCode::kInvalidArgument, "not an element", std::string(xpath));
    xmlSetNsProp(el, namespace_of(el, ns), xml::to_xml_chars(n.c_str()), xml::to_xml_chars(v.c_str()));
  }
  return ok_status();
}

Status remove_attribute(xml::Document& doc, std::string_view xpath, std::string_view ns, std::string_view name) {
  PARLEY_ASSIGN_OR_RETURN(std::vector<xmlNode*> found, matches(doc, xpath));
  const std::string n(name), uri(ns);
  bool removed = false;
  for (xmlNode* el : found) {
    xmlAttr* a = xmlHasNsProp(el, xml::to_xml_chars(n.c_str()), uri.empty() ? nullptr : xml::to_xml_chars(uri.c_str()));
    if (a != nullptr) {
      xmlRemoveProp(a);
      removed = true;
    }
  }
  if (!removed) return Error(ErrorCode::kNotFound, "no attribute '" + n + "' to remove", std::string(xpath));
  return ok_status();
}

Status remove(xml::Document& doc, std::string_view xpath) {
  PARLEY_ASSIGN_OR_RETURN(std::vector<xmlNode*> found, matches(doc, xpath));
  for (xmlNode* n : found) {
    if (n->type == XML_ATTRIBUTE_NODE) {
      xmlRemoveProp(reinterpret_cast<xmlAttr*>(n));
    } else {
      xmlUnlinkNode(n);
      xmlFreeNode(n);
    }
  }
  return ok_status();
}

Status rename(xml::Document& doc, std::string_view xpath, std::string_view local_name) {
  PARLEY_ASSIGN_OR_RETURN(xmlNode* el, first_element(doc, xpath));
  const std::string n(local_name);
  xmlNodeSetName(el, xml::to_xml_chars(n.c_str()));
  return ok_status();
}

Status duplicate(xml::Document& doc, std::string_view xpath, bool strip_ids) {
  PARLEY_ASSIGN_OR_RETURN(xmlNode* el, first_element(doc, xpath));
  xmlNode* copy = xmlDocCopyNode(el, doc.get(), 1);
  if (copy == nullptr) return Error(ErrorCode::kInternal, "copy failed", std::string(xpath));
  if (strip_ids) strip_wsu_ids(copy);
  xmlAddNextSibling(el, copy);
  return ok_status();
}

Status move(xml::Document& doc, std::string_view xpath, std::string_view new_parent) {
  PARLEY_ASSIGN_OR_RETURN(xmlNode* el, first_element(doc, xpath));
  PARLEY_ASSIGN_OR_RETURN(xmlNode* parent, first_element(doc, new_parent));
  for (xmlNode* p = parent; p != nullptr; p = p->parent) {
    if (p == el) return Error(ErrorCode::kInvalidArgument, "cannot move an element into itself", std::string(xpath));
  }
  xmlUnlinkNode(el);
  xmlAddChild(parent, el);
  return ok_status();
}

Status insert_before(xml::Document& doc, std::string_view xpath, std::string_view fragment) {
  PARLEY_ASSIGN_OR_RETURN(xmlNode* el, first_element(doc, xpath));
  PARLEY_ASSIGN_OR_RETURN(xmlNode* node, build(el->parent, fragment));
  xmlAddPrevSibling(el, node);
  return ok_status();
}

Status append(xml::Document& doc, std::string_view parent_xpath, std::string_view fragment) {
  PARLEY_ASSIGN_OR_RETURN(xmlNode* parent, first_element(doc, parent_xpath));
  auto added = xml::append_fragment(parent, fragment);
  if (!added.ok()) return added.error();
  return ok_status();
}

Status wrap(xml::Document& doc, std::string_view xpath, std::string_view wrapper_parent,
            std::string_view replacement) {
  PARLEY_ASSIGN_OR_RETURN(xmlNode* el, first_element(doc, xpath));
  PARLEY_ASSIGN_OR_RETURN(xmlNode* parent, first_element(doc, wrapper_parent));
  for (xmlNode* p = parent; p != nullptr; p = p->parent) {
    if (p == el) return Error(ErrorCode::kInvalidArgument, "the wrapper's parent is inside the element", std::string(xpath));
  }
  xmlNode* stand_in = nullptr;
  if (replacement.empty()) {
    stand_in = xmlNewDocNode(doc.get(), el->ns, el->name, nullptr);
  } else {
    PARLEY_ASSIGN_OR_RETURN(stand_in, build(el->parent, replacement));
  }
  xmlAddNextSibling(el, stand_in);
  xmlNode* wrapper = xmlNewDocNode(doc.get(), nullptr, xml::to_xml_chars("Wrapper"), nullptr);
  xmlAddChild(parent, wrapper);
  xmlUnlinkNode(el);
  xmlAddChild(wrapper, el);
  return ok_status();
}

Status resign(xml::Document& doc, ByteView key) {
  PARLEY_ASSIGN_OR_RETURN(xmlNode* signature, first_element(doc, "//wsse:Security/ds:Signature"));
  xmlsec::SignOptions o;
  PARLEY_ASSIGN_OR_RETURN(std::vector<xmlNode*> refs, xml::xpath(doc, "ds:SignedInfo/ds:Reference", signature));
  for (xmlNode* r : refs) {
    const std::string uri = xml::attribute(r, "", "URI").value;
    if (uri.size() < 2 || uri[0] != '#') {
      return Error(ErrorCode::kUnsupported, "reference '" + uri + "' is not a same-document #id", "ds:Reference");
    }
    o.reference_ids.push_back(uri.substr(1));
  }
  auto method = xml::xpath_one(doc, "ds:SignedInfo/ds:SignatureMethod/@Algorithm", signature);
  if (method.ok() && xml::text_content(*method) == names::alg::kHmacSha256) {
    o.method = xmlsec::SignatureMethod::kHmacSha256;
  }
  auto digest = xml::xpath(doc, "ds:SignedInfo/ds:Reference/ds:DigestMethod/@Algorithm", signature);
  if (digest.ok() && !digest->empty() &&
      xml::text_content(digest->front()) == names::alg::kSha256) {
    o.digest = xmlsec::DigestMethod::kSha256;
  }
  xmlNode* key_info = nullptr;
  auto ki = xml::xpath(doc, "ds:KeyInfo/*", signature);
  if (ki.ok() && !ki->empty()) key_info = xmlDocCopyNode(ki->front(), doc.get(), 1);
  o.key_info_content = key_info;
  xmlNode* parent = signature->parent;
  xmlNode* next = signature->next;
  xmlUnlinkNode(signature);
  xmlFreeNode(signature);
  auto signed_el = xmlsec::sign(doc, parent, o, xmlsec::SignatureKey::hmac(Bytes(key.begin(), key.end())));
  if (key_info != nullptr) xmlFreeNode(key_info);
  if (!signed_el.ok()) return signed_el.error();
  if (next != nullptr) {  // back where the old signature was
    xmlUnlinkNode(*signed_el);
    xmlAddPrevSibling(next, *signed_el);
  }
  return ok_status();
}

Status resign_with_context(xml::Document& doc, const wssc::ContextKey& context) {
  auto uri = xml::xpath_one(doc, "//wsse:Security/ds:Signature/ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference/@URI");
  if (!uri.ok()) return uri.error();
  const std::string ref = xml::text_content(*uri);
  if (ref.size() > 1 && ref[0] == '#') {
    auto target = xml::find_by_id(doc, ref.substr(1));
    if (target.ok() && xml::local_name(*target) == "DerivedKeyToken") {
      wssc::DktLimits any;  // the sender's side: whatever the token now says
      any.max_offset = any.max_length = any.max_label_chars = any.max_nonce_bytes = std::uint64_t{1} << 31;
      any.min_length = 1;
      any.require_nonce = false;
      any.min_nonce_bytes = 0;
      any.accept_unknown_algorithm = true;
      PARLEY_ASSIGN_OR_RETURN(wssc::DerivedKeyToken dkt, wssc::parse_dkt(*target, any));
      PARLEY_ASSIGN_OR_RETURN(Bytes key, dkt.derive(context.key));
      return resign(doc, key);
    }
  }
  return resign(doc, context.key);
}

}  // namespace parley::engine::mutate
