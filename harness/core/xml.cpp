#include "harness/core/xml.h"

#include <libxml/SAX2.h>
#include <libxml/c14n.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <climits>
#include <mutex>
#include <optional>

#include "harness/core/names.h"

namespace parley::xml {

namespace {

std::string position(int line, int column) {
  return "(line " + std::to_string(line) + ", column " + std::to_string(column) + ")";
}

std::string trim_message(const char* message) {
  std::string text = message == nullptr ? std::string("no message") : std::string(message);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

// libxml2's message for `error`, with its position when it gave one.
std::string describe(const xmlError* error) {
  std::string text = trim_message(error->message);
  if (error->domain == XML_FROM_XPATH) {
    text += " at character " + std::to_string(error->int1 + 1);  // int1: offset in the expression
  } else if (error->line > 0) {
    text += " " + position(error->line, error->int2);  // int2: column
  }
  return text;
}

// The first error-level libxml2 error of one parse.
struct ErrorSink {
  bool has_error = false;
  std::string message;

  void record(const xmlError* error) {
    if (error == nullptr || error->level < XML_ERR_ERROR || has_error) return;
    has_error = true;
    message = describe(error);
  }
};

// ---- parse ------------------------------------------------------------------------------------

struct ParserCtxtDeleter {
  void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};

// Per-parse state reached from the SAX callbacks through ctxt->_private.
struct ParseState {
  const ParseLimits* limits = nullptr;
  xmlSAXHandler original{};  // libxml2's SAX2 tree builders, called when within limits
  std::size_t depth = 0;
  std::size_t elements = 0;
  std::size_t text_run = 0;  // bytes of the text node being built
  std::optional<Error> violation;
  ErrorSink errors;
};

xmlParserCtxt* parser_of(void* ctx) {
  return static_cast<xmlParserCtxt*>(ctx);
}
ParseState& state_of(void* ctx) {
  return *static_cast<ParseState*>(parser_of(ctx)->_private);
}

// Records the first violation and halts the parser at once: nothing more is read or built.
void refuse(void* ctx, ErrorCode code, const std::string& what) {
  xmlParserCtxt* ctxt = parser_of(ctx);
  ParseState& state = state_of(ctx);
  if (state.violation) return;
  int line = ctxt->input != nullptr ? ctxt->input->line : 0;
  int column = ctxt->input != nullptr ? ctxt->input->col : 0;
  state.violation = Error(code, what + " " + position(line, column), "xml::parse");
  ctxt->wellFormed = 0;  // so that libxml2 frees the partial tree itself
  xmlStopParser(ctxt);
}

void refuse_limit(void* ctx, const std::string& what) {
  refuse(ctx, ErrorCode::kLimitExceeded, what);
}

void refuse_dtd(void* ctx, const std::string& what) {
  refuse(ctx, ErrorCode::kParse, what + " refused: parley never processes DTDs");
}

bool text_too_long(void* ctx, std::size_t length, const char* what) {
  ParseState& state = state_of(ctx);
  if (length <= state.limits->max_text_length) return false;
  refuse_limit(ctx, std::string(what) + " longer than max_text_length " +
                        std::to_string(state.limits->max_text_length) + " bytes");
  return true;
}

void on_start_element(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                      const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                      int nb_attributes, int nb_defaulted, const xmlChar** attributes) {
  ParseState& state = state_of(ctx);
  const ParseLimits& limits = *state.limits;
  state.text_run = 0;
  // The qualified name, built only for an error message.
  const auto qname = [&] {
    return prefix != nullptr ? std::string(view(prefix)) + ":" + std::string(view(localname))
                             : std::string(view(localname));
  };
  if (state.depth + 1 > limits.max_depth) {
    refuse_limit(ctx, "element nesting deeper than max_depth " + std::to_string(limits.max_depth) +
                          " at <" + qname() + ">");
    return;
  }
  if (state.elements + 1 > limits.max_nodes) {
    refuse_limit(ctx, "more elements than max_nodes " + std::to_string(limits.max_nodes) + " at <" +
                          qname() + ">");
    return;
  }
  const auto attribute_count =
      static_cast<std::size_t>(nb_attributes) + static_cast<std::size_t>(nb_namespaces);
  if (attribute_count > limits.max_attributes) {
    refuse_limit(ctx, "element <" + qname() + "> has " + std::to_string(attribute_count) +
                          " attributes and namespace declarations, more than max_attributes " +
                          std::to_string(limits.max_attributes));
    return;
  }
  // attributes: (localname, prefix, URI, value begin, value end) per attribute.
  for (std::size_t i = 0; i < static_cast<std::size_t>(nb_attributes); ++i) {
    const auto length = static_cast<std::size_t>(attributes[i * 5 + 4] - attributes[i * 5 + 3]);
    if (length > limits.max_text_length) {
      const std::string what =
          "value of attribute " + std::string(view(attributes[i * 5])) + " on <" + qname() + ">";
      text_too_long(ctx, length, what.c_str());
      return;
    }
  }
  ++state.depth;
  ++state.elements;
  state.original.startElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces,
                                nb_attributes, nb_defaulted, attributes);
}

void on_end_element(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                    const xmlChar* uri) {
  ParseState& state = state_of(ctx);
  state.text_run = 0;
  if (state.depth > 0) --state.depth;
  state.original.endElementNs(ctx, localname, prefix, uri);
}

// Consecutive character callbacks build one text node (libxml2 coalesces them), so the limit
// applies to the running total.
void on_characters(void* ctx, const xmlChar* text, int length) {
  ParseState& state = state_of(ctx);
  state.text_run += static_cast<std::size_t>(length);
  if (text_too_long(ctx, state.text_run, "text node")) return;
  state.original.characters(ctx, text, length);
}

void on_cdata(void* ctx, const xmlChar* text, int length) {
  ParseState& state = state_of(ctx);
  state.text_run = 0;  // a CDATA section is a node of its own
  if (text_too_long(ctx, static_cast<std::size_t>(length), "CDATA section")) return;
  state.original.cdataBlock(ctx, text, length);
}

void on_comment(void* ctx, const xmlChar* text) {
  ParseState& state = state_of(ctx);
  state.text_run = 0;
  if (text_too_long(ctx, view(text).size(), "comment")) return;
  state.original.comment(ctx, text);
}

void on_processing_instruction(void* ctx, const xmlChar* target, const xmlChar* data) {
  ParseState& state = state_of(ctx);
  state.text_run = 0;
  if (text_too_long(ctx, view(data).size(), "processing instruction")) return;
  state.original.processingInstruction(ctx, target, data);
}

void on_internal_subset(void* ctx, const xmlChar* name, const xmlChar* external_id,
                        const xmlChar* system_id) {
  std::string doctype = "<!DOCTYPE " + std::string(view(name));
  if (external_id != nullptr) doctype += " PUBLIC \"" + std::string(view(external_id)) + "\"";
  if (system_id != nullptr) {
    doctype +=
        (external_id != nullptr ? " \"" : " SYSTEM \"") + std::string(view(system_id)) + "\"";
  }
  refuse_dtd(ctx, "document type declaration " + doctype + ">");
}

void on_external_subset(void* ctx, const xmlChar* name, const xmlChar*, const xmlChar*) {
  refuse_dtd(ctx, "external DTD subset for " + std::string(view(name)));
}

void on_entity_decl(void* ctx, const xmlChar* name, int, const xmlChar*, const xmlChar*, xmlChar*) {
  refuse_dtd(ctx, "entity declaration " + std::string(view(name)));
}

xmlParserInputPtr on_resolve_entity(void* ctx, const xmlChar* public_id, const xmlChar* system_id) {
  std::string which =
      system_id != nullptr ? std::string(view(system_id)) : std::string(view(public_id));
  refuse_dtd(ctx, "external entity " + which);
  return nullptr;
}

void on_parser_error(void* ctx, xmlErrorPtr error) {
  state_of(ctx).errors.record(error);
}

std::once_flag g_init_once;

}  // namespace

void initialize() {
  std::call_once(g_init_once, [] { xmlInitParser(); });
}

ErrorCapture::ErrorCapture() : previous_handler_(nullptr), previous_context_(nullptr) {
  initialize();  // before touching libxml2's per-thread error state
  previous_handler_ = xmlStructuredError;
  previous_context_ = xmlStructuredErrorContext;
  xmlSetStructuredErrorFunc(this, &ErrorCapture::record);
}

ErrorCapture::~ErrorCapture() {
  xmlSetStructuredErrorFunc(previous_context_, previous_handler_);
}

void ErrorCapture::record(void* capture, xmlErrorPtr error) {
  auto* self = static_cast<ErrorCapture*>(capture);
  if (error == nullptr || error->level < XML_ERR_ERROR || self->has_error()) return;
  self->message_ = describe(error);
  if (self->message_.empty()) self->message_ = "libxml2 error";
}

xmlNode* Document::root() const {
  return doc_ ? xmlDocGetRootElement(doc_.get()) : nullptr;
}

Result<Document> Document::clone() const {
  if (!doc_) {
    return Error(ErrorCode::kInvalidArgument, "cannot clone an empty document",
                 "xml::Document::clone");
  }
  xmlDoc* copy = xmlCopyDoc(doc_.get(), 1);
  if (copy == nullptr) {
    return Error(ErrorCode::kInternal, "xmlCopyDoc failed (out of memory?)",
                 "xml::Document::clone");
  }
  return Document(copy);
}

Result<Document> parse(std::string_view bytes, const ParseLimits& limits) {
  initialize();
  if (bytes.size() > limits.max_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "document of " + std::to_string(bytes.size()) +
                     " bytes is larger than max_bytes " + std::to_string(limits.max_bytes),
                 "xml::parse");
  }
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return Error(
        ErrorCode::kLimitExceeded,
        "document of " + std::to_string(bytes.size()) + " bytes is larger than libxml2 accepts",
        "xml::parse");
  }

  std::unique_ptr<xmlParserCtxt, ParserCtxtDeleter> ctxt(xmlNewParserCtxt());
  if (!ctxt || ctxt->sax == nullptr) {
    return Error(ErrorCode::kInternal, "xmlNewParserCtxt failed", "xml::parse");
  }
  ParseState state;
  state.limits = &limits;
  state.original = *ctxt->sax;
  ctxt->_private = &state;

  xmlSAXHandler* sax = ctxt->sax;
  sax->startElementNs = &on_start_element;
  sax->endElementNs = &on_end_element;
  // Same function for both, as libxml2 keeps them when blanks are kept.
  sax->characters = &on_characters;
  sax->ignorableWhitespace = &on_characters;
  sax->cdataBlock = &on_cdata;
  sax->comment = &on_comment;
  sax->processingInstruction = &on_processing_instruction;
  sax->internalSubset = &on_internal_subset;
  sax->externalSubset = &on_external_subset;
  sax->entityDecl = &on_entity_decl;
  sax->resolveEntity = &on_resolve_entity;
  sax->serror = &on_parser_error;  // per-context: libxml2 never prints for this parser

  // Everything not tied to this context (I/O, encoding) is captured too.
  ErrorCapture global_errors;

  // NONET: no network; no NOENT (entities are never substituted), no DTDLOAD / DTDATTR / HUGE.
  const int options =
      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES;
  const char* data = bytes.empty() ? "" : bytes.data();
  Document doc(xmlCtxtReadMemory(ctxt.get(), data, static_cast<int>(bytes.size()), nullptr, nullptr,
                                 options));
  if (state.violation) return std::move(*state.violation);
  if (!state.errors.has_error && global_errors.has_error()) {
    state.errors.has_error = true;
    state.errors.message = global_errors.message();
  }
  if (state.errors.has_error || !doc || ctxt->wellFormed == 0 || ctxt->nsWellFormed == 0) {
    std::string what =
        state.errors.has_error ? state.errors.message : std::string("parser returned no document");
    return Error(ErrorCode::kParse, "not well-formed XML: " + what, "xml::parse");
  }
  if (doc.root() == nullptr) {
    return Error(ErrorCode::kParse, "document has no root element", "xml::parse");
  }
  return doc;
}

