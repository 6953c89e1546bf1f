#include "harness/fed/saml.h"

#include <libxml/tree.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <utility>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/core/xmlsec.h"

namespace parley::fed {

namespace ns = names::ns;
namespace nf = names::fed;

// Prefixes parley writes (readers never depend on them).
namespace prefix {
constexpr std::string_view kSaml = "saml";
constexpr std::string_view kSamlp = "samlp";
constexpr std::string_view kTrust = "t";
constexpr std::string_view kWsu = "wsu";
constexpr std::string_view kWsp = "wsp";
constexpr std::string_view kWsa = "wsa";
constexpr std::string_view kMd = "md";
constexpr std::string_view kFed = "fed";
constexpr std::string_view kAuth = "auth";
constexpr std::string_view kXsi = "xsi";
constexpr std::string_view kDs = "ds";
}  // namespace prefix

// ---- names and times ------------------------------------------------------------------------

std::string_view to_string(TokenFormat format) {
  return format == TokenFormat::kSaml11 ? "saml11" : "saml20";
}

Result<TokenFormat> parse_token_format(std::string_view text) {
  if (text == "saml11") return TokenFormat::kSaml11;
  if (text == "saml20") return TokenFormat::kSaml20;
  return Error(ErrorCode::kInvalidArgument,
               "unknown token format '" + std::string(text) + "' (saml11 or saml20)");
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

}  // namespace

std::string format_instant(Clock::time_point t) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  const int millis = static_cast<int>(ms - static_cast<std::int64_t>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buffer;
}

Result<Clock::time_point> parse_instant(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return Error(ErrorCode::kParse, "'" + std::string(text.substr(0, 64)) + "' is not a UTC xs:dateTime: " +
                                        std::string(why));
  };
  // yyyy-mm-ddThh:mm:ss = 19 characters, then optional fraction, then Z.
  if (text.size() < 20 || text.size() > 40) return bad("wrong length");
  const auto digits = [&](std::size_t pos, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(0, 4, year) || text[4] != '-' || !digits(5, 2, month) || text[7] != '-' ||
      !digits(8, 2, day) || text[10] != 'T' || !digits(11, 2, hour) || text[13] != ':' ||
      !digits(14, 2, minute) || text[16] != ':' || !digits(17, 2, second)) {
    return bad("expected yyyy-mm-ddThh:mm:ss");
  }
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return bad("month out of range");
  const int month_days = kDaysInMonth[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
  if (day < 1 || day > month_days || hour > 23 || minute > 59 || second > 59) {
    return bad("field out of range");
  }
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (text[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    std::int64_t scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (n < 6) {
        micros += (text[pos] - '0') * scale;
        scale /= 10;
      }
      ++n;
      ++pos;
    }
    if (n == 0) return bad("empty fraction");
  }
  if (pos + 1 != text.size() || text[pos] != 'Z') return bad("must end in Z (UTC)");
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second;
  // Clock::time_point counts nanoseconds in 64 bits (about 1678..2261): refuse what does not fit
  // instead of overflowing (the same bug the fuzzer found in wssc::parse_utc).
  constexpr std::int64_t kLimit = std::chrono::duration_cast<std::chrono::seconds>(Clock::duration::max()).count() - 1;
  if (seconds < -kLimit || seconds > kLimit) return bad("year outside 1678..2261");
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(
      std::chrono::seconds(seconds) + std::chrono::microseconds(micros)));
}

std::string new_saml_id() {
  Result<Bytes> random = crypto::random_bytes(16);
  Bytes b = random.ok() ? std::move(*random) : Bytes(16, 0);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "_";
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    id += kHex[b[i] >> 4];
    id += kHex[b[i] & 0x0f];
  }
  return id;
}

namespace {

Clock::time_point to_millis(Clock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t);
}

bool is_ncname(const std::string& id) {
  return !id.empty() && xmlValidateNCName(xml::to_xml_chars(id.c_str()), 0) == 0;
}

// ds:X509Data/ds:X509Certificate with the certificate's DER, in a document of its own.
xml::Document x509_data(const x509::Certificate& cert) {
  xml::Document doc = xml::new_document(ns::kDs, prefix::kDs, "X509Data");
  xml::add_element(doc.root(), ns::kDs, prefix::kDs, "X509Certificate", base64_encode(cert.der()));
  return doc;
}

