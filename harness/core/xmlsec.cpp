#include "harness/core/xmlsec.h"

#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/parser.h>
#include <xmlsec/strings.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <array>
#include <charconv>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/core/names.h"

namespace parley::xmlsec {

namespace {

using xml::to_xml_chars;
using xml::view;

// ---- error collection -------------------------------------------------------------------------

// Collects what xmlsec (through its error callback) and libxml2 (through xml::ErrorCapture)
// report while one operation runs on this thread, so failures carry the library's reason and
// nothing is printed.
class LibraryErrors;
thread_local LibraryErrors* t_errors = nullptr;

class LibraryErrors {
 public:
  LibraryErrors() : previous_(t_errors) { t_errors = this; }
  ~LibraryErrors() { t_errors = previous_; }
  LibraryErrors(const LibraryErrors&) = delete;
  LibraryErrors& operator=(const LibraryErrors&) = delete;

  void add(std::string message) {
    if (messages_.size() < kMaxMessages) messages_.push_back(std::move(message));
  }

  // The innermost xmlsec message (the first one raised is the root cause; the rest are the
  // call chain unwinding) and libxml2's, if any.
  std::string detail() const {
    std::string text;
    if (!messages_.empty()) text = "xmlsec: " + messages_.front();
    if (libxml_.has_error()) text += (text.empty() ? "" : "; ") + ("libxml2: " + libxml_.message());
    return text;
  }

 private:
  static constexpr std::size_t kMaxMessages = 16;
  LibraryErrors* previous_;
  std::vector<std::string> messages_;
  xml::ErrorCapture libxml_;
};

void on_xmlsec_error(const char* /*file*/, int /*line*/, const char* func, const char* object,
                     const char* subject, int reason, const char* msg) {
  if (t_errors == nullptr) return;  // never printed
  std::string reason_text;
  for (xmlSecSize i = 0; i < XMLSEC_ERRORS_MAX_NUMBER && xmlSecErrorsGetMsg(i) != nullptr; ++i) {
    if (xmlSecErrorsGetCode(i) == reason) {
      reason_text = xmlSecErrorsGetMsg(i);
      break;
    }
  }
  std::string text = func != nullptr ? func : "unknown";
  if (object != nullptr && *object != '\0') text += std::string(" [") + object + "]";
  text += ": " + reason_text;
  if (subject != nullptr && *subject != '\0') text += std::string(" (") + subject + ")";
  if (msg != nullptr && *msg != '\0') text += std::string(": ") + msg;
  t_errors->add(std::move(text));
}

Error failure(ErrorCode code, std::string what, std::string where, const LibraryErrors& errors) {
  std::string detail = errors.detail();
  if (!detail.empty()) what += " (" + detail + ")";
  return Error(code, std::move(what), std::move(where));
}

// ---- RAII for xmlsec objects ------------------------------------------------------------------

struct KeyDeleter {
  void operator()(xmlSecKey* key) const { xmlSecKeyDestroy(key); }
};
using KeyPtr = std::unique_ptr<xmlSecKey, KeyDeleter>;

struct DSigCtxDeleter {
  void operator()(xmlSecDSigCtx* ctx) const { xmlSecDSigCtxDestroy(ctx); }
};
struct EncCtxDeleter {
  void operator()(xmlSecEncCtx* ctx) const { xmlSecEncCtxDestroy(ctx); }
};

// A template node that is freed unless it ended up in the document.
class NodeGuard {
 public:
  explicit NodeGuard(xmlNode* node) : node_(node) {}
  ~NodeGuard() {
    if (node_ != nullptr) {
      xmlUnlinkNode(node_);
      xmlFreeNode(node_);
    }
  }
  NodeGuard(const NodeGuard&) = delete;
  NodeGuard& operator=(const NodeGuard&) = delete;
  xmlNode* get() const { return node_; }
  xmlNode* release() { return std::exchange(node_, nullptr); }

