#include "harness/oracle/cert_bootstrap.h"

#include <algorithm>
#include <map>

#include "harness/core/crypto.h"
#include "harness/wssc/envelope.h"
#include "harness/wssc/security.h"

namespace parley::oracle::certs {
namespace {

namespace ns = names::ns;
using names::WssFault;
using wssc::SecurityTokenReference;

Error wss(WssFault f, std::string where, std::string what, std::string requirement = {}) {
  Error e(ErrorCode::kVerification, std::move(what), std::move(where));
  e.with_fault(wssc::clark(names::wss_fault(f)));
  if (!requirement.empty()) e.cite(std::move(requirement));
  return e;
}

// Keeps the parser's message and requirement, adds the fault.
Error as_fault(Error e, WssFault f) {
  if (e.fault().empty()) e.with_fault(wssc::clark(names::wss_fault(f)));
  return e;
}

xmlsec::BlockCipher cipher_for(std::size_t key_bytes) {
  if (key_bytes == 16) return xmlsec::BlockCipher::kAes128Cbc;
  if (key_bytes == 24) return xmlsec::BlockCipher::kAes192Cbc;
  return xmlsec::BlockCipher::kAes256Cbc;
}

// An STR built in a scratch document (xmlsec copies KeyInfo content).
struct ScratchStr {
  xml::Document doc = xml::new_document("urn:parley:scratch", "p", "KeyInfo");
  xmlNode* str = nullptr;
  explicit ScratchStr(const SecurityTokenReference& ref) { str = wssc::append_str(doc.root(), ref); }
};

SecurityTokenReference thumbprint_reference(const x509::Certificate& cert) {
  SecurityTokenReference r;
  r.form = SecurityTokenReference::Form::kKeyIdentifier;
  r.value_type = std::string(names::wss::kThumbprintSha1);
  r.encoding_type = std::string(names::wss::kBase64Binary);
  r.key_identifier = base64_encode(cert.thumbprint_sha1());
  return r;
}

// How a DKT names the EncryptedKey it derives from: by #Id in the request (the key's sender),
// by EncryptedKeySHA1 in the response (WSS 1.1 s.7.3; WCF's EncryptedKeyHashIdentifierClause).
SecurityTokenReference encrypted_key_by_id(const std::string& id) {
  SecurityTokenReference r = SecurityTokenReference::to_id(id, "");
  r.token_type = std::string(names::wss::kEncryptedKey);
  return r;
}
SecurityTokenReference encrypted_key_by_sha1(const std::string& sha1) {
  SecurityTokenReference r;
  r.form = SecurityTokenReference::Form::kKeyIdentifier;
  r.token_type = std::string(names::wss::kEncryptedKey);
  r.value_type = std::string(names::wss::kEncryptedKeySha1);
  r.encoding_type = std::string(names::wss::kBase64Binary);
  r.key_identifier = sha1;
  return r;
}

// SHA-1 over the wrapped key octets (the decoded CipherValue), base64.
Result<std::string> wrapped_key_sha1(xmlNode* encrypted_key) {
  for (xmlNode* c : xml::child_elements(encrypted_key)) {
    if (!xml::is_element(c, ns::kXenc, "CipherData")) continue;
    for (xmlNode* v : xml::child_elements(c)) {
      if (!xml::is_element(v, ns::kXenc, "CipherValue")) continue;
      PARLEY_ASSIGN_OR_RETURN(Bytes wrapped, base64_decode(xml::text_content(v)));
      PARLEY_ASSIGN_OR_RETURN(Bytes digest, crypto::sha1(wrapped));
      return base64_encode(digest);
    }
  }
  return Error(ErrorCode::kParse, "no xenc:CipherData/xenc:CipherValue", "xenc:EncryptedKey");
}

struct Derived {
  wssc::DerivedKeyToken token;
  Bytes key;
};

Result<Derived> make_dkt(xmlNode* security, const Suite& suite, const SecurityTokenReference& source,
                         ByteView secret, std::uint64_t length) {
  Derived d;
  d.token.version = suite.sc;
  d.token.wsu_id = wssc::new_wsu_id();
  d.token.str = source;
  if (length != 32) {  // WCF writes Offset 0 before a non-default Length (wire facts A)
    d.token.offset = 0;
    d.token.length = length;
  }
  PARLEY_ASSIGN_OR_RETURN(d.token.nonce, crypto::random_bytes(16));
  PARLEY_ASSIGN_OR_RETURN(d.key, d.token.derive(secret));
  wssc::append_dkt(security, d.token);
  return d;
}

SecurityTokenReference to_dkt(const Derived& d, names::ScVersion v) {
  return SecurityTokenReference::to_id(d.token.wsu_id, names::sc(v).dk_token_type);
}

// <xenc:ReferenceList> with one DataReference per id, as the last child of `parent`, or before
// `before` when given.
void add_reference_list(xml::Document& doc, xmlNode* parent, const std::vector<std::string>& ids,
                        xmlNode* before = nullptr) {
  xmlNode* list = xmlNewDocNode(doc.get(), nullptr, xml::to_xml_chars("ReferenceList"), nullptr);
  if (before != nullptr) {
    xmlAddPrevSibling(before, list);
  } else {
    xmlAddChild(parent, list);
  }
  xmlSetNs(list, xmlNewNs(list, xml::to_xml_chars(std::string(ns::kXenc).c_str()),
                          xml::to_xml_chars(std::string(wssc::prefix::kXenc).c_str())));
  for (const std::string& id : ids) {
    xmlNode* ref = xml::add_element(list, ns::kXenc, wssc::prefix::kXenc, "DataReference");
    xml::set_attribute(ref, "", "", "URI", "#" + id);
  }
}

// Timestamp first, the Body's id; returns the ids to sign.
std::vector<std::string> start_header(xml::Document& doc, xmlNode* security, const Suite& suite,
                                      const std::vector<std::string>& extra, Clock::time_point now, bool sign_body) {
  wssc::Timestamp ts = wssc::make_timestamp(now, suite.timestamp_validity);
  wssc::append_timestamp(security, ts);
  std::vector<std::string> ids = {ts.wsu_id};
  xmlNode* body = wssc::envelope_body(doc);
  if (wssc::wsu_id(body).empty()) wssc::set_wsu_id(body, "_1");
  if (sign_body) ids.push_back(wssc::wsu_id(body));
  ids.insert(ids.end(), extra.begin(), extra.end());
  return ids;
}

Result<std::string> sign_with(xml::Document& doc, xmlNode* security, xmlsec::SignatureMethod method,
                              const Suite& suite, const std::vector<std::string>& ids,
                              const SecurityTokenReference& key_info, const xmlsec::SignatureKey& key) {
  xmlsec::SignOptions o;
  o.method = method;
  o.digest = suite.digest;
  o.reference_ids = ids;
  ScratchStr ki(key_info);
  o.key_info_content = ki.str;
  PARLEY_ASSIGN_OR_RETURN(xmlNode * signature, xmlsec::sign(doc, security, o, key));
  const std::string id = wssc::new_wsu_id();
  xml::set_attribute(signature, "", "", "Id", id);
  return id;
}

// Encrypts the Body's content under `key`; returns the EncryptedData's Id.
Result<std::string> encrypt_body(xml::Document& doc, ByteView key, const SecurityTokenReference* key_info) {
  std::optional<ScratchStr> ki;
  if (key_info != nullptr) ki.emplace(*key_info);
  PARLEY_ASSIGN_OR_RETURN(xmlNode * encrypted, xmlsec::encrypt_content(doc, wssc::envelope_body(doc), cipher_for(key.size()),
                                                                      key, ki ? ki->str : nullptr));
  const std::string id = wssc::new_wsu_id();
  xml::set_attribute(encrypted, "", "", "Id", id);
  return id;
}

// The asymmetric half shared by the client's request and the service's response in kMutual:
// a fresh key wrapped for `recipient`, the signature with `signer`, the Body encrypted, and the
// ReferenceList inside the EncryptedKey (as WCF writes asymmetric messages).
Status secure_asymmetric(xml::Document& doc, xmlNode* security, const Suite& suite, const std::vector<std::string>& ids,
                         const x509::Certificate& recipient, const crypto::RsaKey& signer,
                         const SecurityTokenReference& signer_ref, bool encrypt) {
  PARLEY_ASSIGN_OR_RETURN(crypto::RsaKey recipient_key, recipient.public_key());
  PARLEY_ASSIGN_OR_RETURN(Bytes key, crypto::random_bytes(suite.encryption_key_length));
  xmlNode* encrypted_key = nullptr;
  if (encrypt) {
    ScratchStr ki(thumbprint_reference(recipient));
    PARLEY_ASSIGN_OR_RETURN(encrypted_key, xmlsec::encrypt_key(doc, security, key, recipient_key, ki.str));
    xml::set_attribute(encrypted_key, "", "", "Id", wssc::new_wsu_id());
  }
  PARLEY_TRY(sign_with(doc, security, suite.asymmetric_signature(), suite, ids, signer_ref,
                       xmlsec::SignatureKey::rsa(signer)));
  if (encrypt) {
    PARLEY_ASSIGN_OR_RETURN(std::string data_id, encrypt_body(doc, key, nullptr));
    add_reference_list(doc, encrypted_key, {data_id});
  }
  return ok_status();
}

// The symmetric half (kAnonymous / kUsername, both directions): signing and encryption DKTs
// from `secret`, the signature, the Body (and `encrypt_too`, e.g. the UsernameToken) encrypted,
// the ReferenceList before the Signature (a receiver decrypts, then verifies).
Status secure_symmetric(xml::Document& doc, xmlNode* security, const Suite& suite, const std::vector<std::string>& ids,
                        ByteView secret, const SecurityTokenReference& source, xmlNode* encrypt_too, bool encrypt) {
  PARLEY_ASSIGN_OR_RETURN(Derived sig, make_dkt(security, suite, source, secret, suite.signature_key_length));
  PARLEY_ASSIGN_OR_RETURN(Derived enc, make_dkt(security, suite, source, secret, suite.encryption_key_length));
  if (encrypt_too != nullptr) {  // keep the element after the DKTs that key it (WSS-5-02)
    xmlUnlinkNode(encrypt_too);
    xmlAddChild(security, encrypt_too);
  }
  PARLEY_ASSIGN_OR_RETURN(std::string signature_id,
                          sign_with(doc, security, suite.symmetric_signature, suite, ids, to_dkt(sig, suite.sc),
                                    xmlsec::SignatureKey::hmac(sig.key)));
  (void)signature_id;
  std::vector<std::string> encrypted_ids;
  const SecurityTokenReference enc_ref = to_dkt(enc, suite.sc);
  if (encrypt) {
    PARLEY_ASSIGN_OR_RETURN(std::string body_id, encrypt_body(doc, enc.key, &enc_ref));
    encrypted_ids.push_back(body_id);
  }
  if (encrypt_too != nullptr) {
    ScratchStr ki(enc_ref);
    PARLEY_ASSIGN_OR_RETURN(xmlNode * ed, xmlsec::encrypt_element(doc, encrypt_too, cipher_for(enc.key.size()),
                                                                 enc.key, ki.str));
    const std::string id = wssc::new_wsu_id();
    xml::set_attribute(ed, "", "", "Id", id);
    encrypted_ids.push_back(id);
  }
  if (!encrypted_ids.empty()) {
    xmlNode* signature = nullptr;
    for (xmlNode* c : xml::child_elements(security)) {
      if (xml::is_element(c, ns::kDs, "Signature")) signature = c;
    }
    add_reference_list(doc, security, encrypted_ids, signature);
  }
  return ok_status();
}

// ---- reading ------------------------------------------------------------------------------------

// What a receiver accepts in one direction.
struct ReadRules {
  Mode mode = Mode::kMutual;
  // EncryptedKeys addressed to these credentials are unwrapped; others are refused.
  const x509::Credentials* recipient = nullptr;
  // kMutual requests: the signing certificate is a BinarySecurityToken that must chain here.
  const x509::TrustStore* trust = nullptr;
  // kMutual responses: the signing certificate, referenced by ThumbprintSHA1.
  const x509::Certificate* known_signer = nullptr;
  // Symmetric responses: the EncryptedKey the DKTs reference by EncryptedKeySHA1.
  std::optional<std::pair<std::string, Bytes>> known_encrypted_key;
  const char* direction = "request";
};

struct ReadResult {
  xmlNode* body_child = nullptr;
  bool body_was_encrypted = false;
  std::optional<wssc::UsernameToken> username_token;
  bool username_token_encrypted = false;
  bool username_token_signed = false;
  std::optional<x509::Certificate> signer;
  Bytes encrypted_key;
  std::string encrypted_key_sha1;
  std::string signature_value;  // the verified signature's SignatureValue text
};

class Reader {
 public:
  Reader(xml::Document& doc, const Suite& suite, const ReadPolicy& policy, const ReadRules& rules)
      : doc_(doc), suite_(suite), policy_(policy), rules_(rules) {}

