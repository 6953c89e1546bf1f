#include "harness/wssc/security.h"

#include <algorithm>
#include <map>

#include "harness/core/crypto.h"

namespace parley::wssc {
namespace {

namespace ns = names::ns;
using names::ScFault;
using names::WssFault;

Error reject(const QName& fault, std::string where, std::string what, std::string requirement = {}) {
  Error e(ErrorCode::kVerification, std::move(what), std::move(where));
  e.with_fault(clark(fault));
  if (!requirement.empty()) e.cite(std::move(requirement));
  return e;
}

Error wss(WssFault f, std::string where, std::string what, std::string requirement = {}) {
  return reject(names::wss_fault(f), std::move(where), std::move(what), std::move(requirement));
}

// Keeps the parser's message and requirement, adds the fault.
Error as_fault(Error e, const QName& fault) {
  if (e.fault().empty()) e.with_fault(clark(fault));
  return e;
}

xmlsec::BlockCipher cipher_for(std::size_t key_bytes) {
  if (key_bytes == 16) return xmlsec::BlockCipher::kAes128Cbc;
  if (key_bytes == 24) return xmlsec::BlockCipher::kAes192Cbc;
  return xmlsec::BlockCipher::kAes256Cbc;
}

std::string dk_value_type(names::ScVersion v) { return std::string(names::sc(v).dk_token_type); }

// The STR element for KeyInfo, built in a scratch document (xmlsec copies it).
struct KeyInfoStr {
  xml::Document doc = xml::new_document("urn:parley:scratch", "p", "KeyInfo");
  xmlNode* str = nullptr;
  explicit KeyInfoStr(const SecurityTokenReference& ref) { str = append_str(doc.root(), ref); }
};

}  // namespace

xmlNode* security_header(const xml::Document& doc, bool create) {
  xmlNode* header = envelope_header(doc);
  if (header == nullptr) return nullptr;
  for (xmlNode* h : xml::child_elements(header)) {
    if (xml::is_element(h, ns::kWsse, "Security")) return h;
  }
  if (!create) return nullptr;
  xmlNode* sec = xml::add_element(header, ns::kWsse, prefix::kWsse, "Security");
  xml::set_attribute(sec, xml::namespace_uri(doc.root()), prefix::kSoap, "mustUnderstand", "1");
  return sec;
}

Result<SecuredInfo> secure_envelope(xml::Document& doc, const ContextKey& context, const ProtectOptions& o,
                                    const std::vector<std::string>& extra_signed_ids) {
  const std::string where = "secure_envelope";
  xmlNode* body = envelope_body(doc);
  if (body == nullptr) return Error(ErrorCode::kInvalidArgument, "envelope has no Body", where);
  xmlNode* security = security_header(doc, true);
  if (security == nullptr) return Error(ErrorCode::kInvalidArgument, "envelope has no Header", where);
  const names::ScVersion version = context.sct.version;
  const Clock::time_point now = o.now.value_or(Clock::now());
  SecuredInfo info;

  Timestamp ts = make_timestamp(now, o.timestamp_validity);
  append_timestamp(security, ts);
  std::vector<std::string> signed_ids = {ts.wsu_id};
  if (wsu_id(body).empty()) set_wsu_id(body, "_1");
  signed_ids.push_back(wsu_id(body));
  signed_ids.insert(signed_ids.end(), extra_signed_ids.begin(), extra_signed_ids.end());

  // The context: carried in the header (#id) or referenced by Identifier (+ Instance).
  SecurityTokenReference to_context = SecurityTokenReference::to_identifier(context.sct);
  if (o.include_sct) {
    SecurityContextToken sct = context.sct;
    if (sct.wsu_id.empty()) sct.wsu_id = new_wsu_id();
    PARLEY_TRY(append_sct(security, sct, o.deviations.sct));
    to_context = SecurityTokenReference::to_id(sct.wsu_id, names::sc(version).sct_token_type);
  }

  // One DKT derived from `source` (referenced by `source_ref`), written as `o.dkt` says; the
  // key is derived from the token as written (a consistent sender), except where a deviation
  // says otherwise.
  const DktShape& shape = o.dkt;
  auto make_dkt = [&](const SecurityTokenReference& source_ref, ByteView source, std::uint64_t length,
                      bool explicit_length, bool shaped) -> Result<std::pair<DerivedKeyToken, Bytes>> {
    DerivedKeyToken dkt;
    dkt.version = version;
    dkt.wsu_id = new_wsu_id();
    dkt.str = source_ref;
    if (shaped && shape.write_algorithm) dkt.algorithm = std::string(names::sc(version).p_sha1);
    if (shaped && shape.generation) {
      dkt.generation = shape.generation;
    } else if (shaped && shape.offset) {
      dkt.offset = shape.offset;
    }
    if (length != 32 || explicit_length) {
      if (!dkt.generation && !dkt.offset) dkt.offset = 0;  // WCF writes Offset 0 before Length (wire facts A)
      dkt.length = length;
    }
    if (shaped) dkt.label = shape.label;
    if (o.deviations.dkt.fixed_nonce) {
      dkt.nonce = to_bytes(*o.deviations.dkt.fixed_nonce);
    } else {
      PARLEY_ASSIGN_OR_RETURN(dkt.nonce, crypto::random_bytes(shaped ? shape.nonce_bytes : 16));
    }
    DerivedKeyToken for_key = dkt;
    if (o.deviations.dkt.derive_with_wrong_label) for_key.label = "not the label the token says";
    if (o.deviations.dkt.derive_offset) {
      for_key.generation.reset();
      for_key.offset = o.deviations.dkt.derive_offset;
    }
    if (o.deviations.dkt.derive_length) for_key.length = o.deviations.dkt.derive_length;
    // A sender that writes no (or an empty) nonce derives without one: the key matches the token.
    if (o.deviations.dkt.omit_nonce || o.deviations.dkt.empty_nonce) for_key.nonce = Bytes{};
    PARLEY_ASSIGN_OR_RETURN(Bytes key, for_key.derive(source));
    return std::make_pair(dkt, key);
  };

  Bytes signing_key = context.key;
  SecurityTokenReference signing_ref = to_context;
  Bytes encryption_key = context.key;
  SecurityTokenReference encryption_ref = to_context;
  if (o.derived_keys) {
    // Intermediate DKTs of a chain (SC-7-12): each derived from the one before.
    SecurityTokenReference source_ref = to_context;
    Bytes source = context.key;
    for (std::size_t i = 0; i < shape.chain; ++i) {
      PARLEY_ASSIGN_OR_RETURN(auto link, make_dkt(source_ref, source, 32, false, false));
      append_dkt(security, link.first, o.deviations.dkt);
      source_ref = SecurityTokenReference::to_id(link.first.wsu_id, dk_value_type(version));
      source = link.second;
      info.dkts.push_back(link.first);
      info.derived_keys.push_back(link.second);
    }
    const std::uint64_t signature_length = shape.length.value_or(o.signature_key_length);
    if (shape.implied) {
      // An implied derived key (WS-SC s.7.3): the reference carries the nonce (and 1.3 the length).
      signing_ref = source_ref;
      signing_ref.implied_version = version;
      PARLEY_ASSIGN_OR_RETURN(signing_ref.implied_nonce, crypto::random_bytes(shape.nonce_bytes));
      DerivedKeyToken implied;
      implied.version = version;
      implied.nonce = signing_ref.implied_nonce;
      if (version != names::ScVersion::kFeb2005) {
        signing_ref.implied_length = signature_length;
        implied.length = signature_length;
      }
      PARLEY_ASSIGN_OR_RETURN(signing_key, implied.derive(source));
    } else {
      PARLEY_ASSIGN_OR_RETURN(auto sig, make_dkt(source_ref, source, signature_length, shape.length.has_value(), true));
      append_dkt(security, sig.first, o.deviations.dkt);
      signing_key = sig.second;
      signing_ref = SecurityTokenReference::to_id(sig.first.wsu_id, dk_value_type(version));
      info.dkts.push_back(sig.first);
      info.derived_keys.push_back(sig.second);
    }
    if (o.encrypt_body && o.deviations.encrypt_with_signing_key) {
      encryption_key = signing_key;
      encryption_ref = signing_ref;
    } else if (o.encrypt_body) {
      PARLEY_ASSIGN_OR_RETURN(auto enc, make_dkt(to_context, context.key, o.encryption_key_length, false, !shape.implied));
      append_dkt(security, enc.first, o.deviations.dkt);
      encryption_key = enc.second;
      encryption_ref = SecurityTokenReference::to_id(enc.first.wsu_id, dk_value_type(version));
      info.dkts.push_back(enc.first);
      info.derived_keys.push_back(enc.second);
    }
  }

  for (const std::string& value : o.confirm_signature_values) {
    xmlNode* conf = xml::add_element(security, ns::kWsse11, prefix::kWsse11, "SignatureConfirmation");
    const std::string id = new_wsu_id();
    set_wsu_id(conf, id);
    xml::set_attribute(conf, "", "", "Value", value);
    signed_ids.push_back(id);
  }

  xmlsec::SignOptions sign;
  sign.method = o.signature_method;
  sign.digest = o.digest_method;
  sign.reference_ids = signed_ids;
  KeyInfoStr key_info(signing_ref);
  sign.key_info_content = key_info.str;
  PARLEY_ASSIGN_OR_RETURN(xmlNode * signature, xmlsec::sign(doc, security, sign, xmlsec::SignatureKey::hmac(signing_key)));
  for (xmlNode* c : xml::child_elements(signature)) {
    if (xml::is_element(c, ns::kDs, "SignatureValue")) info.signature_value = xml::text_content(c);
  }

  if (o.encrypt_body) {
    KeyInfoStr enc_info(encryption_ref);
    PARLEY_ASSIGN_OR_RETURN(xmlNode * encrypted, xmlsec::encrypt_content(doc, body, cipher_for(encryption_key.size()),
                                                                        encryption_key, enc_info.str));
    const std::string id = new_wsu_id();
    xml::set_attribute(encrypted, "", "", "Id", id);
    // The ReferenceList precedes the Signature: a receiver decrypts, then verifies (WSS 1.1 s.9).
    xmlNode* list = xmlNewDocNode(doc.get(), nullptr, xml::to_xml_chars("ReferenceList"), nullptr);
    xmlAddPrevSibling(signature, list);
    xmlSetNs(list, xmlNewNs(list, xml::to_xml_chars(std::string(ns::kXenc).c_str()),
                            xml::to_xml_chars(std::string(prefix::kXenc).c_str())));
    xmlNode* ref = xml::add_element(list, ns::kXenc, prefix::kXenc, "DataReference");
    xml::set_attribute(ref, "", "", "URI", "#" + id);
  }
  return info;
}

Result<ContextKey> SingleContextResolver::resolve(names::ScVersion version, std::string_view identifier,
                                                  std::string_view instance, const SecurityContextToken*) {
  if (identifier != context_.sct.identifier || instance != context_.sct.instance) {
    return reject(names::sc_fault(version, ScFault::kBadContextToken), "context",
                  "unknown security context '" + std::string(identifier) + "'", "SC-8-05");
  }
  return context_;
}

namespace {

// State while walking one Security header.
class HeaderWalk {
 public:
  HeaderWalk(xml::Document& doc, ContextResolver& resolver, const OpenPolicy& policy, OpenedMessage& out)
      : doc_(doc), resolver_(resolver), policy_(policy), out_(out) {}

