#include "harness/oracle/cookie_state.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "harness/core/names.h"

namespace parley::oracle::cookie {
namespace {

namespace nbfx = wif::nbfx;
using nbfx::Node;
using TickDuration = std::chrono::duration<std::int64_t, std::ratio<1, 10'000'000>>;

constexpr std::string_view kWhere = "dnse:Cookie";
constexpr std::string_view kRoot = "SecurityContextSecurityToken";

Error state_error(std::string what, std::string_view path) {
  return Error(ErrorCode::kParse, std::move(what), std::string(kWhere) + "/" + std::string(path));
}

// --- writing ------------------------------------------------------------------------------------

// XmlHelper.WriteElementStringAsUniqueId: a GUID UniqueId ("urn:uuid:<lower-case guid>") is
// written as UniqueIdText, any other string as Chars text.
nbfx::TextValue unique_id(std::string_view s) {
  if (s.size() == 45 && s.substr(0, 9) == "urn:uuid:") {
    auto g = nbfx::parse_guid(s);
    if (g.ok() && nbfx::format_guid(*g) == s.substr(9)) return nbfx::TextValue::unique_id(*g);
  }
  return nbfx::TextValue::chars(s);
}

// XmlDictionaryWriter strings: "" is EmptyText (WriteElementString(..., string.Empty)).
nbfx::TextValue str(std::string_view s) {
  return s.empty() ? nbfx::TextValue::empty() : nbfx::TextValue::chars(s);
}

class StateWriter {
 public:
  StateWriter() : w_(options()) {}

  static nbfx::EncodeOptions options() {
    nbfx::EncodeOptions o;
    o.static_dictionary = &sct_claim_dictionary();
    o.use_dictionary =
        true;  // every name is a ShortDictionary record, as XmlBinaryWriter writes them
    o.with_end_element = true;
    return o;
  }

  Status element(std::string_view name, const nbfx::TextValue& value) {
    PARLEY_TRY(w_.start_element("", name));
    PARLEY_TRY(w_.text(value));
    return w_.end_element();
  }

  // SecurityContextCookieSerializer.CreateCookieFromSecurityContext, element for element.
  Status run(const CookieState& s) {
    PARLEY_TRY(w_.start_element("", kRoot));
    PARLEY_TRY(element("Version", nbfx::TextValue::integer(kStateVersion)));
    PARLEY_TRY(element("Id", str(s.id)));
    PARLEY_TRY(element("ContextId", unique_id(s.context_id)));
    PARLEY_TRY(element("Key", nbfx::TextValue::bytes(s.key)));
    if (s.key_generation) PARLEY_TRY(element("KeyGeneration", unique_id(*s.key_generation)));
    // XmlHelper.WriteElementContentAsInt64: WriteValue(long), the smallest integer record.
    PARLEY_TRY(element("EffectiveTime", nbfx::TextValue::integer(s.effective_time)));
    PARLEY_TRY(element("ExpiryTime", nbfx::TextValue::integer(s.expiry_time)));
    PARLEY_TRY(element("KeyEffectiveTime", nbfx::TextValue::integer(s.key_effective_time)));
    PARLEY_TRY(element("KeyExpiryTime", nbfx::TextValue::integer(s.key_expiry_time)));
    if (s.principal) {
      const Principal& p = *s.principal;
      // SctClaimSerializer.SerializeIdentities / SerializePrimaryIdentity (GenericIdentity).
      PARLEY_TRY(w_.start_element("", "Identities"));
      PARLEY_TRY(w_.start_element("", "PrimaryIdentity"));
      PARLEY_TRY(w_.start_element("", "GenericIdentity"));
      if (!p.authentication_type.empty()) {
        PARLEY_TRY(w_.attribute("", "AuthenticationType", str(p.authentication_type)));
      }
      PARLEY_TRY(w_.text(str(p.name)));
      PARLEY_TRY(w_.end_element());
      PARLEY_TRY(w_.end_element());
      PARLEY_TRY(w_.end_element());
      // SerializeClaimSet of a DefaultClaimSet issued by ClaimSet.System with the two name
      // claims UserNameSecurityTokenAuthenticator makes (Right Identity, then PossessProperty,
      // whose Right attribute is not written).
      PARLEY_TRY(w_.start_element("", "ClaimSets"));
      PARLEY_TRY(w_.start_element("", "ClaimSet"));
      PARLEY_TRY(w_.start_element("", "PrimaryIssuer"));
      PARLEY_TRY(element("SystemClaimSet", nbfx::TextValue::empty()));
      PARLEY_TRY(w_.end_element());
      for (bool identity_right : {true, false}) {
        PARLEY_TRY(w_.start_element("", "Claim"));
        PARLEY_TRY(w_.start_element("", "NameClaim"));
        if (identity_right) PARLEY_TRY(w_.attribute("", "Right", str(names::wcf::kRightIdentity)));
        PARLEY_TRY(w_.text(str(p.name)));
        PARLEY_TRY(w_.end_element());
        PARLEY_TRY(w_.end_element());
      }
      PARLEY_TRY(w_.end_element());
      PARLEY_TRY(w_.end_element());
    }
    return w_.end_element();
  }

