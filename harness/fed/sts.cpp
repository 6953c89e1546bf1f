#include "harness/fed/sts.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <exception>
#include <filesystem>
#include <fstream>
#include <utility>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"

namespace parley::fed {

namespace nf = names::fed;

// ---- behaviours -----------------------------------------------------------------------------

namespace {

constexpr std::array kAllBehaviours{
    StsBehaviour::kNormal,      StsBehaviour::kExpired,         StsBehaviour::kNotYetValid,
    StsBehaviour::kWrongAudience, StsBehaviour::kWrongIssuer,   StsBehaviour::kUnsigned,
    StsBehaviour::kBadSignature, StsBehaviour::kUntrustedSigner, StsBehaviour::kWrapped,
    StsBehaviour::kReplay};
constexpr std::array<std::string_view, kAllBehaviours.size()> kBehaviourNames{
    "normal",        "expired",          "not-yet-valid", "wrong-audience", "wrong-issuer",
    "unsigned",      "bad-signature",    "untrusted-signer", "wrapped",     "replay"};

// What the bad-token behaviours write instead of the configured values.
constexpr std::string_view kWrongAudience = "urn:parley:wrong-audience";
constexpr std::string_view kWrongIssuer = "urn:parley:wrong-issuer";
constexpr std::string_view kForgedSubject = "mallory";

}  // namespace

std::span<const StsBehaviour> all_sts_behaviours() {
  return kAllBehaviours;
}

std::string_view to_string(StsBehaviour behaviour) {
  return kBehaviourNames[static_cast<std::size_t>(behaviour)];
}

Result<StsBehaviour> parse_sts_behaviour(std::string_view text) {
  for (std::size_t i = 0; i < kAllBehaviours.size(); ++i) {
    if (kBehaviourNames[i] == text) return kAllBehaviours[i];
  }
  std::string known;
  for (const std::string_view n : kBehaviourNames) known += (known.empty() ? "" : ", ") + std::string(n);
  return Error(ErrorCode::kInvalidArgument,
               "unknown token behaviour '" + std::string(text.substr(0, 64)) + "' (one of " + known + ")",
               "parley-token");
}

std::vector<ClaimValue> StsConfig::default_claims() {
  return {
      {std::string(names::wif::kClaimTypeName), "alice"},
      {std::string(nf::kClaimTypeEmail), "alice@example.org"},
      {std::string(names::wif::kClaimTypeRole), "user"},
  };
}

// ---- credentials ----------------------------------------------------------------------------

namespace {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};

// A fresh RSA-2048 key and a self-signed certificate for it (valid from an hour ago for a year).
Result<x509::Credentials> make_self_signed(const std::string& common_name) {
  const std::string where = "self-signed STS certificate";
  PARLEY_ASSIGN_OR_RETURN(crypto::RsaKey key, crypto::RsaKey::generate(2048));
  std::unique_ptr<X509, X509Deleter> cert(X509_new());
  PARLEY_ASSIGN_OR_RETURN(Bytes serial, crypto::random_bytes(8));
  std::uint64_t serial_value = 0;
  for (const std::uint8_t b : serial) serial_value = (serial_value << 8) | b;
  serial_value &= 0x7fffffffffffffffULL;
  if (!cert || X509_set_version(cert.get(), 2) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial_value) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600) == nullptr ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    return Error(ErrorCode::kCrypto, crypto::openssl_error_text(), where);
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 || X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    return Error(ErrorCode::kCrypto, crypto::openssl_error_text(), where);
  }
  const int length = i2d_X509(cert.get(), nullptr);
  if (length <= 0) return Error(ErrorCode::kCrypto, crypto::openssl_error_text(), where);
  Bytes der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  i2d_X509(cert.get(), &out);
  PARLEY_ASSIGN_OR_RETURN(x509::Certificate certificate, x509::Certificate::from_der(der));
  return x509::Credentials{std::move(certificate), std::move(key)};
}

}  // namespace

