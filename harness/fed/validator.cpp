#include "harness/fed/validator.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "harness/core/names.h"
#include "harness/core/xmlsec.h"

namespace parley::fed {

namespace ns = names::ns;
namespace nf = names::fed;

namespace {

// Requirement rows of the shared catalog that these checks enforce (no WIF sign-in rows exist
// yet: only rules with a fitting row are cited).
constexpr const char* kReqReplay = "WSS-13-01";       // replays detected (seen cache)
constexpr const char* kReqIdResolution = "WSS-7-02";  // #fragment resolves to exactly one Id

Error refuse(std::string what, std::string where) {
  return Error(ErrorCode::kVerification, std::move(what), std::move(where));
}

std::vector<xmlNode*> children_named(const xmlNode* parent, std::string_view ns_uri, std::string_view local) {
  std::vector<xmlNode*> out;
  for (xmlNode* child : xml::child_elements(parent)) {
    if (xml::is_element(child, ns_uri, local)) out.push_back(child);
  }
  return out;
}

// The base64 text of an XML base64Binary element, whitespace removed.
std::string squeeze(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
  }
  return out;
}

struct AssertionFields {
  TokenFormat format = TokenFormat::kSaml20;
  std::string id;
  std::string issuer;
  xmlNode* conditions = nullptr;
};

Result<AssertionFields> read_header(xmlNode* assertion, const std::string& where) {
  AssertionFields f;
  if (xml::is_element(assertion, ns::kSaml2, "Assertion")) {
    f.format = TokenFormat::kSaml20;
    if (xml::attribute(assertion, "", "Version").value != "2.0") {
      return Error(ErrorCode::kUnsupported, "assertion Version is not 2.0", where);
    }
    f.id = xml::attribute(assertion, "", "ID").value;
    const std::vector<xmlNode*> issuers = children_named(assertion, ns::kSaml2, "Issuer");
    if (issuers.size() != 1) return Error(ErrorCode::kParse, "assertion must have exactly one Issuer", where);
    f.issuer = xml::text_content(issuers[0]);
    const std::vector<xmlNode*> conditions = children_named(assertion, ns::kSaml2, "Conditions");
    if (conditions.size() > 1) return Error(ErrorCode::kParse, "more than one Conditions element", where);
    if (!conditions.empty()) f.conditions = conditions[0];
  } else if (xml::is_element(assertion, ns::kSaml1, "Assertion")) {
    f.format = TokenFormat::kSaml11;
    if (xml::attribute(assertion, "", "MajorVersion").value != "1" ||
        xml::attribute(assertion, "", "MinorVersion").value != "1") {
      return Error(ErrorCode::kUnsupported, "assertion version is not SAML 1.1", where);
    }
    f.id = xml::attribute(assertion, "", "AssertionID").value;
    f.issuer = xml::attribute(assertion, "", "Issuer").value;
    const std::vector<xmlNode*> conditions = children_named(assertion, ns::kSaml1, "Conditions");
    if (conditions.size() > 1) return Error(ErrorCode::kParse, "more than one Conditions element", where);
    if (!conditions.empty()) f.conditions = conditions[0];
  } else {
    return Error(ErrorCode::kUnsupported, "not a SAML 1.1 or 2.0 Assertion", where);
  }
  if (f.id.empty()) return Error(ErrorCode::kParse, "assertion has no ID", where);
  if (f.issuer.empty()) return Error(ErrorCode::kParse, "assertion has no Issuer", where);
  return f;
}

wif::Claim make_claim(std::string type, std::string value, const std::string& issuer) {
  wif::Claim c;
  c.type = std::move(type);
  c.value = std::move(value);
  c.value_type = std::string(names::wif::kClaimValueTypeString);
  c.issuer = issuer;
  c.original_issuer = issuer;
  return c;
}

}  // namespace

SignInValidator::SignInValidator(ValidatorConfig config) : config_(std::move(config)) {}

std::size_t SignInValidator::replay_cache_size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seen_.size();
}