  Result<ReadResult> read();

 private:
  Status timestamp(xmlNode* item);
  Status binary_security_token(xmlNode* item);
  Status encrypted_key(xmlNode* item);
  Status derived_key(xmlNode* item);
  Status reference_list(xmlNode* list, const std::optional<Bytes>& direct_key);
  Status signature(xmlNode* item);
  Result<Bytes> symmetric_key_for(const SecurityTokenReference& str, const std::string& where);
  Result<x509::Certificate> certificate_for(const SecurityTokenReference& str);
  bool symmetric() const { return rules_.mode != Mode::kMutual; }

  xml::Document& doc_;
  const Suite& suite_;
  const ReadPolicy& policy_;
  const ReadRules& rules_;
  wssc::EnvelopeView view_;
  ReadResult out_;
  xmlNode* timestamp_ = nullptr;
  xmlNode* signature_ = nullptr;
  std::string encrypted_key_id_;
  std::map<std::string, x509::Certificate> bsts_;  // by wsu:Id
  std::map<std::string, Bytes> dkts_;               // derived keys by wsu:Id
};

Status Reader::timestamp(xmlNode* item) {
  if (timestamp_ != nullptr) return wss(WssFault::kInvalidSecurity, "wsse:Security", "more than one wsu:Timestamp", "WSS-10-01");
  auto ts = wssc::parse_timestamp(item);
  if (!ts.ok()) return as_fault(ts.error(), WssFault::kInvalidSecurity);
  if (!ts->created.empty() && *wssc::parse_utc(ts->created) > policy_.now + policy_.max_clock_skew) {
    return wss(WssFault::kMessageExpired, "wsu:Timestamp", "wsu:Created " + ts->created + " is in the future", "WSS-10-03");
  }
  if (!ts->expires.empty() && *wssc::parse_utc(ts->expires) + policy_.max_clock_skew < policy_.now) {
    return wss(WssFault::kMessageExpired, "wsu:Timestamp", "the message expired at " + ts->expires, "WSS-10-03");
  }
  timestamp_ = item;
  return ok_status();
}

Status Reader::binary_security_token(xmlNode* item) {
  auto bst = wssc::parse_bst(item);
  if (!bst.ok()) return as_fault(bst.error(), WssFault::kInvalidSecurityToken);
  if (bst->value_type != names::wss::kX509v3) {
    return wss(WssFault::kUnsupportedSecurityToken, "wsse:BinarySecurityToken",
               "ValueType '" + bst->value_type + "' (only X509v3 certificates are accepted)", "WSS-7-03");
  }
  auto cert = x509::Certificate::from_der(bst->value);
  if (!cert.ok()) return as_fault(Error(cert.error()).within("wsse:BinarySecurityToken"), WssFault::kInvalidSecurityToken);
  if (bst->wsu_id.empty()) return wss(WssFault::kInvalidSecurityToken, "wsse:BinarySecurityToken", "no wsu:Id");
  bsts_.emplace(bst->wsu_id, std::move(*cert));
  return ok_status();
}

Status Reader::encrypted_key(xmlNode* item) {
  const std::string where = "xenc:EncryptedKey";
  if (rules_.recipient == nullptr) {
    return wss(WssFault::kUnsupportedSecurityToken, where, "an xenc:EncryptedKey is not expected in this " +
                                                               std::string(rules_.direction));
  }
  if (!encrypted_key_id_.empty() || !out_.encrypted_key.empty()) {
    return wss(WssFault::kInvalidSecurity, where, "more than one xenc:EncryptedKey");
  }
  // Which certificate the key is for: a ThumbprintSHA1 KeyIdentifier, as WCF writes it.
  std::optional<SecurityTokenReference> str;
  xmlNode* references = nullptr;
  for (xmlNode* c : xml::child_elements(item)) {
    if (xml::is_element(c, ns::kDs, "KeyInfo")) {
      for (xmlNode* k : xml::child_elements(c)) {
        if (!xml::is_element(k, ns::kWsse, "SecurityTokenReference")) continue;
        auto parsed = wssc::parse_str(k);
        if (!parsed.ok()) return as_fault(parsed.error(), WssFault::kInvalidSecurityToken);
        str = std::move(*parsed);
      }
    } else if (xml::is_element(c, ns::kXenc, "ReferenceList")) {
      references = c;
    }
  }
  if (!str || str->form != SecurityTokenReference::Form::kKeyIdentifier ||
      str->value_type != names::wss::kThumbprintSha1) {
    return wss(WssFault::kSecurityTokenUnavailable, where + "/ds:KeyInfo",
               "the key's recipient must be named by a wsse:KeyIdentifier of ValueType ThumbprintSHA1");
  }
  const std::string mine = base64_encode(rules_.recipient->certificate.thumbprint_sha1());
  if (str->key_identifier != mine) {
    return wss(WssFault::kSecurityTokenUnavailable, where + "/ds:KeyInfo",
               "the key is wrapped for the certificate with thumbprint " + str->key_identifier + ", not for '" +
                   rules_.recipient->certificate.subject() + "' (" + mine + ")");
  }
  auto key = xmlsec::decrypt_key(doc_, item, rules_.recipient->private_key);
  if (!key.ok()) {
    const WssFault f = key.error().code() == ErrorCode::kUnsupported ? WssFault::kUnsupportedAlgorithm : WssFault::kFailedCheck;
    return as_fault(key.error(), f);
  }
  if (key->size() < 16) {
    return wss(WssFault::kInvalidSecurityToken, where, "the wrapped key has " + std::to_string(key->size()) +
                                                           " bytes; the algorithm suite needs at least 16");
  }
  out_.encrypted_key = *key;
  PARLEY_ASSIGN_OR_RETURN(out_.encrypted_key_sha1, wrapped_key_sha1(item));
  encrypted_key_id_ = xml::attribute(item, "", "Id").value;
  if (references != nullptr) PARLEY_TRY(reference_list(references, *key));
  return ok_status();
}

Result<Bytes> Reader::symmetric_key_for(const SecurityTokenReference& str, const std::string& where) {
  using Form = SecurityTokenReference::Form;
  if (str.form == Form::kReference) {
    auto id = str.local_id();
    if (!id) return wss(WssFault::kSecurityTokenUnavailable, where, "reference '" + str.uri + "' is not '#id'", "WSS-7-02");
    if (auto d = dkts_.find(*id); d != dkts_.end()) return d->second;
    if (!encrypted_key_id_.empty() && *id == encrypted_key_id_) return out_.encrypted_key;
    return wss(WssFault::kSecurityTokenUnavailable, where,
               "reference '#" + *id + "' names no token in the wsse:Security header (tokens precede their use)", "WSS-7-02");
  }
  if (str.form == Form::kKeyIdentifier && str.value_type == names::wss::kEncryptedKeySha1 && rules_.known_encrypted_key) {
    if (str.key_identifier != rules_.known_encrypted_key->first) {
      return wss(WssFault::kSecurityTokenUnavailable, where,
                 "EncryptedKeySHA1 '" + str.key_identifier + "' is not the key this client sent");
    }
    return rules_.known_encrypted_key->second;
  }
  return wss(WssFault::kSecurityTokenUnavailable, where,
             "unsupported key reference (ValueType '" + str.value_type + "')", "WSS-7-01");
}

Status Reader::derived_key(xmlNode* item) {
  if (!symmetric()) return wss(WssFault::kUnsupportedSecurityToken, "wsc:DerivedKeyToken", "derived keys are not used in this mode");
  if (dkts_.size() >= 4) return wss(WssFault::kInvalidSecurity, "wsse:Security", "more than 4 wsc:DerivedKeyToken elements", "SC-10-04");
  auto dkt = wssc::parse_dkt(item, policy_.dkt_limits);
  if (!dkt.ok()) {
    const bool algorithm = dkt.error().requirement() == "SC-7-04";
    return as_fault(dkt.error(), algorithm ? WssFault::kUnsupportedAlgorithm : WssFault::kInvalidSecurityToken);
  }
  if (!dkt->str) return wss(WssFault::kInvalidSecurityToken, "wsc:DerivedKeyToken", "no SecurityTokenReference to the source", "SC-7-11");
  // The source must be the EncryptedKey itself (SC-7-12), never another DKT here.
  const bool names_encrypted_key =
      (dkt->str->local_id() && *dkt->str->local_id() == encrypted_key_id_ && !encrypted_key_id_.empty()) ||
      dkt->str->value_type == names::wss::kEncryptedKeySha1;
  if (!names_encrypted_key) {
    return wss(WssFault::kSecurityTokenUnavailable, "wsc:DerivedKeyToken",
               "the derivation source must be this message's xenc:EncryptedKey", "SC-7-12");
  }
  PARLEY_ASSIGN_OR_RETURN(Bytes source, symmetric_key_for(*dkt->str, "wsc:DerivedKeyToken/wsse:SecurityTokenReference"));
  auto key = dkt->derive(source);
  if (!key.ok()) return as_fault(key.error(), WssFault::kInvalidSecurityToken);
  if (dkt->wsu_id.empty()) return wss(WssFault::kInvalidSecurityToken, "wsc:DerivedKeyToken", "no wsu:Id");
  dkts_[dkt->wsu_id] = std::move(*key);
  return ok_status();
}

Status Reader::reference_list(xmlNode* list, const std::optional<Bytes>& direct_key) {
  for (xmlNode* ref : xml::child_elements(list)) {
    if (!xml::is_element(ref, ns::kXenc, "DataReference")) continue;
    const std::string uri = xml::attribute(ref, "", "URI").value;
    if (uri.size() < 2 || uri[0] != '#') {
      return wss(WssFault::kInvalidSecurity, "xenc:ReferenceList", "DataReference URI '" + uri + "' is not '#id'", "WSS-9-01");
    }
    auto found = xml::find_all_by_id(doc_, uri.substr(1));
    if (found.size() != 1 || !xml::is_element(found[0], ns::kXenc, "EncryptedData")) {
      return wss(WssFault::kInvalidSecurity, "xenc:ReferenceList",
                 "DataReference '" + uri + "' does not resolve to exactly one xenc:EncryptedData", "WSS-9-01");
    }
    xmlNode* encrypted = found[0];
    Bytes key;
    if (direct_key) {
      key = *direct_key;
    } else {
      std::optional<SecurityTokenReference> str;
      for (xmlNode* c : xml::child_elements(encrypted)) {
        if (!xml::is_element(c, ns::kDs, "KeyInfo")) continue;
        for (xmlNode* k : xml::child_elements(c)) {
          if (!xml::is_element(k, ns::kWsse, "SecurityTokenReference")) continue;
          auto parsed = wssc::parse_str(k);
          if (!parsed.ok()) return as_fault(parsed.error(), WssFault::kInvalidSecurityToken);
          str = std::move(*parsed);
        }
      }
      if (!str) return wss(WssFault::kInvalidSecurity, "xenc:EncryptedData", "no ds:KeyInfo/wsse:SecurityTokenReference", "WSS-9-01");
      PARLEY_ASSIGN_OR_RETURN(key, symmetric_key_for(*str, "xenc:EncryptedData/ds:KeyInfo"));
    }
    xmlNode* parent = encrypted->parent;
    auto decrypted = xmlsec::decrypt(doc_, encrypted, key);
    if (!decrypted.ok()) return as_fault(decrypted.error(), WssFault::kFailedCheck);
    if (parent == view_.body) {
      out_.body_was_encrypted = true;
    } else if (*decrypted != nullptr && xml::is_element(*decrypted, ns::kWsse, "UsernameToken")) {
      out_.username_token_encrypted = true;
    }
  }
  return ok_status();
}

Result<x509::Certificate> Reader::certificate_for(const SecurityTokenReference& str) {
  const std::string where = "ds:Signature/ds:KeyInfo";
  if (rules_.known_signer != nullptr) {
    const std::string expected = base64_encode(rules_.known_signer->thumbprint_sha1());
    if (str.form != SecurityTokenReference::Form::kKeyIdentifier || str.value_type != names::wss::kThumbprintSha1 ||
        str.key_identifier != expected) {
      return wss(WssFault::kSecurityTokenUnavailable, where,
                 "the signature is not keyed by the configured certificate '" + rules_.known_signer->subject() + "'");
    }
    return *rules_.known_signer;
  }
  auto id = str.local_id();
  if (str.form != SecurityTokenReference::Form::kReference || !id) {
    return wss(WssFault::kSecurityTokenUnavailable, where,
               "the signing certificate must be a wsse:BinarySecurityToken referenced by '#id'", "WSS-7-01");
  }
  auto bst = bsts_.find(*id);
  if (bst == bsts_.end()) {
    return wss(WssFault::kSecurityTokenUnavailable, where, "reference '#" + *id + "' names no wsse:BinarySecurityToken",
               "WSS-7-02");
  }
  if (!str.value_type.empty() && str.value_type != names::wss::kX509v3) {
    return wss(WssFault::kInvalidSecurityToken, where, "reference with ValueType '" + str.value_type + "'", "WSS-7-03");
  }
  if (rules_.trust == nullptr) {
    return wss(WssFault::kFailedAuthentication, where, "no trusted CA is configured for client certificates");
  }
  Status trusted = rules_.trust->verify(bst->second, policy_.now);
  if (!trusted.ok()) {
    const bool validity = x509::TrustStore::is_validity_error(trusted.error());
    return as_fault(trusted.error(), validity ? WssFault::kInvalidSecurityToken : WssFault::kFailedAuthentication);
  }
  return bst->second;
}

Status Reader::signature(xmlNode* item) {
  if (signature_ != nullptr) return wss(WssFault::kInvalidSecurity, "ds:Signature", "more than one message signature");
  signature_ = item;
  std::optional<SecurityTokenReference> str;
  for (xmlNode* c : xml::child_elements(item)) {
    if (!xml::is_element(c, ns::kDs, "KeyInfo")) continue;
    for (xmlNode* k : xml::child_elements(c)) {
      if (!xml::is_element(k, ns::kWsse, "SecurityTokenReference")) {
        // KeyValue, KeyName, X509Data...: key material in the message is never trusted.
        return wss(WssFault::kSecurityTokenUnavailable, "ds:Signature/ds:KeyInfo",
                   "ds:KeyInfo holds <" + std::string(xml::local_name(k)) + ">: only a wsse:SecurityTokenReference is accepted");
      }
      auto parsed = wssc::parse_str(k);
      if (!parsed.ok()) return as_fault(parsed.error(), WssFault::kInvalidSecurityToken);
      str = std::move(*parsed);
    }
  }
  if (!str) return wss(WssFault::kInvalidSecurity, "ds:Signature", "no ds:KeyInfo/wsse:SecurityTokenReference");
  std::optional<xmlsec::SignatureKey> key;
  xmlsec::SignatureMethod expected;
  if (symmetric()) {
    PARLEY_ASSIGN_OR_RETURN(Bytes k, symmetric_key_for(*str, "ds:Signature/ds:KeyInfo"));
    if (!str->local_id() || dkts_.find(*str->local_id()) == dkts_.end()) {
      return wss(WssFault::kInvalidSecurity, "ds:Signature",
                 "the signature must be keyed by a wsc:DerivedKeyToken of this message");
    }
    key = xmlsec::SignatureKey::hmac(std::move(k));
    expected = suite_.symmetric_signature;
  } else {
    PARLEY_ASSIGN_OR_RETURN(x509::Certificate cert, certificate_for(*str));
    PARLEY_ASSIGN_OR_RETURN(crypto::RsaKey public_key, cert.public_key());
    key = xmlsec::SignatureKey::rsa(std::move(public_key));
    expected = suite_.asymmetric_signature();
    out_.signer = std::move(cert);
  }
  auto verified = xmlsec::verify(doc_, item, *key);
  if (!verified.ok()) {
    Error e = verified.error();
    const bool ambiguous = e.code() == ErrorCode::kAmbiguous;
    const bool unsupported = e.code() == ErrorCode::kUnsupported;
    e.with_fault(wssc::clark(names::wss_fault(ambiguous     ? WssFault::kInvalidSecurity
                                              : unsupported ? WssFault::kUnsupportedAlgorithm
                                                            : WssFault::kFailedCheck)));
    return e;
  }
  if (verified->method != expected) {
    return wss(WssFault::kUnsupportedAlgorithm, "ds:Signature/ds:SignedInfo/ds:SignatureMethod",
               "the signature method is not the algorithm suite's");
  }
  for (xmlNode* c : xml::child_elements(item)) {
    if (xml::is_element(c, ns::kDs, "SignatureValue")) out_.signature_value = xml::text_content(c);
  }
  // What the signature covered: this envelope's Body and Timestamp (catalog section 3:
  // signature wrapping), the addressing headers, and the UsernameToken.
  std::vector<const xmlNode*> covered;
  for (const auto& ref : verified->references) covered.push_back(ref.element);
  auto is_covered = [&](const xmlNode* n) { return std::find(covered.begin(), covered.end(), n) != covered.end(); };
  if (!is_covered(view_.body)) {
    return wss(WssFault::kInvalidSecurity, "ds:Signature", "the signature does not cover this envelope's soap:Body", "SC-10-01");
  }
  if (timestamp_ != nullptr && !is_covered(timestamp_)) {
    return wss(WssFault::kInvalidSecurity, "ds:Signature", "the wsu:Timestamp is not signed", "WSS-10-04");
  }
  if (view_.header != nullptr) {
    for (xmlNode* h : xml::child_elements(view_.header)) {
      const std::string_view hns = xml::namespace_uri(h);
      const bool wsa = hns == ns::kWsa10 || hns == ns::kWsa200408;
      const std::string_view name = xml::local_name(h);
      if (wsa && (name == "Action" || name == "To") && !is_covered(h)) {
        return wss(WssFault::kInvalidSecurity, "ds:Signature", "the wsa:" + std::string(name) + " header is not signed",
                   "SC-10-01");
      }
    }
  }
  for (const xmlNode* n : covered) {
    if (n != nullptr && xml::is_element(n, ns::kWsse, "UsernameToken")) out_.username_token_signed = true;
  }
  return ok_status();
}

Result<ReadResult> Reader::read() {
  auto view = wssc::parse_envelope(doc_);
  if (!view.ok()) return as_fault(view.error(), WssFault::kInvalidSecurity);
  view_ = *view;
  if (view_.security_headers.size() != 1) {
    return wss(WssFault::kInvalidSecurity, "soap:Header",
               std::to_string(view_.security_headers.size()) + " wsse:Security headers (exactly one is required)",
               view_.security_headers.empty() ? "SC-10-01" : "WSS-5-01");
  }
  xmlNode* security = view_.security_headers[0];
  for (xmlNode* item : xml::child_elements(security)) {
    if (xml::is_element(item, ns::kWsu, "Timestamp")) {
      PARLEY_TRY(timestamp(item));
    } else if (xml::is_element(item, ns::kWsse, "BinarySecurityToken")) {
      PARLEY_TRY(binary_security_token(item));
    } else if (xml::is_element(item, ns::kXenc, "EncryptedKey")) {
      PARLEY_TRY(encrypted_key(item));
    } else if (wssc::sc_version_of(item) && xml::local_name(item) == "DerivedKeyToken") {
      PARLEY_TRY(derived_key(item));
    } else if (xml::is_element(item, ns::kXenc, "ReferenceList")) {
      PARLEY_TRY(reference_list(item, std::nullopt));
    } else if (xml::is_element(item, ns::kDs, "Signature")) {
      PARLEY_TRY(signature(item));
    }
    // UsernameTokens are read after the walk (an encrypted one appears where its EncryptedData was).
  }
  if (timestamp_ == nullptr) return wss(WssFault::kInvalidSecurity, "wsse:Security", "no wsu:Timestamp", "WSS-10-04");
  if (signature_ == nullptr) return wss(WssFault::kInvalidSecurity, "wsse:Security", "no ds:Signature", "SC-10-01");
  for (xmlNode* item : xml::child_elements(security)) {
    if (!xml::is_element(item, ns::kWsse, "UsernameToken")) continue;
    if (out_.username_token) return wss(WssFault::kInvalidSecurity, "wsse:Security", "more than one wsse:UsernameToken");
    auto ut = wssc::parse_username_token(item);
    if (!ut.ok()) return as_fault(ut.error(), WssFault::kInvalidSecurityToken);
    out_.username_token = std::move(*ut);
  }
  auto children = xml::child_elements(view_.body);
  out_.body_child = children.empty() ? nullptr : children.front();
  return std::move(out_);
}

}  // namespace

xmlsec::SignatureMethod Suite::asymmetric_signature() const {
  return symmetric_signature == xmlsec::SignatureMethod::kHmacSha256 ? xmlsec::SignatureMethod::kRsaSha256
                                                                     : xmlsec::SignatureMethod::kRsaSha1;
}

Result<PendingRequest> secure_request(xml::Document& doc, Mode mode, const ClientCredentials& credentials,
                                      const Suite& suite, const std::vector<std::string>& signed_ids,
                                      Clock::time_point now, const RequestOptions& options) {
  const std::string where = "certificate bootstrap: request";
  if (!credentials.service) {
    return Error(ErrorCode::kInvalidArgument, "the service certificate is not configured (service_certificate_file)", where);
  }
  xmlNode* security = wssc::security_header(doc, true);
  if (security == nullptr || wssc::envelope_body(doc) == nullptr) {
    return Error(ErrorCode::kInvalidArgument, "the envelope needs a Header and a Body", where);
  }
  std::vector<std::string> ids = start_header(doc, security, suite, signed_ids, now, options.sign_body);
  PendingRequest pending;
  pending.mode = mode;
  PARLEY_ASSIGN_OR_RETURN(crypto::RsaKey service_key, credentials.service->public_key());
  if (mode == Mode::kMutual) {
    if (!credentials.own) {
      return Error(ErrorCode::kInvalidArgument,
                   "x509-mutual needs the client certificate and key (client_certificate_file, client_key_file)", where);
    }
    wssc::BinarySecurityToken bst;
    bst.wsu_id = wssc::new_wsu_id();
    bst.value_type = std::string(names::wss::kX509v3);
    bst.value = credentials.own->certificate.der();
    wssc::append_bst(security, bst);
    PARLEY_TRY(secure_asymmetric(doc, security, suite, ids, *credentials.service, credentials.own->private_key,
                                 SecurityTokenReference::to_id(bst.wsu_id, names::wss::kX509v3), options.encrypt_body));
    return pending;
  }
  PARLEY_ASSIGN_OR_RETURN(pending.key, crypto::random_bytes(suite.encryption_key_length));
  ScratchStr ki(thumbprint_reference(*credentials.service));
  PARLEY_ASSIGN_OR_RETURN(xmlNode * encrypted_key, xmlsec::encrypt_key(doc, security, pending.key, service_key, ki.str));
  const std::string ek_id = wssc::new_wsu_id();
  xml::set_attribute(encrypted_key, "", "", "Id", ek_id);
  PARLEY_ASSIGN_OR_RETURN(pending.encrypted_key_sha1, wrapped_key_sha1(encrypted_key));
  xmlNode* username = nullptr;
  if (mode == Mode::kUsername) {
    if (!credentials.username_token) {
      return Error(ErrorCode::kInvalidArgument, "username-for-certificate needs username and password", where);
    }
    username = wssc::append_username_token(security, *credentials.username_token);
    ids.push_back(wssc::wsu_id(username));
  }
  PARLEY_TRY(secure_symmetric(doc, security, suite, ids, pending.key, encrypted_key_by_id(ek_id), username,
                              options.encrypt_body));
  return pending;
}

Status open_response(xml::Document& doc, const PendingRequest& pending, const ClientCredentials& credentials,
                     const Suite& suite, const ReadPolicy& policy) {
  ReadRules rules;
  rules.mode = pending.mode;
  rules.direction = "response";
  if (pending.mode == Mode::kMutual) {
    if (!credentials.own || !credentials.service) {
      return Error(ErrorCode::kInvalidArgument, "x509-mutual needs the client and the service certificate",
                   "certificate bootstrap: response");
    }
    rules.recipient = &*credentials.own;
    rules.known_signer = &*credentials.service;
  } else {
    rules.known_encrypted_key = std::make_pair(pending.encrypted_key_sha1, pending.key);
  }
  Reader reader(doc, suite, policy, rules);
  auto read = reader.read();
  if (!read.ok()) return Error(read.error()).within("the service's response");
  return ok_status();
}

Result<OpenedRequest> open_request(xml::Document& doc, Mode mode, const ServiceCredentials& credentials,
                                   const Suite& suite, const ReadPolicy& policy) {
  if (!credentials.own) {
    return Error(ErrorCode::kInternal, "the service has no message-security certificate", "certificate bootstrap");
  }
  ReadRules rules;
  rules.mode = mode;
  rules.recipient = &*credentials.own;
  if (credentials.client_cas) rules.trust = &*credentials.client_cas;
  Reader reader(doc, suite, policy, rules);
  PARLEY_ASSIGN_OR_RETURN(ReadResult read, reader.read());
  OpenedRequest out;
  out.mode = mode;
  out.body_child = read.body_child;
  out.body_was_encrypted = read.body_was_encrypted;
  out.username_token = read.username_token;
  out.username_token_encrypted = read.username_token_encrypted;
  out.signature_value = read.signature_value;
  switch (mode) {
    case Mode::kMutual:
      out.client_certificate = read.signer;
      out.principal = read.signer ? read.signer->subject() : std::string();
      break;
    case Mode::kAnonymous:
    case Mode::kUsername:
      if (read.encrypted_key.empty()) {
        return wss(WssFault::kInvalidSecurity, "wsse:Security", "no xenc:EncryptedKey for the service certificate");
      }
      out.principal = mode == Mode::kAnonymous ? "anonymous" : "";
      out.key = read.encrypted_key;
      out.encrypted_key_sha1 = read.encrypted_key_sha1;
      break;
  }
  if (mode == Mode::kUsername) {
    if (!read.username_token) {
      return wss(WssFault::kFailedAuthentication, "wsse:UsernameToken", "no wsse:UsernameToken");
    }
    if (!read.username_token_signed) {
      return wss(WssFault::kInvalidSecurity, "ds:Signature", "the wsse:UsernameToken is not signed");
    }
  }
  return out;
}

Status secure_response(xml::Document& doc, const OpenedRequest& request, const ServiceCredentials& credentials,
                       const Suite& suite, const std::vector<std::string>& signed_ids, Clock::time_point now) {
  const std::string where = "certificate bootstrap: response";
  if (!credentials.own) return Error(ErrorCode::kInternal, "no service certificate", where);
  xmlNode* security = wssc::security_header(doc, true);
  if (security == nullptr) return Error(ErrorCode::kInvalidArgument, "the envelope has no Header", where);
  std::vector<std::string> ids = start_header(doc, security, suite, signed_ids, now, true);
  if (request.mode == Mode::kMutual) {
    if (!request.client_certificate) return Error(ErrorCode::kInternal, "no client certificate to answer to", where);
    return secure_asymmetric(doc, security, suite, ids, *request.client_certificate, credentials.own->private_key,
                             thumbprint_reference(credentials.own->certificate), true);
  }
  return secure_symmetric(doc, security, suite, ids, request.key, encrypted_key_by_sha1(request.encrypted_key_sha1),
                          nullptr, true);
}

}  // namespace parley::oracle::certs