Result<std::unique_ptr<Sts>> Sts::create(StsConfig config) {
  const std::string where = "[sts]";
  if (config.path_prefix.empty() || config.path_prefix.front() != '/' || config.path_prefix.back() != '/') {
    return Error(ErrorCode::kInvalidArgument, "path_prefix must start and end with '/'", where);
  }
  if (config.signing_certificate_file.empty() != config.signing_key_file.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "signing_certificate and signing_key go together (both, or neither for a fresh key)", where);
  }
  std::optional<x509::Credentials> signing;
  if (config.signing_certificate_file.empty()) {
    PARLEY_ASSIGN_OR_RETURN(signing, make_self_signed("parley test STS"));
  } else {
    Result<x509::Credentials> loaded =
        x509::Credentials::load_pem_files(config.signing_certificate_file, config.signing_key_file);
    if (!loaded.ok()) return std::move(loaded.error().within(where));
    signing = std::move(*loaded);
  }
  return std::unique_ptr<Sts>(new Sts(std::move(config), std::move(*signing)));
}

Sts::Sts(StsConfig config, x509::Credentials signing) : config_(std::move(config)), signing_(std::move(signing)) {}

Result<x509::Credentials> Sts::untrusted_signer() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!untrusted_) {
    PARLEY_ASSIGN_OR_RETURN(untrusted_, make_self_signed("parley untrusted STS"));
  }
  return *untrusted_;
}

// ---- issuing --------------------------------------------------------------------------------

namespace {

xmlNode* first_descendant(xmlNode* node, std::string_view ns_uri, std::string_view local) {
  for (xmlNode* child : xml::child_elements(node)) {
    if (xml::is_element(child, ns_uri, local)) return child;
    if (xmlNode* found = first_descendant(child, ns_uri, local)) return found;
  }
  return nullptr;
}

xmlNode* signature_child(xmlNode* assertion) {
  for (xmlNode* child : xml::child_elements(assertion)) {
    if (xml::is_element(child, names::ns::kDs, "Signature")) return child;
  }
  return nullptr;
}

// "bad-signature": one claim value (or the subject) changed after signing.
Result<IssuedAssertion> tamper(IssuedAssertion issued) {
  PARLEY_ASSIGN_OR_RETURN(xml::Document doc, xml::parse(issued.xml));
  const std::string_view saml = issued.format == TokenFormat::kSaml20 ? names::ns::kSaml2 : names::ns::kSaml1;
  xmlNode* target = first_descendant(doc.root(), saml, "AttributeValue");
  if (target == nullptr) {
    target = first_descendant(doc.root(), saml, issued.format == TokenFormat::kSaml20 ? "NameID" : "NameIdentifier");
  }
  if (target == nullptr) return Error(ErrorCode::kInternal, "nothing to tamper with", "bad-signature");
  const std::string altered = xml::text_content(target) + "-tampered";
  xmlNodeSetContent(target, nullptr);
  xmlNodeAddContent(target, xml::to_xml_chars(altered.c_str()));
  issued.xml = xml::serialize(doc);
  return issued;
}

// "wrapped": signature wrapping (XSW). A forged assertion (new ID, subject "mallory") carries the
// genuine ds:Signature; the genuine assertion, without its signature, sits in the forged one's
// Advice, where the signature's Reference still finds it and its digest still matches. An RP
// that checks "a valid signature somewhere" and then reads the outer assertion is fooled.
Result<IssuedAssertion> wrap(IssuedAssertion issued) {
  const std::string where = "wrapped";
  PARLEY_ASSIGN_OR_RETURN(xml::Document genuine, xml::parse(issued.xml));
  PARLEY_ASSIGN_OR_RETURN(xml::Document forged, genuine.clone());
  const bool saml2 = issued.format == TokenFormat::kSaml20;
  const std::string_view saml = saml2 ? names::ns::kSaml2 : names::ns::kSaml1;
  xmlNode* root = forged.root();
  if (xmlNode* sig = signature_child(root)) {
    xmlUnlinkNode(sig);
    xmlFreeNode(sig);
  }
  const std::string forged_id = new_saml_id();
  xmlSetProp(root, xml::to_xml_chars(saml2 ? "ID" : "AssertionID"), xml::to_xml_chars(forged_id.c_str()));
  for (xmlNode* child : xml::child_elements(root)) {
    // Every subject name in the forged assertion becomes the attacker's.
    for (std::string_view local : {"NameID", "NameIdentifier"}) {
      while (true) {
        xmlNode* n = first_descendant(child, saml, local);
        if (n == nullptr || xml::text_content(n) == kForgedSubject) break;
        xmlNodeSetContent(n, xml::to_xml_chars(std::string(kForgedSubject).c_str()));
      }
    }
  }
  xmlNode* conditions = first_descendant(root, saml, "Conditions");
  if (conditions == nullptr) return Error(ErrorCode::kInternal, "no Conditions", where);
  xmlNode* advice = xmlNewDocNode(forged.get(), conditions->ns, xml::to_xml_chars("Advice"), nullptr);
  xmlAddNextSibling(conditions, advice);
  xmlNode* inner = append_signed_copy(advice, genuine.root());
  xmlNode* sig = signature_child(inner);
  if (sig == nullptr) return Error(ErrorCode::kInternal, "the genuine assertion is unsigned", where);
  xmlUnlinkNode(sig);
  if (saml2) {
    xmlAddNextSibling(first_descendant(root, saml, "Issuer"), sig);
  } else {
    xmlAddChild(root, sig);
  }
  issued.id = forged_id;
  issued.xml = xml::serialize(forged);
  return issued;
}

}  // namespace