Status SignInValidator::remember(const std::string& assertion_id, Clock::time_point expires,
                                 Clock::time_point now) {
  const std::string where = "token replay cache";
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = seen_.find(assertion_id);
  if (it != seen_.end() && it->second > now) {
    return refuse("assertion ID '" + assertion_id + "' was already used (replayed sign-in token)", where)
        .cite(kReqReplay);
  }
  if (it == seen_.end() && seen_.size() >= config_.replay_cache_capacity) {
    std::erase_if(seen_, [&](const auto& entry) { return entry.second <= now; });
    if (seen_.size() >= config_.replay_cache_capacity) {
      return Error(ErrorCode::kLimitExceeded,
                   "replay cache full (" + std::to_string(config_.replay_cache_capacity) +
                       " live sign-in tokens); refusing rather than forgetting one",
                   where);
    }
  }
  seen_[assertion_id] = expires;
  return ok_status();
}

Result<SignIn> SignInValidator::validate_assertion(xml::Document& doc, xmlNode* assertion, Clock::time_point now) {
  std::string where = "assertion";
  if (assertion == nullptr || assertion->doc != doc.get()) {
    return Error(ErrorCode::kInvalidArgument, "assertion is not an element of the document", where);
  }
  PARLEY_ASSIGN_OR_RETURN(AssertionFields f, read_header(assertion, where));
  where = "assertion " + f.id;
  const std::string_view saml = f.format == TokenFormat::kSaml20 ? ns::kSaml2 : ns::kSaml1;

  // --- 2-4: signature, trusted key, no wrapping ------------------------------------------------
  const std::vector<xmlNode*> signatures = children_named(assertion, ns::kDs, "Signature");
  if (signatures.empty()) return refuse("the assertion is not signed (no ds:Signature child)", where);
  if (signatures.size() > 1) return refuse("the assertion has more than one ds:Signature", where);
  xmlNode* signature = signatures[0];

  std::vector<x509::Certificate> candidates;
  PARLEY_ASSIGN_OR_RETURN(std::vector<xmlNode*> key_certs,
                          xml::xpath(doc, "ds:KeyInfo/ds:X509Data/ds:X509Certificate", signature));
  if (!key_certs.empty()) {
    // The certificate the signer names must be one the RP trusts: a key carried in the message is
    // never trusted for what it is (catalog section 3, key confusion).
    Result<Bytes> der = base64_decode(squeeze(xml::text_content(key_certs[0])));
    if (!der.ok()) return std::move(der.error().within(where + ": KeyInfo X509Certificate"));
    Result<x509::Certificate> cert = x509::Certificate::from_der(*der);
    if (!cert.ok()) return std::move(cert.error().within(where + ": KeyInfo X509Certificate"));
    bool trusted = false;
    for (const x509::Certificate& t : config_.trusted_certificates) {
      if (t.der() == cert->der()) trusted = true;
    }
    const Bytes thumbprint = cert->thumbprint_sha1();
    for (const Bytes& t : config_.trusted_thumbprints) {
      if (t == thumbprint) trusted = true;
    }
    if (!trusted) {
      return refuse("the signing certificate in KeyInfo (" + cert->subject() + ", SHA-1 thumbprint " +
                        hex_encode(thumbprint) + ") is not a trusted issuer certificate",
                    where);
    }
    candidates.push_back(std::move(*cert));
  } else {
    candidates = config_.trusted_certificates;
    if (candidates.empty()) {
      return refuse("the signature names no certificate and only thumbprints are trusted", where);
    }
  }
  std::optional<Error> last_failure;
  std::optional<xmlsec::Verification> verified;
  for (const x509::Certificate& cert : candidates) {
    PARLEY_ASSIGN_OR_RETURN(crypto::RsaKey key, cert.public_key());
    Result<xmlsec::Verification> v = xmlsec::verify(doc, signature, xmlsec::SignatureKey::rsa(std::move(key)));
    if (v.ok()) {
      verified = std::move(*v);
      break;
    }
    last_failure = std::move(v.error());
    if (last_failure->code() != ErrorCode::kVerification) break;  // structural: no other key helps
  }
  if (!verified) {
    Error e = std::move(*last_failure);
    e.within(where + ": signature");
    if (e.code() == ErrorCode::kAmbiguous) e.cite(kReqIdResolution);
    return e;
  }
  if (verified->references.size() != 1 || verified->references[0].element != assertion) {
    std::string covered;
    for (const xmlsec::SignedReference& r : verified->references) covered += (covered.empty() ? "" : ", ") + r.uri;
    return refuse("the signature covers " + (covered.empty() ? std::string("nothing") : covered) +
                      ", not the assertion being read (signature wrapping)",
                  where)
        .cite(kReqIdResolution);
  }

  // --- 5: issuer, lifetime, audience, subject ----------------------------------------------------
  if (!config_.issuers.empty() &&
      std::find(config_.issuers.begin(), config_.issuers.end(), f.issuer) == config_.issuers.end()) {
    return refuse("issuer '" + f.issuer + "' is not an accepted issuer", where);
  }
  if (f.conditions == nullptr) {
    return refuse("no Conditions: a token without NotOnOrAfter cannot be replay-protected", where);
  }
  const xml::AttributeValue not_before_text = xml::attribute(f.conditions, "", "NotBefore");
  const xml::AttributeValue not_after_text = xml::attribute(f.conditions, "", "NotOnOrAfter");
  if (!not_after_text.found) {
    return refuse("Conditions has no NotOnOrAfter: a token without one cannot be replay-protected", where);
  }
  PARLEY_ASSIGN_OR_RETURN(const Clock::time_point not_on_or_after, parse_instant(not_after_text.value));
  Clock::time_point not_before = Clock::time_point::min();
  if (not_before_text.found) {
    PARLEY_ASSIGN_OR_RETURN(not_before, parse_instant(not_before_text.value));
    if (not_before >= not_on_or_after) return refuse("NotBefore is not before NotOnOrAfter", where);
  }
  const auto skew = config_.clock_skew;
  if (now + skew < not_before) {
    return refuse("token not yet valid: NotBefore " + not_before_text.value + " is after now + skew", where);
  }
  if (now - skew >= not_on_or_after) {
    return refuse("token expired: NotOnOrAfter " + not_after_text.value + " is before now - skew", where);
  }
  const std::vector<xmlNode*> restrictions =
      children_named(f.conditions, saml, f.format == TokenFormat::kSaml20 ? "AudienceRestriction"
                                                                          : "AudienceRestrictionCondition");
  if (restrictions.empty()) return refuse("no audience restriction: the token is not for this RP", where);
  // Every restriction must be met (SAML 2.0 core s.2.5.1.4; SAML 1.1 core s.2.3.2.1.3).
  for (xmlNode* restriction : restrictions) {
    bool matched = false;
    std::string seen;
    for (xmlNode* audience : children_named(restriction, saml, "Audience")) {
      const std::string value = xml::text_content(audience);
      seen += (seen.empty() ? "'" : ", '") + value + "'";
      if (std::find(config_.audiences.begin(), config_.audiences.end(), value) != config_.audiences.end()) {
        matched = true;
      }
    }
    if (!matched) {
      return refuse("audience " + (seen.empty() ? std::string("(none)") : seen) + " is not this RP's", where);
    }
  }

  SignIn out;
  out.format = f.format;
  out.assertion_id = f.id;
  out.issuer = f.issuer;
  out.valid_from = not_before == Clock::time_point::min() ? Clock::time_point{} : not_before;
  out.valid_to = not_on_or_after;
  out.identity.authentication_type = std::string(nf::kAuthenticationTypeFederation);

  std::string name_id;
  if (f.format == TokenFormat::kSaml20) {
    const std::vector<xmlNode*> subjects = children_named(assertion, ns::kSaml2, "Subject");
    if (subjects.size() != 1) return refuse("a SAML 2.0 sign-in assertion needs exactly one Subject", where);
    if (const auto ids = children_named(subjects[0], ns::kSaml2, "NameID"); ids.size() == 1) {
      name_id = xml::text_content(ids[0]);
    }
    // Web SSO profile s.4.1.4.2: a bearer SubjectConfirmation, not expired, for this recipient.
    bool bearer_ok = false;
    std::string why = "no bearer SubjectConfirmation";
    for (xmlNode* confirmation : children_named(subjects[0], ns::kSaml2, "SubjectConfirmation")) {
      if (xml::attribute(confirmation, "", "Method").value != nf::kSaml2Bearer) continue;
      const std::vector<xmlNode*> data = children_named(confirmation, ns::kSaml2, "SubjectConfirmationData");
      if (data.size() == 1) {
        if (const xml::AttributeValue t = xml::attribute(data[0], "", "NotOnOrAfter"); t.found) {
          PARLEY_ASSIGN_OR_RETURN(const Clock::time_point until, parse_instant(t.value));
          if (now - skew >= until) {
            why = "bearer SubjectConfirmationData expired (NotOnOrAfter " + t.value + ")";
            continue;
          }
        }
        if (const xml::AttributeValue r = xml::attribute(data[0], "", "Recipient");
            r.found && !config_.acs_url.empty() && r.value != config_.acs_url) {
          why = "bearer Recipient '" + r.value + "' is not this RP's ACS URL";
          continue;
        }
      }
      bearer_ok = true;
      break;
    }
    if (!bearer_ok) return refuse(why, where);
  } else {
    // SAML 1.1: every statement carries its own Subject; they must name one principal.
    bool first = true;
    for (xmlNode* statement : xml::child_elements(assertion)) {
      for (xmlNode* subject : children_named(statement, ns::kSaml1, "Subject")) {
        std::string this_name;
        if (const auto ids = children_named(subject, ns::kSaml1, "NameIdentifier"); ids.size() == 1) {
          this_name = xml::text_content(ids[0]);
        }
        if (!first && this_name != name_id) {
          return refuse("statements name different subjects ('" + name_id + "', '" + this_name + "')", where);
        }
        name_id = this_name;
        first = false;
      }
    }
  }
  if (!name_id.empty()) {
    out.identity.claims.push_back(make_claim(std::string(nf::kClaimTypeNameIdentifier), name_id, f.issuer));
  }
  for (xmlNode* statement : children_named(assertion, saml, "AttributeStatement")) {
    for (xmlNode* attribute : children_named(statement, saml, "Attribute")) {
      std::string type;
      if (f.format == TokenFormat::kSaml20) {
        type = xml::attribute(attribute, "", "Name").value;
      } else {
        type = xml::attribute(attribute, "", "AttributeNamespace").value + "/" +
               xml::attribute(attribute, "", "AttributeName").value;
      }
      if (type.empty() || type == "/") return refuse("an Attribute has no name", where);
      for (xmlNode* value : children_named(attribute, saml, "AttributeValue")) {
        out.identity.claims.push_back(make_claim(type, xml::text_content(value), f.issuer));
      }
    }
  }
  Result<std::string> token = xml::canonicalize(assertion);
  if (!token.ok()) return std::move(token.error().within(where));
  out.token_xml = std::move(*token);

  // --- 6: replay, last, so that a refused token does not use up its ID --------------------------
  Status fresh = remember(f.id, not_on_or_after + skew, now);
  if (!fresh.ok()) return std::move(fresh.error().within(where));
  return out;
}

