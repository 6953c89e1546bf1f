#include "harness/wssc/parse_support.h"
#include "harness/wssc/trust.h"

#include <charconv>

#include "harness/core/crypto.h"
#include "harness/core/xml.h"

namespace parley::wssc {
namespace {

namespace ns = names::ns;

using detail::spec_error;
using detail::trimmed_text;

Result<std::uint64_t> parse_key_size(const xmlNode* node, const std::string& where) {
  const std::string text = trimmed_text(node);
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v > 0xffffffffu) {
    return spec_error(where, "'" + text + "' is not an xs:unsignedInt", "WST-KS-01");
  }
  return v;
}

Result<KeyMaterial> parse_key_material(const xmlNode* container, TrustVersion version, const std::string& where) {
  auto children = xml::child_elements(container);
  if (children.size() != 1) {
    return spec_error(where, "must hold exactly one BinarySecret, ComputedKey or EncryptedKey, has " +
                                 std::to_string(children.size()),
                      "WST-4.4-01");
  }
  const xmlNode* c = children[0];
  const std::string_view wst = names::trust(version).ns;
  KeyMaterial km;
  if (xml::local_name(c) == "BinarySecret" && trust_version_of(c)) {
    if (xml::namespace_uri(c) != wst) {
      return spec_error(where, "wst:BinarySecret of another WS-Trust namespace", "WST-3.3-01");
    }
    km.kind = KeyMaterial::Kind::kBinarySecret;
    auto type = xml::attribute(c, "", "Type");
    km.type = type.value;
    if (type.found) {
      const auto& t = names::trust(version);
      if (type.value != t.binary_secret_nonce && type.value != t.binary_secret_symmetric_key &&
          type.value != t.binary_secret_asymmetric_key) {
        return spec_error(where + "/wst:BinarySecret", "@Type '" + type.value + "' is not a " +
                                                           std::string(t.label) + " BinarySecret type",
                          "WST-3.3-01");
      }
    }
    auto secret = base64_decode(xml::text_content(c));
    if (!secret.ok()) return spec_error(where + "/wst:BinarySecret", secret.error().message(), "SC-3-04");
    km.secret = std::move(*secret);
  } else if (xml::is_element(c, wst, "ComputedKey")) {
    km.kind = KeyMaterial::Kind::kComputedKey;
    km.computed_key = trimmed_text(c);
  } else if (xml::is_element(c, ns::kXenc, "EncryptedKey")) {
    km.kind = KeyMaterial::Kind::kEncryptedKey;
    PARLEY_ASSIGN_OR_RETURN(km.encrypted_key, xml::canonicalize(c));
  } else {
    return spec_error(where, "unexpected <" + std::string(xml::local_name(c)) + ">", "WST-4.4-01");
  }
  return km;
}

void append_key_material(xmlNode* parent, std::string_view wst, std::string_view element, const KeyMaterial& km) {
  xmlNode* container = xml::add_element(parent, wst, prefix::kWst, element);
  switch (km.kind) {
    case KeyMaterial::Kind::kBinarySecret: {
      xmlNode* bs = xml::add_element(container, wst, prefix::kWst, "BinarySecret", base64_encode(km.secret));
      if (!km.type.empty()) xml::set_attribute(bs, "", "", "Type", km.type);
      break;
    }
    case KeyMaterial::Kind::kComputedKey:
      xml::add_element(container, wst, prefix::kWst, "ComputedKey", km.computed_key);
      break;
    case KeyMaterial::Kind::kEncryptedKey:
      (void)xml::append_fragment(container, km.encrypted_key);
      break;
  }
}

Result<SecurityTokenReference> parse_target(const xmlNode* target, const std::string& where, const char* req) {
  auto children = xml::child_elements(target);
  if (children.size() != 1 || !xml::is_element(children[0], ns::kWsse, "SecurityTokenReference")) {
    return spec_error(where, "must hold exactly one wsse:SecurityTokenReference", req);
  }
  auto str = parse_str(children[0]);
  if (!str.ok()) return str.error().within(where);
  return str;
}

void append_target(xmlNode* parent, std::string_view wst, std::string_view element, const SecurityTokenReference& s) {
  xmlNode* target = xml::add_element(parent, wst, prefix::kWst, element);
  append_str(target, s);
}

Result<Lifetime> parse_lifetime(const xmlNode* node, const std::string& where) {
  Lifetime lt;
  for (xmlNode* c : xml::child_elements(node)) {
    if (xml::is_element(c, ns::kWsu, "Created")) lt.created = trimmed_text(c);
    if (xml::is_element(c, ns::kWsu, "Expires")) lt.expires = trimmed_text(c);
  }
  Clock::time_point created{};
  if (!lt.created.empty()) {
    auto t = parse_utc(lt.created);
    if (!t.ok()) return t.error().within(where + "/wsu:Created").cite("WST-LT-01");
    created = *t;
  }
  if (!lt.expires.empty()) {
    auto t = parse_utc(lt.expires);
    if (!t.ok()) return t.error().within(where + "/wsu:Expires").cite("WST-LT-01");
    if (!lt.created.empty() && *t < created) return spec_error(where, "Expires is before Created", "WST-LT-01");
  }
  return lt;
}

}  // namespace

