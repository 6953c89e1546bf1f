#include "harness/wssc/parse_support.h"
#include "harness/wssc/tokens.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>

#include "harness/core/crypto.h"
#include "harness/core/xml.h"

namespace parley::wssc {
namespace {

namespace ns = names::ns;

using detail::spec_error;
using detail::trimmed_text;

std::string trim(std::string_view s) {
  auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// xs:unsignedLong: optional '+', decimal digits, whitespace collapsed (SC-7-20).
Result<std::uint64_t> parse_unsigned_long(const xmlNode* element, const std::string& where) {
  const std::string text = trim(xml::text_content(element));
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec == std::errc::invalid_argument || ptr != digits.data() + digits.size()) {
    return spec_error(where, "'" + text + "' is not an xs:unsignedLong", "SC-7-20");
  }
  if (ec == std::errc::result_out_of_range) {
    return spec_error(where, "'" + text + "' exceeds the xs:unsignedLong range", "SC-7-20");
  }
  return value;
}

std::string qualified(const xmlNode* node) {
  std::string out = "<";
  if (node->ns != nullptr && node->ns->prefix != nullptr) {
    out += xml::from_xml_chars(node->ns->prefix);
    out += ":";
  }
  out += std::string(xml::local_name(node)) + ">";
  return out;
}

bool is_absolute_uri(std::string_view uri) {
  // RFC 3986 section 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" hier-part.
  auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == uri.size()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(uri[0])) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    char c = uri[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  return uri.find_first_of(" \t\r\n") == std::string_view::npos;
}

std::string sc_ns(ScVersion v) { return std::string(names::sc(v).ns); }

std::size_t utf8_chars(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string wsu_id(const xmlNode* element) {
  auto v = xml::attribute(element, ns::kWsu, "Id");
  return v.found ? v.value : std::string();
}

void set_wsu_id(xmlNode* element, std::string_view id) {
  xml::set_attribute(element, ns::kWsu, prefix::kWsu, "Id", id);
}

namespace {

std::string guid() {
  auto r = crypto::random_bytes(16);
  Bytes b = r.ok() ? *r : Bytes(16, 0);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // RFC 4122 version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  std::string h = hex_encode(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace

std::string new_wsu_id() {
  static std::atomic<int> counter{1};
  return "uuid-" + guid() + "-" + std::to_string(counter++);
}

std::string new_uuid_urn() { return "urn:uuid:" + guid(); }

std::optional<ScVersion> sc_version_of(const xmlNode* element) {
  std::string_view uri = xml::namespace_uri(element);
  if (uri == names::ns::kWscFeb2005) return ScVersion::kFeb2005;
  if (uri == names::ns::kWsc13) return ScVersion::k1_3;
  return std::nullopt;
}

// --- SecurityContextToken ---------------------------------------------------------------------

Result<SecurityContextToken> parse_sct(const xmlNode* element) {
  const std::string where = "wsc:SecurityContextToken";
  auto version = sc_version_of(element);
  if (element == nullptr || !version || xml::local_name(element) != "SecurityContextToken") {
    return spec_error(where, "not a wsc:SecurityContextToken of a WS-SC namespace", "SC-2-01");
  }
  SecurityContextToken sct;
  sct.version = *version;
  sct.wsu_id = wsu_id(element);
  int identifiers = 0;
  int instances = 0;
  for (xmlNode* child : xml::child_elements(element)) {
    if (xml::is_element(child, names::sc(*version).ns, "Identifier")) {
      ++identifiers;
      sct.identifier = trim(xml::text_content(child));
    } else if (xml::is_element(child, names::sc(*version).ns, "Instance")) {
      ++instances;
      sct.instance = trim(xml::text_content(child));
    } else {
      PARLEY_ASSIGN_OR_RETURN(std::string canonical, xml::canonicalize(child));
      sct.extensions.push_back(std::move(canonical));
      if (xml::is_element(child, ns::kDnse, "Cookie")) {
        auto cookie = base64_decode(xml::text_content(child));
        if (!cookie.ok()) return spec_error(where + "/dnse:Cookie", cookie.error().message(), "WCF-04");
        sct.cookie = std::move(*cookie);
      }
    }
  }
  if (identifiers != 1) {
    return spec_error(where, "has " + std::to_string(identifiers) + " wsc:Identifier children, exactly one is required",
                      "SC-2-01");
  }
  if (!is_absolute_uri(sct.identifier)) {
    return spec_error(where + "/wsc:Identifier", "'" + sct.identifier + "' is not an absolute URI", "SC-2-02");
  }
  if (instances > 1) return spec_error(where, "has more than one wsc:Instance", "SC-2-04");
  return sct;
}

Result<xmlNode*> append_sct(xmlNode* parent, const SecurityContextToken& sct, const SctDeviations& deviations) {
  const std::string wsc = sc_ns(sct.version);
  xmlNode* el = xml::add_element(parent, wsc, prefix::kWsc, "SecurityContextToken");
  if (!sct.wsu_id.empty()) set_wsu_id(el, sct.wsu_id);
  std::string identifier = sct.identifier;
  if (deviations.relative_identifier) identifier = "context-" + identifier.substr(identifier.rfind(':') + 1);
  xml::add_element(el, wsc, prefix::kWsc, "Identifier", identifier);
  if (deviations.two_identifiers) xml::add_element(el, wsc, prefix::kWsc, "Identifier", identifier);
  if (!sct.instance.empty()) xml::add_element(el, wsc, prefix::kWsc, "Instance", sct.instance);
  bool cookie_written = false;
  for (const std::string& extension : sct.extensions) {
    PARLEY_ASSIGN_OR_RETURN(xmlNode* ext, xml::append_fragment(el, extension));
    if (xml::is_element(ext, ns::kDnse, "Cookie")) cookie_written = true;
  }
  if (sct.cookie && !cookie_written) {
    xml::add_element(el, ns::kDnse, prefix::kDnse, "Cookie", base64_encode(*sct.cookie));
  }
  return el;
}

// --- SecurityTokenReference -----------------------------------------------------------------

SecurityTokenReference SecurityTokenReference::to_id(std::string_view id, std::string_view value_type) {
  SecurityTokenReference str;
  str.form = Form::kReference;
  str.uri.reserve(id.size() + 1);  // not "#" + std::string(id): GCC 12 -O3 warns falsely (-Wrestrict)
  str.uri += '#';
  str.uri += id;
  str.value_type = std::string(value_type);
  return str;
}

SecurityTokenReference SecurityTokenReference::to_identifier(const SecurityContextToken& sct) {
  SecurityTokenReference str;
  str.form = Form::kReference;
  str.uri = sct.identifier;
  str.value_type = std::string(names::sc(sct.version).sct_token_type);
  str.instance = sct.instance;
  str.implied_version = sct.version;
  return str;
}

std::optional<std::string> SecurityTokenReference::local_id() const {
  if (form != Form::kReference || uri.size() < 2 || uri[0] != '#') return std::nullopt;
  return uri.substr(1);
}

Result<SecurityTokenReference> parse_str(const xmlNode* element) {
  const std::string where = "wsse:SecurityTokenReference";
  if (!xml::is_element(element, ns::kWsse, "SecurityTokenReference")) {
    return spec_error(where, "not a wsse:SecurityTokenReference", "WSS-7-01");
  }
  SecurityTokenReference str;
  str.wsu_id = wsu_id(element);
  if (auto tt = xml::attribute(element, ns::kWsse11, "TokenType"); tt.found) str.token_type = tt.value;
  for (ScVersion v : {ScVersion::kFeb2005, ScVersion::k1_3}) {
    if (auto nonce = xml::attribute(element, names::sc(v).ns, "Nonce"); nonce.found) {
      auto bytes = base64_decode(nonce.value);
      if (!bytes.ok()) return spec_error(where + "/@wsc:Nonce", bytes.error().message(), "SC-7-15");
      str.implied_nonce = std::move(*bytes);
      str.implied_version = v;
    }
    if (auto length = xml::attribute(element, names::sc(v).ns, "Length"); length.found) {
      if (v == ScVersion::kFeb2005) {
        return spec_error(where, "@wsc:Length is not defined in WS-SC Feb 2005", "SC-7-16");
      }
      std::uint64_t value = 0;
      const std::string text = trim(length.value);
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
        return spec_error(where + "/@wsc:Length", "'" + length.value + "' is not an xs:unsignedLong", "SC-7-20");
      }
      str.implied_length = value;
    }
  }
  if (str.implied_length && !str.implied_nonce) {
    return spec_error(where, "@wsc:Length without @wsc:Nonce", "SC-7-15");
  }
  auto children = xml::child_elements(element);
  if (children.size() != 1) {
    return spec_error(where, "must hold exactly one reference element, has " + std::to_string(children.size()),
                      "WSS-7-01");
  }
  xmlNode* ref = children[0];
  if (xml::is_element(ref, ns::kWsse, "Reference")) {
    str.form = SecurityTokenReference::Form::kReference;
    str.uri = xml::attribute(ref, "", "URI").value;
    str.value_type = xml::attribute(ref, "", "ValueType").value;
    if (str.uri.empty()) return spec_error(where + "/wsse:Reference", "no @URI", "WSS-7-02");
    for (ScVersion v : {ScVersion::kFeb2005, ScVersion::k1_3}) {
      if (auto inst = xml::attribute(ref, names::sc(v).ns, "Instance"); inst.found) {
        str.instance = inst.value;
        str.implied_version = v;
      }
    }
  } else if (xml::is_element(ref, ns::kWsse, "KeyIdentifier")) {
    str.form = SecurityTokenReference::Form::kKeyIdentifier;
    str.value_type = xml::attribute(ref, "", "ValueType").value;
    str.encoding_type = xml::attribute(ref, "", "EncodingType").value;
    str.key_identifier = trim(xml::text_content(ref));
  } else if (xml::is_element(ref, ns::kWsse, "Embedded")) {
    str.form = SecurityTokenReference::Form::kEmbedded;
    auto inner = xml::child_elements(ref);
    if (inner.size() != 1) return spec_error(where + "/wsse:Embedded", "must hold exactly one token", "WSS-7-01");
    PARLEY_ASSIGN_OR_RETURN(str.embedded, xml::canonicalize(inner[0]));
  } else {
    return spec_error(where, "unsupported reference form " + qualified(ref) +
                                 " (expected wsse:Reference, wsse:KeyIdentifier or wsse:Embedded)",
                      "WSS-7-01");
  }
  return str;
}

xmlNode* append_str(xmlNode* parent, const SecurityTokenReference& str) {
  xmlNode* el = xml::add_element(parent, ns::kWsse, prefix::kWsse, "SecurityTokenReference");
  if (!str.wsu_id.empty()) set_wsu_id(el, str.wsu_id);
  if (!str.token_type.empty()) xml::set_attribute(el, ns::kWsse11, prefix::kWsse11, "TokenType", str.token_type);
  const std::string wsc = sc_ns(str.implied_version);
  if (str.implied_nonce) xml::set_attribute(el, wsc, prefix::kWsc, "Nonce", base64_encode(*str.implied_nonce));
  if (str.implied_length) xml::set_attribute(el, wsc, prefix::kWsc, "Length", std::to_string(*str.implied_length));
  switch (str.form) {
    case SecurityTokenReference::Form::kReference: {
      xmlNode* ref = xml::add_element(el, ns::kWsse, prefix::kWsse, "Reference");
      xml::set_attribute(ref, "", "", "URI", str.uri);
      if (!str.value_type.empty()) xml::set_attribute(ref, "", "", "ValueType", str.value_type);
      if (!str.instance.empty()) xml::set_attribute(ref, wsc, prefix::kWsc, "Instance", str.instance);
      break;
    }
    case SecurityTokenReference::Form::kKeyIdentifier: {
      xmlNode* ki = xml::add_element(el, ns::kWsse, prefix::kWsse, "KeyIdentifier", str.key_identifier);
      if (!str.value_type.empty()) xml::set_attribute(ki, "", "", "ValueType", str.value_type);
      if (!str.encoding_type.empty()) xml::set_attribute(ki, "", "", "EncodingType", str.encoding_type);
      break;
    }
    case SecurityTokenReference::Form::kEmbedded: {
      xmlNode* emb = xml::add_element(el, ns::kWsse, prefix::kWsse, "Embedded");
      if (!str.embedded.empty()) (void)xml::append_fragment(emb, str.embedded);
      break;
    }
  }
  return el;
}

// --- DerivedKeyToken ------------------------------------------------------------------------

std::string DerivedKeyToken::effective_label() const {
  return label ? *label : std::string(crypto::kWsscDefaultLabel);
}

Result<std::uint64_t> DerivedKeyToken::effective_offset() const {
  if (generation && offset) {
    return Error(ErrorCode::kInvalidArgument, "Generation and Offset are mutually exclusive", "wsc:DerivedKeyToken")
        .cite("SC-7-02");
  }
  if (generation) return crypto::generation_offset(*generation, effective_length());
  return offset.value_or(0);
}

Result<Bytes> DerivedKeyToken::derive(ByteView secret) const {
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t off, effective_offset());
  crypto::DerivationParams p;
  p.label = effective_label();
  p.nonce = nonce.value_or(Bytes{});
  p.offset = off;
  p.length = effective_length();
  auto key = crypto::derive_key(secret, p);
  if (!key.ok()) key.error().within("wsc:DerivedKeyToken").cite("SC-7-10");
  return key;
}

Result<DerivedKeyToken> parse_dkt(const xmlNode* element, const DktLimits& limits) {
  const std::string where = "wsc:DerivedKeyToken";
  auto version = sc_version_of(element);
  if (element == nullptr || !version || xml::local_name(element) != "DerivedKeyToken") {
    return spec_error(where, "not a wsc:DerivedKeyToken of a WS-SC namespace", "SC-7-01");
  }
  DerivedKeyToken dkt;
  dkt.version = *version;
  dkt.wsu_id = wsu_id(element);
  const std::string_view wsc = names::sc(*version).ns;
  if (auto alg = xml::attribute(element, "", "Algorithm"); alg.found) {
    dkt.algorithm = alg.value;
    const ScVersion other = *version == ScVersion::kFeb2005 ? ScVersion::k1_3 : ScVersion::kFeb2005;
    if (alg.value == names::sc(other).p_sha1) {
      return spec_error(where + "/@Algorithm", "P_SHA1 URI of " + std::string(names::sc(other).label) +
                                                   " in a " + std::string(names::sc(*version).label) + " token",
                        "SC-7-03");
    }
    if (alg.value != names::sc(*version).p_sha1 && !limits.accept_unknown_algorithm) {
      Error e(ErrorCode::kUnsupported, "unknown derivation algorithm '" + alg.value + "'", where + "/@Algorithm");
      return e.cite("SC-7-04");
    }
  }
  // Schema order (SC-7-01): STR?, Properties?, ((Generation | Offset), Length?)?, Label?, Nonce?
  int last_rank = -1;
  for (xmlNode* child : xml::child_elements(element)) {
    const std::string_view name = xml::local_name(child);
    const std::string cwhere = where + "/" + qualified(child);
    int rank = -1;
    if (xml::is_element(child, ns::kWsse, "SecurityTokenReference")) {
      rank = 0;
    } else if (xml::namespace_uri(child) == wsc) {
      if (name == "Properties") rank = 1;
      if (name == "Generation" || name == "Offset") rank = 2;
      if (name == "Length") rank = 3;
      if (name == "Label") rank = 4;
      if (name == "Nonce") rank = 5;
    }
    if (rank < 0) {
      return spec_error(where, "unexpected child element " + qualified(child), "SC-7-01");
    }
    if (rank == 2 && (dkt.generation || dkt.offset)) {
      return spec_error(where, "wsc:Generation and wsc:Offset both present (or repeated)", "SC-7-02");
    }
    if (rank <= last_rank) {
      return spec_error(where, qualified(child) + " out of schema order (STR, Properties, Generation|Offset, "
                                                  "Length, Label, Nonce)",
                        "SC-7-01");
    }
    if (rank == 3 && !dkt.generation && !dkt.offset) {
      return spec_error(where, "wsc:Length without a preceding wsc:Generation or wsc:Offset", "SC-7-01");
    }
    last_rank = rank;
    switch (rank) {
      case 0: {
        PARLEY_ASSIGN_OR_RETURN(SecurityTokenReference str, parse_str(child));
        dkt.str = std::move(str);
        break;
      }
      case 1: {
        for (xmlNode* p : xml::child_elements(child)) {
          if (xml::is_element(p, wsc, "Name")) dkt.properties_name = trim(xml::text_content(p));
        }
        break;
      }
      case 2: {
        PARLEY_ASSIGN_OR_RETURN(std::uint64_t v, parse_unsigned_long(child, cwhere));
        (name == "Generation" ? dkt.generation : dkt.offset) = v;
        break;
      }
      case 3: {
        PARLEY_ASSIGN_OR_RETURN(std::uint64_t v, parse_unsigned_long(child, cwhere));
        dkt.length = v;
        break;
      }
      case 4:
        dkt.label = xml::text_content(child);
        break;
      case 5: {
        auto nonce = base64_decode(xml::text_content(child));
        if (!nonce.ok()) return spec_error(cwhere, nonce.error().message(), "SC-7-08");
        dkt.nonce = std::move(*nonce);
        break;
      }
      default:
        break;
    }
  }
  // Receiver bounds (SC-7-19) and the nonce rule (SC-7-08, WCF-03).
  if (!dkt.nonce || dkt.nonce->size() < limits.min_nonce_bytes) {
    if (limits.require_nonce) {
      return spec_error(where, dkt.nonce ? "wsc:Nonce is empty" : "no wsc:Nonce", "SC-7-08");
    }
  }
  if (dkt.nonce && dkt.nonce->size() > limits.max_nonce_bytes) {
    return spec_error(where, "wsc:Nonce of " + std::to_string(dkt.nonce->size()) + " bytes exceeds " +
                                 std::to_string(limits.max_nonce_bytes),
                      "SC-7-19");
  }
  if (dkt.label && utf8_chars(*dkt.label) > limits.max_label_chars) {
    return spec_error(where, "wsc:Label of " + std::to_string(utf8_chars(*dkt.label)) + " characters exceeds " +
                                 std::to_string(limits.max_label_chars),
                      "SC-7-19");
  }
  const std::uint64_t length = dkt.effective_length();
  if (length < limits.min_length || length > limits.max_length) {
    return spec_error(where, "derived key length " + std::to_string(length) + " bytes is outside " +
                                 std::to_string(limits.min_length) + ".." + std::to_string(limits.max_length),
                      "SC-7-19");
  }
  auto offset = dkt.effective_offset();
  if (!offset.ok()) return offset.error().cite("SC-7-19");
  if (*offset > limits.max_offset) {
    return spec_error(where, "offset " + std::to_string(*offset) + " bytes exceeds " + std::to_string(limits.max_offset),
                      "SC-7-19");
  }
  return dkt;
}

xmlNode* append_dkt(xmlNode* parent, const DerivedKeyToken& dkt, const DktDeviations& deviations) {
  const std::string wsc = sc_ns(dkt.version);
  xmlNode* el = xml::add_element(parent, wsc, prefix::kWsc, "DerivedKeyToken");
  if (!dkt.wsu_id.empty()) set_wsu_id(el, dkt.wsu_id);
  if (deviations.algorithm) {
    xml::set_attribute(el, "", "", "Algorithm", *deviations.algorithm);
  } else if (!dkt.algorithm.empty()) {
    xml::set_attribute(el, "", "", "Algorithm", dkt.algorithm);
  }
  if (dkt.str && !deviations.omit_str) append_str(el, *dkt.str);
  if (dkt.properties_name) {
    xmlNode* props = xml::add_element(el, wsc, prefix::kWsc, "Properties");
    xml::add_element(props, wsc, prefix::kWsc, "Name", *dkt.properties_name);
  }
  auto length_text = [&] { return deviations.raw_length.value_or(std::to_string(dkt.length.value_or(32))); };
  const bool write_length = dkt.length.has_value() || deviations.raw_length.has_value();
  if (deviations.length_before_offset && write_length) xml::add_element(el, wsc, prefix::kWsc, "Length", length_text());
  if (dkt.generation) {
    xml::add_element(el, wsc, prefix::kWsc, "Generation",
                     deviations.raw_generation.value_or(std::to_string(*dkt.generation)));
  }
  if (dkt.offset || deviations.raw_offset || (deviations.offset_and_generation && dkt.generation)) {
    xml::add_element(el, wsc, prefix::kWsc, "Offset",
                     deviations.raw_offset.value_or(std::to_string(dkt.offset.value_or(0))));
  }
  if (deviations.offset_and_generation && !dkt.generation) {
    xml::add_element(el, wsc, prefix::kWsc, "Generation", "0");
  }
  if (!deviations.length_before_offset && write_length) xml::add_element(el, wsc, prefix::kWsc, "Length", length_text());
  if (dkt.label) xml::add_element(el, wsc, prefix::kWsc, "Label", *dkt.label);
  if (!deviations.omit_nonce) {
    if (deviations.empty_nonce) {
      xml::add_element(el, wsc, prefix::kWsc, "Nonce");
    } else if (dkt.nonce) {
      xml::add_element(el, wsc, prefix::kWsc, "Nonce", base64_encode(*dkt.nonce));
    }
  }
  return el;
}

// --- Timestamp --------------------------------------------------------------------------------

std::string format_utc(Clock::time_point t) {
  using namespace std::chrono;
  auto ms = time_point_cast<milliseconds>(t);
  auto days = floor<std::chrono::days>(ms);
  year_month_day ymd{days};
  hh_mm_ss<milliseconds> hms{ms - days};
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return buf;
}

Result<Clock::time_point> parse_utc(std::string_view text) {
  using namespace std::chrono;
  const std::string s = trim(text);
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kParse, "'" + s + "' is not a UTC xs:dateTime: " + why, "dateTime").cite("WSS-10-02");
  };
  auto num = [&](std::size_t pos, std::size_t len, int& out) {
    if (pos + len > s.size()) return false;
    auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return ec == std::errc() && p == s.data() + pos + len;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 20 || !num(0, 4, y) || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d) ||
      s[10] != 'T' || !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi) || s[16] != ':' || !num(17, 2, sec)) {
    return bad("expected YYYY-MM-DDThh:mm:ss");
  }
  std::size_t pos = 19;
  nanoseconds fraction{0};
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    long long scale = 100000000;
    long long ns_value = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ns_value += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad("empty fractional seconds");
    fraction = nanoseconds(ns_value);
  }
  const std::string_view zone = std::string_view(s).substr(pos);
  if (zone != "Z" && zone != "+00:00" && zone != "-00:00") {
    return bad(zone.empty() ? "no time zone (UTC 'Z' required)" : "time zone '" + std::string(zone) + "' is not UTC");
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return bad("date or time out of range");
  const sys_seconds whole = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec};
  // Clock::time_point counts nanoseconds in 64 bits (about 1678..2261): a dateTime outside is
  // refused rather than overflowed (found by fuzz/fuzz_trust.cpp: year 1013 in a wst:Lifetime).
  constexpr sys_seconds kEarliest = time_point_cast<seconds>(Clock::time_point::min()) + seconds{1};
  constexpr sys_seconds kLatest = time_point_cast<seconds>(Clock::time_point::max()) - seconds{1};
  if (whole < kEarliest || whole > kLatest) return bad("year " + std::to_string(y) + " is outside 1678..2261");
  return time_point_cast<Clock::duration>(whole) + duration_cast<Clock::duration>(fraction);
}