// Signs the assertion element `assertion` (root of `doc`) enveloped, and moves the signature to
// where the schema wants it: after `after` (SAML 2.0: Issuer), or last (SAML 1.1).
Status sign_assertion(xml::Document& doc, const std::string& id, xmlNode* after,
                      const x509::Credentials& signer) {
  xml::Document key_info = x509_data(signer.certificate);
  xmlsec::SignOptions options;
  options.method = xmlsec::SignatureMethod::kRsaSha256;
  options.digest = xmlsec::DigestMethod::kSha256;
  options.reference_ids = {id};
  options.key_info_content = key_info.root();
  PARLEY_ASSIGN_OR_RETURN(xmlNode * signature,
                          xmlsec::sign(doc, doc.root(), options, xmlsec::SignatureKey::rsa(signer.private_key)));
  if (after != nullptr) {
    xmlUnlinkNode(signature);
    xmlAddNextSibling(after, signature);
  }
  return ok_status();
}

// Groups claim values by type in first-seen order (one Attribute per type).
std::vector<std::pair<std::string, std::vector<std::string>>> group_claims(const std::vector<ClaimValue>& claims) {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const ClaimValue& c : claims) {
    auto it = groups.begin();
    for (; it != groups.end(); ++it) {
      if (it->first == c.type) break;
    }
    if (it == groups.end()) {
      groups.emplace_back(c.type, std::vector<std::string>{c.value});
    } else {
      it->second.push_back(c.value);
    }
  }
  return groups;
}

void add_saml1_subject(xmlNode* parent, const AssertionSpec& spec) {
  xmlNode* subject = xml::add_element(parent, ns::kSaml1, prefix::kSaml, "Subject");
  xmlNode* name_id = xml::add_element(subject, ns::kSaml1, prefix::kSaml, "NameIdentifier", spec.subject_name);
  if (!spec.name_id_format.empty()) xml::set_attribute(name_id, "", "", "Format", spec.name_id_format);
  xmlNode* confirmation = xml::add_element(subject, ns::kSaml1, prefix::kSaml, "SubjectConfirmation");
  xml::add_element(confirmation, ns::kSaml1, prefix::kSaml, "ConfirmationMethod", nf::kSaml1Bearer);
}

Result<xml::Document> build_saml11(const AssertionSpec& spec, const IssuedAssertion& out) {
  xml::Document doc = xml::new_document(ns::kSaml1, prefix::kSaml, "Assertion");
  xmlNode* a = doc.root();
  xml::set_attribute(a, "", "", "MajorVersion", "1");
  xml::set_attribute(a, "", "", "MinorVersion", "1");
  xml::set_attribute(a, "", "", "AssertionID", out.id);
  xml::set_attribute(a, "", "", "Issuer", spec.issuer);
  xml::set_attribute(a, "", "", "IssueInstant", format_instant(out.issue_instant));
  xmlNode* conditions = xml::add_element(a, ns::kSaml1, prefix::kSaml, "Conditions");
  xml::set_attribute(conditions, "", "", "NotBefore", format_instant(out.not_before));
  xml::set_attribute(conditions, "", "", "NotOnOrAfter", format_instant(out.not_on_or_after));
  if (!spec.audience.empty()) {
    xmlNode* restriction = xml::add_element(conditions, ns::kSaml1, prefix::kSaml, "AudienceRestrictionCondition");
    xml::add_element(restriction, ns::kSaml1, prefix::kSaml, "Audience", spec.audience);
  }
  if (!spec.claims.empty()) {
    xmlNode* statement = xml::add_element(a, ns::kSaml1, prefix::kSaml, "AttributeStatement");
    add_saml1_subject(statement, spec);
    for (const auto& [type, values] : group_claims(spec.claims)) {
      // WIF splits the claim type at the last '/' (SamlAttribute: namespace + "/" + name).
      const std::size_t slash = type.rfind('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == type.size()) {
        return Error(ErrorCode::kInvalidArgument,
                     "claim type '" + type + "' cannot be split into AttributeNamespace/AttributeName",
                     "SAML 1.1 assertion");
      }
      xmlNode* attribute = xml::add_element(statement, ns::kSaml1, prefix::kSaml, "Attribute");
      xml::set_attribute(attribute, "", "", "AttributeName", type.substr(slash + 1));
      xml::set_attribute(attribute, "", "", "AttributeNamespace", type.substr(0, slash));
      for (const std::string& v : values) {
        xml::add_element(attribute, ns::kSaml1, prefix::kSaml, "AttributeValue", v);
      }
    }
  }
  xmlNode* authn = xml::add_element(a, ns::kSaml1, prefix::kSaml, "AuthenticationStatement");
  xml::set_attribute(authn, "", "", "AuthenticationMethod",
                     spec.authentication_method.empty() ? std::string(nf::kSaml1AuthnPassword)
                                                        : spec.authentication_method);
  xml::set_attribute(authn, "", "", "AuthenticationInstant", format_instant(out.issue_instant));
  add_saml1_subject(authn, spec);
  return doc;
}