// ---- serialize --------------------------------------------------------------------------------

namespace {

std::string save(xmlDoc* doc, xmlNode* node) {
  initialize();
  xmlBuffer* buffer = xmlBufferCreate();
  if (buffer == nullptr) return {};
  ErrorCapture errors;
  xmlSaveCtxt* ctxt = xmlSaveToBuffer(buffer, "UTF-8", XML_SAVE_NO_DECL);
  if (ctxt != nullptr) {
    if (node != nullptr) {
      xmlSaveTree(ctxt, node);
    } else {
      xmlSaveDoc(ctxt, doc);
    }
    xmlSaveClose(ctxt);
  }
  std::string out(from_xml_chars(xmlBufferContent(buffer)),
                  static_cast<std::size_t>(xmlBufferLength(buffer)));
  xmlBufferFree(buffer);
  return out;
}

}  // namespace

std::string serialize(const Document& doc) {
  if (!doc) return {};
  return save(doc.get(), nullptr);
}

std::string serialize(xmlNode* node) {
  if (node == nullptr) return {};
  return save(node->doc, node);
}

// ---- XPath ------------------------------------------------------------------------------------

namespace {

struct XPathContextDeleter {
  void operator()(xmlXPathContext* ctxt) const { xmlXPathFreeContext(ctxt); }
};
struct XPathObjectDeleter {
  void operator()(xmlXPathObject* object) const { xmlXPathFreeObject(object); }
};

}  // namespace