 private:
  xmlNode* node_;
};

KeyPtr key_from_bytes(xmlSecKeyDataId id, ByteView bytes) {
  if (bytes.empty()) return nullptr;
  return KeyPtr(xmlSecKeyReadMemory(id, bytes.data(), static_cast<xmlSecSize>(bytes.size())));
}

KeyPtr key_from_rsa(const crypto::RsaKey& rsa) {
  if (rsa.get() == nullptr) return nullptr;
  EVP_PKEY* pkey = xmlSecOpenSSLEvpKeyDup(rsa.get());  // a reference: RsaKey never mutates it
  if (pkey == nullptr) return nullptr;
  xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
  if (data == nullptr) {
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  KeyPtr key(xmlSecKeyCreate());
  if (!key || xmlSecKeySetValue(key.get(), data) < 0) {
    xmlSecKeyDataDestroy(data);
    return nullptr;
  }
  return key;
}

Result<KeyPtr> make_signature_key(const SignatureKey& key, const std::string& where) {
  LibraryErrors errors;
  KeyPtr made = key.is_hmac() ? key_from_bytes(xmlSecKeyDataHmacId, key.hmac_key())
                              : key_from_rsa(key.rsa_key());
  if (!made) {
    return failure(ErrorCode::kCrypto,
                   key.is_hmac() ? "cannot load the HMAC key" : "cannot load the RSA key", where,
                   errors);
  }
  return made;
}

// ---- algorithms -------------------------------------------------------------------------------

struct SignatureAlgorithm {
  SignatureMethod method;
  const xmlChar* href;
  xmlSecTransformId (*transform)();
  bool hmac;
  std::size_t output_bits;  // HMAC output size, 0 for RSA
  const char* name;
};

xmlSecTransformId hmac_sha1_id() {
  return xmlSecTransformHmacSha1Id;
}
xmlSecTransformId hmac_sha256_id() {
  return xmlSecTransformHmacSha256Id;
}
xmlSecTransformId rsa_sha1_id() {
  return xmlSecTransformRsaSha1Id;
}
xmlSecTransformId rsa_sha256_id() {
  return xmlSecTransformRsaSha256Id;
}

const std::array<SignatureAlgorithm, 4>& signature_algorithms() {
  static const std::array<SignatureAlgorithm, 4> kAlgorithms{{
      {SignatureMethod::kHmacSha1, xmlSecHrefHmacSha1, &hmac_sha1_id, true, 160, "hmac-sha1"},
      {SignatureMethod::kHmacSha256, xmlSecHrefHmacSha256, &hmac_sha256_id, true, 256,
       "hmac-sha256"},
      {SignatureMethod::kRsaSha1, xmlSecHrefRsaSha1, &rsa_sha1_id, false, 0, "rsa-sha1"},
      {SignatureMethod::kRsaSha256, xmlSecHrefRsaSha256, &rsa_sha256_id, false, 0, "rsa-sha256"},
  }};
  return kAlgorithms;
}

const SignatureAlgorithm& algorithm_of(SignatureMethod method) {
  for (const SignatureAlgorithm& a : signature_algorithms()) {
    if (a.method == method) return a;
  }
  return signature_algorithms()[0];
}

const SignatureAlgorithm* algorithm_by_href(std::string_view href) {
  for (const SignatureAlgorithm& a : signature_algorithms()) {
    if (view(a.href) == href) return &a;
  }
  return nullptr;
}

xmlSecTransformId digest_transform(DigestMethod digest) {
  return digest == DigestMethod::kSha1 ? xmlSecTransformSha1Id : xmlSecTransformSha256Id;
}

struct CipherAlgorithm {
  BlockCipher cipher;
  const xmlChar* href;
  xmlSecTransformId (*transform)();
  std::size_t key_bytes;
  const char* name;
};

xmlSecTransformId aes128_id() {
  return xmlSecTransformAes128CbcId;
}
xmlSecTransformId aes192_id() {
  return xmlSecTransformAes192CbcId;
}
xmlSecTransformId aes256_id() {
  return xmlSecTransformAes256CbcId;
}

const std::array<CipherAlgorithm, 3>& cipher_algorithms() {
  static const std::array<CipherAlgorithm, 3> kCiphers{{
      {BlockCipher::kAes128Cbc, xmlSecHrefAes128Cbc, &aes128_id, 16, "aes128-cbc"},
      {BlockCipher::kAes192Cbc, xmlSecHrefAes192Cbc, &aes192_id, 24, "aes192-cbc"},
      {BlockCipher::kAes256Cbc, xmlSecHrefAes256Cbc, &aes256_id, 32, "aes256-cbc"},
  }};
  return kCiphers;
}

const CipherAlgorithm& cipher_of(BlockCipher cipher) {
  for (const CipherAlgorithm& c : cipher_algorithms()) {
    if (c.cipher == cipher) return c;
  }
  return cipher_algorithms()[0];
}

// ---- tree helpers -----------------------------------------------------------------------------

std::string_view ds_ns() {
  return view(xmlSecDSigNs);
}
std::string_view xenc_ns() {
  return view(xmlSecEncNs);
}

bool is_ds(const xmlNode* node, std::string_view name) {
  return xml::is_element(node, ds_ns(), name);
}
bool is_xenc(const xmlNode* node, std::string_view name) {
  return xml::is_element(node, xenc_ns(), name);
}

std::string algorithm_of_node(const xmlNode* node) {
  return xml::attribute(node, "", "Algorithm").value;
}

// The attribute through which `element` carries `id`, in the forms xml::find_by_id accepts:
// wsu:Id, unqualified Id / ID / AssertionID, xml:id.
xmlAttr* id_attribute(xmlNode* element, std::string_view id) {
  for (xmlAttr* attr = element->properties; attr != nullptr; attr = attr->next) {
    const std::string_view name = view(attr->name);
    const std::string_view ns = attr->ns != nullptr ? view(attr->ns->href) : std::string_view();
    const bool id_form = (ns == names::ns::kWsu && name == "Id") ||
                         (ns.empty() && (name == "Id" || name == "ID" || name == "AssertionID")) ||
                         (ns == names::ns::kXml && name == "id");
    if (!id_form) continue;
    xmlChar* value = xmlNodeGetContent(reinterpret_cast<xmlNode*>(attr));
    const bool match = value != nullptr && view(value) == id;
    xmlFree(value);
    if (match) return attr;
  }
  return nullptr;
}

// Makes `id` resolve (for xmlsec's XPointer id()) to exactly `element`, replacing any stale
// registration left by an earlier operation on this document.
Status register_id(xml::Document& doc, xmlNode* element, const std::string& id,
                   const std::string& where) {
  xmlAttr* attr = id_attribute(element, id);
  if (attr == nullptr) {
    return Error(ErrorCode::kInternal, "element carrying id '" + id + "' has no id attribute",
                 where);
  }
  xmlAttr* registered = xmlGetID(doc.get(), to_xml_chars(id.c_str()));
  if (registered == attr) return ok_status();
  if (registered != nullptr) xmlRemoveID(doc.get(), registered);
  if (xmlAddID(nullptr, doc.get(), to_xml_chars(id.c_str()), attr) == nullptr) {
    return Error(ErrorCode::kInternal, "cannot register id '" + id + "'", where);
  }
  return ok_status();
}

bool is_ancestor_or_self(const xmlNode* ancestor, const xmlNode* node) {
  for (; node != nullptr; node = node->parent) {
    if (node == ancestor) return true;
  }
  return false;
}

// Copies caller-supplied KeyInfo content under `key_info`. Done after xmlsec has run, so xmlsec
// never reads it and never writes key material into it (it would fill a ds:KeyValue).
Status add_key_info_content(xml::Document& doc, xmlNode* key_info, xmlNode* content,
                            const std::string& where) {
  xmlNode* copy = xmlDocCopyNode(content, doc.get(), 1);
  if (copy == nullptr) return Error(ErrorCode::kInternal, "cannot copy KeyInfo content", where);
  if (xmlAddChild(key_info, copy) == nullptr) {
    xmlFreeNode(copy);
    return Error(ErrorCode::kInternal, "cannot add KeyInfo content", where);
  }
  return ok_status();
}

Result<std::size_t> parse_bits(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' ||
                           text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Error(ErrorCode::kParse, "HMACOutputLength '" + std::string(text) + "' is not a number");
  }
  return value;
}

std::once_flag g_init_once;
std::optional<Error> g_init_error;

}  // namespace

// ---- initialization ---------------------------------------------------------------------------

Status initialize() {
  std::call_once(g_init_once, [] {
    xml::initialize();
    LibraryErrors errors;
    xmlSecErrorsSetCallback(&on_xmlsec_error);  // silence the default (stderr) callback
    const std::string where = "xmlsec::initialize";
    if (xmlSecInit() < 0) {
      g_init_error = failure(ErrorCode::kCrypto, "xmlSecInit failed", where, errors);
      return;
    }
    if (xmlSecCheckVersion() != 1) {
      g_init_error =
          failure(ErrorCode::kCrypto, "loaded xmlsec1 is not ABI compatible with the headers",
                  where, errors);
      return;
    }
    if (xmlSecCryptoAppInit(nullptr) < 0 || xmlSecCryptoInit() < 0) {
      g_init_error = failure(ErrorCode::kCrypto, "xmlsec1 OpenSSL backend failed to initialize",
                             where, errors);
      return;
    }
    // The OpenSSL backend installs its own printing callback during initialization.
    xmlSecErrorsSetCallback(&on_xmlsec_error);
    // xmlsec parses decrypted content itself; its default adds XML_PARSE_HUGE, which lifts
    // libxml2's depth and size limits. Keep them.
    xmlSecParserSetDefaultOptions(XML_PARSE_NONET | XML_PARSE_NODICT);
  });
  if (g_init_error) return *g_init_error;
  return ok_status();
}

// ---- sign -------------------------------------------------------------------------------------

Result<xmlNode*> sign(xml::Document& doc, xmlNode* parent, const SignOptions& options,
                      const SignatureKey& key) {
  const std::string where = "xmlsec::sign";
  PARLEY_TRY(initialize());
  if (!doc || parent == nullptr || parent->doc != doc.get() || parent->type != XML_ELEMENT_NODE) {
    return Error(ErrorCode::kInvalidArgument, "parent must be an element of the document", where);
  }
  if (options.reference_ids.empty()) {
    return Error(ErrorCode::kInvalidArgument, "nothing to sign: no reference ids", where);
  }
  const SignatureAlgorithm& algorithm = algorithm_of(options.method);
  if (algorithm.hmac != key.is_hmac()) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(algorithm.name) + " needs " + (algorithm.hmac ? "an HMAC" : "an RSA") +
                     " key, but the key given is " + (key.is_hmac() ? "an HMAC key" : "an RSA key"),
                 where);
  }
  if (key.is_hmac() && key.hmac_key().empty()) {
    return Error(ErrorCode::kInvalidArgument, "empty HMAC key", where);
  }
  if (!key.is_hmac() && !key.rsa_key().has_private()) {
    return Error(ErrorCode::kInvalidArgument, "RSA signing needs a private key", where);
  }

  // Each reference must name exactly one element (the same rule verify() applies).
  std::vector<xmlNode*> referenced;
  for (const std::string& id : options.reference_ids) {
    if (xmlValidateNCName(to_xml_chars(id.c_str()), 0) != 0) {
      return Error(ErrorCode::kInvalidArgument, "reference id '" + id + "' is not an NCName",
                   where);
    }
    Result<xmlNode*> element = xml::find_by_id(doc, id);
    if (!element.ok()) return std::move(element.error().within(where));
    referenced.push_back(*element);
  }

  LibraryErrors errors;
  NodeGuard signature(xmlSecTmplSignatureCreate(doc.get(), xmlSecTransformExclC14NId,
                                                algorithm.transform(), nullptr));
  xmlNode* signature_node = signature.get();
  if (signature_node == nullptr) {
    return failure(ErrorCode::kCrypto, "cannot create the ds:Signature template", where, errors);
  }
  std::string prefix_list;
  for (const std::string& prefix : options.inclusive_prefixes) {
    prefix_list += (prefix_list.empty() ? "" : " ") + prefix;
  }
  for (std::size_t i = 0; i < referenced.size(); ++i) {
    const std::string uri = "#" + options.reference_ids[i];
    xmlNode* reference =
        xmlSecTmplSignatureAddReference(signature_node, digest_transform(options.digest), nullptr,
                                        to_xml_chars(uri.c_str()), nullptr);
    if (reference == nullptr) {
      return failure(ErrorCode::kCrypto, "cannot add Reference " + uri, where, errors);
    }
    // A signature inside the element it signs must leave itself out (XML-DSig 6.6.4).
    if (is_ancestor_or_self(referenced[i], parent) &&
        xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedId) == nullptr) {
      return failure(ErrorCode::kCrypto, "cannot add the enveloped-signature transform to " + uri,
                     where, errors);
    }
    xmlNode* c14n = xmlSecTmplReferenceAddTransform(reference, xmlSecTransformExclC14NId);
    if (c14n == nullptr) {
      return failure(ErrorCode::kCrypto, "cannot add the exc-c14n transform to " + uri, where,
                     errors);
    }
    if (!prefix_list.empty() &&
        xmlSecTmplTransformAddC14NInclNamespaces(c14n, to_xml_chars(prefix_list.c_str())) < 0) {
      return failure(ErrorCode::kCrypto, "cannot add InclusiveNamespaces to " + uri, where, errors);
    }
  }
  if (xmlAddChild(parent, signature_node) == nullptr) {
    return failure(ErrorCode::kInternal, "cannot add ds:Signature to its parent", where, errors);
  }
  for (std::size_t i = 0; i < referenced.size(); ++i) {
    PARLEY_TRY(register_id(doc, referenced[i], options.reference_ids[i], where));
  }

  PARLEY_ASSIGN_OR_RETURN(KeyPtr xmlsec_key, make_signature_key(key, where));
  std::unique_ptr<xmlSecDSigCtx, DSigCtxDeleter> ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return failure(ErrorCode::kCrypto, "xmlSecDSigCtxCreate failed", where, errors);
  ctx->signKey = xmlsec_key.release();  // owned by the context from here
  if (xmlSecDSigCtxSign(ctx.get(), signature_node) < 0 ||
      ctx->status != xmlSecDSigStatusSucceeded) {
    return failure(ErrorCode::kCrypto, "signing failed", where, errors);
  }
  if (options.key_info_content != nullptr) {
    xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature_node, nullptr);
    if (key_info == nullptr) {
      return failure(ErrorCode::kInternal, "cannot add ds:KeyInfo", where, errors);
    }
    PARLEY_TRY(add_key_info_content(doc, key_info, options.key_info_content, where));
  }
  return signature.release();
}