xml::Document build_saml20(const AssertionSpec& spec, const IssuedAssertion& out, xmlNode** issuer_out) {
  xml::Document doc = xml::new_document(ns::kSaml2, prefix::kSaml, "Assertion");
  xmlNode* a = doc.root();
  xml::set_attribute(a, "", "", "ID", out.id);
  xml::set_attribute(a, "", "", "IssueInstant", format_instant(out.issue_instant));
  xml::set_attribute(a, "", "", "Version", "2.0");
  *issuer_out = xml::add_element(a, ns::kSaml2, prefix::kSaml, "Issuer", spec.issuer);
  xmlNode* subject = xml::add_element(a, ns::kSaml2, prefix::kSaml, "Subject");
  xmlNode* name_id = xml::add_element(subject, ns::kSaml2, prefix::kSaml, "NameID", spec.subject_name);
  if (!spec.name_id_format.empty()) xml::set_attribute(name_id, "", "", "Format", spec.name_id_format);
  xmlNode* confirmation = xml::add_element(subject, ns::kSaml2, prefix::kSaml, "SubjectConfirmation");
  xml::set_attribute(confirmation, "", "", "Method", nf::kSaml2Bearer);
  xmlNode* data = xml::add_element(confirmation, ns::kSaml2, prefix::kSaml, "SubjectConfirmationData");
  if (!spec.in_response_to.empty()) xml::set_attribute(data, "", "", "InResponseTo", spec.in_response_to);
  xml::set_attribute(data, "", "", "NotOnOrAfter", format_instant(out.not_on_or_after));
  if (!spec.recipient.empty()) xml::set_attribute(data, "", "", "Recipient", spec.recipient);
  xmlNode* conditions = xml::add_element(a, ns::kSaml2, prefix::kSaml, "Conditions");
  xml::set_attribute(conditions, "", "", "NotBefore", format_instant(out.not_before));
  xml::set_attribute(conditions, "", "", "NotOnOrAfter", format_instant(out.not_on_or_after));
  if (!spec.audience.empty()) {
    xmlNode* restriction = xml::add_element(conditions, ns::kSaml2, prefix::kSaml, "AudienceRestriction");
    xml::add_element(restriction, ns::kSaml2, prefix::kSaml, "Audience", spec.audience);
  }
  if (!spec.claims.empty()) {
    xmlNode* statement = xml::add_element(a, ns::kSaml2, prefix::kSaml, "AttributeStatement");
    for (const auto& [type, values] : group_claims(spec.claims)) {
      xmlNode* attribute = xml::add_element(statement, ns::kSaml2, prefix::kSaml, "Attribute");
      xml::set_attribute(attribute, "", "", "Name", type);
      xml::set_attribute(attribute, "", "", "NameFormat", nf::kAttrNameFormatUri);
      for (const std::string& v : values) {
        xml::add_element(attribute, ns::kSaml2, prefix::kSaml, "AttributeValue", v);
      }
    }
  }
  xmlNode* authn = xml::add_element(a, ns::kSaml2, prefix::kSaml, "AuthnStatement");
  xml::set_attribute(authn, "", "", "AuthnInstant", format_instant(out.issue_instant));
  xmlNode* context = xml::add_element(authn, ns::kSaml2, prefix::kSaml, "AuthnContext");
  xml::add_element(context, ns::kSaml2, prefix::kSaml, "AuthnContextClassRef",
                   spec.authentication_method.empty() ? std::string(nf::kSaml2AuthnPasswordProtectedTransport)
                                                      : spec.authentication_method);
  return doc;
}

}  // namespace