namespace {

Result<std::string> required_field(const FormFields& fields, std::string_view name, const FormLimits& limits,
                                   const std::string& where) {
  Result<std::optional<std::string>> value = form_value(fields, name);
  if (!value.ok()) return std::move(value.error().within(where));
  if (!value->has_value() || (*value)->empty()) {
    return Error(ErrorCode::kNotFound, "missing form field " + std::string(name), where);
  }
  if ((*value)->size() > limits.max_value_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "form field " + std::string(name) + " over max_value_bytes " + std::to_string(limits.max_value_bytes),
                 where);
  }
  return std::move(**value);
}

Result<std::string> optional_field(const FormFields& fields, std::string_view name, const FormLimits& limits,
                                   const std::string& where) {
  Result<std::optional<std::string>> value = form_value(fields, name);
  if (!value.ok()) return std::move(value.error().within(where));
  if (!value->has_value()) return std::string();
  if ((*value)->size() > limits.max_value_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "form field " + std::string(name) + " over max_value_bytes " + std::to_string(limits.max_value_bytes),
                 where);
  }
  return std::move(**value);
}

}  // namespace

Result<SignIn> SignInValidator::validate_wsfed(const FormFields& fields) {
  return validate_wsfed(fields, Clock::now());
}

Result<SignIn> SignInValidator::validate_wsfed(const FormFields& fields, Clock::time_point now) {
  const std::string where = "wsignin1.0";
  if (fields.size() > config_.form_limits.max_fields) {
    return Error(ErrorCode::kLimitExceeded, "too many form fields", where);
  }
  PARLEY_ASSIGN_OR_RETURN(std::string wa, required_field(fields, "wa", config_.form_limits, where));
  if (wa != nf::kWaSignIn) return Error(ErrorCode::kInvalidArgument, "wa is '" + wa + "', not wsignin1.0", where);
  PARLEY_ASSIGN_OR_RETURN(std::string wresult, required_field(fields, "wresult", config_.form_limits, where));
  PARLEY_ASSIGN_OR_RETURN(std::string wctx, optional_field(fields, "wctx", config_.form_limits, where));
  Result<ParsedWresult> parsed = parse_wresult(wresult, config_.xml_limits);
  if (!parsed.ok()) return std::move(parsed.error().within(where));
  Result<SignIn> signin = validate_assertion(parsed->document, parsed->assertion, now);
  if (!signin.ok()) return std::move(signin.error().within(where));
  signin->context = std::move(wctx);
  return signin;
}