// ---- verify -----------------------------------------------------------------------------------

namespace {

struct CheckedReference {
  std::string uri;
  std::string id;
  xmlNode* element = nullptr;
};

// Everything verify() refuses before xmlsec runs: the structure of SignedInfo, the algorithms,
// HMAC truncation, and every Reference URI (same-document "#id", resolving to one element).
struct CheckedSignature {
  const SignatureAlgorithm* algorithm = nullptr;
  std::vector<CheckedReference> references;
};

bool is_c14n(std::string_view href) {
  return href == view(xmlSecHrefExcC14N) || href == view(xmlSecHrefC14N);
}

Result<CheckedSignature> check_signature(const xml::Document& doc, xmlNode* signature,
                                         const SignatureKey& key, const VerifyOptions& options,
                                         const std::string& where) {
  CheckedSignature checked;
  std::vector<xmlNode*> parts = xml::child_elements(signature);
  if (parts.empty() || !is_ds(parts[0], "SignedInfo")) {
    return Error(ErrorCode::kParse, "ds:Signature does not start with ds:SignedInfo", where);
  }
  if (parts.size() < 2 || !is_ds(parts[1], "SignatureValue")) {
    return Error(ErrorCode::kParse, "ds:SignedInfo is not followed by ds:SignatureValue", where);
  }
  std::vector<xmlNode*> info = xml::child_elements(parts[0]);
  if (info.empty() || !is_ds(info[0], "CanonicalizationMethod")) {
    return Error(ErrorCode::kParse, "ds:SignedInfo does not start with ds:CanonicalizationMethod",
                 where);
  }
  const std::string c14n = algorithm_of_node(info[0]);
  if (!is_c14n(c14n)) {
    return Error(ErrorCode::kUnsupported,
                 "CanonicalizationMethod '" + c14n +
                     "' is not supported (exclusive or inclusive C14N 1.0 only)",
                 where);
  }
  if (info.size() < 2 || !is_ds(info[1], "SignatureMethod")) {
    return Error(ErrorCode::kParse,
                 "ds:CanonicalizationMethod is not followed by ds:SignatureMethod", where);
  }
  const std::string method = algorithm_of_node(info[1]);
  checked.algorithm = algorithm_by_href(method);
  if (checked.algorithm == nullptr) {
    return Error(ErrorCode::kUnsupported, "SignatureMethod '" + method + "' is not supported",
                 where);
  }
  const SignatureAlgorithm& algorithm = *checked.algorithm;
  // Key confusion: the token chain decides the kind of key, never the message.
  if (algorithm.hmac != key.is_hmac()) {
    return Error(ErrorCode::kVerification,
                 std::string("the signature uses ") + algorithm.name +
                     " but the key resolved for it is " +
                     (key.is_hmac() ? "an HMAC key" : "an RSA key"),
                 where);
  }
  for (xmlNode* child : xml::child_elements(info[1])) {
    if (!is_ds(child, "HMACOutputLength")) {
      return Error(
          ErrorCode::kParse,
          "unexpected element <" + std::string(xml::local_name(child)) + "> in ds:SignatureMethod",
          where);
    }
    if (!algorithm.hmac) {
      return Error(ErrorCode::kParse, std::string("HMACOutputLength on ") + algorithm.name, where);
    }
    Result<std::size_t> bits = parse_bits(xml::text_content(child));
    if (!bits.ok()) return std::move(bits.error().within(where));
    // XML-DSig 6.3.1 / CVE-2009-0217: a truncated HMAC is forgeable; parley never accepts one.
    if (*bits != algorithm.output_bits &&
        !(options.allow_hmac_truncation && *bits < algorithm.output_bits)) {
      return Error(ErrorCode::kVerification,
                   "HMACOutputLength " + std::to_string(*bits) + " differs from the " +
                       std::to_string(algorithm.output_bits) + " bits of " + algorithm.name +
                       "; truncated HMACs are refused",
                   where);
    }
  }
  if (info.size() < 3) return Error(ErrorCode::kParse, "ds:SignedInfo has no ds:Reference", where);
  for (std::size_t i = 2; i < info.size(); ++i) {
    xmlNode* reference = info[i];
    if (!is_ds(reference, "Reference")) {
      return Error(
          ErrorCode::kParse,
          "unexpected element <" + std::string(xml::local_name(reference)) + "> in ds:SignedInfo",
          where);
    }
    const xml::AttributeValue uri = xml::attribute(reference, "", "URI");
    const std::string reference_where = where + ": Reference '" + uri.value + "'";
    if (!uri.found || uri.value.empty()) {
      return Error(ErrorCode::kUnsupported,
                   "a Reference without a URI (the whole document) is refused; only same-document "
                   "\"#id\" references are accepted",
                   where + ": Reference " + std::to_string(i - 1));
    }
    const std::string id = uri.value.substr(1);
    if (uri.value[0] != '#' || xmlValidateNCName(to_xml_chars(id.c_str()), 0) != 0) {
      return Error(
          ErrorCode::kUnsupported,
          "only same-document \"#id\" references are accepted (no external URIs, no XPointer)",
          reference_where);
    }
    bool have_digest = false;
    for (xmlNode* child : xml::child_elements(reference)) {
      if (is_ds(child, "Transforms")) {
        for (xmlNode* transform : xml::child_elements(child)) {
          const std::string href = algorithm_of_node(transform);
          if (!is_ds(transform, "Transform") ||
              !(is_c14n(href) || href == view(xmlSecHrefEnveloped))) {
            return Error(ErrorCode::kUnsupported,
                         "Transform '" + href +
                             "' is not supported (exc-c14n, c14n and enveloped-signature only)",
                         reference_where);
          }
        }
      } else if (is_ds(child, "DigestMethod")) {
        const std::string href = algorithm_of_node(child);
        if (href != view(xmlSecHrefSha1) && href != view(xmlSecHrefSha256)) {
          return Error(ErrorCode::kUnsupported,
                       "DigestMethod '" + href + "' is not supported (sha1, sha256 only)",
                       reference_where);
        }
        have_digest = true;
      }
    }
    if (!have_digest) {
      return Error(ErrorCode::kParse, "Reference has no ds:DigestMethod", reference_where);
    }
    // Every element carrying the id counts: two of them is the signature wrapping attack.
    std::vector<xmlNode*> elements = xml::find_all_by_id(doc, id);
    if (elements.empty()) {
      return Error(ErrorCode::kNotFound, "no element carries the referenced id", reference_where);
    }
    if (elements.size() > 1) {
      return Error(ErrorCode::kAmbiguous,
                   std::to_string(elements.size()) +
                       " elements carry the referenced id (signature wrapping: the digest and the "
                       "application could see different elements)",
                   reference_where);
    }
    checked.references.push_back({uri.value, id, elements.front()});
  }
  return checked;
}

}  // namespace

