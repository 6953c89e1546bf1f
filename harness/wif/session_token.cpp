// WIF SessionSecurityToken serialization. The layout facts and their sources are listed in
// docs/design/wif-session-token.md ("RS" there = the .NET Framework 4.x reference source of
// System.IdentityModel.Tokens.SessionSecurityToken / SessionSecurityTokenHandler).
#include "harness/wif/session_token.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <functional>

#include "harness/core/xml.h"

namespace parley::wif {
namespace {

// SessionDictionary (RS SessionDictionary, 63 entries): XmlDictionary.Add order = index n,
// static DictionaryString id 2n.
const std::vector<std::string>& session_dictionary_strings() {
  static const std::vector<std::string> kStrings = {"Claim",
                                                    "SecurityContextToken",
                                                    "Version",
                                                    "SecureConversationVersion",
                                                    "Issuer",
                                                    "OriginalIssuer",
                                                    "IssuerRef",
                                                    "ClaimCollection",
                                                    "Actor",
                                                    "ClaimProperty",
                                                    "ClaimProperties",
                                                    "Value",
                                                    "ValueType",
                                                    "Label",
                                                    "Type",
                                                    "subjectID",
                                                    "ClaimPropertyName",
                                                    "ClaimPropertyValue",
                                                    "AuthenticationType",
                                                    "NameClaimType",
                                                    "RoleClaimType",
                                                    "Null",
                                                    "",
                                                    "Key",
                                                    "EffectiveTime",
                                                    "ExpiryTime",
                                                    "KeyGeneration",
                                                    "KeyEffectiveTime",
                                                    "KeyExpiryTime",
                                                    "SessionId",
                                                    "Id",
                                                    "ValidFrom",
                                                    "ValidTo",
                                                    "ContextId",
                                                    "SessionToken",
                                                    "SessionTokenCookie",
                                                    "BootStrapToken",
                                                    "Context",
                                                    "ClaimsPrincipal",
                                                    "WindowsPrincipal",
                                                    "WindowIdentity",
                                                    "Identity",
                                                    "Identities",
                                                    "WindowsLogonName",
                                                    "PersistentTrue",
                                                    "SctAuthorizationPolicy",
                                                    "Right",
                                                    "EndpointId",
                                                    "WindowsSidClaim",
                                                    "DenyOnlySidClaim",
                                                    "X500DistinguishedNameClaim",
                                                    "X509ThumbprintClaim",
                                                    "NameClaim",
                                                    "DnsClaim",
                                                    "RsaClaim",
                                                    "MailAddressClaim",
                                                    "SystemClaim",
                                                    "HashClaim",
                                                    "SpnClaim",
                                                    "UpnClaim",
                                                    "UrlClaim",
                                                    "Sid",
                                                    "ReferenceModeTrue"};
  return kStrings;
}

constexpr std::string_view kSupportedVersion = "1";  // RS SupportedVersion

// SctAuthorizationPolicy claim kinds whose content is bytes (RS SerializeSysClaim: WriteBase64).
bool sys_claim_is_binary(std::string_view kind) {
  return kind == "WindowsSidClaim" || kind == "DenyOnlySidClaim" ||
         kind == "X500DistinguishedNameClaim" || kind == "X509ThumbprintClaim" ||
         kind == "HashClaim";
}
bool sys_claim_is_known(std::string_view kind) {
  static constexpr std::string_view kKinds[] = {"Null",
                                                "SystemClaim",
                                                "WindowsSidClaim",
                                                "DenyOnlySidClaim",
                                                "X500DistinguishedNameClaim",
                                                "X509ThumbprintClaim",
                                                "NameClaim",
                                                "DnsClaim",
                                                "RsaClaim",
                                                "MailAddressClaim",
                                                "HashClaim",
                                                "SpnClaim",
                                                "UpnClaim",
                                                "UrlClaim"};
  return std::find(std::begin(kKinds), std::end(kKinds), kind) != std::end(kKinds);
}

std::string_view sc_namespace(names::ScVersion v) {
  return names::sc(v).ns;
}

// --- writing ----------------------------------------------------------------------------------

class StateWriter {
 public:
  StateWriter() : w_(options()) {}

  static nbfx::EncodeOptions options() {
    nbfx::EncodeOptions o;
    o.static_dictionary = &session_dictionary();
    o.use_dictionary = true;
    o.dictionary_text = false;
    o.with_end_element = true;
    o.max_depth = 1024;
    return o;
  }

  // Attribute/element text as RS writes strings: "" as EmptyText, else UTF-8 Chars*Text.
  static nbfx::TextValue str(std::string_view s) {
    return s.empty() ? nbfx::TextValue::empty() : nbfx::TextValue::chars(s);
  }

  // XmlUtil.WriteElementStringAsUniqueId: a GUID UniqueId ("urn:uuid:<guid>") is written as
  // UniqueIdText, any other string as text.
  static nbfx::TextValue unique_id(std::string_view s) {
    if (s.size() == 45 && s.substr(0, 9) == "urn:uuid:") {
      auto g = nbfx::parse_guid(s);
      if (g.ok() && nbfx::format_guid(*g) == s.substr(9)) return nbfx::TextValue::unique_id(*g);
    }
    return str(s);
  }

  Status element(std::string_view name, const nbfx::TextValue& value) {
    PARLEY_TRY(w_.start_element("", name));
    PARLEY_TRY(w_.text(value));
    return w_.end_element();
  }

  Status run(const SessionToken& t) {
    if (t.id.empty())
      return Error(ErrorCode::kInvalidArgument, "Id is empty (WIF requires one)",
                   "SessionToken/Id");
    if (t.context_id.empty()) {
      return Error(ErrorCode::kInvalidArgument, "ContextId is empty", "SessionToken/ContextId");
    }
    for (Ticks ticks : {t.effective_time, t.expiry_time, t.key_effective_time, t.key_expiry_time}) {
      if (ticks < 0 || ticks > kMaxTicks) {
        return Error(ErrorCode::kInvalidArgument,
                     "time " + std::to_string(ticks) + " is outside 0.." +
                         std::to_string(kMaxTicks) + " ticks",
                     "SessionToken");
      }
    }
    if (t.sct_wrapper) {
      PARLEY_TRY(w_.start_element("", "SecurityContextToken"));
    } else {
      PARLEY_TRY(w_.start_element("", "SessionToken"));
      if (t.persistent) PARLEY_TRY(w_.attribute("", "PersistentTrue", nbfx::TextValue::empty()));
      if (t.reference_mode)
        PARLEY_TRY(w_.attribute("", "ReferenceModeTrue", nbfx::TextValue::empty()));
      if (!t.context.empty()) PARLEY_TRY(element("Context", str(t.context)));
    }
    PARLEY_TRY(element("Version", nbfx::TextValue::chars(kSupportedVersion)));
    PARLEY_TRY(
        element("SecureConversationVersion", str(sc_namespace(t.secure_conversation_version))));
    PARLEY_TRY(element("Id", str(t.id)));
    PARLEY_TRY(element("ContextId", unique_id(t.context_id)));
    PARLEY_TRY(element("Key", nbfx::TextValue::bytes(t.key)));
    if (t.key_generation) PARLEY_TRY(element("KeyGeneration", unique_id(*t.key_generation)));
    PARLEY_TRY(element("EffectiveTime", nbfx::TextValue::integer(t.effective_time)));
    PARLEY_TRY(element("ExpiryTime", nbfx::TextValue::integer(t.expiry_time)));
    PARLEY_TRY(element("KeyEffectiveTime", nbfx::TextValue::integer(t.key_effective_time)));
    PARLEY_TRY(element("KeyExpiryTime", nbfx::TextValue::integer(t.key_expiry_time)));
    if (t.has_principal) {
      PARLEY_TRY(w_.start_element("", "ClaimsPrincipal"));
      PARLEY_TRY(w_.start_element("", "Identities"));
      for (std::size_t i = 0; i < t.identities.size(); ++i) {
        auto s = identity(t.identities[i], 0);
        if (!s.ok())
          return std::move(s.error().within("SessionToken/ClaimsPrincipal/Identities/Identity[" +
                                            std::to_string(i) + "]"));
      }
      PARLEY_TRY(w_.end_element());
      PARLEY_TRY(w_.end_element());
    } else if (!t.identities.empty()) {
      return Error(ErrorCode::kInvalidArgument, "identities given but has_principal is false",
                   "SessionToken/ClaimsPrincipal");
    }
    if (t.sct_authorization_policy) {
      const auto& c = *t.sct_authorization_policy;
      if (!sys_claim_is_known(c.kind)) {
        return Error(ErrorCode::kInvalidArgument, "unknown claim kind '" + c.kind + "'",
                     "SessionToken/SctAuthorizationPolicy");
      }
      PARLEY_TRY(w_.start_element("", "SctAuthorizationPolicy"));
      PARLEY_TRY(w_.start_element("", c.kind));
      if (c.right) PARLEY_TRY(w_.attribute("", "Right", str(*c.right)));
      if (sys_claim_is_binary(c.kind)) {
        auto bytes = base64_decode(c.value);
        if (!bytes.ok())
          return std::move(bytes.error().within("SessionToken/SctAuthorizationPolicy/" + c.kind));
        if (!bytes->empty()) PARLEY_TRY(w_.text(nbfx::TextValue::bytes(*bytes)));
      } else if (!c.value.empty()) {
        PARLEY_TRY(w_.text(str(c.value)));
      }
      PARLEY_TRY(w_.end_element());
      PARLEY_TRY(w_.end_element());
    }
    PARLEY_TRY(element("EndpointId", str(t.endpoint_id)));
    return w_.end_element();
  }