Result<IssuedAssertion> write_assertion(const AssertionSpec& spec, const x509::Credentials* signer) {
  const std::string where = "write_assertion";
  PARLEY_TRY(xmlsec::initialize());
  IssuedAssertion out;
  out.format = spec.format;
  out.id = spec.id.empty() ? new_saml_id() : spec.id;
  if (!is_ncname(out.id)) {
    return Error(ErrorCode::kInvalidArgument, "assertion ID '" + out.id + "' is not an NCName", where);
  }
  if (spec.issuer.empty()) return Error(ErrorCode::kInvalidArgument, "empty issuer", where);
  const Clock::time_point now = Clock::now();
  out.issue_instant = to_millis(spec.issue_instant == Clock::time_point{} ? now : spec.issue_instant);
  out.not_before = to_millis(spec.not_before == Clock::time_point{} ? out.issue_instant : spec.not_before);
  out.not_on_or_after = to_millis(spec.not_on_or_after == Clock::time_point{} ? out.issue_instant + std::chrono::hours(1)
                                                                              : spec.not_on_or_after);
  xml::Document doc;
  xmlNode* signature_after = nullptr;
  if (spec.format == TokenFormat::kSaml11) {
    PARLEY_ASSIGN_OR_RETURN(doc, build_saml11(spec, out));
  } else {
    doc = build_saml20(spec, out, &signature_after);
  }
  if (signer != nullptr) {
    Status signed_ok = sign_assertion(doc, out.id, signature_after, *signer);
    if (!signed_ok.ok()) return std::move(signed_ok.error().within(where));
  }
  out.xml = xml::serialize(doc);
  return out;
}

// ---- wresult --------------------------------------------------------------------------------

Result<xmlNode*> append_signed_element(xmlNode* parent, std::string_view element_xml) {
  PARLEY_ASSIGN_OR_RETURN(xml::Document doc, xml::parse(element_xml));
  return append_signed_copy(parent, doc.root());
}

xmlNode* append_signed_copy(xmlNode* parent, const xmlNode* element) {
  // xml::append_copy keeps the namespace declarations inside the copy as they are (xmlsec's
  // ds:Signature declares a default namespace), so the canonical SignedInfo and the signature
  // survive the copy.
  return xml::append_copy(parent, element);
}

namespace {

std::string_view token_type_of(TokenFormat format) {
  // What ADFS and WIF write as wst:TokenType for SAML tokens in a passive wresult.
  return format == TokenFormat::kSaml11 ? ns::kSaml1 : ns::kSaml2;
}

}  // namespace

Result<std::string> write_wresult(const IssuedAssertion& assertion, const WresultSpec& spec) {
  const names::TrustNames& trust = names::trust(spec.trust);
  xml::Document doc;
  xmlNode* rstr = nullptr;
  if (spec.trust == names::TrustVersion::k1_3) {
    doc = xml::new_document(trust.ns, prefix::kTrust, "RequestSecurityTokenResponseCollection");
    rstr = xml::add_element(doc.root(), trust.ns, prefix::kTrust, "RequestSecurityTokenResponse");
  } else {
    doc = xml::new_document(trust.ns, prefix::kTrust, "RequestSecurityTokenResponse");
    rstr = doc.root();
  }
  const Clock::time_point created = spec.created == Clock::time_point{} ? assertion.issue_instant : spec.created;
  const Clock::time_point expires = spec.expires == Clock::time_point{} ? assertion.not_on_or_after : spec.expires;
  xmlNode* lifetime = xml::add_element(rstr, trust.ns, prefix::kTrust, "Lifetime");
  xml::add_element(lifetime, ns::kWsu, prefix::kWsu, "Created", format_instant(created));
  xml::add_element(lifetime, ns::kWsu, prefix::kWsu, "Expires", format_instant(expires));
  if (!spec.applies_to.empty()) {
    xmlNode* applies_to = xml::add_element(rstr, ns::kWsp200409, prefix::kWsp, "AppliesTo");
    xmlNode* epr = xml::add_element(applies_to, ns::kWsa10, prefix::kWsa, "EndpointReference");
    xml::add_element(epr, ns::kWsa10, prefix::kWsa, "Address", spec.applies_to);
  }
  xmlNode* requested = xml::add_element(rstr, trust.ns, prefix::kTrust, "RequestedSecurityToken");
  Result<xmlNode*> copied = append_signed_element(requested, assertion.xml);
  if (!copied.ok()) return std::move(copied.error().within("wresult: the assertion"));
  xml::add_element(rstr, trust.ns, prefix::kTrust, "TokenType", token_type_of(assertion.format));
  xml::add_element(rstr, trust.ns, prefix::kTrust, "RequestType", trust.request_issue);
  xml::add_element(rstr, trust.ns, prefix::kTrust, "KeyType",
                   trust.key_type_bearer.empty() ? names::wcf::kNoProofKeyFeb2005 : trust.key_type_bearer);
  return xml::serialize(doc);
}