std::optional<TrustVersion> trust_version_of(const xmlNode* element) {
  std::string_view uri = xml::namespace_uri(element);
  if (uri == ns::kWstFeb2005) return TrustVersion::kFeb2005;
  if (uri == ns::kWst13) return TrustVersion::k1_3;
  return std::nullopt;
}

Result<RequestSecurityToken> parse_rst(const xmlNode* element) {
  const std::string where = "wst:RequestSecurityToken";
  auto version = trust_version_of(element);
  if (!version || xml::local_name(element) != "RequestSecurityToken") {
    return spec_error(where, "not a wst:RequestSecurityToken of a WS-Trust namespace", "SC-3-01");
  }
  RequestSecurityToken rst;
  rst.version = *version;
  rst.context = xml::attribute(element, "", "Context").value;
  const std::string_view wst = names::trust(*version).ns;
  int request_types = 0;
  for (xmlNode* c : xml::child_elements(element)) {
    const std::string_view name = xml::local_name(c);
    const bool in_wst = xml::namespace_uri(c) == wst;
    if (!in_wst && trust_version_of(c)) {
      return spec_error(where, "<" + std::string(name) + "> of another WS-Trust namespace", "WST-3.1-01");
    }
    if (in_wst && name == "TokenType") {
      rst.token_type = trimmed_text(c);
    } else if (in_wst && name == "RequestType") {
      ++request_types;
      rst.request_type = trimmed_text(c);
    } else if (in_wst && name == "Entropy") {
      PARLEY_ASSIGN_OR_RETURN(rst.entropy, parse_key_material(c, *version, where + "/wst:Entropy"));
    } else if (in_wst && name == "KeySize") {
      PARLEY_ASSIGN_OR_RETURN(rst.key_size, parse_key_size(c, where + "/wst:KeySize"));
    } else if (in_wst && name == "RenewTarget") {
      PARLEY_ASSIGN_OR_RETURN(rst.renew_target, parse_target(c, where + "/wst:RenewTarget", "SC-5-01"));
    } else if (in_wst && name == "CancelTarget") {
      PARLEY_ASSIGN_OR_RETURN(rst.cancel_target, parse_target(c, where + "/wst:CancelTarget", "SC-6-01"));
    } else {
      PARLEY_ASSIGN_OR_RETURN(std::string canonical, xml::canonicalize(c));
      rst.other_children.push_back(std::move(canonical));
    }
  }
  if (request_types != 1) {
    return spec_error(where, "has " + std::to_string(request_types) + " wst:RequestType elements, exactly one is required",
                      "SC-3-02");
  }
  const auto& t = names::trust(*version);
  if (rst.request_type.rfind(std::string(t.ns), 0) != 0) {
    return spec_error(where + "/wst:RequestType", "'" + rst.request_type + "' is not in the " + std::string(t.label) +
                                                      " namespace",
                      "WST-3.1-01");
  }
  return rst;
}

xmlNode* append_rst(xmlNode* parent, const RequestSecurityToken& rst) {
  const std::string_view wst = names::trust(rst.version).ns;
  xmlNode* el = xml::add_element(parent, wst, prefix::kWst, "RequestSecurityToken");
  if (!rst.context.empty()) xml::set_attribute(el, "", "", "Context", rst.context);
  // WCF's order (wire facts A): TokenType, RequestType, Entropy, KeySize, RenewTarget/CancelTarget.
  if (!rst.token_type.empty()) xml::add_element(el, wst, prefix::kWst, "TokenType", rst.token_type);
  xml::add_element(el, wst, prefix::kWst, "RequestType", rst.request_type);
  for (const std::string& other : rst.other_children) (void)xml::append_fragment(el, other);
  if (rst.entropy) append_key_material(el, wst, "Entropy", *rst.entropy);
  if (rst.key_size) xml::add_element(el, wst, prefix::kWst, "KeySize", std::to_string(*rst.key_size));
  if (rst.renew_target) append_target(el, wst, "RenewTarget", *rst.renew_target);
  if (rst.cancel_target) append_target(el, wst, "CancelTarget", *rst.cancel_target);
  return el;
}