  Result<Bytes> finish() const { return w_.finish(); }

 private:
  Status identity(const ClaimsIdentity& id, std::size_t depth) {
    if (depth > SessionTokenLimits{}.max_actor_depth) {
      return Error(
          ErrorCode::kInvalidArgument,
          "actor chain deeper than " + std::to_string(SessionTokenLimits{}.max_actor_depth),
          "Actor");
    }
    PARLEY_TRY(w_.start_element("", "Identity"));
    // RS WriteIdentity attribute order.
    if (id.windows_logon_name)
      PARLEY_TRY(w_.attribute("", "WindowsLogonName", str(*id.windows_logon_name)));
    if (!id.authentication_type.empty()) {
      PARLEY_TRY(w_.attribute("", "AuthenticationType", str(id.authentication_type)));
    }
    if (!id.label.empty()) PARLEY_TRY(w_.attribute("", "Label", str(id.label)));
    if (id.name_claim_type) PARLEY_TRY(w_.attribute("", "NameClaimType", str(*id.name_claim_type)));
    if (id.role_claim_type) PARLEY_TRY(w_.attribute("", "RoleClaimType", str(*id.role_claim_type)));
    PARLEY_TRY(w_.start_element("", "ClaimCollection"));
    for (std::size_t i = 0; i < id.claims.size(); ++i) {
      const Claim& c = id.claims[i];
      const std::string where = "ClaimCollection/Claim[" + std::to_string(i) + "]";
      PARLEY_TRY(w_.start_element("", "Claim"));
      if (!c.issuer.empty()) PARLEY_TRY(w_.attribute("", "Issuer", str(c.issuer)));
      if (!c.original_issuer.empty())
        PARLEY_TRY(w_.attribute("", "OriginalIssuer", str(c.original_issuer)));
      PARLEY_TRY(w_.attribute("", "Type", str(c.type)));
      PARLEY_TRY(w_.attribute("", "Value", str(c.value)));
      PARLEY_TRY(w_.attribute("", "ValueType", str(c.value_type)));
      if (!c.properties.empty()) {
        PARLEY_TRY(w_.start_element("", "ClaimProperties"));
        for (const auto& [name, value] : c.properties) {
          if (name.empty() || value.empty()) {
            return Error(ErrorCode::kInvalidArgument,
                         "a claim property with an empty name or value cannot be serialized (WIF "
                         "drops it when "
                         "writing and refuses it when reading)",
                         where + "/ClaimProperties");
          }
          PARLEY_TRY(w_.start_element("", "ClaimProperty"));
          PARLEY_TRY(w_.attribute("", "ClaimPropertyName", str(name)));
          PARLEY_TRY(w_.attribute("", "ClaimPropertyValue", str(value)));
          PARLEY_TRY(w_.end_element());
        }
        PARLEY_TRY(w_.end_element());
      }
      PARLEY_TRY(w_.end_element());
    }
    PARLEY_TRY(w_.end_element());
    if (id.actor) {
      PARLEY_TRY(w_.start_element("", "Actor"));
      PARLEY_TRY(identity(*id.actor, depth + 1));
      PARLEY_TRY(w_.end_element());
    }
    if (id.bootstrap_token) {
      PARLEY_TRY(w_.start_element("", "BootStrapToken"));
      if (!id.bootstrap_token->empty())
        PARLEY_TRY(w_.text(nbfx::TextValue::bytes(*id.bootstrap_token)));
      PARLEY_TRY(w_.end_element());
    }
    return w_.end_element();
  }

  nbfx::Writer w_;
};

// --- reading ----------------------------------------------------------------------------------

using nbfx::Node;

// Children of one element, walked in order the way RS's reader does (IsStartElement checks).
class Children {
 public:
  Children(const Node& parent, std::string path) : parent_(parent), path_(std::move(path)) {}

  // Errors on text between the child elements (RS reads elements only).
  Status check_no_text() const {
    for (const auto& c : parent_.children) {
      if (c.kind == Node::Kind::kText) {
        return Error(ErrorCode::kParse, "unexpected text content \"" + c.text.substr(0, 40) + "\"",
                     path_);
      }
      if (c.kind == Node::Kind::kComment)
        return Error(ErrorCode::kParse, "unexpected comment", path_);
    }
    return ok_status();
  }

  bool at(std::string_view name) const {
    return i_ < parent_.children.size() && parent_.children[i_].local_name == name &&
           parent_.children[i_].prefix.empty();
  }
  const Node* next_if(std::string_view name) {
    return at(name) ? &parent_.children[i_++] : nullptr;
  }

  Result<const Node*> expect(std::string_view name) {
    if (at(name)) return &parent_.children[i_++];
    return Error(ErrorCode::kParse,
                 "expected <" + std::string(name) + ">, found " +
                     (i_ < parent_.children.size() ? "<" + qname(parent_.children[i_]) + ">"
                                                   : "the end of the element") +
                     " (the layout order is fixed)",
                 path_);
  }

  Status expect_end() const {
    if (i_ < parent_.children.size()) {
      return Error(ErrorCode::kParse, "unexpected element <" + qname(parent_.children[i_]) + ">",
                   path_);
    }
    return ok_status();
  }

  const std::string& path() const { return path_; }

  static std::string qname(const Node& n) {
    return n.prefix.empty() ? n.local_name : n.prefix + ":" + n.local_name;
  }