namespace {

// The one element child of `parent` named {ns}local: kNotFound / kAmbiguous otherwise.
Result<xmlNode*> one_child(const xmlNode* parent, std::string_view ns_uri, std::string_view local,
                           const std::string& where) {
  xmlNode* found = nullptr;
  for (xmlNode* child : xml::child_elements(parent)) {
    if (!xml::is_element(child, ns_uri, local)) continue;
    if (found != nullptr) {
      return Error(ErrorCode::kAmbiguous, "more than one " + std::string(local) + " element", where);
    }
    found = child;
  }
  if (found == nullptr) return Error(ErrorCode::kNotFound, "no " + std::string(local) + " element", where);
  return found;
}

bool is_assertion(const xmlNode* node) {
  return xml::is_element(node, ns::kSaml1, "Assertion") || xml::is_element(node, ns::kSaml2, "Assertion");
}

}  // namespace

Result<ParsedWresult> parse_wresult(std::string_view wresult, const xml::ParseLimits& limits) {
  const std::string where = "wresult";
  ParsedWresult out;
  Result<xml::Document> parsed = xml::parse(wresult, limits);
  if (!parsed.ok()) return std::move(parsed.error().within(where));
  out.document = std::move(*parsed);
  xmlNode* root = out.document.root();
  xmlNode* rstr = nullptr;
  if (xml::is_element(root, ns::kWst13, "RequestSecurityTokenResponseCollection")) {
    out.trust = names::TrustVersion::k1_3;
    PARLEY_ASSIGN_OR_RETURN(rstr, one_child(root, ns::kWst13, "RequestSecurityTokenResponse", where));
    if (xml::child_elements(root).size() != 1) {
      return Error(ErrorCode::kAmbiguous, "the RSTR collection holds more than one element", where);
    }
  } else if (xml::is_element(root, ns::kWst13, "RequestSecurityTokenResponse")) {
    out.trust = names::TrustVersion::k1_3;
    rstr = root;
  } else if (xml::is_element(root, ns::kWstFeb2005, "RequestSecurityTokenResponse")) {
    out.trust = names::TrustVersion::kFeb2005;
    rstr = root;
  } else {
    return Error(ErrorCode::kParse,
                 "root element {" + std::string(xml::namespace_uri(root)) + "}" +
                     std::string(xml::local_name(root)) +
                     " is not a WS-Trust RequestSecurityTokenResponse(Collection)",
                 where);
  }
  const std::string_view trust_ns = names::trust(out.trust).ns;
  PARLEY_ASSIGN_OR_RETURN(xmlNode * requested, one_child(rstr, trust_ns, "RequestedSecurityToken", where));
  const std::vector<xmlNode*> tokens = xml::child_elements(requested);
  if (tokens.size() != 1) {
    return Error(ErrorCode::kAmbiguous,
                 "RequestedSecurityToken holds " + std::to_string(tokens.size()) +
                     " elements; exactly one assertion is expected",
                 where);
  }
  if (!is_assertion(tokens[0])) {
    return Error(ErrorCode::kUnsupported,
                 "RequestedSecurityToken holds {" + std::string(xml::namespace_uri(tokens[0])) + "}" +
                     std::string(xml::local_name(tokens[0])) + ", not a SAML 1.1 or 2.0 assertion",
                 where);
  }
  out.assertion = tokens[0];
  if (Result<xmlNode*> type = one_child(rstr, trust_ns, "TokenType", where); type.ok()) {
    out.token_type = xml::text_content(*type);
  }
  Result<std::vector<xmlNode*>> address = xml::xpath(
      out.document, "wsp:AppliesTo/wsa:EndpointReference/wsa:Address | wsp:AppliesTo/wsa04:EndpointReference/wsa04:Address",
      rstr);
  if (address.ok() && address->size() == 1) out.applies_to = xml::text_content(address->front());
  return out;
}