Result<IssuedAssertion> Sts::issue(AssertionSpec spec, StsBehaviour behaviour) {
  if (behaviour == StsBehaviour::kReplay) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (const auto it = last_.find(spec.format); it != last_.end()) return it->second;
  }
  const Clock::time_point now = Clock::now();
  spec.issuer = config_.issuer;
  spec.subject_name = config_.subject_name;
  spec.name_id_format = config_.name_id_format;
  spec.claims = config_.claims;
  spec.issue_instant = now;
  spec.not_before = now - config_.clock_skew;
  spec.not_on_or_after = now + config_.token_lifetime;
  const x509::Credentials* signer = &signing_;
  std::optional<x509::Credentials> untrusted;
  switch (behaviour) {
    case StsBehaviour::kExpired:
      spec.not_on_or_after = now - config_.clock_skew - std::chrono::hours(1);
      spec.not_before = spec.not_on_or_after - config_.token_lifetime;
      spec.issue_instant = spec.not_before;
      break;
    case StsBehaviour::kNotYetValid:
      spec.not_before = now + config_.clock_skew + std::chrono::hours(1);
      spec.not_on_or_after = spec.not_before + config_.token_lifetime;
      break;
    case StsBehaviour::kWrongAudience:
      spec.audience = std::string(kWrongAudience);
      break;
    case StsBehaviour::kWrongIssuer:
      spec.issuer = std::string(kWrongIssuer);
      break;
    case StsBehaviour::kUnsigned:
      signer = nullptr;
      break;
    case StsBehaviour::kUntrustedSigner: {
      PARLEY_ASSIGN_OR_RETURN(untrusted, untrusted_signer());
      signer = &*untrusted;
      break;
    }
    default:
      break;
  }
  PARLEY_ASSIGN_OR_RETURN(IssuedAssertion issued, write_assertion(spec, signer));
  if (behaviour == StsBehaviour::kBadSignature) return tamper(std::move(issued));
  if (behaviour == StsBehaviour::kWrapped) return wrap(std::move(issued));
  if (behaviour == StsBehaviour::kNormal || behaviour == StsBehaviour::kReplay) {
    std::lock_guard<std::mutex> lock(mutex_);
    last_[issued.format] = issued;
  }
  return issued;
}

Result<std::string> Sts::wresult_for(std::string_view realm, std::string_view reply, StsBehaviour behaviour,
                                     TokenFormat format, names::TrustVersion trust) {
  AssertionSpec spec;
  spec.format = format;
  spec.audience = config_.audience.empty() ? std::string(realm) : config_.audience;
  spec.recipient = std::string(reply);
  PARLEY_ASSIGN_OR_RETURN(IssuedAssertion issued, issue(std::move(spec), behaviour));
  WresultSpec w;
  w.trust = trust;
  w.applies_to = std::string(realm);
  return write_wresult(issued, w);
}

Result<std::string> Sts::issue_wresult(std::string_view realm, StsBehaviour behaviour,
                                       std::optional<TokenFormat> format, std::optional<names::TrustVersion> trust) {
  return wresult_for(realm, realm, behaviour, format.value_or(config_.token_format),
                     trust.value_or(config_.trust_version));
}