Timestamp make_timestamp(Clock::time_point now, std::chrono::seconds validity) {
  Timestamp ts;
  ts.wsu_id = "_0";
  ts.created = format_utc(now);
  ts.expires = format_utc(now + validity);
  return ts;
}

Result<Timestamp> parse_timestamp(const xmlNode* element) {
  const std::string where = "wsu:Timestamp";
  if (!xml::is_element(element, ns::kWsu, "Timestamp")) return spec_error(where, "not a wsu:Timestamp");
  Timestamp ts;
  ts.wsu_id = wsu_id(element);
  int created = 0;
  int expires = 0;
  for (xmlNode* child : xml::child_elements(element)) {
    if (xml::is_element(child, ns::kWsu, "Created")) {
      ++created;
      ts.created = trim(xml::text_content(child));
    } else if (xml::is_element(child, ns::kWsu, "Expires")) {
      ++expires;
      ts.expires = trim(xml::text_content(child));
    }
  }
  if (created > 1 || expires > 1) return spec_error(where, "wsu:Created or wsu:Expires repeated", "WSS-10-02");
  Clock::time_point c{};
  if (!ts.created.empty()) {
    auto t = parse_utc(ts.created);
    if (!t.ok()) return t.error().within(where + "/wsu:Created");
    c = *t;
  }
  if (!ts.expires.empty()) {
    auto t = parse_utc(ts.expires);
    if (!t.ok()) return t.error().within(where + "/wsu:Expires");
    if (!ts.created.empty() && *t < c) return spec_error(where, "wsu:Expires is before wsu:Created", "WSS-10-02");
  }
  return ts;
}