  Result<Bytes> finish() const { return w_.finish(); }

 private:
  nbfx::Writer w_;
};

// --- reading ------------------------------------------------------------------------------------

std::string path_of(std::string_view parent, std::string_view child) {
  return std::string(parent) + "/" + std::string(child);
}

// Every element and attribute of the state is in no namespace (dictionary.EmptyString).
Status check_plain(const Node& n, std::string_view path) {
  if (!n.prefix.empty())
    return state_error("element has prefix '" + n.prefix + "'; the state uses none", path);
  for (const auto& a : n.attributes) {
    if (a.is_xmlns) return state_error("namespace declaration; the state uses no namespaces", path);
    if (!a.prefix.empty()) return state_error("attribute with prefix '" + a.prefix + "'", path);
  }
  return ok_status();
}

Status check_no_attributes(const Node& n, std::string_view path) {
  if (!n.attributes.empty()) {
    return state_error("unexpected attribute '" + n.attributes.front().local_name + "'", path);
  }
  return ok_status();
}

// The one attribute `name` may carry, if present; any other attribute is an error.
Result<std::optional<std::string>> only_attribute(const Node& n, std::string_view name,
                                                  std::string_view path) {
  std::optional<std::string> out;
  for (const auto& a : n.attributes) {
    if (a.local_name != name || out)
      return state_error("unexpected attribute '" + a.local_name + "'", path);
    out = a.value;
  }
  return out;
}

std::vector<const Node*> element_children(const Node& n, std::string_view path, Status& status) {
  std::vector<const Node*> out;
  for (const auto& c : n.children) {
    if (c.kind == Node::Kind::kElement) {
      out.push_back(&c);
    } else if (status.ok()) {
      status =
          state_error(c.kind == Node::Kind::kText ? "text between elements" : "a comment", path);
    }
  }
  return out;
}

// ReadElementContentAsString and friends: text only, no child elements.
Result<std::string> text_of(const Node& n, std::string_view path, std::size_t max_bytes) {
  PARLEY_TRY(check_plain(n, path));
  std::string text;
  for (const auto& c : n.children) {
    if (c.kind == Node::Kind::kElement)
      return state_error("element <" + c.local_name + "> in a text element", path);
    if (c.kind == Node::Kind::kText) text += c.text;
  }
  if (text.size() > max_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 std::to_string(text.size()) + " bytes of text, over the limit of " +
                     std::to_string(max_bytes),
                 std::string(kWhere) + "/" + std::string(path));
  }
  return text;
}

// ReadElementContentAsBase64: Bytes records give the bytes; other text is base64.
Result<Bytes> bytes_of(const Node& n, std::string_view path, std::size_t max_bytes) {
  PARLEY_TRY(check_plain(n, path));
  PARLEY_TRY(check_no_attributes(n, path));
  Bytes out;
  std::string text;
  bool only_bytes = true;
  for (const auto& c : n.children) {
    if (c.kind == Node::Kind::kElement)
      return state_error("element <" + c.local_name + "> in a base64 element", path);
    if (c.kind != Node::Kind::kText) continue;
    const auto base = static_cast<std::uint8_t>(c.record & 0xFE);
    if (base == nbfx::rt::kBytes8Text || base == nbfx::rt::kBytes16Text ||
        base == nbfx::rt::kBytes32Text) {
      out.insert(out.end(), c.bytes.begin(), c.bytes.end());
    } else {
      only_bytes = false;
    }
    text += c.text;
  }
  if (!only_bytes) {
    auto decoded = base64_decode(text);
    if (!decoded.ok()) return state_error("content is not base64: " + decoded.error().what(), path);
    out = std::move(*decoded);
  }
  if (out.size() > max_bytes) {
    return Error(
        ErrorCode::kLimitExceeded,
        std::to_string(out.size()) + " bytes, over the limit of " + std::to_string(max_bytes),
        std::string(kWhere) + "/" + std::string(path));
  }
  return out;
}

Result<std::int64_t> integer_of(const Node& n, std::string_view path) {
  PARLEY_TRY(check_no_attributes(n, path));
  PARLEY_ASSIGN_OR_RETURN(std::string text, text_of(n, path, 32));
  std::int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    return state_error("'" + text + "' is not an Int64", path);
  }
  return v;
}