Result<std::string> Sts::issue_saml_response(const AuthnRequest& request, StsBehaviour behaviour) {
  const std::string acs = request.assertion_consumer_service_url.empty() ? config_.default_acs_url
                                                                         : request.assertion_consumer_service_url;
  if (acs.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "the AuthnRequest names no AssertionConsumerServiceURL and [sts] default_acs_url is empty",
                 "AuthnRequest");
  }
  const std::string audience = config_.audience.empty() ? request.issuer : config_.audience;
  if (audience.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the AuthnRequest has no Issuer and [sts] audience is empty",
                 "AuthnRequest");
  }
  AssertionSpec spec;
  spec.format = TokenFormat::kSaml20;
  spec.audience = audience;
  spec.recipient = acs;
  spec.in_response_to = request.id;
  PARLEY_ASSIGN_OR_RETURN(IssuedAssertion issued, issue(std::move(spec), behaviour));
  ResponseSpec r;
  r.in_response_to = request.id;
  r.destination = acs;
  r.issuer = config_.issuer;
  return write_saml_response(issued, r);
}

// ---- metadata -------------------------------------------------------------------------------

std::string Sts::wsfed_metadata(std::string_view base_url) const {
  MetadataSpec spec;
  spec.entity_id = config_.issuer;
  spec.wsfed_endpoint = std::string(base_url) + config_.path_prefix + "wsfed";
  spec.saml2_sso_endpoint = std::string(base_url) + config_.path_prefix + "saml2/sso";
  spec.claims_offered = config_.claims;
  return write_wsfed_metadata(spec, signing_.certificate);
}

std::string Sts::saml2_metadata(std::string_view base_url) const {
  MetadataSpec spec;
  spec.entity_id = config_.issuer;
  spec.wsfed_endpoint = std::string(base_url) + config_.path_prefix + "wsfed";
  spec.saml2_sso_endpoint = std::string(base_url) + config_.path_prefix + "saml2/sso";
  return write_saml2_metadata(spec, signing_.certificate);
}

Status Sts::export_metadata(const std::string& directory, std::string_view base_url) const {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return Error(ErrorCode::kIo, "cannot create directory: " + ec.message(), directory);
  const std::pair<const char*, std::string> files[] = {
      {"FederationMetadata.xml", wsfed_metadata(base_url)},
      {"saml2-metadata.xml", saml2_metadata(base_url)},
      {"sts-cert.pem", certificate_pem(signing_.certificate)},
  };
  for (const auto& [name, content] : files) {
    const std::string path = (std::filesystem::path(directory) / name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.good()) return Error(ErrorCode::kIo, "cannot write", path);
  }
  return ok_status();
}

// ---- HTTP -----------------------------------------------------------------------------------

namespace {

HttpResponse text_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.headers.set("Cache-Control", "no-store");
  r.body = std::move(body) + "\n";
  return r;
}

HttpResponse error_response(int status, const Error& e) {
  return text_response(status, e.message());
}

HttpResponse html_response(std::string body) {
  HttpResponse r;
  r.headers.set("Content-Type", "text/html; charset=utf-8");
  r.headers.set("Cache-Control", "no-store");
  r.body = std::move(body);
  return r;
}

HttpResponse content_response(std::string type, std::string body) {
  HttpResponse r;
  r.headers.set("Content-Type", std::move(type));
  r.body = std::move(body);
  return r;
}

// A reply address the browser may be sent to: absolute http(s), no characters that would break
// out of a header or an HTML attribute (the page escapes them anyway).
Status check_url(std::string_view url, std::string_view what) {
  if (!(url.starts_with("https://") || url.starts_with("http://"))) {
    return Error(ErrorCode::kInvalidArgument, "must be an absolute http(s) URL", std::string(what));
  }
  if (url.size() > 2048) return Error(ErrorCode::kLimitExceeded, "longer than 2048 bytes", std::string(what));
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>') {
      return Error(ErrorCode::kInvalidArgument, "contains a control character, space, quote or angle bracket",
                   std::string(what));
    }
  }
  return ok_status();
}

Result<std::string> field(const FormFields& fields, std::string_view name) {
  PARLEY_ASSIGN_OR_RETURN(std::optional<std::string> value, form_value(fields, name));
  return value.value_or(std::string());
}

}  // namespace