Result<Verification> verify(xml::Document& doc, xmlNode* signature, const SignatureKey& key,
                            const VerifyOptions& options) {
  std::string where = "xmlsec::verify";
  PARLEY_TRY(initialize());
  if (!doc || signature == nullptr || signature->doc != doc.get()) {
    return Error(ErrorCode::kInvalidArgument, "signature must be an element of the document",
                 where);
  }
  if (!is_ds(signature, "Signature")) {
    return Error(ErrorCode::kInvalidArgument,
                 "<" + std::string(xml::local_name(signature)) + "> is not a ds:Signature", where);
  }
  if (const xml::AttributeValue id = xml::attribute(signature, "", "Id"); id.found) {
    where += " ds:Signature Id='" + id.value + "'";
  }
  if (key.is_hmac() && key.hmac_key().empty()) {
    return Error(ErrorCode::kInvalidArgument, "empty HMAC key", where);
  }
  PARLEY_ASSIGN_OR_RETURN(CheckedSignature checked,
                          check_signature(doc, signature, key, options, where));
  for (const CheckedReference& reference : checked.references) {
    PARLEY_TRY(register_id(doc, reference.element, reference.id, where));
  }

  LibraryErrors errors;
  PARLEY_ASSIGN_OR_RETURN(KeyPtr xmlsec_key, make_signature_key(key, where));
  std::unique_ptr<xmlSecDSigCtx, DSigCtxDeleter> ctx(
      xmlSecDSigCtxCreate(nullptr));  // no keys manager
  if (!ctx) return failure(ErrorCode::kCrypto, "xmlSecDSigCtxCreate failed", where, errors);
  ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
  ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
  // The key comes from the caller: with signKey set and no keys manager, KeyInfo is never read.
  ctx->signKey = xmlsec_key.release();
  const bool enabled =
      xmlSecDSigCtxEnableSignatureTransform(ctx.get(), xmlSecTransformExclC14NId) >= 0 &&
      xmlSecDSigCtxEnableSignatureTransform(ctx.get(), xmlSecTransformInclC14NId) >= 0 &&
      xmlSecDSigCtxEnableSignatureTransform(ctx.get(), checked.algorithm->transform()) >= 0 &&
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformExclC14NId) >= 0 &&
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformInclC14NId) >= 0 &&
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformEnvelopedId) >= 0 &&
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformSha1Id) >= 0 &&
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformSha256Id) >= 0;
  if (!enabled) {
    return failure(ErrorCode::kCrypto, "cannot restrict xmlsec transforms", where, errors);
  }

  if (xmlSecDSigCtxVerify(ctx.get(), signature) < 0) {
    return failure(ErrorCode::kVerification, "the signature could not be processed", where, errors);
  }
  if (ctx->status != xmlSecDSigStatusSucceeded) {
    const xmlSecSize count = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
    for (xmlSecSize i = 0; i < count; ++i) {
      auto* reference =
          static_cast<xmlSecDSigReferenceCtx*>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
      if (reference != nullptr && reference->status != xmlSecDSigStatusSucceeded) {
        return Error(ErrorCode::kVerification,
                     "DigestValue does not match: the referenced element is not what was signed",
                     where + ": Reference '" + std::string(view(reference->uri)) + "'");
      }
    }
    return Error(ErrorCode::kVerification,
                 "SignatureValue does not match SignedInfo under the given key", where);
  }
  // Belt and braces: xmlsec processed exactly the references checked above, all of them verified.
  const xmlSecSize count = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
  if (count != checked.references.size()) {
    return Error(ErrorCode::kInternal, "xmlsec processed a different number of references", where);
  }
  Verification verification{checked.algorithm->method, {}};
  for (xmlSecSize i = 0; i < count; ++i) {
    auto* reference =
        static_cast<xmlSecDSigReferenceCtx*>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
    const CheckedReference& expected = checked.references[i];
    if (reference == nullptr || reference->status != xmlSecDSigStatusSucceeded ||
        view(reference->uri) != expected.uri) {
      return Error(ErrorCode::kInternal, "xmlsec reference list disagrees with SignedInfo", where);
    }
    verification.references.push_back({expected.uri, expected.element});
  }
  return verification;
}