Result<Ticks> ticks_of(const Node& n, std::string_view path) {
  PARLEY_ASSIGN_OR_RETURN(std::int64_t v, integer_of(n, path));
  if (v < 0 || v > kMaxTicks) {
    return state_error("ticks " + std::to_string(v) + " are outside DateTime's range 0.." +
                           std::to_string(kMaxTicks),
                       path);
  }
  return v;
}

// The single element child named `name` of n, and nothing else.
Result<const Node*> only_child(const Node& n, std::string_view name, std::string_view path) {
  PARLEY_TRY(check_plain(n, path));
  Status s = ok_status();
  auto kids = element_children(n, path, s);
  PARLEY_TRY(s);
  if (kids.size() != 1 || kids[0]->local_name != name) {
    return state_error(
        "expected exactly one <" + std::string(name) + ">, found " + std::to_string(kids.size()) +
            (kids.empty() ? " elements" : " elements starting with <" + kids[0]->local_name + ">"),
        path);
  }
  PARLEY_TRY(check_plain(*kids[0], path_of(path, name)));
  return kids[0];
}

Result<Principal> read_identities(const Node& n, std::string_view path, const StateLimits& limits) {
  PARLEY_TRY(check_no_attributes(n, path));
  PARLEY_ASSIGN_OR_RETURN(const Node* primary, only_child(n, "PrimaryIdentity", path));
  const std::string ppath = path_of(path, "PrimaryIdentity");
  PARLEY_TRY(check_no_attributes(*primary, ppath));
  PARLEY_ASSIGN_OR_RETURN(const Node* generic, only_child(*primary, "GenericIdentity", ppath));
  const std::string gpath = path_of(ppath, "GenericIdentity");
  Principal p;
  PARLEY_ASSIGN_OR_RETURN(std::optional<std::string> auth,
                          only_attribute(*generic, "AuthenticationType", gpath));
  p.authentication_type = auth.value_or("");
  PARLEY_ASSIGN_OR_RETURN(p.name, text_of(*generic, gpath, limits.max_string_bytes));
  if (p.name.empty()) return state_error("the identity has no name", gpath);
  return p;
}

// The claim set parley writes (see StateWriter): its name claims must name `principal`.
Status read_claim_sets(const Node& n, std::string_view path, const Principal& principal,
                       const StateLimits& limits) {
  PARLEY_TRY(check_no_attributes(n, path));
  PARLEY_ASSIGN_OR_RETURN(const Node* set, only_child(n, "ClaimSet", path));
  const std::string spath = path_of(path, "ClaimSet");
  PARLEY_TRY(check_no_attributes(*set, spath));
  Status s = ok_status();
  auto kids = element_children(*set, spath, s);
  PARLEY_TRY(s);
  if (kids.size() != 3 || kids[0]->local_name != "PrimaryIssuer") {
    return state_error(
        "expected <PrimaryIssuer> and two <Claim> elements (the claim set parley writes)", spath);
  }
  const std::string ipath = path_of(spath, "PrimaryIssuer");
  PARLEY_TRY(check_no_attributes(*kids[0], ipath));
  PARLEY_ASSIGN_OR_RETURN(const Node* system, only_child(*kids[0], "SystemClaimSet", ipath));
  PARLEY_TRY(text_of(*system, path_of(ipath, "SystemClaimSet"), 0));  // WriteElementString(..., "")
  for (std::size_t i = 1; i < kids.size(); ++i) {
    const std::string cpath = spath + "/Claim[" + std::to_string(i) + "]";
    if (kids[i]->local_name != "Claim")
      return state_error("unexpected element <" + kids[i]->local_name + ">", cpath);
    PARLEY_TRY(check_plain(*kids[i], cpath));
    PARLEY_TRY(check_no_attributes(*kids[i], cpath));
    PARLEY_ASSIGN_OR_RETURN(const Node* claim, only_child(*kids[i], "NameClaim", cpath));
    const std::string npath = path_of(cpath, "NameClaim");
    PARLEY_ASSIGN_OR_RETURN(std::optional<std::string> right,
                            only_attribute(*claim, "Right", npath));
    const bool want_identity = i == 1;
    if (want_identity !=
        (right == std::optional<std::string>(std::string(names::wcf::kRightIdentity)))) {
      return state_error(
          want_identity ? "the first name claim must have Right Identity"
                        : "the second name claim must have Right PossessProperty (no attribute)",
          npath);
    }
    PARLEY_ASSIGN_OR_RETURN(std::string name, text_of(*claim, npath, limits.max_string_bytes));
    if (name != principal.name) {
      return state_error(
          "the name claim '" + name + "' does not match the identity '" + principal.name + "'",
          npath);
    }
  }
  return ok_status();
}