std::string Sts::base_url(const HttpRequest& request, bool over_tls) const {
  if (!config_.public_url.empty()) return config_.public_url;
  std::string host(request.headers.get("Host").value_or("127.0.0.1"));
  for (const char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok || host.size() > 255) {
      host = "127.0.0.1";
      break;
    }
  }
  return std::string(over_tls ? "https://" : "http://") + host;
}

HttpResponse Sts::handle(const HttpRequest& request, bool over_tls) {
  try {
    const auto [path, query] = split_target(request.target);
    if (!path.starts_with(config_.path_prefix)) return text_response(404, "not an STS path");
    const std::string_view sub = path.substr(config_.path_prefix.size());
    if (request.method != "GET" && request.method != "POST" && request.method != "HEAD") {
      HttpResponse r = text_response(405, "method not allowed");
      r.headers.set("Allow", "GET, POST");
      return r;
    }
    Result<FormFields> fields = parse_form(query, config_.limits);
    if (!fields.ok()) return error_response(400, fields.error());
    if (request.method == "POST") {
      const std::string_view type = request.headers.get("Content-Type").value_or("");
      if (type.starts_with("application/x-www-form-urlencoded")) {
        Result<FormFields> body = parse_form(request.body, config_.limits);
        if (!body.ok()) return error_response(400, body.error());
        if (fields->size() + body->size() > config_.limits.max_fields) {
          return text_response(400, "too many form fields");
        }
        fields->insert(fields->end(), body->begin(), body->end());
      }
    }
    if (sub == "wsfed") return wsfed(*fields);
    if (sub == "saml2/sso") return saml2_sso(request, *fields);
    if (sub == "metadata/wsfed" || sub == "FederationMetadata/2007-06/FederationMetadata.xml") {
      return content_response("application/samlmetadata+xml", wsfed_metadata(base_url(request, over_tls)));
    }
    if (sub == "metadata/saml2") {
      return content_response("application/samlmetadata+xml", saml2_metadata(base_url(request, over_tls)));
    }
    if (sub == "cert.pem") return content_response("application/x-pem-file", certificate_pem(signing_.certificate));
    return text_response(404, "no STS resource '" + std::string(sub.substr(0, 128)) + "'");
  } catch (const std::exception& e) {
    return text_response(500, std::string("STS internal error: ") + e.what());
  }
}

HttpResponse Sts::wsfed(const FormFields& fields) {
  Result<std::string> wa = field(fields, "wa");
  if (!wa.ok()) return error_response(400, wa.error());
  Result<std::string> wreply = field(fields, "wreply");
  if (!wreply.ok()) return error_response(400, wreply.error());
  if (*wa == nf::kWaSignOut || *wa == nf::kWaSignOutCleanup) {
    // The test STS keeps no sessions: signing out is acknowledging, then going back.
    if (!wreply->empty()) {
      if (Status ok = check_url(*wreply, "wreply"); !ok.ok()) return error_response(400, ok.error());
      HttpResponse r = text_response(302, "signed out");
      r.headers.set("Location", *wreply);
      return r;
    }
    return html_response("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Signed out</title></head>"
                         "<body><p>You are signed out.</p></body></html>\n");
  }
  if (*wa != nf::kWaSignIn) {
    return text_response(400, "wa must be wsignin1.0, wsignout1.0 or wsignoutcleanup1.0");
  }
  Result<std::string> realm = field(fields, "wtrealm");
  if (!realm.ok()) return error_response(400, realm.error());
  if (realm->empty()) return text_response(400, "wsignin1.0 needs wtrealm");
  if (realm->size() > 2048) return text_response(400, "wtrealm longer than 2048 bytes");
  // WS-Federation 1.2 s.13.2.1: without wreply the STS answers to the realm's own address.
  const std::string reply = wreply->empty() ? *realm : *wreply;
  if (Status ok = check_url(reply, wreply->empty() ? "wtrealm (as the reply address)" : "wreply"); !ok.ok()) {
    return error_response(400, ok.error());
  }
  Result<std::string> wctx = field(fields, "wctx");
  if (!wctx.ok()) return error_response(400, wctx.error());
  if (wctx->size() > 4096) return text_response(400, "wctx longer than 4096 bytes");

  StsBehaviour behaviour = StsBehaviour::kNormal;
  TokenFormat format = config_.token_format;
  names::TrustVersion trust = config_.trust_version;
  Result<std::string> token = field(fields, "parley-token");
  Result<std::string> format_text = field(fields, "parley-format");
  Result<std::string> trust_text = field(fields, "parley-trust");
  if (!token.ok() || !format_text.ok() || !trust_text.ok()) return text_response(400, "parley-* given twice");
  if ((!token->empty() || !format_text->empty() || !trust_text->empty()) && !config_.allow_token_behaviours) {
    return text_response(400, "parley-token / parley-format / parley-trust are off ([sts] allow_token_behaviours)");
  }
  if (!token->empty()) {
    Result<StsBehaviour> b = parse_sts_behaviour(*token);
    if (!b.ok()) return error_response(400, b.error());
    behaviour = *b;
  }
  if (!format_text->empty()) {
    Result<TokenFormat> f = parse_token_format(*format_text);
    if (!f.ok()) return error_response(400, f.error());
    format = *f;
  }
  if (*trust_text == "feb2005") {
    trust = names::TrustVersion::kFeb2005;
  } else if (*trust_text == "1.3") {
    trust = names::TrustVersion::k1_3;
  } else if (!trust_text->empty()) {
    return text_response(400, "parley-trust must be feb2005 or 1.3");
  }
  Result<std::string> wresult = wresult_for(*realm, reply, behaviour, format, trust);
  if (!wresult.ok()) return error_response(500, wresult.error());
  FormFields post{{"wa", std::string(nf::kWaSignIn)}, {"wresult", std::move(*wresult)}};
  if (!wctx->empty()) post.emplace_back("wctx", std::move(*wctx));
  return html_response(auto_post_form(reply, post));
}