xmlNode* append_timestamp(xmlNode* parent, const Timestamp& ts) {
  xmlNode* el = xml::add_element(parent, ns::kWsu, prefix::kWsu, "Timestamp");
  if (!ts.wsu_id.empty()) set_wsu_id(el, ts.wsu_id);
  if (!ts.created.empty()) xml::add_element(el, ns::kWsu, prefix::kWsu, "Created", ts.created);
  if (!ts.expires.empty()) xml::add_element(el, ns::kWsu, prefix::kWsu, "Expires", ts.expires);
  return el;
}

// --- UsernameToken ----------------------------------------------------------------------------

namespace {

Result<std::string> password_digest(ByteView nonce, std::string_view created, std::string_view password) {
  Bytes input(nonce.begin(), nonce.end());
  input.insert(input.end(), created.begin(), created.end());
  input.insert(input.end(), password.begin(), password.end());
  PARLEY_ASSIGN_OR_RETURN(Bytes digest, crypto::sha1(input));
  return base64_encode(digest);
}

}  // namespace

Result<UsernameToken> UsernameToken::with_digest(std::string username, std::string_view password,
                                                 Clock::time_point now) {
  UsernameToken t;
  t.username = std::move(username);
  t.digest = true;
  PARLEY_ASSIGN_OR_RETURN(Bytes nonce, crypto::random_bytes(16));
  t.nonce = nonce;
  t.created = format_utc(now);
  PARLEY_ASSIGN_OR_RETURN(t.password, password_digest(nonce, t.created, password));
  return t;
}