// ---- encryption -------------------------------------------------------------------------------

namespace {

// encrypt_content / encrypt_element: `type` is xmlSecTypeEncContent or xmlSecTypeEncElement.
Result<xmlNode*> encrypt_node(xml::Document& doc, xmlNode* element, BlockCipher cipher, ByteView key,
                              xmlNode* key_info_content, const xmlChar* type, const std::string& where) {
  PARLEY_TRY(initialize());
  if (!doc || element == nullptr || element->doc != doc.get() ||
      element->type != XML_ELEMENT_NODE) {
    return Error(ErrorCode::kInvalidArgument, "element must be an element of the document", where);
  }
  const CipherAlgorithm& algorithm = cipher_of(cipher);
  if (key.size() != algorithm.key_bytes) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(algorithm.name) + " needs a " + std::to_string(algorithm.key_bytes) +
                     "-byte key, got " + std::to_string(key.size()),
                 where);
  }
  LibraryErrors errors;
  if (type == xmlSecTypeEncElement && (element->parent == nullptr || element->parent->type != XML_ELEMENT_NODE)) {
    return Error(ErrorCode::kInvalidArgument, "the element to encrypt must have a parent element", where);
  }
  NodeGuard encrypted(xmlSecTmplEncDataCreate(doc.get(), algorithm.transform(), nullptr, type,
                                              nullptr, nullptr));
  xmlNode* encrypted_node = encrypted.get();
  if (encrypted_node == nullptr || xmlSecTmplEncDataEnsureCipherValue(encrypted_node) == nullptr) {
    return failure(ErrorCode::kCrypto, "cannot create the xenc:EncryptedData template", where,
                   errors);
  }
  KeyPtr xmlsec_key = key_from_bytes(xmlSecKeyDataAesId, key);
  if (!xmlsec_key) return failure(ErrorCode::kCrypto, "cannot load the AES key", where, errors);
  std::unique_ptr<xmlSecEncCtx, EncCtxDeleter> ctx(xmlSecEncCtxCreate(nullptr));
  if (!ctx) return failure(ErrorCode::kCrypto, "xmlSecEncCtxCreate failed", where, errors);
  ctx->encKey = xmlsec_key.release();
  if (xmlSecEncCtxXmlEncrypt(ctx.get(), encrypted_node, element) < 0) {
    return failure(ErrorCode::kCrypto, "encryption failed", where, errors);
  }
  encrypted.release();  // now the content of `element` (or in its place)
  if (key_info_content != nullptr) {
    xmlNode* key_info = xmlSecTmplEncDataEnsureKeyInfo(encrypted_node, nullptr);
    if (key_info == nullptr) {
      return failure(ErrorCode::kInternal, "cannot add ds:KeyInfo", where, errors);
    }
    PARLEY_TRY(add_key_info_content(doc, key_info, key_info_content, where));
  }
  return encrypted_node;
}

}  // namespace