Result<std::vector<xmlNode*>> xpath(const Document& doc, std::string_view expr, xmlNode* context) {
  initialize();
  const std::string where = "xml::xpath '" + std::string(expr) + "'";
  if (!doc) return Error(ErrorCode::kInvalidArgument, "empty document", where);
  if (context != nullptr && context->doc != doc.get()) {
    return Error(ErrorCode::kInvalidArgument, "context node belongs to another document", where);
  }
  ErrorCapture errors;
  std::unique_ptr<xmlXPathContext, XPathContextDeleter> ctxt(xmlXPathNewContext(doc.get()));
  if (!ctxt) return Error(ErrorCode::kInternal, "xmlXPathNewContext failed", where);
  // No ctxt->error: libxml2 2.9 passes no message to it; the scoped capture gets the full error.
  for (const names::PrefixBinding& binding : names::xpath_prefixes()) {
    std::string prefix(binding.prefix);
    std::string uri(binding.uri);
    if (xmlXPathRegisterNs(ctxt.get(), to_xml_chars(prefix.c_str()), to_xml_chars(uri.c_str())) !=
        0) {
      return Error(ErrorCode::kInternal, "cannot register XPath prefix " + prefix, where);
    }
  }
  ctxt->node = context != nullptr ? context : reinterpret_cast<xmlNode*>(doc.get());
  const std::string expression(expr);
  std::unique_ptr<xmlXPathObject, XPathObjectDeleter> result(
      xmlXPathEvalExpression(to_xml_chars(expression.c_str()), ctxt.get()));
  if (!result) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid XPath expression: " +
                     (errors.has_error() ? errors.message() : std::string("evaluation failed")),
                 where);
  }
  if (result->type != XPATH_NODESET) {
    return Error(ErrorCode::kInvalidArgument,
                 "expression does not select nodes (it yields a value)", where);
  }
  std::vector<xmlNode*> nodes;
  xmlNodeSet* set = result->nodesetval;
  if (set == nullptr) return nodes;
  xmlXPathNodeSetSort(set);
  nodes.reserve(static_cast<std::size_t>(set->nodeNr));
  for (int i = 0; i < set->nodeNr; ++i) {
    xmlNode* node = set->nodeTab[i];
    // Namespace nodes are copies owned by the result: they cannot outlive this call.
    if (node->type == XML_NAMESPACE_DECL) {
      return Error(ErrorCode::kUnsupported, "expression selects namespace nodes", where);
    }
    nodes.push_back(node);
  }
  return nodes;
}