bool UsernameToken::verify_password(std::string_view expected_password) const {
  if (!digest) return crypto::constant_time_equal(as_bytes(password), as_bytes(expected_password));
  if (!nonce || created.empty()) return false;
  auto want = password_digest(*nonce, created, expected_password);
  return want.ok() && crypto::constant_time_equal(as_bytes(*want), as_bytes(password));
}

Result<UsernameToken> parse_username_token(const xmlNode* element) {
  const std::string where = "wsse:UsernameToken";
  if (!xml::is_element(element, ns::kWsse, "UsernameToken")) return spec_error(where, "not a wsse:UsernameToken");
  UsernameToken t;
  t.wsu_id = wsu_id(element);
  bool have_username = false;
  for (xmlNode* child : xml::child_elements(element)) {
    if (xml::is_element(child, ns::kWsse, "Username")) {
      have_username = true;
      t.username = trim(xml::text_content(child));
    } else if (xml::is_element(child, ns::kWsse, "Password")) {
      t.password = xml::text_content(child);
      auto type = xml::attribute(child, "", "Type");
      if (type.found && type.value == names::wss::kPasswordDigest) {
        t.digest = true;
      } else if (type.found && type.value != names::wss::kPasswordText) {
        return spec_error(where + "/wsse:Password", "unknown @Type '" + type.value + "'");
      }
    } else if (xml::is_element(child, ns::kWsse, "Nonce")) {
      auto nonce = base64_decode(xml::text_content(child));
      if (!nonce.ok()) return spec_error(where + "/wsse:Nonce", nonce.error().message());
      t.nonce = std::move(*nonce);
    } else if (xml::is_element(child, ns::kWsu, "Created")) {
      t.created = trim(xml::text_content(child));
    }
  }
  if (!have_username) return spec_error(where, "no wsse:Username");
  if (t.digest && (!t.nonce || t.created.empty())) {
    return spec_error(where, "a PasswordDigest needs wsse:Nonce and wsu:Created");
  }
  return t;
}