Result<xmlNode*> encrypt_content(xml::Document& doc, xmlNode* element, BlockCipher cipher,
                                 ByteView key, xmlNode* key_info_content) {
  return encrypt_node(doc, element, cipher, key, key_info_content, xmlSecTypeEncContent,
                      "xmlsec::encrypt_content");
}

Result<xmlNode*> encrypt_element(xml::Document& doc, xmlNode* element, BlockCipher cipher,
                                 ByteView key, xmlNode* key_info_content) {
  return encrypt_node(doc, element, cipher, key, key_info_content, xmlSecTypeEncElement,
                      "xmlsec::encrypt_element");
}

namespace {

// Refuses what decrypt() and decrypt_key() never process: a CipherReference (it would make
// xmlsec fetch a URI) and an EncryptionMethod other than `expected`.
Status check_encrypted(xmlNode* node, std::string_view element_name,
                       const std::vector<std::string_view>& allowed, std::string* algorithm,
                       const std::string& where) {
  if (!is_xenc(node, element_name)) {
    return Error(
        ErrorCode::kInvalidArgument,
        "<" + std::string(xml::local_name(node)) + "> is not an xenc:" + std::string(element_name),
        where);
  }
  xmlNode* method = nullptr;
  xmlNode* cipher_data = nullptr;
  for (xmlNode* child : xml::child_elements(node)) {
    if (is_xenc(child, "EncryptionMethod")) method = child;
    if (is_xenc(child, "CipherData")) cipher_data = child;
  }
  if (method == nullptr) return Error(ErrorCode::kParse, "no xenc:EncryptionMethod", where);
  *algorithm = algorithm_of_node(method);
  bool known = false;
  for (std::string_view href : allowed) known = known || href == *algorithm;
  if (!known) {
    return Error(ErrorCode::kUnsupported, "EncryptionMethod '" + *algorithm + "' is not supported",
                 where);
  }
  if (cipher_data == nullptr) return Error(ErrorCode::kParse, "no xenc:CipherData", where);
  std::vector<xmlNode*> cipher = xml::child_elements(cipher_data);
  if (cipher.size() != 1 || !is_xenc(cipher[0], "CipherValue")) {
    return Error(ErrorCode::kUnsupported,
                 "xenc:CipherData must hold one xenc:CipherValue (no CipherReference)", where);
  }
  return ok_status();
}

}  // namespace