class StateReader {
 public:
  explicit StateReader(const StateLimits& limits) : limits_(limits) {}

  Result<CookieState> run(const nbfx::Decoded& decoded) {
    if (decoded.nodes.size() != 1 || decoded.nodes[0].kind != Node::Kind::kElement) {
      return state_error(
          "expected one root element, found " + std::to_string(decoded.nodes.size()) + " nodes",
          kRoot);
    }
    const Node& root = decoded.nodes[0];
    if (root.local_name != kRoot) {
      return state_error(
          "root element is <" + root.local_name + ">, expected <SecurityContextSecurityToken>",
          kRoot);
    }
    PARLEY_TRY(check_plain(root, kRoot));
    PARLEY_TRY(check_no_attributes(root, kRoot));
    Status s = ok_status();
    auto kids = element_children(root, kRoot, s);
    PARLEY_TRY(s);
    std::map<std::string, const Node*, std::less<>> seen;
    for (const Node* k : kids) {
      static const std::set<std::string, std::less<>> kKnown = {
          "Version",       "Id",         "ContextId",        "Key",           "KeyGeneration",
          "EffectiveTime", "ExpiryTime", "KeyEffectiveTime", "KeyExpiryTime", "Identities",
          "ClaimSets"};
      const std::string path = path_of(kRoot, k->local_name);
      if (!kKnown.count(k->local_name))
        return state_error("unknown element <" + k->local_name + ">", kRoot);
      PARLEY_TRY(check_plain(*k, path));
      if (!seen.emplace(k->local_name, k).second) return state_error("element appears twice", path);
    }
    auto required = [&](std::string_view name) -> Result<const Node*> {
      auto it = seen.find(name);
      if (it == seen.end()) return state_error("missing <" + std::string(name) + ">", kRoot);
      return it->second;
    };
    CookieState st;
    PARLEY_ASSIGN_OR_RETURN(const Node* version, required("Version"));
    PARLEY_ASSIGN_OR_RETURN(std::int64_t v, integer_of(*version, path_of(kRoot, "Version")));
    if (v != kStateVersion) {
      return state_error("version " + std::to_string(v) + " is not the supported 1",
                         path_of(kRoot, "Version"));
    }
    PARLEY_ASSIGN_OR_RETURN(const Node* id, required("Id"));
    PARLEY_TRY(check_no_attributes(*id, path_of(kRoot, "Id")));
    PARLEY_ASSIGN_OR_RETURN(st.id, text_of(*id, path_of(kRoot, "Id"), limits_.max_string_bytes));
    PARLEY_ASSIGN_OR_RETURN(const Node* ctx, required("ContextId"));
    PARLEY_TRY(check_no_attributes(*ctx, path_of(kRoot, "ContextId")));
    PARLEY_ASSIGN_OR_RETURN(st.context_id,
                            text_of(*ctx, path_of(kRoot, "ContextId"), limits_.max_string_bytes));
    if (st.context_id.empty())
      return state_error("ContextId is empty", path_of(kRoot, "ContextId"));
    PARLEY_ASSIGN_OR_RETURN(const Node* key, required("Key"));
    PARLEY_ASSIGN_OR_RETURN(st.key, bytes_of(*key, path_of(kRoot, "Key"), limits_.max_key_bytes));
    if (st.key.empty()) return state_error("Key is empty", path_of(kRoot, "Key"));
    if (auto it = seen.find("KeyGeneration"); it != seen.end()) {
      const std::string path = path_of(kRoot, "KeyGeneration");
      PARLEY_TRY(check_no_attributes(*it->second, path));
      PARLEY_ASSIGN_OR_RETURN(std::string g, text_of(*it->second, path, limits_.max_string_bytes));
      if (g.empty()) return state_error("KeyGeneration is empty", path);
      st.key_generation = std::move(g);
    }
    struct TimeField {
      const char* name;
      Ticks* out;
    };
    for (TimeField f :
         {TimeField{"EffectiveTime", &st.effective_time}, TimeField{"ExpiryTime", &st.expiry_time},
          TimeField{"KeyEffectiveTime", &st.key_effective_time},
          TimeField{"KeyExpiryTime", &st.key_expiry_time}}) {
      PARLEY_ASSIGN_OR_RETURN(const Node* n, required(f.name));
      PARLEY_ASSIGN_OR_RETURN(*f.out, ticks_of(*n, path_of(kRoot, f.name)));
    }
    if (st.effective_time > st.expiry_time) {
      return state_error("EffectiveTime is after ExpiryTime", kRoot);
    }
    if (st.key_effective_time > st.key_expiry_time) {
      return state_error("KeyEffectiveTime is after KeyExpiryTime", kRoot);
    }
    const auto identities = seen.find("Identities");
    const auto claim_sets = seen.find("ClaimSets");
    if ((identities == seen.end()) != (claim_sets == seen.end())) {
      return state_error("Identities and ClaimSets come together (parley writes both or neither)",
                         kRoot);
    }
    if (identities != seen.end()) {
      PARLEY_ASSIGN_OR_RETURN(st.principal, read_identities(*identities->second,
                                                            path_of(kRoot, "Identities"), limits_));
      PARLEY_TRY(read_claim_sets(*claim_sets->second, path_of(kRoot, "ClaimSets"), *st.principal,
                                 limits_));
    }
    return st;
  }

