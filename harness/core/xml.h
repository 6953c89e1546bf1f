// libxml2 wrappers: one safe parse entry point, XPath over one namespace registry, C14N, ID lookup.
//
// Hostile input is the normal case: parse() never loads from the network, never substitutes
// entities, refuses any DTD, and stops as soon as a limit is hit, naming the limit.
#pragma once

#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/core/error.h"

namespace parley::xml {

struct ParseLimits {
  std::size_t max_bytes = 16u << 20;  // whole document, before parsing starts
  std::size_t max_depth = 128;        // element nesting
  std::size_t max_attributes = 256;   // attributes (namespace declarations included) on one element
  // One text / CDATA node; also one attribute value, comment or processing-instruction body.
  std::size_t max_text_length = 4u << 20;
  std::size_t max_nodes = 1u << 20;  // elements in the document
};

// libxml2 speaks `xmlChar` (unsigned char); these keep the casts in one place.
inline const xmlChar* to_xml_chars(const char* s) {
  return reinterpret_cast<const xmlChar*>(s);
}
inline const char* from_xml_chars(const xmlChar* s) {
  return reinterpret_cast<const char*>(s);
}
// A view of a libxml2 string ("" for nullptr).
inline std::string_view view(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(from_xml_chars(s));
}

// Initializes libxml2 once per process (xmlInitParser); every entry point here calls it.
void initialize();

// While alive, collects the libxml2 errors raised on this thread that are not tied to a parser
// context (C14N, XPath, I/O, and libxml2 calls made by xmlsec) instead of letting libxml2 print
// them to stderr; the previous handler is restored on destruction. Keeps the first error-level
// message for error values.
class ErrorCapture {
 public:
  ErrorCapture();
  ~ErrorCapture();
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;

  bool has_error() const { return !message_.empty(); }
  // libxml2's message, with "(line L, column C)" when it gave a position; "" when none.
  const std::string& message() const { return message_; }

 private:
  static void record(void* capture, xmlErrorPtr error);
  std::string message_;
  xmlStructuredErrorFunc previous_handler_;
  void* previous_context_;
};

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

// An owned libxml2 document. Movable, not copyable.
class Document {
 public:
  Document() = default;
  explicit Document(xmlDoc* doc) : doc_(doc) {}

  xmlDoc* get() const { return doc_.get(); }
  xmlNode* root() const;  // document element, or nullptr
  explicit operator bool() const { return doc_ != nullptr; }

  // A deep copy (for mutating a message while keeping the original).
  Result<Document> clone() const;

 private:
  std::unique_ptr<xmlDoc, DocDeleter> doc_;
};

// The one way parley turns bytes into a tree. Errors name the limit or the parser error with
// line and column, e.g. "element nesting deeper than max_depth 128 (line 1, column 1290)":
// kLimitExceeded for a limit, kParse for malformed XML, namespace errors and any DTD.
Result<Document> parse(std::string_view bytes, const ParseLimits& limits = {});

// Serializes a document (or one element) as UTF-8 without reformatting and without an XML
// declaration. An element is written as it stands: namespaces declared on its ancestors are
// not repeated (canonicalize() is the way to get a self-contained subtree).
std::string serialize(const Document& doc);
std::string serialize(xmlNode* node);

// --- namespaces and XPath -------------------------------------------------------------------

// XPath evaluation with every prefix of names::xpath_prefixes() registered (s11, s12, wsa,
// wsa04, wsse, wsse11, wsu, wsc, wsc05, wst, wst05, ds, xenc, dnse, ...). Returns the element
// (or attribute) nodes matched, in document order. Errors on an invalid expression.
Result<std::vector<xmlNode*>> xpath(const Document& doc, std::string_view expr,
                                    xmlNode* context = nullptr);
// Exactly one match, else kNotFound / kAmbiguous naming the expression.
Result<xmlNode*> xpath_one(const Document& doc, std::string_view expr, xmlNode* context = nullptr);

// --- small tree helpers ---------------------------------------------------------------------

bool is_element(const xmlNode* node, std::string_view ns_uri, std::string_view local_name);
std::string_view local_name(const xmlNode* node);
std::string_view namespace_uri(const xmlNode* node);  // "" when none
std::string text_content(const xmlNode* node);
// Attribute value by namespace URI ("" for no namespace) and local name; nullopt-like: found=false.
struct AttributeValue {
  bool found = false;
  std::string value;
};
AttributeValue attribute(const xmlNode* node, std::string_view ns_uri, std::string_view name);
std::vector<xmlNode*> child_elements(const xmlNode* node);

// --- building ---------------------------------------------------------------------------------
// Builders used by the wire models (one implementation of each format, used both ways).

// A new document whose root element is {ns_uri}local, written with `prefix` ("" = default ns).
Document new_document(std::string_view ns_uri, std::string_view prefix, std::string_view local);
// Appends an element {ns_uri}local to `parent` with optional text content. The namespace is
// declared on the new element unless an ancestor already binds `prefix` to `ns_uri`.
xmlNode* add_element(xmlNode* parent, std::string_view ns_uri, std::string_view prefix,
                     std::string_view local, std::string_view text = {});
// Sets an attribute; ns_uri "" means unqualified. Namespaced attributes reuse an in-scope
// binding of `prefix` or declare it on `element`.
void set_attribute(xmlNode* element, std::string_view ns_uri, std::string_view prefix,
                   std::string_view local, std::string_view value);
// Parses `fragment` (one element, namespaces declared inside it) with the default limits and
// appends a copy under `parent`. Used to re-insert extension elements kept in canonical form.
Result<xmlNode*> append_fragment(xmlNode* parent, std::string_view fragment);
// Deep-copies `node` (from any document) as the last child of `parent`.
xmlNode* append_copy(xmlNode* parent, const xmlNode* node);

// --- canonicalization ----------------------------------------------------------------------

enum class C14nMethod {
  kInclusive,  // http://www.w3.org/TR/2001/REC-xml-c14n-20010315
  kExclusive,  // http://www.w3.org/2001/10/xml-exc-c14n#
};

struct C14nOptions {
  C14nMethod method = C14nMethod::kExclusive;
  bool with_comments = false;
  // InclusiveNamespaces PrefixList (exclusive only); "#default" allowed.
  std::vector<std::string> inclusive_prefixes;
};

// Canonicalizes the subtree rooted at `node` (the whole document when node is nullptr).
Result<std::string> canonicalize(const Document& doc, xmlNode* node, const C14nOptions& options);
// The subtree rooted at `node`, in the document that owns it.
Result<std::string> canonicalize(const xmlNode* node, const C14nOptions& options = {});

// --- IDs ------------------------------------------------------------------------------------

// Every element carrying `id` as wsu:Id, an unqualified Id / ID / AssertionID (SAML 1.1) attribute,
// or xml:id.
std::vector<xmlNode*> find_all_by_id(const Document& doc, std::string_view id);
// Exactly one element, else kNotFound or kAmbiguous (ID collisions are a wrapping attack).
Result<xmlNode*> find_by_id(const Document& doc, std::string_view id);

}  // namespace parley::xml