Result<xmlNode*> decrypt(xml::Document& doc, xmlNode* encrypted_data, ByteView key) {
  const std::string where = "xmlsec::decrypt";
  PARLEY_TRY(initialize());
  if (!doc || encrypted_data == nullptr || encrypted_data->doc != doc.get() ||
      encrypted_data->parent == nullptr) {
    return Error(ErrorCode::kInvalidArgument, "encrypted_data must be an element of the document",
                 where);
  }
  std::vector<std::string_view> allowed;
  for (const CipherAlgorithm& c : cipher_algorithms()) allowed.push_back(view(c.href));
  std::string href;
  PARLEY_TRY(check_encrypted(encrypted_data, "EncryptedData", allowed, &href, where));
  const CipherAlgorithm* algorithm = nullptr;
  for (const CipherAlgorithm& c : cipher_algorithms()) {
    if (view(c.href) == href) algorithm = &c;
  }
  if (key.size() != algorithm->key_bytes) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(algorithm->name) + " needs a " + std::to_string(algorithm->key_bytes) +
                     "-byte key, got " + std::to_string(key.size()),
                 where);
  }
  const std::string type = xml::attribute(encrypted_data, "", "Type").value;
  if (type != view(xmlSecTypeEncContent) && type != view(xmlSecTypeEncElement)) {
    return Error(ErrorCode::kUnsupported,
                 "EncryptedData Type '" + type + "' is not Content or Element", where);
  }

  LibraryErrors errors;
  KeyPtr xmlsec_key = key_from_bytes(xmlSecKeyDataAesId, key);
  if (!xmlsec_key) return failure(ErrorCode::kCrypto, "cannot load the AES key", where, errors);
  std::unique_ptr<xmlSecEncCtx, EncCtxDeleter> ctx(xmlSecEncCtxCreate(nullptr));  // no keys manager
  if (!ctx) return failure(ErrorCode::kCrypto, "xmlSecEncCtxCreate failed", where, errors);
  ctx->encKey = xmlsec_key.release();
  ctx->transformCtx.enabledUris = xmlSecTransformUriTypeNone;
  // xmlsec keeps transform klasses in its lists as void* (as xmlSecDSigCtxEnable*Transform does).
  if (xmlSecPtrListAdd(&ctx->transformCtx.enabledTransforms,
                       const_cast<void*>(static_cast<const void*>(algorithm->transform()))) < 0) {
    return failure(ErrorCode::kCrypto, "cannot restrict xmlsec transforms", where, errors);
  }
  // The decrypted nodes take the place of the EncryptedData: remember where that is.
  xmlNode* parent = encrypted_data->parent;
  xmlNode* previous = encrypted_data->prev;
  if (xmlSecEncCtxDecrypt(ctx.get(), encrypted_data) < 0 || ctx->result == nullptr) {
    return failure(ErrorCode::kCrypto, "decryption failed", where, errors);
  }
  // nullptr when the decrypted content is empty.
  return previous != nullptr ? previous->next : parent->children;
}