xmlNode* append_username_token(xmlNode* parent, const UsernameToken& token) {
  xmlNode* el = xml::add_element(parent, ns::kWsse, prefix::kWsse, "UsernameToken");
  set_wsu_id(el, token.wsu_id.empty() ? new_wsu_id() : token.wsu_id);
  xml::add_element(el, ns::kWsse, prefix::kWsse, "Username", token.username);
  xmlNode* pw = xml::add_element(el, ns::kWsse, prefix::kWsse, "Password", token.password);
  xml::set_attribute(pw, "", "", "Type", token.digest ? names::wss::kPasswordDigest : names::wss::kPasswordText);
  if (token.nonce) {
    xmlNode* n = xml::add_element(el, ns::kWsse, prefix::kWsse, "Nonce", base64_encode(*token.nonce));
    xml::set_attribute(n, "", "", "EncodingType", names::wss::kBase64Binary);
  }
  if (!token.created.empty()) xml::add_element(el, ns::kWsu, prefix::kWsu, "Created", token.created);
  return el;
}

// --- BinarySecurityToken ----------------------------------------------------------------------

Result<BinarySecurityToken> parse_bst(const xmlNode* element) {
  const std::string where = "wsse:BinarySecurityToken";
  if (!xml::is_element(element, ns::kWsse, "BinarySecurityToken")) return spec_error(where, "not a BinarySecurityToken");
  BinarySecurityToken t;
  t.wsu_id = wsu_id(element);
  t.value_type = xml::attribute(element, "", "ValueType").value;
  t.encoding_type = xml::attribute(element, "", "EncodingType").value;
  if (!t.encoding_type.empty() && t.encoding_type != names::wss::kBase64Binary) {
    return spec_error(where, "unsupported @EncodingType '" + t.encoding_type + "'");
  }
  auto value = base64_decode(xml::text_content(element));
  if (!value.ok()) return spec_error(where, value.error().message());
  t.value = std::move(*value);
  return t;
}

xmlNode* append_bst(xmlNode* parent, const BinarySecurityToken& token) {
  xmlNode* el = xml::add_element(parent, ns::kWsse, prefix::kWsse, "BinarySecurityToken", base64_encode(token.value));
  set_wsu_id(el, token.wsu_id.empty() ? new_wsu_id() : token.wsu_id);
  xml::set_attribute(el, "", "", "ValueType", token.value_type.empty() ? names::wss::kX509v3 : token.value_type);
  xml::set_attribute(el, "", "", "EncodingType", names::wss::kBase64Binary);
  return el;
}

}  // namespace parley::wssc