 private:
  const StateLimits& limits_;
};

bool valid_key_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

Error ring_error(std::string what, std::string where = "cookie key ring") {
  return Error(ErrorCode::kInvalidArgument, std::move(what), std::move(where));
}

// One "ID KEY" line; `where` names it in errors.
Result<KeyRing::Key> parse_key_line(std::string_view line, const std::string& where) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  std::size_t i = 0;
  while (i < line.size() && is_space(line[i])) ++i;
  std::size_t j = i;
  while (j < line.size() && !is_space(line[j])) ++j;
  std::string id(line.substr(i, j - i));
  while (j < line.size() && is_space(line[j])) ++j;
  std::size_t k = j;
  while (k < line.size() && !is_space(line[k])) ++k;
  std::string_view text = line.substr(j, k - j);
  std::size_t rest = k;
  while (rest < line.size() && is_space(line[rest])) ++rest;
  if (id.empty() || text.empty() || rest != line.size()) {
    return ring_error("expected \"ID KEY\" (KEY in hex or base64:...)", where);
  }
  auto key = decode_hex_or_base64(text);
  if (!key.ok()) {
    // The decoder's message quotes no key bytes beyond one character and a position.
    return ring_error("key '" + id + "' is neither hex nor base64:...: " + key.error().what(),
                      where);
  }
  return KeyRing::Key{std::move(id), std::move(*key)};
}

}  // namespace

Result<Ticks> to_ticks(Clock::time_point t) {
  const auto since_epoch = std::chrono::duration_cast<TickDuration>(t.time_since_epoch()).count();
  if (since_epoch < -kUnixEpochTicks || since_epoch > kMaxTicks - kUnixEpochTicks) {
    return Error(ErrorCode::kInvalidArgument, "time outside DateTime's range", "ticks");
  }
  return since_epoch + kUnixEpochTicks;
}