  Status walk(xmlNode* security);

 private:
  // The key an STR designates, and the context it came from.
  Result<Bytes> key_for(const SecurityTokenReference& str, int depth, const std::string& where);
  Result<Bytes> context_key(names::ScVersion version, std::string_view identifier, std::string_view instance,
                            const SecurityContextToken* embedded);
  Status process_signature(xmlNode* signature);
  Status process_reference_list(xmlNode* list);
  names::ScVersion version() const { return version_; }

  xml::Document& doc_;
  ContextResolver& resolver_;
  const OpenPolicy& policy_;
  OpenedMessage& out_;
  names::ScVersion version_ = names::ScVersion::k1_3;
  std::map<std::string, SecurityContextToken> scts_;  // by wsu:Id
  std::map<std::string, DerivedKeyToken> dkts_;       // by wsu:Id
  bool context_seen_ = false;
  bool signature_seen_ = false;
  bool signature_used_derived_key_ = false;
};

Result<Bytes> HeaderWalk::context_key(names::ScVersion version, std::string_view identifier,
                                      std::string_view instance, const SecurityContextToken* embedded) {
  auto ctx = resolver_.resolve(version, identifier, instance, embedded);
  if (!ctx.ok()) return as_fault(ctx.error(), names::sc_fault(version, ScFault::kBadContextToken));
  if (context_seen_ && ctx->sct.identifier != out_.context.sct.identifier) {
    return wss(WssFault::kInvalidSecurity, "wsse:Security", "keys from two different security contexts in one message");
  }
  out_.context = *ctx;
  context_seen_ = true;
  return ctx->key;
}

Result<Bytes> HeaderWalk::key_for(const SecurityTokenReference& str, int depth, const std::string& where) {
  if (depth > 3) return wss(WssFault::kInvalidSecurityToken, where, "derived key chain deeper than 3", "SC-10-04");
  using Form = SecurityTokenReference::Form;
  if (str.form == Form::kKeyIdentifier) {
    // SCTs are referenced by #Id or Identifier only (SC-2-07); a KeyIdentifier names no key we trust.
    return wss(WssFault::kSecurityTokenUnavailable, where,
               "a wsse:KeyIdentifier reference (ValueType '" + str.value_type + "') cannot name a security context",
               "SC-2-07");
  }
  if (str.form == Form::kEmbedded) {
    return wss(WssFault::kUnsupportedSecurityToken, where, "embedded tokens are not accepted as signing keys");
  }
  Bytes base;
  if (auto id = str.local_id()) {
    if (auto dkt = dkts_.find(*id); dkt != dkts_.end()) {
      if (!dkt->second.str) {
        return reject(names::sc_fault(version(), ScFault::kUnknownDerivationSource), where,
                      "wsc:DerivedKeyToken '" + *id + "' has no SecurityTokenReference to its source", "SC-7-11");
      }
      if (!str.value_type.empty() && str.value_type != names::sc(dkt->second.version).dk_token_type) {
        return wss(WssFault::kInvalidSecurityToken, where, "reference to a DKT with ValueType '" + str.value_type + "'",
                   "SC-7-14");
      }
      PARLEY_ASSIGN_OR_RETURN(Bytes source, key_for(*dkt->second.str, depth + 1, where + "/wsc:DerivedKeyToken"));
      auto key = dkt->second.derive(source);
      if (!key.ok()) return as_fault(key.error(), names::wss_fault(WssFault::kInvalidSecurityToken));
      signature_used_derived_key_ = true;
      out_.dkts.push_back(dkt->second);
      base = std::move(*key);
    } else if (auto sct = scts_.find(*id); sct != scts_.end()) {
      if (!str.value_type.empty() && str.value_type != names::sc(sct->second.version).sct_token_type) {
        return wss(WssFault::kInvalidSecurityToken, where, "reference to an SCT with ValueType '" + str.value_type + "'",
                   "SC-8-02");
      }
      PARLEY_ASSIGN_OR_RETURN(base, context_key(sct->second.version, sct->second.identifier, sct->second.instance,
                                                &sct->second));
    } else {
      return wss(WssFault::kSecurityTokenUnavailable, where,
                 "reference '#" + *id + "' names no token in the wsse:Security header (tokens must precede their use)",
                 "WSS-7-02");
    }
  } else {
    // An absolute URI: the Identifier of a context established earlier (SC-8-04). With no token
    // in the header to tell the version, the reference's ValueType (the /sct URI) tells it.
    names::ScVersion referenced = str.implied_nonce ? str.implied_version : version();
    if (!str.value_type.empty()) {
      if (str.value_type == names::sc(names::ScVersion::k1_3).sct_token_type && !str.implied_nonce) {
        referenced = names::ScVersion::k1_3;
      } else if (str.value_type == names::sc(names::ScVersion::kFeb2005).sct_token_type && !str.implied_nonce) {
        referenced = names::ScVersion::kFeb2005;
      }
      if (str.value_type != names::sc(referenced).sct_token_type) {
        return wss(WssFault::kInvalidSecurityToken, where,
                   "reference by URI with ValueType '" + str.value_type + "' (expected the SCT token type)", "SC-8-02");
      }
    }
    PARLEY_ASSIGN_OR_RETURN(base, context_key(referenced, str.uri, str.instance, nullptr));
  }
  if (str.implied_nonce) {  // implied derived key (WS-SC s.7.3)
    DerivedKeyToken implied;
    implied.version = str.implied_version;
    implied.nonce = str.implied_nonce;
    implied.length = str.implied_length;
    auto key = implied.derive(base);
    if (!key.ok()) return as_fault(key.error(), names::wss_fault(WssFault::kInvalidSecurityToken));
    signature_used_derived_key_ = true;
    return key;
  }
  return base;
}

Status HeaderWalk::process_reference_list(xmlNode* list) {
  for (xmlNode* ref : xml::child_elements(list)) {
    if (!xml::is_element(ref, ns::kXenc, "DataReference")) continue;
    const std::string uri = xml::attribute(ref, "", "URI").value;
    if (uri.size() < 2 || uri[0] != '#') {
      return wss(WssFault::kInvalidSecurity, "xenc:ReferenceList", "DataReference URI '" + uri + "' is not '#id'",
                 "WSS-9-01");
    }
    auto found = xml::find_all_by_id(doc_, uri.substr(1));
    if (found.size() != 1 || !xml::is_element(found[0], ns::kXenc, "EncryptedData")) {
      return wss(WssFault::kInvalidSecurity, "xenc:ReferenceList",
                 "DataReference '" + uri + "' does not resolve to exactly one xenc:EncryptedData", "WSS-9-01");
    }
    xmlNode* encrypted = found[0];
    std::optional<SecurityTokenReference> str;
    for (xmlNode* c : xml::child_elements(encrypted)) {
      if (!xml::is_element(c, ns::kDs, "KeyInfo")) continue;
      for (xmlNode* k : xml::child_elements(c)) {
        if (xml::is_element(k, ns::kWsse, "SecurityTokenReference")) {
          auto parsed = parse_str(k);
          if (!parsed.ok()) return as_fault(parsed.error(), names::wss_fault(WssFault::kInvalidSecurityToken));
          str = std::move(*parsed);
        }
      }
    }
    if (!str) {
      return wss(WssFault::kInvalidSecurity, "xenc:EncryptedData", "no ds:KeyInfo/wsse:SecurityTokenReference", "WSS-9-01");
    }
    PARLEY_ASSIGN_OR_RETURN(Bytes key, key_for(*str, 0, "xenc:EncryptedData/ds:KeyInfo"));
    xmlNode* parent = encrypted->parent;
    auto decrypted = xmlsec::decrypt(doc_, encrypted, key);
    if (!decrypted.ok()) return as_fault(decrypted.error(), names::wss_fault(WssFault::kFailedCheck));
    if (parent == out_.envelope.body) out_.body_was_encrypted = true;
  }
  return ok_status();
}

Status HeaderWalk::process_signature(xmlNode* signature) {
  if (signature_seen_) {
    return wss(WssFault::kInvalidSecurity, "ds:Signature", "more than one message signature is not supported");
  }
  signature_seen_ = true;
  std::optional<SecurityTokenReference> str;
  std::optional<Bytes> embedded_secret;
  for (xmlNode* c : xml::child_elements(signature)) {
    if (xml::is_element(c, ns::kDs, "KeyInfo")) {
      for (xmlNode* k : xml::child_elements(c)) {
        if (xml::is_element(k, ns::kWsse, "SecurityTokenReference")) {
          auto parsed = parse_str(k);
          if (!parsed.ok()) return as_fault(parsed.error(), names::wss_fault(WssFault::kInvalidSecurityToken));
          str = std::move(*parsed);
        } else if (policy_.faults.trust_keyinfo_secret && xml::local_name(k) == "BinarySecret") {
          // Injected fault: key material from the message itself (key confusion).
          auto secret = base64_decode(xml::text_content(k));
          if (!secret.ok()) return as_fault(secret.error(), names::wss_fault(WssFault::kInvalidSecurityToken));
          embedded_secret = std::move(*secret);
        } else {
          // KeyValue, KeyName, RetrievalMethod...: key material in the message is never trusted.
          return wss(WssFault::kSecurityTokenUnavailable, "ds:Signature/ds:KeyInfo",
                     "ds:KeyInfo holds <" + std::string(xml::local_name(k)) +
                         ">: only a wsse:SecurityTokenReference to the context or a derived key is accepted");
        }
      }
    } else if (xml::is_element(c, ns::kDs, "SignatureValue")) {
      out_.signature_value = xml::text_content(c);
    }
  }
  if (!str && !embedded_secret) {
    return wss(WssFault::kInvalidSecurity, "ds:Signature", "no ds:KeyInfo/wsse:SecurityTokenReference", "WSS-8-01");
  }
  signature_used_derived_key_ = false;
  Bytes key;
  if (embedded_secret) {
    key = std::move(*embedded_secret);
    signature_used_derived_key_ = true;  // pass the derived-key policy: the fault trusts the message
    if (!context_seen_ && !scts_.empty()) {
      const SecurityContextToken& sct = scts_.begin()->second;
      auto resolved = context_key(sct.version, sct.identifier, sct.instance, &sct);
      if (!resolved.ok()) return resolved.error();
    }
  } else {
    PARLEY_ASSIGN_OR_RETURN(key, key_for(*str, 0, "ds:Signature/ds:KeyInfo"));
  }
  if (signature_used_derived_key_ && !policy_.allow_derived_keys) {
    return wss(WssFault::kInvalidSecurity, "ds:Signature", "derived keys are not accepted by this endpoint");
  }
  if (!signature_used_derived_key_ && !policy_.allow_direct_context_key) {
    return wss(WssFault::kInvalidSecurity, "ds:Signature",
               "the message is signed with the context key itself; this endpoint requires derived keys", "SC-7-17");
  }
  out_.signed_with_derived_key = signature_used_derived_key_;
  auto verified = xmlsec::verify(doc_, signature, xmlsec::SignatureKey::hmac(key));
  if (!verified.ok()) {
    const bool ambiguous = verified.error().code() == ErrorCode::kAmbiguous;
    Error e = verified.error();
    e.with_fault(clark(names::wss_fault(ambiguous ? WssFault::kInvalidSecurity : WssFault::kFailedCheck)));
    if (e.requirement().empty()) e.cite("WSS-8-01");
    return e;
  }
  for (const auto& ref : verified->references) {
    out_.covered_ids.push_back(ref.uri.size() > 1 && ref.uri[0] == '#' ? ref.uri.substr(1) : ref.uri);
  }
  // Signature wrapping: the covered Body must be this envelope's Body, the covered Timestamp
  // this header's Timestamp (catalog section 3).
  bool body_covered = false;
  bool timestamp_covered = false;
  std::vector<const xmlNode*> covered;
  for (const auto& ref : verified->references) covered.push_back(ref.element);
  for (const xmlNode* el : covered) {
    if (el == out_.envelope.body) body_covered = true;
    if (el != nullptr && el->parent == signature->parent && xml::is_element(el, ns::kWsu, "Timestamp")) {
      timestamp_covered = true;
    }
  }
  if (!body_covered && !policy_.faults.skip_body_coverage) {
    return wss(WssFault::kInvalidSecurity, "ds:Signature", "the signature does not cover this envelope's soap:Body",
               "SC-10-01");
  }
  if (out_.timestamp && !timestamp_covered && !policy_.faults.accept_unsigned_timestamp) {
    return wss(WssFault::kInvalidSecurity, "ds:Signature", "the wsu:Timestamp is not signed", "WSS-10-04");
  }
  if (policy_.require_signed_addressing && out_.envelope.header != nullptr) {
    for (xmlNode* h : xml::child_elements(out_.envelope.header)) {
      const std::string_view hns = xml::namespace_uri(h);
      const bool wsa = hns == ns::kWsa10 || hns == ns::kWsa200408;
      const std::string_view name = xml::local_name(h);
      if (wsa && (name == "Action" || name == "To") &&
          std::find(covered.begin(), covered.end(), static_cast<const xmlNode*>(h)) == covered.end()) {
        return wss(WssFault::kInvalidSecurity, "ds:Signature",
                   "the wsa:" + std::string(name) + " header is not signed", "SC-10-01");
      }
    }
  }
  return ok_status();
}

Status HeaderWalk::walk(xmlNode* security) {
  std::size_t dkt_count = 0;
  for (xmlNode* item : xml::child_elements(security)) {
    const std::string_view name = xml::local_name(item);
    if (xml::is_element(item, ns::kWsu, "Timestamp")) {
      if (out_.timestamp) {
        return wss(WssFault::kInvalidSecurity, "wsse:Security", "more than one wsu:Timestamp", "WSS-10-01");
      }
      auto ts = parse_timestamp(item);
      if (!ts.ok()) return as_fault(ts.error(), names::wss_fault(WssFault::kInvalidSecurity));
      const Clock::time_point now = policy_.now.value_or(Clock::now());
      if (policy_.faults.skip_timestamp_expiry) {
        out_.timestamp = std::move(*ts);
        continue;
      }
      if (!ts->created.empty() && *parse_utc(ts->created) > now + policy_.max_clock_skew) {
        return wss(WssFault::kMessageExpired, "wsu:Timestamp", "wsu:Created " + ts->created + " is in the future",
                   "WSS-10-03");
      }
      if (!ts->expires.empty() && *parse_utc(ts->expires) + policy_.max_clock_skew < now) {
        return wss(WssFault::kMessageExpired, "wsu:Timestamp", "the message expired at " + ts->expires, "WSS-10-03");
      }
      out_.timestamp = std::move(*ts);
    } else if (auto v = sc_version_of(item); v && name == "SecurityContextToken") {
      auto sct = parse_sct(item);
      if (!sct.ok()) return as_fault(sct.error(), names::sc_fault(*v, ScFault::kBadContextToken));
      version_ = sct->version;
      scts_[sct->wsu_id] = std::move(*sct);
    } else if (v && name == "DerivedKeyToken") {
      if (++dkt_count > policy_.max_dkts) {
        return wss(WssFault::kInvalidSecurity, "wsse:Security",
                   "more than " + std::to_string(policy_.max_dkts) + " wsc:DerivedKeyToken elements", "SC-10-04");
      }
      auto dkt = parse_dkt(item, policy_.dkt_limits);
      if (!dkt.ok()) {
        const bool algorithm = dkt.error().requirement() == "SC-7-04";
        return as_fault(dkt.error(),
                        names::wss_fault(algorithm ? WssFault::kUnsupportedAlgorithm : WssFault::kInvalidSecurityToken));
      }
      version_ = dkt->version;
      if (policy_.faults.ignore_dkt_generation) dkt->generation.reset();
      if (policy_.faults.ignore_dkt_label) dkt->label.reset();
      dkts_[dkt->wsu_id] = std::move(*dkt);
    } else if (xml::is_element(item, ns::kXenc, "ReferenceList")) {
      PARLEY_TRY(process_reference_list(item));
    } else if (xml::is_element(item, ns::kDs, "Signature")) {
      PARLEY_TRY(process_signature(item));
    } else if (xml::is_element(item, ns::kWsse11, "SignatureConfirmation")) {
      out_.signature_confirmations.push_back(xml::attribute(item, "", "Value").value);
    } else if (xml::is_element(item, ns::kWsse, "UsernameToken")) {
      auto ut = parse_username_token(item);
      if (!ut.ok()) return as_fault(ut.error(), names::wss_fault(WssFault::kInvalidSecurityToken));
      out_.username_token = std::move(*ut);
    }
    // Other tokens (BinarySecurityToken, EncryptedKey...) are for the bootstrap layers.
  }
  if (policy_.require_timestamp && !out_.timestamp) {
    return wss(WssFault::kInvalidSecurity, "wsse:Security", "no wsu:Timestamp", "WSS-10-04");
  }
  if (policy_.require_signature && !signature_seen_) {
    return wss(WssFault::kInvalidSecurity, "wsse:Security", "no ds:Signature", "SC-10-01");
  }
  return ok_status();
}

}  // namespace

Result<OpenedMessage> open_envelope(xml::Document& doc, ContextResolver& resolver, const OpenPolicy& policy) {
  auto view = parse_envelope(doc);
  if (!view.ok()) return as_fault(view.error(), names::wss_fault(WssFault::kInvalidSecurity));
  OpenedMessage out;
  out.envelope = *view;
  if (view->security_headers.size() != 1) {
    return wss(WssFault::kInvalidSecurity, "soap:Header",
               std::to_string(view->security_headers.size()) + " wsse:Security headers (exactly one is required)",
               view->security_headers.empty() ? "SC-10-01" : "WSS-5-01");
  }
  HeaderWalk walk(doc, resolver, policy, out);
  PARLEY_TRY(walk.walk(view->security_headers[0]));
  // The Body may have been decrypted: refresh the first child.
  auto children = xml::child_elements(out.envelope.body);
  out.envelope.body_child = children.empty() ? nullptr : children.front();
  return out;
}

}  // namespace parley::wssc