// ---- SAML 2.0 protocol ----------------------------------------------------------------------

std::string write_authn_request(const AuthnRequest& request) {
  xml::Document doc = xml::new_document(ns::kSamlp, prefix::kSamlp, "AuthnRequest");
  xmlNode* r = doc.root();
  xml::set_attribute(r, "", "", "ID", request.id.empty() ? new_saml_id() : request.id);
  xml::set_attribute(r, "", "", "Version", "2.0");
  xml::set_attribute(r, "", "", "IssueInstant",
                     format_instant(request.issue_instant == Clock::time_point{} ? Clock::now() : request.issue_instant));
  if (!request.destination.empty()) xml::set_attribute(r, "", "", "Destination", request.destination);
  if (!request.protocol_binding.empty()) xml::set_attribute(r, "", "", "ProtocolBinding", request.protocol_binding);
  if (!request.assertion_consumer_service_url.empty()) {
    xml::set_attribute(r, "", "", "AssertionConsumerServiceURL", request.assertion_consumer_service_url);
  }
  if (!request.issuer.empty()) xml::add_element(r, ns::kSaml2, prefix::kSaml, "Issuer", request.issuer);
  return xml::serialize(doc);
}

Result<AuthnRequest> parse_authn_request(std::string_view text, const xml::ParseLimits& limits) {
  const std::string where = "AuthnRequest";
  Result<xml::Document> parsed = xml::parse(text, limits);
  if (!parsed.ok()) return std::move(parsed.error().within(where));
  xmlNode* root = parsed->root();
  if (!xml::is_element(root, ns::kSamlp, "AuthnRequest")) {
    return Error(ErrorCode::kParse, "root element is not samlp:AuthnRequest", where);
  }
  if (xml::attribute(root, "", "Version").value != "2.0") {
    return Error(ErrorCode::kUnsupported, "Version is not 2.0", where);
  }
  AuthnRequest out;
  out.id = xml::attribute(root, "", "ID").value;
  if (!is_ncname(out.id)) return Error(ErrorCode::kParse, "missing or invalid ID", where);
  const xml::AttributeValue instant = xml::attribute(root, "", "IssueInstant");
  if (!instant.found) return Error(ErrorCode::kParse, "missing IssueInstant", where);
  PARLEY_ASSIGN_OR_RETURN(out.issue_instant, parse_instant(instant.value));
  out.destination = xml::attribute(root, "", "Destination").value;
  out.assertion_consumer_service_url = xml::attribute(root, "", "AssertionConsumerServiceURL").value;
  out.protocol_binding = xml::attribute(root, "", "ProtocolBinding").value;
  if (!out.protocol_binding.empty() && out.protocol_binding != nf::kBindingHttpPost) {
    return Error(ErrorCode::kUnsupported, "ProtocolBinding '" + out.protocol_binding + "' (HTTP-POST only)", where);
  }
  Result<xmlNode*> issuer = one_child(root, ns::kSaml2, "Issuer", where);
  if (issuer.ok()) {
    out.issuer = xml::text_content(*issuer);
  } else if (issuer.error().code() == ErrorCode::kAmbiguous) {
    return std::move(issuer.error());
  }
  return out;
}

Result<std::string> deflate_and_base64(std::string_view text) {
  z_stream zs{};
  // Raw DEFLATE (RFC 1951): negative window bits, no zlib header (SAML bindings s.3.4.4.1).
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Error(ErrorCode::kInternal, "deflateInit2 failed", "deflate");
  }
  Bytes out(deflateBound(&zs, static_cast<uLong>(text.size())) + 16);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const std::size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Error(ErrorCode::kInternal, "deflate did not finish", "deflate");
  out.resize(written);
  return base64_encode(out);
}