Clock::time_point from_ticks(Ticks ticks) {
  // system_clock counts nanoseconds in an int64: about +-292 years around 1970.
  const Ticks max_since_epoch =
      std::chrono::duration_cast<TickDuration>(Clock::time_point::max().time_since_epoch()).count();
  const Ticks min_since_epoch =
      std::chrono::duration_cast<TickDuration>(Clock::time_point::min().time_since_epoch()).count();
  const Ticks since_epoch = ticks - kUnixEpochTicks;
  if (since_epoch >= max_since_epoch) return Clock::time_point::max();
  if (since_epoch <= min_since_epoch) return Clock::time_point::min();
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(TickDuration(since_epoch)));
}

const nbfx::Dictionary& sct_claim_dictionary() {
  // SctClaimDictionary's constructor, in order: the n-th string is wire id 2n.
  static const nbfx::Dictionary dictionary = nbfx::Dictionary::static_from_list({
      "SecurityContextSecurityToken",
      "Version",
      "ContextId",
      "Id",
      "Key",
      "IsCookieMode",
      "ServiceContractId",
      "EffectiveTime",
      "ExpiryTime",
      "KeyGeneration",
      "KeyEffectiveTime",
      "KeyExpiryTime",
      "Claim",
      "ClaimSets",
      "ClaimSet",
      "Identities",
      "PrimaryIdentity",
      "PrimaryIssuer",
      "X509CertificateClaimSet",
      "SystemClaimSet",
      "WindowsClaimSet",
      "AnonymousClaimSet",
      "BinaryClaim",
      "DnsClaim",
      "GenericIdentity",
      "AuthenticationType",
      "Right",
      "HashClaim",
      "MailAddressClaim",
      "NameClaim",
      "RsaClaim",
      "SpnClaim",
      "SystemClaim",
      "UpnClaim",
      "UrlClaim",
      "WindowsSidClaim",
      "DenyOnlySidClaim",
      "WindowsSidIdentity",
      "X500DistinguishedClaim",
      "X509ThumbprintClaim",
      "Name",
      "Sid",
      "Value",
      "Null",
      "GenericXmlSecurityToken",
      "TokenType",
      "InternalTokenReference",
      "ExternalTokenReference",
      "TokenXml",
      "",
  });
  return dictionary;
}

Result<Bytes> serialize_state(const CookieState& s) {
  auto invalid = [](std::string what, std::string_view field) {
    return Error(ErrorCode::kInvalidArgument, std::move(what), path_of(kRoot, field));
  };
  if (s.id.empty()) return invalid("Id is empty (the SCT's wsu:Id; WCF checks it on read)", "Id");
  if (s.context_id.empty()) return invalid("ContextId is empty", "ContextId");
  if (s.key.empty()) return invalid("Key is empty", "Key");
  if (s.key_generation && s.key_generation->empty())
    return invalid("KeyGeneration is empty", "KeyGeneration");
  if (s.principal && s.principal->name.empty())
    return invalid("the principal has no name", "Identities");
  for (Ticks t : {s.effective_time, s.expiry_time, s.key_effective_time, s.key_expiry_time}) {
    if (t < 0 || t > kMaxTicks) {
      return invalid(
          "time " + std::to_string(t) + " is outside 0.." + std::to_string(kMaxTicks) + " ticks",
          "");
    }
  }
  if (s.effective_time > s.expiry_time)
    return invalid("EffectiveTime is after ExpiryTime", "ExpiryTime");
  if (s.key_effective_time > s.key_expiry_time) {
    return invalid("KeyEffectiveTime is after KeyExpiryTime", "KeyExpiryTime");
  }
  StateWriter w;
  PARLEY_TRY(w.run(s));
  return w.finish();
}

Result<CookieState> parse_state(ByteView bytes, const StateLimits& limits) {
  if (bytes.size() > limits.max_state_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "state of " + std::to_string(bytes.size()) + " bytes is over the limit of " +
                     std::to_string(limits.max_state_bytes),
                 std::string(kWhere));
  }
  nbfx::DecodeOptions o;
  o.static_dictionary = &sct_claim_dictionary();
  o.unknown_ids = nbfx::UnknownIds::kError;
  o.limits.max_input_bytes = limits.max_state_bytes;
  o.limits.max_depth = 8;  // root / ClaimSets / ClaimSet / Claim / NameClaim
  o.limits.max_records = 1024;
  o.limits.max_attributes = 4;
  o.limits.max_string_bytes = std::max(limits.max_string_bytes, limits.max_key_bytes);
  o.limits.max_array_items = 0;
  o.limits.max_list_items = 0;
  o.limits.max_output_bytes = 4 * limits.max_state_bytes;
  auto decoded = nbfx::decode(bytes, o);
  if (!decoded.ok()) {
    Error e(decoded.error().code() == ErrorCode::kLimitExceeded ? ErrorCode::kLimitExceeded
                                                                : ErrorCode::kParse,
            "the state is not valid .NET Binary XML: " + decoded.error().message(),
            std::string(kWhere));
    return e;
  }
  StateReader reader(limits);
  return reader.run(*decoded);
}