 private:
  const Node& parent_;
  std::string path_;
  std::size_t i_ = 0;
};

// Namespace rule: every element and attribute of the state is in no namespace (RS:
// dictionary.EmptyString as namespace everywhere).
Status check_plain(const Node& n, const std::string& path) {
  if (!n.prefix.empty()) {
    return Error(ErrorCode::kParse,
                 "element has prefix '" + n.prefix + "'; the state uses no namespaces", path);
  }
  for (const auto& a : n.attributes) {
    if (a.is_xmlns) {
      return Error(ErrorCode::kParse,
                   "namespace declaration on <" + n.local_name + ">; the state uses no namespaces",
                   path);
    }
  }
  return ok_status();
}

const nbfx::Attribute* find_attribute(const Node& n, std::string_view name) {
  for (const auto& a : n.attributes) {
    if (!a.is_xmlns && a.prefix.empty() && a.local_name == name) return &a;
  }
  return nullptr;
}

// Text-only content (ReadElementString / ReadElementContentAs*): no child elements.
Result<std::string> text_of(const Node& n, const std::string& path) {
  PARLEY_TRY(check_plain(n, path));
  std::string text;
  for (const auto& c : n.children) {
    if (c.kind == Node::Kind::kElement) {
      return Error(ErrorCode::kParse, "element <" + c.local_name + "> inside a text-only element",
                   path);
    }
    if (c.kind == Node::Kind::kText) text += c.text;
  }
  return text;
}

// Base64 content: Bytes*Text records give the bytes directly; other text is base64-decoded.
Result<Bytes> bytes_of(const Node& n, const std::string& path) {
  PARLEY_TRY(check_plain(n, path));
  Bytes out;
  std::string text;
  bool only_bytes_records = true;
  for (const auto& c : n.children) {
    if (c.kind == Node::Kind::kElement) {
      return Error(ErrorCode::kParse, "element <" + c.local_name + "> inside a base64 element",
                   path);
    }
    if (c.kind != Node::Kind::kText) continue;
    const auto base = static_cast<std::uint8_t>(c.record & 0xFE);
    if (base == nbfx::rt::kBytes8Text || base == nbfx::rt::kBytes16Text ||
        base == nbfx::rt::kBytes32Text) {
      out.insert(out.end(), c.bytes.begin(), c.bytes.end());
    } else {
      only_bytes_records = false;
    }
    text += c.text;
  }
  if (only_bytes_records) return out;
  auto decoded = base64_decode(text);
  if (!decoded.ok())
    return Error(ErrorCode::kParse, "content is not base64: " + decoded.error().what(), path);
  return decoded;
}

Result<Ticks> ticks_of(const Node& n, const std::string& path) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, text_of(n, path));
  Ticks v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    return Error(ErrorCode::kParse, "'" + text + "' is not an Int64 (ticks)", path);
  }
  if (v < 0 || v > kMaxTicks) {
    return Error(ErrorCode::kParse,
                 "ticks " + text + " are outside DateTime's range 0.." + std::to_string(kMaxTicks),
                 path);
  }
  return v;
}

class StateReader {
 public:
  explicit StateReader(const SessionTokenLimits& limits) : limits_(limits) {}

  Result<SessionToken> run(const nbfx::Decoded& decoded) {
    const Node* root = nullptr;
    for (const auto& n : decoded.nodes) {
      if (n.kind != Node::Kind::kElement) {
        return Error(ErrorCode::kParse, "content outside the root element", "session state");
      }
      if (root != nullptr)
        return Error(ErrorCode::kParse, "more than one root element", "session state");
      root = &n;
    }
    if (root == nullptr) return Error(ErrorCode::kParse, "no root element", "session state");
    SessionToken t;
    const std::string path = root->local_name;
    PARLEY_TRY(check_plain(*root, path));
    if (root->local_name == "SecurityContextToken") {
      t.sct_wrapper = true;
      t.persistent = true;  // RS: isPersistent starts true and only a SessionToken root clears it
    } else if (root->local_name == "SessionToken") {
      t.persistent = find_attribute(*root, "PersistentTrue") != nullptr;
      t.reference_mode = find_attribute(*root, "ReferenceModeTrue") != nullptr;
    } else {
      return Error(ErrorCode::kParse,
                   "root element is <" + root->local_name +
                       ">, expected <SessionToken> or <SecurityContextToken>",
                   "session state");
    }
    Children c(*root, path);
    PARLEY_TRY(c.check_no_text());
    if (!t.sct_wrapper) {
      if (const Node* n = c.next_if("Context")) {
        PARLEY_ASSIGN_OR_RETURN(t.context, text_of(*n, path + "/Context"));
      }
    }
    PARLEY_ASSIGN_OR_RETURN(const Node* version, c.expect("Version"));
    PARLEY_ASSIGN_OR_RETURN(std::string v, text_of(*version, path + "/Version"));
    if (v != kSupportedVersion) {
      return Error(ErrorCode::kParse, "version '" + v + "' is not the supported \"1\"",
                   path + "/Version");
    }
    PARLEY_ASSIGN_OR_RETURN(const Node* scv, c.expect("SecureConversationVersion"));
    PARLEY_ASSIGN_OR_RETURN(std::string sc, text_of(*scv, path + "/SecureConversationVersion"));
    if (sc == names::ns::kWscFeb2005) {
      t.secure_conversation_version = names::ScVersion::kFeb2005;
    } else if (sc == names::ns::kWsc13) {
      t.secure_conversation_version = names::ScVersion::k1_3;
    } else {
      return Error(ErrorCode::kParse,
                   "'" + sc + "' is neither the WS-SC Feb 2005 nor the 1.3 namespace",
                   path + "/SecureConversationVersion");
    }
    PARLEY_ASSIGN_OR_RETURN(const Node* id, c.expect("Id"));
    PARLEY_ASSIGN_OR_RETURN(t.id, text_of(*id, path + "/Id"));
    if (t.id.empty())
      return Error(ErrorCode::kParse, "Id is empty (WIF requires one)", path + "/Id");
    PARLEY_ASSIGN_OR_RETURN(const Node* ctx, c.expect("ContextId"));
    PARLEY_ASSIGN_OR_RETURN(t.context_id, text_of(*ctx, path + "/ContextId"));
    if (t.context_id.empty())
      return Error(ErrorCode::kParse, "ContextId is empty", path + "/ContextId");
    PARLEY_ASSIGN_OR_RETURN(const Node* key, c.expect("Key"));
    PARLEY_ASSIGN_OR_RETURN(t.key, bytes_of(*key, path + "/Key"));
    if (const Node* gen = c.next_if("KeyGeneration")) {
      PARLEY_ASSIGN_OR_RETURN(std::string g, text_of(*gen, path + "/KeyGeneration"));
      t.key_generation = std::move(g);
    }
    PARLEY_ASSIGN_OR_RETURN(const Node* eff, c.expect("EffectiveTime"));
    PARLEY_ASSIGN_OR_RETURN(t.effective_time, ticks_of(*eff, path + "/EffectiveTime"));
    PARLEY_ASSIGN_OR_RETURN(const Node* exp, c.expect("ExpiryTime"));
    PARLEY_ASSIGN_OR_RETURN(t.expiry_time, ticks_of(*exp, path + "/ExpiryTime"));
    PARLEY_ASSIGN_OR_RETURN(const Node* keff, c.expect("KeyEffectiveTime"));
    PARLEY_ASSIGN_OR_RETURN(t.key_effective_time, ticks_of(*keff, path + "/KeyEffectiveTime"));
    PARLEY_ASSIGN_OR_RETURN(const Node* kexp, c.expect("KeyExpiryTime"));
    PARLEY_ASSIGN_OR_RETURN(t.key_expiry_time, ticks_of(*kexp, path + "/KeyExpiryTime"));
    t.has_principal = false;
    if (const Node* p = c.next_if("ClaimsPrincipal")) {
      t.has_principal = true;
      PARLEY_TRY(principal(*p, path + "/ClaimsPrincipal", t.identities));
    }
    if (const Node* p = c.next_if("SctAuthorizationPolicy")) {
      PARLEY_ASSIGN_OR_RETURN(t.sct_authorization_policy,
                              sys_claim(*p, path + "/SctAuthorizationPolicy"));
    }
    if (const Node* e = c.next_if("EndpointId")) {
      PARLEY_ASSIGN_OR_RETURN(t.endpoint_id, text_of(*e, path + "/EndpointId"));
    }
    PARLEY_TRY(c.expect_end());
    return t;
  }