Result<SignIn> SignInValidator::validate_saml2_post(const FormFields& fields) {
  return validate_saml2_post(fields, Clock::now());
}

Result<SignIn> SignInValidator::validate_saml2_post(const FormFields& fields, Clock::time_point now) {
  const std::string where = "SAML 2.0 HTTP-POST";
  if (fields.size() > config_.form_limits.max_fields) {
    return Error(ErrorCode::kLimitExceeded, "too many form fields", where);
  }
  PARLEY_ASSIGN_OR_RETURN(std::string encoded, required_field(fields, "SAMLResponse", config_.form_limits, where));
  PARLEY_ASSIGN_OR_RETURN(std::string relay_state, optional_field(fields, "RelayState", config_.form_limits, where));
  // SAML bindings s.3.4.3 / s.3.5.3: RelayState is at most 80 bytes.
  if (relay_state.size() > 80) {
    return Error(ErrorCode::kLimitExceeded, "RelayState over 80 bytes (SAML bindings s.3.5.3)", where);
  }
  Result<Bytes> raw = base64_decode(squeeze(encoded));
  if (!raw.ok()) return Error(ErrorCode::kParse, "not base64: " + raw.error().message(), where + ": SAMLResponse");
  const std::string response_xml(raw->begin(), raw->end());
  Result<ParsedResponse> parsed = parse_saml_response(response_xml, config_.xml_limits);
  if (!parsed.ok()) return std::move(parsed.error().within(where));
  if (parsed->status_code != nf::kStatusSuccess) {
    return refuse("Response status is '" + parsed->status_code + "', not Success", where);
  }
  if (!config_.acs_url.empty() && !parsed->destination.empty() && parsed->destination != config_.acs_url) {
    return refuse("Response Destination '" + parsed->destination + "' is not this RP's ACS URL", where);
  }
  Result<SignIn> signin = validate_assertion(parsed->document, parsed->assertion, now);
  if (!signin.ok()) return std::move(signin.error().within(where));
  signin->context = std::move(relay_state);
  return signin;
}

}  // namespace parley::fed