Result<xmlNode*> xpath_one(const Document& doc, std::string_view expr, xmlNode* context) {
  PARLEY_ASSIGN_OR_RETURN(std::vector<xmlNode*> nodes, xpath(doc, expr, context));
  const std::string where = "xml::xpath_one '" + std::string(expr) + "'";
  if (nodes.empty()) return Error(ErrorCode::kNotFound, "no node matches", where);
  if (nodes.size() > 1) {
    return Error(ErrorCode::kAmbiguous,
                 std::to_string(nodes.size()) + " nodes match where exactly one must", where);
  }
  return nodes.front();
}

// ---- tree helpers -----------------------------------------------------------------------------

bool is_element(const xmlNode* node, std::string_view ns_uri, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && local_name(node) == name &&
         namespace_uri(node) == ns_uri;
}

std::string_view local_name(const xmlNode* node) {
  return node == nullptr ? std::string_view() : view(node->name);
}

std::string_view namespace_uri(const xmlNode* node) {
  if (node == nullptr || node->ns == nullptr) return {};
  return view(node->ns->href);
}

std::string text_content(const xmlNode* node) {
  if (node == nullptr) return {};
  xmlChar* content = xmlNodeGetContent(node);
  if (content == nullptr) return {};
  std::string text(from_xml_chars(content));
  xmlFree(content);
  return text;
}