 private:
  Status principal(const Node& p, const std::string& path, std::vector<ClaimsIdentity>& out) {
    PARLEY_TRY(check_plain(p, path));
    Children c(p, path);
    PARLEY_TRY(c.check_no_text());
    if (const Node* ids = c.next_if("Identities")) {
      const std::string ids_path = path + "/Identities";
      PARLEY_TRY(check_plain(*ids, ids_path));
      Children ic(*ids, ids_path);
      PARLEY_TRY(ic.check_no_text());
      std::size_t i = 0;
      while (const Node* id = ic.next_if("Identity")) {
        ClaimsIdentity identity_value;
        PARLEY_TRY(
            identity(*id, ids_path + "/Identity[" + std::to_string(i++) + "]", 0, identity_value));
        out.push_back(std::move(identity_value));
      }
      PARLEY_TRY(ic.expect_end());
    }
    return c.expect_end();
  }

  Status identity(const Node& n, const std::string& path, std::size_t depth, ClaimsIdentity& out) {
    if (depth > limits_.max_actor_depth) {
      return Error(
          ErrorCode::kLimitExceeded,
          "actor chain deeper than max_actor_depth " + std::to_string(limits_.max_actor_depth),
          path);
    }
    if (++identities_ > limits_.max_identities) {
      return Error(
          ErrorCode::kLimitExceeded,
          "more than max_identities " + std::to_string(limits_.max_identities) + " identities",
          path);
    }
    PARLEY_TRY(check_plain(n, path));
    if (const auto* a = find_attribute(n, "NameClaimType")) out.name_claim_type = a->value;
    if (const auto* a = find_attribute(n, "RoleClaimType")) out.role_claim_type = a->value;
    if (const auto* a = find_attribute(n, "WindowsLogonName")) out.windows_logon_name = a->value;
    if (const auto* a = find_attribute(n, "AuthenticationType")) out.authentication_type = a->value;
    if (const auto* a = find_attribute(n, "Label")) out.label = a->value;
    Children c(n, path);
    PARLEY_TRY(c.check_no_text());
    if (const Node* cc = c.next_if("ClaimCollection")) {
      const std::string cc_path = path + "/ClaimCollection";
      PARLEY_TRY(check_plain(*cc, cc_path));
      Children claims(*cc, cc_path);
      PARLEY_TRY(claims.check_no_text());
      std::size_t i = 0;
      while (const Node* cl = claims.next_if("Claim")) {
        Claim claim_value;
        PARLEY_TRY(claim(*cl, cc_path + "/Claim[" + std::to_string(i++) + "]", claim_value));
        out.claims.push_back(std::move(claim_value));
      }
      PARLEY_TRY(claims.expect_end());
    }
    if (const Node* actor = c.next_if("Actor")) {
      const std::string a_path = path + "/Actor";
      PARLEY_TRY(check_plain(*actor, a_path));
      Children ac(*actor, a_path);
      PARLEY_TRY(ac.check_no_text());
      PARLEY_ASSIGN_OR_RETURN(const Node* inner, ac.expect("Identity"));
      PARLEY_TRY(ac.expect_end());
      out.actor = std::make_unique<ClaimsIdentity>();
      PARLEY_TRY(identity(*inner, a_path + "/Identity", depth + 1, *out.actor));
    }
    if (const Node* b = c.next_if("BootStrapToken")) {
      PARLEY_ASSIGN_OR_RETURN(Bytes bytes, bytes_of(*b, path + "/BootStrapToken"));
      out.bootstrap_token = std::move(bytes);
    }
    return c.expect_end();
  }

  Status claim(const Node& n, const std::string& path, Claim& out) {
    if (++claims_ > limits_.max_claims) {
      return Error(ErrorCode::kLimitExceeded,
                   "more than max_claims " + std::to_string(limits_.max_claims) + " claims", path);
    }
    PARLEY_TRY(check_plain(n, path));
    const auto* type = find_attribute(n, "Type");
    const auto* value = find_attribute(n, "Value");
    // RS: new Claim(type, value, ...) throws on a null type or value.
    if (type == nullptr) return Error(ErrorCode::kParse, "Type attribute missing", path);
    if (value == nullptr) return Error(ErrorCode::kParse, "Value attribute missing", path);
    out.type = type->value;
    out.value = value->value;
    const auto* value_type = find_attribute(n, "ValueType");
    out.value_type =
        value_type != nullptr ? value_type->value : std::string(names::wif::kClaimValueTypeString);
    if (const auto* a = find_attribute(n, "Issuer")) out.issuer = a->value;
    if (const auto* a = find_attribute(n, "OriginalIssuer")) out.original_issuer = a->value;
    Children c(n, path);
    PARLEY_TRY(c.check_no_text());
    if (const Node* props = c.next_if("ClaimProperties")) {
      const std::string p_path = path + "/ClaimProperties";
      PARLEY_TRY(check_plain(*props, p_path));
      Children pc(*props, p_path);
      PARLEY_TRY(pc.check_no_text());
      std::size_t i = 0;
      while (const Node* p = pc.next_if("ClaimProperty")) {
        const std::string pp = p_path + "/ClaimProperty[" + std::to_string(i++) + "]";
        PARLEY_TRY(check_plain(*p, pp));
        const auto* name = find_attribute(*p, "ClaimPropertyName");
        const auto* pv = find_attribute(*p, "ClaimPropertyValue");
        // RS ReadClaimProperties: ID4249 / ID4250.
        if (name == nullptr || name->value.empty()) {
          return Error(ErrorCode::kParse, "ClaimPropertyName missing or empty", pp);
        }
        if (pv == nullptr || pv->value.empty()) {
          return Error(ErrorCode::kParse, "ClaimPropertyValue missing or empty", pp);
        }
        if (!p->children.empty())
          return Error(ErrorCode::kParse, "ClaimProperty must be empty", pp);
        out.properties.emplace_back(name->value, pv->value);
      }
      PARLEY_TRY(pc.expect_end());
    }
    return c.expect_end();
  }

  Result<SctAuthorizationClaim> sys_claim(const Node& p, const std::string& path) {
    PARLEY_TRY(check_plain(p, path));
    Children c(p, path);
    PARLEY_TRY(c.check_no_text());
    const auto& kids = p.children;
    if (kids.empty() || kids.front().kind != Node::Kind::kElement) {
      return Error(ErrorCode::kParse, "expected one claim element", path);
    }
    const Node& k = kids.front();
    const std::string k_path = path + "/" + k.local_name;
    if (!sys_claim_is_known(k.local_name)) {
      return Error(ErrorCode::kParse, "unknown claim element <" + k.local_name + ">", path);
    }
    SctAuthorizationClaim out;
    out.kind = k.local_name;
    if (const auto* r = find_attribute(k, "Right")) out.right = r->value;
    if (sys_claim_is_binary(out.kind)) {
      PARLEY_ASSIGN_OR_RETURN(Bytes b, bytes_of(k, k_path));
      out.value = base64_encode(b);
    } else {
      PARLEY_ASSIGN_OR_RETURN(out.value, text_of(k, k_path));
    }
    PARLEY_ASSIGN_OR_RETURN(const Node* first, c.expect(k.local_name));
    (void)first;
    PARLEY_TRY(c.expect_end());
    return out;
  }

  const SessionTokenLimits& limits_;
  std::size_t identities_ = 0;
  std::size_t claims_ = 0;
};

// --- MS-NRBF frame ----------------------------------------------------------------------------

// The names BinaryFormatter writes for a .NET 4.5 SessionSecurityToken (RS: [Serializable]
// class System.IdentityModel.Tokens.SessionSecurityToken in System.IdentityModel, whose
// GetObjectData adds one byte[] value named "SessionToken").
constexpr std::string_view kLibraryName =
    "System.IdentityModel, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089";
constexpr std::string_view kClassName = "System.IdentityModel.Tokens.SessionSecurityToken";
constexpr std::string_view kMemberName = "SessionToken";

void put_i32(Bytes& out, std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>((u >> (8 * i)) & 0xFF));
}