Result<std::string> inflate_from_base64(std::string_view encoded, std::size_t max_inflated_bytes) {
  const std::string where = "SAMLRequest";
  Result<Bytes> raw = base64_decode(encoded);
  if (!raw.ok()) return Error(ErrorCode::kParse, "not base64: " + raw.error().message(), where);
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return Error(ErrorCode::kInternal, "inflateInit2 failed", where);
  std::string out;
  zs.next_in = raw->data();
  zs.avail_in = static_cast<uInt>(raw->size());
  unsigned char buffer[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = buffer;
    zs.avail_out = sizeof buffer;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Error(ErrorCode::kParse, "not a raw DEFLATE stream (zlib: " + std::to_string(rc) + ")", where);
    }
    const std::size_t produced = sizeof buffer - zs.avail_out;
    if (out.size() + produced > max_inflated_bytes) {
      inflateEnd(&zs);
      return Error(ErrorCode::kLimitExceeded,
                   "inflates to more than " + std::to_string(max_inflated_bytes) + " bytes", where);
    }
    out.append(reinterpret_cast<const char*>(buffer), produced);
    if (rc == Z_OK && zs.avail_in == 0 && produced == 0) {
      inflateEnd(&zs);
      return Error(ErrorCode::kParse, "truncated DEFLATE stream", where);
    }
  }
  inflateEnd(&zs);
  return out;
}

Result<std::string> write_saml_response(const IssuedAssertion& assertion, const ResponseSpec& spec) {
  xml::Document doc = xml::new_document(ns::kSamlp, prefix::kSamlp, "Response");
  xmlNode* r = doc.root();
  xml::set_attribute(r, "", "", "ID", spec.id.empty() ? new_saml_id() : spec.id);
  xml::set_attribute(r, "", "", "Version", "2.0");
  xml::set_attribute(r, "", "", "IssueInstant",
                     format_instant(spec.issue_instant == Clock::time_point{} ? Clock::now() : spec.issue_instant));
  if (!spec.destination.empty()) xml::set_attribute(r, "", "", "Destination", spec.destination);
  if (!spec.in_response_to.empty()) xml::set_attribute(r, "", "", "InResponseTo", spec.in_response_to);
  xml::add_element(r, ns::kSaml2, prefix::kSaml, "Issuer", spec.issuer);
  xmlNode* status = xml::add_element(r, ns::kSamlp, prefix::kSamlp, "Status");
  xmlNode* code = xml::add_element(status, ns::kSamlp, prefix::kSamlp, "StatusCode");
  xml::set_attribute(code, "", "", "Value", nf::kStatusSuccess);
  Result<xmlNode*> copied = append_signed_element(r, assertion.xml);
  if (!copied.ok()) return std::move(copied.error().within("Response: the assertion"));
  return xml::serialize(doc);
}

Result<ParsedResponse> parse_saml_response(std::string_view text, const xml::ParseLimits& limits) {
  const std::string where = "samlp:Response";
  ParsedResponse out;
  Result<xml::Document> parsed = xml::parse(text, limits);
  if (!parsed.ok()) return std::move(parsed.error().within(where));
  out.document = std::move(*parsed);
  xmlNode* root = out.document.root();
  if (!xml::is_element(root, ns::kSamlp, "Response")) {
    return Error(ErrorCode::kParse, "root element is not samlp:Response", where);
  }
  if (xml::attribute(root, "", "Version").value != "2.0") {
    return Error(ErrorCode::kUnsupported, "Version is not 2.0", where);
  }
  out.id = xml::attribute(root, "", "ID").value;
  out.in_response_to = xml::attribute(root, "", "InResponseTo").value;
  out.destination = xml::attribute(root, "", "Destination").value;
  PARLEY_ASSIGN_OR_RETURN(xmlNode * status, one_child(root, ns::kSamlp, "Status", where));
  PARLEY_ASSIGN_OR_RETURN(xmlNode * code, one_child(status, ns::kSamlp, "StatusCode", where));
  out.status_code = xml::attribute(code, "", "Value").value;
  for (xmlNode* child : xml::child_elements(root)) {
    if (xml::is_element(child, ns::kSaml2, "EncryptedAssertion")) {
      return Error(ErrorCode::kUnsupported, "EncryptedAssertion (parley's RP reads plain assertions)", where);
    }
    if (!is_assertion(child)) continue;
    if (out.assertion != nullptr) {
      return Error(ErrorCode::kAmbiguous, "more than one Assertion in the Response", where);
    }
    out.assertion = child;
  }
  if (out.assertion == nullptr && out.status_code == nf::kStatusSuccess) {
    return Error(ErrorCode::kNotFound, "no Assertion in a successful Response", where);
  }
  return out;
}

// ---- metadata -------------------------------------------------------------------------------