namespace {

std::string attribute_text(const xmlAttr* attr) {
  const xmlNode* child = attr->children;
  if (child == nullptr) return {};
  if (child->next == nullptr && child->type == XML_TEXT_NODE) {
    return std::string(view(child->content));
  }
  return text_content(reinterpret_cast<const xmlNode*>(attr));
}

std::string_view attribute_namespace(const xmlAttr* attr) {
  return attr->ns == nullptr ? std::string_view() : view(attr->ns->href);
}

}  // namespace

AttributeValue attribute(const xmlNode* node, std::string_view ns_uri, std::string_view name) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return {};
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (view(attr->name) == name && attribute_namespace(attr) == ns_uri) {
      return {true, attribute_text(attr)};
    }
  }
  return {};
}

std::vector<xmlNode*> child_elements(const xmlNode* node) {
  std::vector<xmlNode*> children;
  if (node == nullptr) return children;
  for (xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) children.push_back(child);
  }
  return children;
}

// ---- C14N -------------------------------------------------------------------------------------

namespace {

// Visible when the node (or, for attributes and namespaces, its element) lies in the subtree.
int in_subtree(void* apex, xmlNodePtr node, xmlNodePtr parent) {
  const xmlNode* cur = node;
  if (node == nullptr) return 0;
  if (node->type == XML_NAMESPACE_DECL) cur = parent;  // node is an xmlNs, parent its element
  for (; cur != nullptr; cur = cur->parent) {
    if (cur == apex) return 1;
  }
  return 0;
}

int append_output(void* context, const char* buffer, int length) {
  static_cast<std::string*>(context)->append(buffer, static_cast<std::size_t>(length));
  return length;
}

}  // namespace