Result<xmlNode*> encrypt_key(xml::Document& doc, xmlNode* parent, ByteView symmetric_key,
                             const crypto::RsaKey& recipient, xmlNode* key_info_content) {
  const std::string where = "xmlsec::encrypt_key";
  PARLEY_TRY(initialize());
  if (!doc || parent == nullptr || parent->doc != doc.get() || parent->type != XML_ELEMENT_NODE) {
    return Error(ErrorCode::kInvalidArgument, "parent must be an element of the document", where);
  }
  if (symmetric_key.empty()) {
    return Error(ErrorCode::kInvalidArgument, "empty key to encrypt", where);
  }
  LibraryErrors errors;
  // An EncryptedKey has EncryptedData's shape (XML-Enc 3.5.1); xmlsec's template builder makes
  // the latter, so it is renamed.
  NodeGuard encrypted(xmlSecTmplEncDataCreate(doc.get(), xmlSecTransformRsaOaepId, nullptr, nullptr,
                                              nullptr, nullptr));
  xmlNode* encrypted_node = encrypted.get();
  if (encrypted_node == nullptr || xmlSecTmplEncDataEnsureCipherValue(encrypted_node) == nullptr) {
    return failure(ErrorCode::kCrypto, "cannot create the xenc:EncryptedKey template", where,
                   errors);
  }
  xmlNodeSetName(encrypted_node, xmlSecNodeEncryptedKey);
  // rsa-oaep-mgf1p with SHA-1 stated explicitly, as WCF writes it.
  xmlNode* method = xmlSecTmplEncDataGetEncMethodNode(encrypted_node);
  xmlNode* digest =
      method != nullptr ? xmlNewChild(method, nullptr, xmlSecNodeDigestMethod, nullptr) : nullptr;
  if (digest == nullptr) {
    return failure(ErrorCode::kInternal, "cannot add ds:DigestMethod", where, errors);
  }
  xmlSetNs(digest, xmlNewNs(digest, xmlSecDSigNs, nullptr));
  xmlSetProp(digest, xmlSecAttrAlgorithm, xmlSecHrefSha1);
  if (xmlAddChild(parent, encrypted_node) == nullptr) {
    return failure(ErrorCode::kInternal, "cannot add xenc:EncryptedKey to its parent", where,
                   errors);
  }

  KeyPtr xmlsec_key = key_from_rsa(recipient);
  if (!xmlsec_key) {
    return failure(ErrorCode::kCrypto, "cannot load the recipient's RSA key", where, errors);
  }
  std::unique_ptr<xmlSecEncCtx, EncCtxDeleter> ctx(xmlSecEncCtxCreate(nullptr));
  if (!ctx) return failure(ErrorCode::kCrypto, "xmlSecEncCtxCreate failed", where, errors);
  ctx->mode = xmlEncCtxModeEncryptedKey;
  ctx->encKey = xmlsec_key.release();
  if (xmlSecEncCtxBinaryEncrypt(ctx.get(), encrypted_node, symmetric_key.data(),
                                static_cast<xmlSecSize>(symmetric_key.size())) < 0) {
    return failure(ErrorCode::kCrypto, "RSA-OAEP encryption failed", where, errors);
  }
  if (key_info_content != nullptr) {
    xmlNode* key_info = xmlSecTmplEncDataEnsureKeyInfo(encrypted_node, nullptr);
    if (key_info == nullptr) {
      return failure(ErrorCode::kInternal, "cannot add ds:KeyInfo", where, errors);
    }
    PARLEY_TRY(add_key_info_content(doc, key_info, key_info_content, where));
  }
  return encrypted.release();
}

Result<Bytes> decrypt_key(xml::Document& doc, xmlNode* encrypted_key,
                          const crypto::RsaKey& private_key) {
  const std::string where = "xmlsec::decrypt_key";
  PARLEY_TRY(initialize());
  if (!doc || encrypted_key == nullptr || encrypted_key->doc != doc.get()) {
    return Error(ErrorCode::kInvalidArgument, "encrypted_key must be an element of the document",
                 where);
  }
  std::string href;
  PARLEY_TRY(
      check_encrypted(encrypted_key, "EncryptedKey", {view(xmlSecHrefRsaOaep)}, &href, where));
  if (!private_key.has_private()) {
    return Error(ErrorCode::kInvalidArgument, "decrypting an EncryptedKey needs the private key",
                 where);
  }
  LibraryErrors errors;
  KeyPtr xmlsec_key = key_from_rsa(private_key);
  if (!xmlsec_key) {
    return failure(ErrorCode::kCrypto, "cannot load the RSA private key", where, errors);
  }
  std::unique_ptr<xmlSecEncCtx, EncCtxDeleter> ctx(xmlSecEncCtxCreate(nullptr));  // no keys manager
  if (!ctx) return failure(ErrorCode::kCrypto, "xmlSecEncCtxCreate failed", where, errors);
  ctx->mode = xmlEncCtxModeEncryptedKey;
  ctx->encKey = xmlsec_key.release();
  ctx->transformCtx.enabledUris = xmlSecTransformUriTypeNone;
  xmlSecBufferPtr buffer = xmlSecEncCtxDecryptToBuffer(ctx.get(), encrypted_key);
  if (buffer == nullptr) {
    return failure(ErrorCode::kCrypto, "RSA-OAEP decryption failed", where, errors);
  }
  const xmlSecByte* data = xmlSecBufferGetData(buffer);
  return Bytes(data, data + xmlSecBufferGetSize(buffer));
}

}  // namespace parley::xmlsec