Result<RequestSecurityTokenResponse> parse_rstr(const xmlNode* element) {
  const std::string where = "wst:RequestSecurityTokenResponse";
  auto version = trust_version_of(element);
  if (!version || xml::local_name(element) != "RequestSecurityTokenResponse") {
    return spec_error(where, "not a wst:RequestSecurityTokenResponse of a WS-Trust namespace", "SC-3-01");
  }
  RequestSecurityTokenResponse r;
  r.version = *version;
  r.context = xml::attribute(element, "", "Context").value;
  const std::string_view wst = names::trust(*version).ns;
  for (xmlNode* c : xml::child_elements(element)) {
    const std::string_view name = xml::local_name(c);
    const bool in_wst = xml::namespace_uri(c) == wst;
    if (!in_wst && trust_version_of(c)) {
      return spec_error(where, "<" + std::string(name) + "> of another WS-Trust namespace", "WST-3.1-01");
    }
    const std::string cwhere = where + "/wst:" + std::string(name);
    if (in_wst && name == "TokenType") {
      r.token_type = trimmed_text(c);
    } else if (in_wst && name == "RequestedSecurityToken") {
      auto inner = xml::child_elements(c);
      if (inner.size() != 1) return spec_error(cwhere, "must hold exactly one token", "SC-3-04");
      auto sct = parse_sct(inner[0]);
      if (!sct.ok()) return sct.error().within(cwhere);
      r.requested_token = std::move(*sct);
    } else if (in_wst && (name == "RequestedAttachedReference" || name == "RequestedUnattachedReference")) {
      auto inner = xml::child_elements(c);
      if (inner.size() != 1) return spec_error(cwhere, "must hold exactly one wsse:SecurityTokenReference", "SC-3-06");
      auto str = parse_str(inner[0]);
      if (!str.ok()) return str.error().within(cwhere);
      (name == "RequestedAttachedReference" ? r.attached_reference : r.unattached_reference) = std::move(*str);
    } else if (in_wst && name == "RequestedProofToken") {
      PARLEY_ASSIGN_OR_RETURN(r.proof, parse_key_material(c, *version, cwhere));
    } else if (in_wst && name == "Entropy") {
      PARLEY_ASSIGN_OR_RETURN(r.entropy, parse_key_material(c, *version, cwhere));
    } else if (in_wst && name == "Lifetime") {
      PARLEY_ASSIGN_OR_RETURN(r.lifetime, parse_lifetime(c, cwhere));
    } else if (in_wst && name == "KeySize") {
      PARLEY_ASSIGN_OR_RETURN(r.key_size, parse_key_size(c, cwhere));
    } else if (in_wst && name == "RequestedTokenCancelled") {
      r.requested_token_cancelled = true;
    } else {
      PARLEY_ASSIGN_OR_RETURN(std::string canonical, xml::canonicalize(c));
      r.other_children.push_back(std::move(canonical));
    }
  }
  return r;
}