HttpResponse Sts::saml2_sso(const HttpRequest& request, const FormFields& fields) {
  Result<std::string> encoded = field(fields, "SAMLRequest");
  if (!encoded.ok()) return error_response(400, encoded.error());
  if (encoded->empty()) return text_response(400, "missing SAMLRequest");
  Result<std::string> relay_state = field(fields, "RelayState");
  if (!relay_state.ok()) return error_response(400, relay_state.error());
  if (relay_state->size() > 80) return text_response(400, "RelayState over 80 bytes (SAML bindings s.3.4.3)");
  std::string request_xml;
  if (request.method == "POST") {
    // HTTP-POST binding: base64 without DEFLATE.
    Result<Bytes> raw = base64_decode(*encoded);
    if (!raw.ok()) return error_response(400, raw.error().within("SAMLRequest"));
    request_xml.assign(raw->begin(), raw->end());
  } else {
    Result<std::string> inflated = inflate_from_base64(*encoded);
    if (!inflated.ok()) return error_response(400, inflated.error());
    request_xml = std::move(*inflated);
  }
  xml::ParseLimits limits;
  limits.max_bytes = 256 * 1024;
  limits.max_depth = 16;
  Result<AuthnRequest> authn = parse_authn_request(request_xml, limits);
  if (!authn.ok()) return error_response(400, authn.error());
  if (!authn->assertion_consumer_service_url.empty()) {
    if (Status ok = check_url(authn->assertion_consumer_service_url, "AssertionConsumerServiceURL"); !ok.ok()) {
      return error_response(400, ok.error());
    }
  }
  StsBehaviour behaviour = StsBehaviour::kNormal;
  Result<std::string> token = field(fields, "parley-token");
  if (!token.ok()) return error_response(400, token.error());
  if (!token->empty()) {
    if (!config_.allow_token_behaviours) return text_response(400, "parley-token is off ([sts] allow_token_behaviours)");
    Result<StsBehaviour> b = parse_sts_behaviour(*token);
    if (!b.ok()) return error_response(400, b.error());
    behaviour = *b;
  }
  Result<std::string> response = issue_saml_response(*authn, behaviour);
  if (!response.ok()) {
    return error_response(response.error().code() == ErrorCode::kInvalidArgument ? 400 : 500, response.error());
  }
  const std::string acs = authn->assertion_consumer_service_url.empty() ? config_.default_acs_url
                                                                        : authn->assertion_consumer_service_url;
  FormFields post{{"SAMLResponse", base64_encode(as_bytes(*response))}};
  if (!relay_state->empty()) post.emplace_back("RelayState", std::move(*relay_state));
  return html_response(auto_post_form(acs, post));
}

}  // namespace parley::fed