// [MS-NRBF] 2.1.1.6 LengthPrefixedString: 7-bit-per-byte length, then UTF-8.
void put_lps(Bytes& out, std::string_view s) {
  auto n = static_cast<std::uint32_t>(s.size());
  while (n >= 0x80) {
    out.push_back(static_cast<std::uint8_t>((n & 0x7F) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(n));
  out.insert(out.end(), s.begin(), s.end());
}

class NrbfReader {
 public:
  explicit NrbfReader(ByteView in) : in_(in) {}

  Error fail(const std::string& what) const {
    return Error(ErrorCode::kParse, what + " at offset " + std::to_string(pos_),
                 "BinaryFormatter frame");
  }
  Result<std::uint8_t> byte(const char* field) {
    if (pos_ >= in_.size()) return fail(std::string("truncated: ") + field);
    return in_[pos_++];
  }
  Result<std::int32_t> i32(const char* field) {
    if (in_.size() - pos_ < 4) return fail(std::string("truncated: ") + field);
    std::uint32_t u = 0;
    for (int i = 0; i < 4; ++i)
      u |= static_cast<std::uint32_t>(in_[pos_ + static_cast<std::size_t>(i)]) << (8 * i);
    pos_ += 4;
    return static_cast<std::int32_t>(u);
  }
  Result<std::string> lps(const char* field) {
    std::uint32_t n = 0;
    for (int i = 0;; ++i) {
      if (i == 5) return fail(std::string(field) + ": string length longer than 5 bytes");
      PARLEY_ASSIGN_OR_RETURN(std::uint8_t b, byte(field));
      n |= static_cast<std::uint32_t>(b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) break;
    }
    if (n > in_.size() - pos_)
      return fail(std::string(field) + ": string length " + std::to_string(n) +
                  " runs past the end");
    std::string s(in_.begin() + static_cast<std::ptrdiff_t>(pos_),
                  in_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return s;
  }
  Status expect_byte(std::uint8_t want, const char* record) {
    PARLEY_ASSIGN_OR_RETURN(std::uint8_t b, byte(record));
    if (b != want) {
      --pos_;
      return fail(std::string("expected ") + record + " (record type " + std::to_string(want) +
                  "), found " + std::to_string(b));
    }
    return ok_status();
  }
  std::size_t pos() const { return pos_; }
  std::size_t left() const { return in_.size() - pos_; }
  ByteView take(std::size_t n) {
    ByteView v = in_.subspan(pos_, n);
    pos_ += n;
    return v;
  }

 private:
  ByteView in_;
  std::size_t pos_ = 0;
};

std::string escape_xml(std::string_view s, bool attribute) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += attribute ? "&quot;" : "\"";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string two_digits(int v) {
  return (v < 10 ? "0" : "") + std::to_string(v);
}

}  // namespace

// --- ClaimsIdentity copy / equality -----------------------------------------------------------

ClaimsIdentity::ClaimsIdentity(const ClaimsIdentity& o)
    : authentication_type(o.authentication_type),
      label(o.label),
      name_claim_type(o.name_claim_type),
      role_claim_type(o.role_claim_type),
      windows_logon_name(o.windows_logon_name),
      claims(o.claims),
      actor(o.actor ? std::make_unique<ClaimsIdentity>(*o.actor) : nullptr),
      bootstrap_token(o.bootstrap_token) {}

ClaimsIdentity& ClaimsIdentity::operator=(const ClaimsIdentity& o) {
  if (this != &o) {
    ClaimsIdentity copy(o);
    *this = std::move(copy);
  }
  return *this;
}

bool operator==(const ClaimsIdentity& a, const ClaimsIdentity& b) {
  if (a.authentication_type != b.authentication_type || a.label != b.label ||
      a.name_claim_type != b.name_claim_type || a.role_claim_type != b.role_claim_type ||
      a.windows_logon_name != b.windows_logon_name || a.claims != b.claims ||
      a.bootstrap_token != b.bootstrap_token) {
    return false;
  }
  if ((a.actor == nullptr) != (b.actor == nullptr)) return false;
  return a.actor == nullptr || *a.actor == *b.actor;
}

// --- time -------------------------------------------------------------------------------------

Result<std::string> ticks_to_iso8601(Ticks ticks) {
  if (ticks < 0 || ticks > kMaxTicks) {
    return Error(ErrorCode::kInvalidArgument,
                 "ticks " + std::to_string(ticks) + " outside 0.." + std::to_string(kMaxTicks),
                 "time");
  }
  const nbfx::CivilTime t = nbfx::civil_from_ticks(static_cast<std::uint64_t>(ticks));
  std::string year = std::to_string(t.year);
  std::string frac = std::to_string(t.fraction);
  return std::string(4 - year.size(), '0') + year + "-" + two_digits(t.month) + "-" +
         two_digits(t.day) + "T" + two_digits(t.hour) + ":" + two_digits(t.minute) + ":" +
         two_digits(t.second) + "." + std::string(7 - frac.size(), '0') + frac + "Z";
}

Result<Ticks> ticks_from_iso8601(std::string_view s) {
  const Error bad(ErrorCode::kParse,
                  "'" + std::string(s) + "' is not yyyy-MM-ddTHH:mm:ss[.fffffff]Z", "time");
  auto num = [&s](std::size_t at, std::size_t len, int& out) {
    if (at + len > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  nbfx::CivilTime t;
  if (s.size() < 20 || !num(0, 4, t.year) || s[4] != '-' || !num(5, 2, t.month) || s[7] != '-' ||
      !num(8, 2, t.day) || s[10] != 'T' || !num(11, 2, t.hour) || s[13] != ':' ||
      !num(14, 2, t.minute) || s[16] != ':' || !num(17, 2, t.second) || s.back() != 'Z') {
    return bad;
  }
  std::string_view rest = s.substr(19, s.size() - 20);
  if (!rest.empty()) {
    if (rest.front() != '.' || rest.size() < 2 || rest.size() > 8) return bad;
    std::uint32_t frac = 0;
    for (std::size_t i = 1; i < rest.size(); ++i) {
      if (rest[i] < '0' || rest[i] > '9') return bad;
      frac = frac * 10 + static_cast<std::uint32_t>(rest[i] - '0');
    }
    for (std::size_t i = rest.size(); i < 8; ++i) frac *= 10;
    t.fraction = frac;
  }
  auto ticks = nbfx::ticks_from_civil(t);
  if (!ticks.ok())
    return Error(ErrorCode::kParse, "'" + std::string(s) + "': " + ticks.error().what(), "time");
  return static_cast<Ticks>(*ticks);
}

// --- dictionary / state -----------------------------------------------------------------------

const nbfx::Dictionary& session_dictionary() {
  static const nbfx::Dictionary kDictionary =
      nbfx::Dictionary::static_from_list(session_dictionary_strings());
  return kDictionary;
}

Result<Bytes> serialize_session_state(const SessionToken& token) {
  StateWriter w;
  auto s = w.run(token);
  if (!s.ok()) return std::move(s.error());
  return w.finish();
}

Result<SessionToken> parse_session_state(ByteView nbfx_bytes, const SessionTokenLimits& limits) {
  nbfx::DecodeOptions options;
  options.static_dictionary = &session_dictionary();
  options.unknown_ids = nbfx::UnknownIds::kError;
  options.limits = limits.nbfx;
  auto decoded = nbfx::decode(nbfx_bytes, options);
  if (!decoded.ok()) return std::move(decoded.error().within("session state"));
  StateReader reader(limits);
  return reader.run(*decoded);
}

// --- BinaryFormatter frame --------------------------------------------------------------------

Bytes wrap_binary_formatter(ByteView nbfx_state) {
  Bytes out;
  // [MS-NRBF] 2.6.1 SerializationHeaderRecord: RootId 1, HeaderId -1, version 1.0.
  out.push_back(0x00);
  put_i32(out, 1);
  put_i32(out, -1);
  put_i32(out, 1);
  put_i32(out, 0);
  // 2.6.2 BinaryLibrary: LibraryId 2.
  out.push_back(0x0C);
  put_i32(out, 2);
  put_lps(out, kLibraryName);
  // 2.3.2.1 ClassWithMembersAndTypes: ObjectId 1, one member "SessionToken" of BinaryType
  // PrimitiveArray (7) with PrimitiveType Byte (2), LibraryId 2.
  out.push_back(0x05);
  put_i32(out, 1);
  put_lps(out, kClassName);
  put_i32(out, 1);
  put_lps(out, kMemberName);
  out.push_back(0x07);
  out.push_back(0x02);
  put_i32(out, 2);
  // The member value: 2.5.3 MemberReference to object 3, which follows as
  // 2.4.3.3 ArraySinglePrimitive (ObjectId 3, Length, PrimitiveType Byte, the bytes).
  out.push_back(0x09);
  put_i32(out, 3);
  out.push_back(0x0F);
  put_i32(out, 3);
  put_i32(out, static_cast<std::int32_t>(nbfx_state.size()));
  out.push_back(0x02);
  out.insert(out.end(), nbfx_state.begin(), nbfx_state.end());
  // 2.6.3 MessageEnd.
  out.push_back(0x0B);
  return out;
}

Result<Bytes> unwrap_binary_formatter(ByteView payload) {
  NrbfReader r(payload);
  PARLEY_TRY(r.expect_byte(0x00, "SerializationHeaderRecord"));
  PARLEY_ASSIGN_OR_RETURN(std::int32_t root_id, r.i32("RootId"));
  PARLEY_ASSIGN_OR_RETURN(std::int32_t header_id, r.i32("HeaderId"));
  PARLEY_ASSIGN_OR_RETURN(std::int32_t major, r.i32("MajorVersion"));
  PARLEY_ASSIGN_OR_RETURN(std::int32_t minor, r.i32("MinorVersion"));
  (void)header_id;
  if (major != 1 || minor != 0)
    return r.fail("version " + std::to_string(major) + "." + std::to_string(minor) + " is not 1.0");
  PARLEY_TRY(r.expect_byte(0x0C, "BinaryLibrary"));
  PARLEY_ASSIGN_OR_RETURN(std::int32_t library_id, r.i32("LibraryId"));
  PARLEY_ASSIGN_OR_RETURN(std::string library, r.lps("LibraryName"));
  (void)library;
  PARLEY_TRY(r.expect_byte(0x05, "ClassWithMembersAndTypes"));
  PARLEY_ASSIGN_OR_RETURN(std::int32_t object_id, r.i32("ObjectId"));
  if (object_id != root_id)
    return r.fail("class ObjectId " + std::to_string(object_id) + " is not the RootId");
  PARLEY_ASSIGN_OR_RETURN(std::string class_name, r.lps("ClassName"));
  if (class_name.size() < 20 ||
      class_name.substr(class_name.size() - 20) != "SessionSecurityToken") {
    return r.fail("class '" + class_name + "' is not a SessionSecurityToken");
  }
  PARLEY_ASSIGN_OR_RETURN(std::int32_t member_count, r.i32("MemberCount"));
  if (member_count != 1) return r.fail("MemberCount " + std::to_string(member_count) + " is not 1");
  PARLEY_ASSIGN_OR_RETURN(std::string member, r.lps("MemberName"));
  if (member != kMemberName) return r.fail("member '" + member + "' is not \"SessionToken\"");
  PARLEY_ASSIGN_OR_RETURN(std::uint8_t binary_type, r.byte("BinaryTypeEnum"));
  PARLEY_ASSIGN_OR_RETURN(std::uint8_t primitive, r.byte("AdditionalInfo"));
  if (binary_type != 0x07 || primitive != 0x02)
    return r.fail("member type is not byte[] (PrimitiveArray of Byte)");
  PARLEY_ASSIGN_OR_RETURN(std::int32_t class_library, r.i32("LibraryId"));
  if (class_library != library_id) return r.fail("class LibraryId does not name the BinaryLibrary");
  PARLEY_TRY(r.expect_byte(0x09, "MemberReference"));
  PARLEY_ASSIGN_OR_RETURN(std::int32_t ref, r.i32("IdRef"));
  PARLEY_TRY(r.expect_byte(0x0F, "ArraySinglePrimitive"));
  PARLEY_ASSIGN_OR_RETURN(std::int32_t array_id, r.i32("ObjectId"));
  if (array_id != ref)
    return r.fail("array ObjectId " + std::to_string(array_id) + " is not the member's IdRef");
  PARLEY_ASSIGN_OR_RETURN(std::int32_t length, r.i32("Length"));
  PARLEY_ASSIGN_OR_RETURN(std::uint8_t element_type, r.byte("PrimitiveTypeEnum"));
  if (element_type != 0x02) return r.fail("array element type is not Byte");
  if (length < 0 || static_cast<std::size_t>(length) > r.left()) {
    return r.fail("array Length " + std::to_string(length) + " runs past the end (" +
                  std::to_string(r.left()) + " left)");
  }
  ByteView state = r.take(static_cast<std::size_t>(length));
  PARLEY_TRY(r.expect_byte(0x0B, "MessageEnd"));
  if (r.left() != 0) return r.fail(std::to_string(r.left()) + " bytes after MessageEnd");
  return Bytes(state.begin(), state.end());
}

Result<Bytes> encode_cookie_payload(const SessionToken& token, CookieFraming framing) {
  PARLEY_ASSIGN_OR_RETURN(Bytes state, serialize_session_state(token));
  if (framing == CookieFraming::kRawNbfx) return state;
  return wrap_binary_formatter(state);
}

Result<SessionToken> decode_cookie_payload(ByteView payload, const SessionTokenLimits& limits) {
  if (!payload.empty() && payload[0] == 0x00) {
    PARLEY_ASSIGN_OR_RETURN(Bytes state, unwrap_binary_formatter(payload));
    return parse_session_state(state, limits);
  }
  return parse_session_state(payload, limits);
}

// --- SCT XML ----------------------------------------------------------------------------------

std::string write_security_context_token(const SessionToken& token, ByteView transformed_cookie,
                                         const SctWriteOptions& options) {
  std::string out;
  if (options.utf8_bom) out += "\xEF\xBB\xBF";
  if (options.xml_declaration) out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
  out += "<SecurityContextToken";
  if (!token.id.empty()) {
    out += " " + options.wsu_prefix + ":Id=\"" + escape_xml(token.id, true) +
           "\" xmlns:" + options.wsu_prefix + "=\"" + std::string(names::ns::kWsu) + "\"";
  }
  out += " xmlns=\"" + std::string(sc_namespace(token.secure_conversation_version)) + "\">";
  out += "<Identifier>" + escape_xml(token.context_id, false) + "</Identifier>";
  if (token.key_generation)
    out += "<Instance>" + escape_xml(*token.key_generation, false) + "</Instance>";
  if (!token.reference_mode) {
    out += "<Cookie xmlns=\"" + std::string(names::ns::kDnse) + "\">" +
           base64_encode(transformed_cookie) + "</Cookie>";
  }
  out += "</SecurityContextToken>";
  return out;
}

Result<SecurityContextTokenXml> read_security_context_token(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  auto doc = xml::parse(text);
  if (!doc.ok()) return std::move(doc.error().within("SecurityContextToken"));
  xmlNode* root = doc->root();
  SecurityContextTokenXml out;
  std::string_view ns;
  if (xml::is_element(root, names::ns::kWscFeb2005, "SecurityContextToken")) {
    out.version = names::ScVersion::kFeb2005;
    ns = names::ns::kWscFeb2005;
  } else if (xml::is_element(root, names::ns::kWsc13, "SecurityContextToken")) {
    out.version = names::ScVersion::k1_3;
    ns = names::ns::kWsc13;
  } else {
    return Error(ErrorCode::kParse,
                 "root is {" + std::string(xml::namespace_uri(root)) + "}" +
                     std::string(xml::local_name(root)) +
                     ", not a WS-SC Feb 2005 or 1.3 SecurityContextToken",
                 "SecurityContextToken");
  }
  if (auto id = xml::attribute(root, names::ns::kWsu, "Id"); id.found) out.id = id.value;
  const auto kids = xml::child_elements(root);
  std::size_t i = 0;
  for (xmlNode* c = root->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE) {
      const std::string t = xml::text_content(c);
      if (t.find_first_not_of(" \t\r\n") != std::string::npos) {
        return Error(ErrorCode::kParse, "unexpected text content", "SecurityContextToken");
      }
    }
  }
  if (i >= kids.size() || !xml::is_element(kids[i], ns, "Identifier")) {
    return Error(ErrorCode::kParse, "the first child must be Identifier (in the token's namespace)",
                 "SecurityContextToken/Identifier");
  }
  out.context_id = xml::text_content(kids[i++]);
  if (out.context_id.empty())
    return Error(ErrorCode::kParse, "Identifier is empty", "SecurityContextToken/Identifier");
  if (i < kids.size() && xml::is_element(kids[i], ns, "Instance"))
    out.instance = xml::text_content(kids[i++]);
  if (i < kids.size() && xml::is_element(kids[i], names::ns::kDnse, "Cookie")) {
    auto cookie = base64_decode(xml::text_content(kids[i++]));
    if (!cookie.ok()) return std::move(cookie.error().within("SecurityContextToken/Cookie"));
    out.cookie = std::move(*cookie);
  }
  if (i < kids.size()) {
    return Error(ErrorCode::kParse,
                 "unexpected element {" + std::string(xml::namespace_uri(kids[i])) + "}" +
                     std::string(xml::local_name(kids[i])) +
                     " (order: Identifier, Instance?, Cookie?)",
                 "SecurityContextToken");
  }
  return out;
}

Status check_cookie_matches(const SecurityContextTokenXml& sct, const SessionToken& token) {
  if (sct.context_id != token.context_id) {
    return Error(ErrorCode::kVerification,
                 "cookie ContextId '" + token.context_id + "' differs from Identifier '" +
                     sct.context_id + "'",
                 "SecurityContextToken/Cookie");
  }
  if (sct.id != token.id) {
    return Error(ErrorCode::kVerification,
                 "cookie Id '" + token.id + "' differs from wsu:Id '" + sct.id + "'",
                 "SecurityContextToken/Cookie");
  }
  if (sct.instance != token.key_generation) {
    return Error(ErrorCode::kVerification, "cookie KeyGeneration differs from Instance",
                 "SecurityContextToken/Cookie");
  }
  return ok_status();
}

// --- JSON -------------------------------------------------------------------------------------

namespace {

nlohmann::json identity_to_json(const ClaimsIdentity& id) {
  nlohmann::json j = nlohmann::json::object();
  j["authentication_type"] = id.authentication_type;
  j["label"] = id.label;
  j["name_claim_type"] =
      id.name_claim_type ? nlohmann::json(*id.name_claim_type) : nlohmann::json(nullptr);
  j["role_claim_type"] =
      id.role_claim_type ? nlohmann::json(*id.role_claim_type) : nlohmann::json(nullptr);
  if (id.windows_logon_name) j["windows_logon_name"] = *id.windows_logon_name;
  nlohmann::json claims = nlohmann::json::array();
  for (const auto& c : id.claims) {
    nlohmann::json jc = {{"type", c.type},
                         {"value", c.value},
                         {"value_type", c.value_type},
                         {"issuer", c.issuer},
                         {"original_issuer", c.original_issuer}};
    nlohmann::json props = nlohmann::json::array();
    for (const auto& [name, value] : c.properties)
      props.push_back({{"name", name}, {"value", value}});
    jc["properties"] = props;
    claims.push_back(std::move(jc));
  }
  j["claims"] = std::move(claims);
  j["actor"] = id.actor ? identity_to_json(*id.actor) : nlohmann::json(nullptr);
  j["bootstrap_token"] = id.bootstrap_token ? nlohmann::json(base64_encode(*id.bootstrap_token))
                                            : nlohmann::json(nullptr);
  return j;
}

// Strict member access for session_token_from_json.
class JsonObject {
 public:
  JsonObject(const nlohmann::json& j, std::string path) : j_(j), path_(std::move(path)) {}

  Status check(std::initializer_list<std::string_view> allowed) const {
    if (!j_.is_object()) return Error(ErrorCode::kParse, "must be a JSON object", path_);
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
        return Error(ErrorCode::kParse, "unknown member '" + it.key() + "'", path_);
      }
    }
    return ok_status();
  }
  const nlohmann::json* get(const char* key) const {
    auto it = j_.find(key);
    return (it == j_.end() || it->is_null()) ? nullptr : &*it;
  }
  std::string at(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  Result<std::string> str(const char* key, std::string fallback = "") const {
    const auto* v = get(key);
    if (v == nullptr) return fallback;
    if (!v->is_string()) return Error(ErrorCode::kParse, "must be a string", at(key));
    return v->get<std::string>();
  }
  Result<std::optional<std::string>> opt_str(const char* key) const {
    const auto* v = get(key);
    if (v == nullptr) return std::optional<std::string>();
    if (!v->is_string()) return Error(ErrorCode::kParse, "must be a string or null", at(key));
    return std::optional<std::string>(v->get<std::string>());
  }
  Result<bool> boolean(const char* key, bool fallback) const {
    const auto* v = get(key);
    if (v == nullptr) return fallback;
    if (!v->is_boolean()) return Error(ErrorCode::kParse, "must be true or false", at(key));
    return v->get<bool>();
  }
  Result<std::optional<Bytes>> opt_base64(const char* key) const {
    PARLEY_ASSIGN_OR_RETURN(std::optional<std::string> s, opt_str(key));
    if (!s) return std::optional<Bytes>();
    auto b = base64_decode(*s);
    if (!b.ok()) return Error(ErrorCode::kParse, "not base64: " + b.error().what(), at(key));
    return std::optional<Bytes>(std::move(*b));
  }
  Result<Ticks> time(const char* key) const {
    const auto* v = get(key);
    if (v == nullptr)
      return Error(ErrorCode::kParse, "missing (ISO 8601 UTC string or ticks)", at(key));
    if (v->is_number_integer()) {
      const auto ticks = v->get<std::int64_t>();
      if (ticks < 0 || ticks > kMaxTicks)
        return Error(ErrorCode::kParse, "ticks out of range", at(key));
      return ticks;
    }
    if (!v->is_string())
      return Error(ErrorCode::kParse, "must be an ISO 8601 UTC string or integer ticks", at(key));
    auto t = ticks_from_iso8601(v->get<std::string>());
    if (!t.ok()) return Error(ErrorCode::kParse, t.error().what(), at(key));
    return t;
  }

 private:
  const nlohmann::json& j_;
  std::string path_;
};

Result<ClaimsIdentity> identity_from_json(const nlohmann::json& j, const std::string& path,
                                          std::size_t depth) {
  if (depth > SessionTokenLimits{}.max_actor_depth) {
    return Error(ErrorCode::kParse,
                 "actor chain deeper than " + std::to_string(SessionTokenLimits{}.max_actor_depth),
                 path);
  }
  JsonObject o(j, path);
  PARLEY_TRY(o.check({"authentication_type", "label", "name_claim_type", "role_claim_type",
                      "windows_logon_name", "claims", "actor", "bootstrap_token"}));
  ClaimsIdentity id;
  PARLEY_ASSIGN_OR_RETURN(id.authentication_type, o.str("authentication_type"));
  PARLEY_ASSIGN_OR_RETURN(id.label, o.str("label"));
  PARLEY_ASSIGN_OR_RETURN(id.name_claim_type, o.opt_str("name_claim_type"));
  PARLEY_ASSIGN_OR_RETURN(id.role_claim_type, o.opt_str("role_claim_type"));
  PARLEY_ASSIGN_OR_RETURN(id.windows_logon_name, o.opt_str("windows_logon_name"));
  PARLEY_ASSIGN_OR_RETURN(id.bootstrap_token, o.opt_base64("bootstrap_token"));
  if (const auto* claims = o.get("claims")) {
    if (!claims->is_array()) return Error(ErrorCode::kParse, "must be an array", o.at("claims"));
    for (std::size_t i = 0; i < claims->size(); ++i) {
      JsonObject c((*claims)[i], o.at("claims") + "[" + std::to_string(i) + "]");
      PARLEY_TRY(
          c.check({"type", "value", "value_type", "issuer", "original_issuer", "properties"}));
      Claim claim;
      PARLEY_ASSIGN_OR_RETURN(claim.type, c.str("type"));
      PARLEY_ASSIGN_OR_RETURN(claim.value, c.str("value"));
      PARLEY_ASSIGN_OR_RETURN(claim.value_type,
                              c.str("value_type", std::string(names::wif::kClaimValueTypeString)));
      PARLEY_ASSIGN_OR_RETURN(claim.issuer, c.str("issuer"));
      PARLEY_ASSIGN_OR_RETURN(claim.original_issuer, c.str("original_issuer"));
      if (const auto* props = c.get("properties")) {
        if (!props->is_array())
          return Error(ErrorCode::kParse, "must be an array", c.at("properties"));
        for (std::size_t k = 0; k < props->size(); ++k) {
          JsonObject p((*props)[k], c.at("properties") + "[" + std::to_string(k) + "]");
          PARLEY_TRY(p.check({"name", "value"}));
          PARLEY_ASSIGN_OR_RETURN(std::string name, p.str("name"));
          PARLEY_ASSIGN_OR_RETURN(std::string value, p.str("value"));
          claim.properties.emplace_back(std::move(name), std::move(value));
        }
      }
      id.claims.push_back(std::move(claim));
    }
  }
  if (const auto* actor = o.get("actor")) {
    PARLEY_ASSIGN_OR_RETURN(ClaimsIdentity a, identity_from_json(*actor, o.at("actor"), depth + 1));
    id.actor = std::make_unique<ClaimsIdentity>(std::move(a));
  }
  return id;
}

}  // namespace

nlohmann::json to_json(const SessionToken& t) {
  auto iso = [](Ticks ticks) -> nlohmann::json {
    auto s = ticks_to_iso8601(ticks);
    return s.ok() ? nlohmann::json(*s) : nlohmann::json(ticks);
  };
  nlohmann::json j = nlohmann::json::object();
  j["id"] = t.id;
  j["context_id"] = t.context_id;
  j["key_generation"] =
      t.key_generation ? nlohmann::json(*t.key_generation) : nlohmann::json(nullptr);
  j["key"] = base64_encode(t.key);
  j["effective_time"] = iso(t.effective_time);
  j["expiry_time"] = iso(t.expiry_time);
  j["key_effective_time"] = iso(t.key_effective_time);
  j["key_expiry_time"] = iso(t.key_expiry_time);
  j["secure_conversation_version"] = std::string(sc_namespace(t.secure_conversation_version));
  j["persistent"] = t.persistent;
  j["reference_mode"] = t.reference_mode;
  j["context"] = t.context;
  j["endpoint_id"] = t.endpoint_id;
  j["sct_wrapper"] = t.sct_wrapper;
  if (t.has_principal) {
    nlohmann::json ids = nlohmann::json::array();
    for (const auto& id : t.identities) ids.push_back(identity_to_json(id));
    j["identities"] = std::move(ids);
  } else {
    j["identities"] = nullptr;
  }
  if (t.sct_authorization_policy) {
    const auto& c = *t.sct_authorization_policy;
    j["sct_authorization_policy"] = {
        {"kind", c.kind},
        {"right", c.right ? nlohmann::json(*c.right) : nlohmann::json(nullptr)},
        {"value", c.value}};
  } else {
    j["sct_authorization_policy"] = nullptr;
  }
  return j;
}

Result<SessionToken> session_token_from_json(const nlohmann::json& json) {
  JsonObject o(json, "");
  PARLEY_TRY(o.check({"id", "context_id", "key_generation", "key", "effective_time", "expiry_time",
                      "key_effective_time", "key_expiry_time", "secure_conversation_version",
                      "persistent", "reference_mode", "context", "endpoint_id", "sct_wrapper",
                      "identities", "sct_authorization_policy"}));
  SessionToken t;
  PARLEY_ASSIGN_OR_RETURN(t.id, o.str("id"));
  PARLEY_ASSIGN_OR_RETURN(t.context_id, o.str("context_id"));
  PARLEY_ASSIGN_OR_RETURN(t.key_generation, o.opt_str("key_generation"));
  PARLEY_ASSIGN_OR_RETURN(std::optional<Bytes> key, o.opt_base64("key"));
  if (key) t.key = std::move(*key);
  PARLEY_ASSIGN_OR_RETURN(t.effective_time, o.time("effective_time"));
  PARLEY_ASSIGN_OR_RETURN(t.expiry_time, o.time("expiry_time"));
  PARLEY_ASSIGN_OR_RETURN(t.key_effective_time, o.time("key_effective_time"));
  PARLEY_ASSIGN_OR_RETURN(t.key_expiry_time, o.time("key_expiry_time"));
  PARLEY_ASSIGN_OR_RETURN(std::string scv,
                          o.str("secure_conversation_version", std::string(names::ns::kWsc13)));
  if (scv == names::ns::kWscFeb2005) {
    t.secure_conversation_version = names::ScVersion::kFeb2005;
  } else if (scv == names::ns::kWsc13) {
    t.secure_conversation_version = names::ScVersion::k1_3;
  } else {
    return Error(ErrorCode::kParse,
                 "'" + scv + "' is neither the WS-SC Feb 2005 nor the 1.3 namespace",
                 "secure_conversation_version");
  }
  PARLEY_ASSIGN_OR_RETURN(t.persistent, o.boolean("persistent", false));
  PARLEY_ASSIGN_OR_RETURN(t.reference_mode, o.boolean("reference_mode", false));
  PARLEY_ASSIGN_OR_RETURN(t.context, o.str("context"));
  PARLEY_ASSIGN_OR_RETURN(t.endpoint_id, o.str("endpoint_id"));
  PARLEY_ASSIGN_OR_RETURN(t.sct_wrapper, o.boolean("sct_wrapper", false));
  const auto* ids = o.get("identities");
  t.has_principal = ids != nullptr || !json.contains("identities");
  if (ids != nullptr) {
    if (!ids->is_array()) return Error(ErrorCode::kParse, "must be an array or null", "identities");
    for (std::size_t i = 0; i < ids->size(); ++i) {
      PARLEY_ASSIGN_OR_RETURN(
          ClaimsIdentity id,
          identity_from_json((*ids)[i], "identities[" + std::to_string(i) + "]", 0));
      t.identities.push_back(std::move(id));
    }
  }
  if (const auto* p = o.get("sct_authorization_policy")) {
    JsonObject c(*p, "sct_authorization_policy");
    PARLEY_TRY(c.check({"kind", "right", "value"}));
    SctAuthorizationClaim claim;
    PARLEY_ASSIGN_OR_RETURN(claim.kind, c.str("kind"));
    if (!sys_claim_is_known(claim.kind)) {
      return Error(ErrorCode::kParse, "unknown claim kind '" + claim.kind + "'",
                   "sct_authorization_policy.kind");
    }
    PARLEY_ASSIGN_OR_RETURN(claim.right, c.opt_str("right"));
    PARLEY_ASSIGN_OR_RETURN(claim.value, c.str("value"));
    t.sct_authorization_policy = std::move(claim);
  }
  return t;
}

}  // namespace parley::wif