namespace {

Result<std::string> canonicalize_in(xmlDoc* doc, xmlNode* node, const C14nOptions& options) {
  initialize();
  const std::string where = node != nullptr
                                ? "xml::canonicalize <" + std::string(local_name(node)) + ">"
                                : std::string("xml::canonicalize");
  if (doc == nullptr) return Error(ErrorCode::kInvalidArgument, "empty document", where);
  if (node != nullptr && node->doc != doc) {
    return Error(ErrorCode::kInvalidArgument, "node belongs to another document", where);
  }
  if (node != nullptr && node->type != XML_ELEMENT_NODE) {
    return Error(ErrorCode::kInvalidArgument, "only element subtrees are canonicalized", where);
  }
  if (options.method == C14nMethod::kInclusive && !options.inclusive_prefixes.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "an InclusiveNamespaces PrefixList applies to exclusive C14N only", where);
  }
  std::vector<xmlChar*> prefixes;
  for (const std::string& prefix : options.inclusive_prefixes) {
    prefixes.push_back(const_cast<xmlChar*>(to_xml_chars(prefix.c_str())));
  }
  prefixes.push_back(nullptr);

  ErrorCapture errors;
  std::string out;
  xmlOutputBuffer* buffer = xmlOutputBufferCreateIO(&append_output, nullptr, &out, nullptr);
  if (buffer == nullptr) {
    return Error(ErrorCode::kInternal, "xmlOutputBufferCreateIO failed", where);
  }
  const int mode = options.method == C14nMethod::kExclusive ? XML_C14N_EXCLUSIVE_1_0 : XML_C14N_1_0;
  const int rc =
      xmlC14NExecute(doc, node != nullptr ? &in_subtree : nullptr, node, mode,
                     options.method == C14nMethod::kExclusive ? prefixes.data() : nullptr,
                     options.with_comments ? 1 : 0, buffer);
  const int closed = xmlOutputBufferClose(buffer);
  if (rc < 0 || closed < 0 || errors.has_error()) {
    return Error(ErrorCode::kParse,
                 "canonicalization failed: " +
                     (errors.has_error() ? errors.message()
                                         : std::string("xmlC14NExecute returned an error")),
                 where);
  }
  return out;
}

}  // namespace

Result<std::string> canonicalize(const Document& doc, xmlNode* node, const C14nOptions& options) {
  return canonicalize_in(doc.get(), node, options);
}

Result<std::string> canonicalize(const xmlNode* node, const C14nOptions& options) {
  if (node == nullptr) return Error(ErrorCode::kInvalidArgument, "no element", "xml::canonicalize");
  return canonicalize_in(node->doc, const_cast<xmlNode*>(node), options);
}

// ---- IDs --------------------------------------------------------------------------------------

namespace {

// The attribute forms that carry an element id in the messages parley reads: wsu:Id (WSS 1.0
// SOAP Message Security section 4), Id / ID (XML-DSig, SAML 2.0), AssertionID (SAML 1.1), xml:id.
bool carries_id(const xmlNode* element, std::string_view id) {
  for (const xmlAttr* attr = element->properties; attr != nullptr; attr = attr->next) {
    const std::string_view name = view(attr->name);
    const std::string_view ns = attribute_namespace(attr);
    const bool id_attribute = (ns == names::ns::kWsu && name == "Id") ||
                              (ns.empty() && (name == "Id" || name == "ID" || name == "AssertionID")) ||
                              (ns == names::ns::kXml && name == "id");
    if (id_attribute && attribute_text(attr) == id) return true;
  }
  return false;
}

}  // namespace

std::vector<xmlNode*> find_all_by_id(const Document& doc, std::string_view id) {
  std::vector<xmlNode*> found;
  xmlNode* root = doc.root();
  // Iterative pre-order walk: documents not built by parse() may be deeper than a stack allows.
  for (xmlNode* node = root; node != nullptr;) {
    if (node->type == XML_ELEMENT_NODE && carries_id(node, id)) found.push_back(node);
    if (node->type == XML_ELEMENT_NODE && node->children != nullptr) {
      node = node->children;
      continue;
    }
    while (node != nullptr && node != root && node->next == nullptr) node = node->parent;
    if (node == nullptr || node == root) break;
    node = node->next;
  }
  return found;
}