// --- key ring
// -------------------------------------------------------------------------------------

Result<KeyRing> KeyRing::create(std::vector<Key> keys) {
  if (keys.empty()) return ring_error("the key ring holds no key");
  if (keys.size() > kMaxKeys) {
    return ring_error("the key ring holds " + std::to_string(keys.size()) + " keys, more than " +
                      std::to_string(kMaxKeys));
  }
  std::vector<std::string> ids;
  std::vector<wif::AeadKey> oldest_first;
  for (const Key& k : keys) {
    if (!valid_key_id(k.id))
      return ring_error("key id '" + k.id + "' must be 1..64 characters of A-Z a-z 0-9 . _ -");
    if (k.key.size() != 32) {
      return ring_error("key '" + k.id + "' is " + std::to_string(k.key.size()) +
                        " bytes; AES-256 needs 32");
    }
    if (std::find(ids.begin(), ids.end(), k.id) != ids.end())
      return ring_error("key id '" + k.id + "' appears twice");
    ids.push_back(k.id);
  }
  // The Aead format seals with its newest (last) key: hand it the ring in reverse.
  for (auto it = keys.rbegin(); it != keys.rend(); ++it)
    oldest_first.push_back(wif::AeadKey{it->id, it->key});
  auto sealer = wif::AeadCookieTransform::create(std::move(oldest_first));
  if (!sealer.ok()) return sealer.error();
  return KeyRing(std::move(ids),
                 std::make_shared<const wif::AeadCookieTransform>(std::move(*sealer)));
}

Result<KeyRing> KeyRing::parse(std::string_view text) {
  std::vector<Key> keys;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    if (keys.size() >= kMaxKeys)
      return ring_error("more than " + std::to_string(kMaxKeys) + " keys");
    PARLEY_ASSIGN_OR_RETURN(
        Key k, parse_key_line(line, "cookie key ring line " + std::to_string(line_no)));
    keys.push_back(std::move(k));
  }
  return create(std::move(keys));
}

Result<KeyRing> KeyRing::parse_lines(const std::vector<std::string>& lines) {
  std::vector<Key> keys;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    PARLEY_ASSIGN_OR_RETURN(Key k, parse_key_line(lines[i], "cookie key " + std::to_string(i + 1)));
    keys.push_back(std::move(k));
  }
  return create(std::move(keys));
}

// --- cookie
// ---------------------------------------------------------------------------------------

Result<Bytes> seal_cookie(const KeyRing& ring, const CookieState& state,
                          const CookieLimits& limits) {
  PARLEY_ASSIGN_OR_RETURN(Bytes plain, serialize_state(state));
  PARLEY_ASSIGN_OR_RETURN(Bytes sealed, ring.sealer().encode(plain));
  if (sealed.size() > limits.max_cookie_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "the sealed cookie is " + std::to_string(sealed.size()) +
                     " bytes, over the limit of " + std::to_string(limits.max_cookie_bytes),
                 std::string(kWhere));
  }
  return sealed;
}

Result<CookieState> open_cookie(const KeyRing& ring, ByteView cookie, const CookieLimits& limits) {
  if (cookie.size() > limits.max_cookie_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "the cookie is " + std::to_string(cookie.size()) + " bytes, over the limit of " +
                     std::to_string(limits.max_cookie_bytes),
                 std::string(kWhere));
  }
  if (cookie.empty()) return Error(ErrorCode::kParse, "the cookie is empty", std::string(kWhere));
  auto plain = ring.sealer().decode(cookie);
  if (!plain.ok()) return std::move(plain.error().within(kWhere));
  return parse_state(*plain, limits.state);
}

}  // namespace parley::oracle::cookie