namespace {

void add_signing_key_descriptor(xmlNode* role, const x509::Certificate& cert) {
  xmlNode* kd = xml::add_element(role, nf::kSamlMetadata, prefix::kMd, "KeyDescriptor");
  xml::set_attribute(kd, "", "", "use", "signing");
  xmlNode* key_info = xml::add_element(kd, ns::kDs, prefix::kDs, "KeyInfo");
  xmlNode* data = xml::add_element(key_info, ns::kDs, prefix::kDs, "X509Data");
  xml::add_element(data, ns::kDs, prefix::kDs, "X509Certificate", base64_encode(cert.der()));
}

xml::Document entity_descriptor(const MetadataSpec& spec) {
  xml::Document doc = xml::new_document(nf::kSamlMetadata, prefix::kMd, "EntityDescriptor");
  xml::set_attribute(doc.root(), "", "", "ID", new_saml_id());
  xml::set_attribute(doc.root(), "", "", "entityID", spec.entity_id);
  return doc;
}

}  // namespace

std::string write_wsfed_metadata(const MetadataSpec& spec, const x509::Certificate& signing_cert) {
  xml::Document doc = entity_descriptor(spec);
  xmlNode* role = xml::add_element(doc.root(), nf::kSamlMetadata, prefix::kMd, "RoleDescriptor");
  // xsi:type names a QName in the fed namespace: the prefix must be bound where it is used.
  xmlNewNs(role, xml::to_xml_chars(std::string(ns::kWsfed).c_str()), xml::to_xml_chars("fed"));
  xml::set_attribute(role, ns::kXsi, prefix::kXsi, "type",
                     std::string(prefix::kFed) + ":" + std::string(nf::kSecurityTokenServiceType));
  xml::set_attribute(role, "", "", "protocolSupportEnumeration", ns::kWsfed);
  add_signing_key_descriptor(role, signing_cert);
  if (!spec.claims_offered.empty()) {
    xmlNode* offered = xml::add_element(role, ns::kWsfed, prefix::kFed, "ClaimTypesOffered");
    std::vector<std::string> seen;
    for (const ClaimValue& c : spec.claims_offered) {
      if (std::find(seen.begin(), seen.end(), c.type) != seen.end()) continue;
      seen.push_back(c.type);
      xmlNode* type = xml::add_element(offered, nf::kWsfedAuth, prefix::kAuth, "ClaimType");
      xml::set_attribute(type, "", "", "Uri", c.type);
    }
  }
  xmlNode* endpoint = xml::add_element(role, ns::kWsfed, prefix::kFed, "PassiveRequestorEndpoint");
  xmlNode* epr = xml::add_element(endpoint, ns::kWsa10, prefix::kWsa, "EndpointReference");
  xml::add_element(epr, ns::kWsa10, prefix::kWsa, "Address", spec.wsfed_endpoint);
  return xml::serialize(doc);
}

std::string write_saml2_metadata(const MetadataSpec& spec, const x509::Certificate& signing_cert) {
  xml::Document doc = entity_descriptor(spec);
  xmlNode* idp = xml::add_element(doc.root(), nf::kSamlMetadata, prefix::kMd, "IDPSSODescriptor");
  xml::set_attribute(idp, "", "", "WantAuthnRequestsSigned", "false");
  xml::set_attribute(idp, "", "", "protocolSupportEnumeration", ns::kSamlp);
  add_signing_key_descriptor(idp, signing_cert);
  xml::add_element(idp, nf::kSamlMetadata, prefix::kMd, "NameIDFormat", nf::kNameIdUnspecified);
  for (const std::string_view binding : {nf::kBindingHttpRedirect, nf::kBindingHttpPost}) {
    xmlNode* sso = xml::add_element(idp, nf::kSamlMetadata, prefix::kMd, "SingleSignOnService");
    xml::set_attribute(sso, "", "", "Binding", binding);
    xml::set_attribute(sso, "", "", "Location", spec.saml2_sso_endpoint);
  }
  return xml::serialize(doc);
}

std::string certificate_pem(const x509::Certificate& cert) {
  const std::string b64 = base64_encode(cert.der());
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    pem += b64.substr(i, 64);
    pem += '\n';
  }
  pem += "-----END CERTIFICATE-----\n";
  return pem;
}

}  // namespace parley::fed