xmlNode* append_rstr(xmlNode* parent, const RequestSecurityTokenResponse& r) {
  const std::string_view wst = names::trust(r.version).ns;
  xmlNode* el = xml::add_element(parent, wst, prefix::kWst, "RequestSecurityTokenResponse");
  if (!r.context.empty()) xml::set_attribute(el, "", "", "Context", r.context);
  // WCF's order (wire facts A).
  if (!r.token_type.empty()) xml::add_element(el, wst, prefix::kWst, "TokenType", r.token_type);
  if (r.requested_token) {
    xmlNode* rst = xml::add_element(el, wst, prefix::kWst, "RequestedSecurityToken");
    (void)append_sct(rst, *r.requested_token);
  }
  if (r.attached_reference) {
    append_str(xml::add_element(el, wst, prefix::kWst, "RequestedAttachedReference"), *r.attached_reference);
  }
  if (r.unattached_reference) {
    append_str(xml::add_element(el, wst, prefix::kWst, "RequestedUnattachedReference"), *r.unattached_reference);
  }
  if (r.proof) append_key_material(el, wst, "RequestedProofToken", *r.proof);
  if (r.entropy) append_key_material(el, wst, "Entropy", *r.entropy);
  if (r.lifetime) {
    xmlNode* lt = xml::add_element(el, wst, prefix::kWst, "Lifetime");
    if (!r.lifetime->created.empty()) xml::add_element(lt, ns::kWsu, prefix::kWsu, "Created", r.lifetime->created);
    if (!r.lifetime->expires.empty()) xml::add_element(lt, ns::kWsu, prefix::kWsu, "Expires", r.lifetime->expires);
  }
  if (r.key_size) xml::add_element(el, wst, prefix::kWst, "KeySize", std::to_string(*r.key_size));
  if (r.requested_token_cancelled) xml::add_element(el, wst, prefix::kWst, "RequestedTokenCancelled");
  for (const std::string& other : r.other_children) (void)xml::append_fragment(el, other);
  return el;
}

Result<TrustResponse> parse_trust_response(const xmlNode* element) {
  auto version = trust_version_of(element);
  TrustResponse out;
  if (version && xml::local_name(element) == "RequestSecurityTokenResponseCollection") {
    out.collection = true;
    for (xmlNode* c : xml::child_elements(element)) {
      auto r = parse_rstr(c);
      if (!r.ok()) return r.error().within("wst:RequestSecurityTokenResponseCollection");
      if (r->version != *version) {
        return spec_error("wst:RequestSecurityTokenResponseCollection", "RSTR of another WS-Trust namespace inside",
                          "WST-3.1-01");
      }
      out.responses.push_back(std::move(*r));
    }
    return out;
  }
  PARLEY_ASSIGN_OR_RETURN(RequestSecurityTokenResponse r, parse_rstr(element));
  out.responses.push_back(std::move(r));
  return out;
}

xmlNode* append_trust_response(xmlNode* parent, const TrustResponse& response) {
  if (!response.collection) {
    return response.responses.empty() ? nullptr : append_rstr(parent, response.responses.front());
  }
  const TrustVersion v = response.responses.empty() ? TrustVersion::k1_3 : response.responses.front().version;
  xmlNode* el = xml::add_element(parent, names::trust(v).ns, prefix::kWst, "RequestSecurityTokenResponseCollection");
  for (const auto& r : response.responses) append_rstr(el, r);
  return el;
}

Result<Bytes> issued_key(const RequestSecurityTokenResponse& rstr, const std::optional<Bytes>& client_entropy,
                         std::uint64_t key_size_bits) {
  const std::string where = "wst:RequestSecurityTokenResponse";
  if (rstr.proof && rstr.proof->kind == KeyMaterial::Kind::kBinarySecret) return rstr.proof->secret;
  if (rstr.proof && rstr.proof->kind == KeyMaterial::Kind::kComputedKey) {
    if (rstr.proof->computed_key != names::trust(rstr.version).computed_key_psha1) {
      return spec_error(where, "unsupported ComputedKey algorithm '" + rstr.proof->computed_key + "'", "WST-4.4-02");
    }
    if (!client_entropy) return spec_error(where, "ComputedKey but the request carried no entropy", "SC-3-08");
    if (!rstr.entropy || rstr.entropy->kind != KeyMaterial::Kind::kBinarySecret) {
      return spec_error(where, "ComputedKey without issuer wst:Entropy/wst:BinarySecret", "SC-3-08");
    }
    const std::uint64_t bits = rstr.key_size.value_or(key_size_bits);
    auto key = crypto::ck_psha1(*client_entropy, rstr.entropy->secret, bits);
    if (!key.ok()) return key.error().within(where).cite("SC-3-08");
    return key;
  }
  if (rstr.proof && rstr.proof->kind == KeyMaterial::Kind::kEncryptedKey) {
    return Error(ErrorCode::kUnsupported, "EncryptedKey proof: decrypt it with the requestor's key", where);
  }
  // No proof token: the client's entropy is the key (WCF "client entropy only").
  if (client_entropy && !rstr.entropy) return *client_entropy;
  return spec_error(where, "conveys no key: no RequestedProofToken and no usable entropy", "SC-3-04");
}

}  // namespace parley::wssc