Result<xmlNode*> find_by_id(const Document& doc, std::string_view id) {
  const std::string where = "xml::find_by_id '" + std::string(id) + "'";
  std::vector<xmlNode*> found = find_all_by_id(doc, id);
  if (found.empty()) {
    return Error(ErrorCode::kNotFound, "no element carries this wsu:Id, Id, ID or xml:id", where);
  }
  if (found.size() > 1) {
    return Error(ErrorCode::kAmbiguous,
                 std::to_string(found.size()) +
                     " elements carry this id (an id collision is a signature wrapping attack)",
                 where);
  }
  return found.front();
}

// ---- building ---------------------------------------------------------------------------------

namespace {

std::string z(std::string_view v) { return std::string(v); }

xmlNs* find_or_declare(xmlNode* element, std::string_view ns_uri, std::string_view prefix) {
  const std::string uri = z(ns_uri);
  const std::string pfx = z(prefix);
  xmlNs* existing = xmlSearchNs(element->doc, element, pfx.empty() ? nullptr : to_xml_chars(pfx.c_str()));
  if (existing != nullptr && view(existing->href) == ns_uri) return existing;
  return xmlNewNs(element, to_xml_chars(uri.c_str()), pfx.empty() ? nullptr : to_xml_chars(pfx.c_str()));
}

}  // namespace

Document new_document(std::string_view ns_uri, std::string_view prefix, std::string_view local) {
  initialize();
  xmlDoc* doc = xmlNewDoc(to_xml_chars("1.0"));
  const std::string name = z(local);
  xmlNode* root = xmlNewDocNode(doc, nullptr, to_xml_chars(name.c_str()), nullptr);
  xmlDocSetRootElement(doc, root);
  if (!ns_uri.empty()) xmlSetNs(root, find_or_declare(root, ns_uri, prefix));
  return Document(doc);
}

xmlNode* add_element(xmlNode* parent, std::string_view ns_uri, std::string_view prefix,
                     std::string_view local, std::string_view text) {
  const std::string name = z(local);
  xmlNode* node = xmlNewDocNode(parent->doc, nullptr, to_xml_chars(name.c_str()), nullptr);
  xmlAddChild(parent, node);
  if (!ns_uri.empty()) xmlSetNs(node, find_or_declare(node, ns_uri, prefix));
  if (!text.empty()) {
    const std::string t = z(text);
    xmlNodeAddContentLen(node, to_xml_chars(t.c_str()), static_cast<int>(t.size()));
  }
  return node;
}

void set_attribute(xmlNode* element, std::string_view ns_uri, std::string_view prefix,
                   std::string_view local, std::string_view value) {
  const std::string name = z(local);
  const std::string v = z(value);
  if (ns_uri.empty()) {
    xmlSetProp(element, to_xml_chars(name.c_str()), to_xml_chars(v.c_str()));
    return;
  }
  xmlSetNsProp(element, find_or_declare(element, ns_uri, prefix), to_xml_chars(name.c_str()),
               to_xml_chars(v.c_str()));
}

Result<xmlNode*> append_fragment(xmlNode* parent, std::string_view fragment) {
  PARLEY_ASSIGN_OR_RETURN(Document doc, parse(fragment));
  return append_copy(parent, doc.root());
}

xmlNode* append_copy(xmlNode* parent, const xmlNode* node) {
  // xmlDocCopyNode keeps every declaration inside the copied subtree as it was, and declares on
  // the copy's root each namespace the source bound on an ancestor of `node`, so the copy is
  // complete before it is attached. No xmlReconciliateNs afterwards: it would re-bind a default
  // namespace declared below the copied root under a generated prefix ("default"), which changes
  // the canonical form of what is inside and breaks any signature over it.
  xmlNode* copy = xmlDocCopyNode(const_cast<xmlNode*>(node), parent->doc, 1);
  xmlAddChild(parent, copy);
  return copy;
}

}  // namespace parley::xml
