// The test STS of `parley serve`: WS-Federation passive sign-in / sign-out, SAML 2.0 Web Browser
// SSO (AuthnRequest by HTTP-Redirect, Response by HTTP-POST), metadata and the signing
// certificate, under one path prefix. Transport-independent: `handle` maps one HTTP request to
// one response; the server that mounts it (harness/cli cmd_serve) owns sockets and TLS.
//
// Config keys: docs/oracle-config.md, table [sts]. Token behaviours for negative tests of relying
// parties (the `parley-token` query parameter): docs/design/federation.md.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include "harness/core/error.h"
#include "harness/core/names.h"
#include "harness/core/x509.h"
#include "harness/fed/form.h"
#include "harness/fed/saml.h"
#include "harness/transport/http.h"

namespace parley::fed {

using transport::HttpRequest;
using transport::HttpResponse;

struct StsConfig {
  // Requests whose path starts with this prefix are the STS's ("/sts/wsfed", ...).
  std::string path_prefix = "/sts/";
  // Absolute base URL the STS is reached at, for metadata endpoints (e.g.
  // "https://127.0.0.1:8443"); "" = taken from each request's Host header (http, or https when
  // the request came over TLS).
  std::string public_url;
  std::string issuer = "urn:parley:sts";  // Issuer of every token and the metadata entityID
  // Signing credentials (PEM). Both empty: a fresh RSA-2048 key and self-signed certificate are
  // made at startup (fine for tests that fetch /sts/cert.pem; a third-party RP needs the files).
  std::string signing_certificate_file;
  std::string signing_key_file;
  std::chrono::seconds token_lifetime{3600};
  // NotBefore is back-dated by this much, so an RP whose clock is behind still accepts the token.
  std::chrono::seconds clock_skew{300};
  TokenFormat token_format = TokenFormat::kSaml11;  // WS-Fed default (saml20 for SAML2 SSO always)
  names::TrustVersion trust_version = names::TrustVersion::k1_3;  // wresult shape
  // Audience of every token; "" = the request's wtrealm (WS-Fed) / AuthnRequest Issuer (SAML2).
  std::string audience;
  std::string subject_name = "alice";  // NameIdentifier / NameID
  std::string name_id_format;          // "" = unspecified
  // Claims of every token; the default user "alice": name, email, role.
  std::vector<ClaimValue> claims = default_claims();
  // SAML 2.0: the ACS URL used when an AuthnRequest names none ("" = refuse such a request).
  std::string default_acs_url;
  // Whether `parley-token=...` is honoured (it is a test STS: on by default).
  bool allow_token_behaviours = true;
  FormLimits limits;

  static std::vector<ClaimValue> default_claims();
};

// Parses the [sts] table (the table itself, not the document root). Unknown keys are errors.
// `base_dir` resolves relative file names.
Result<StsConfig> parse_sts_config(const toml::table& table, const std::string& base_dir = ".");

// A bad token on request, for negative tests of relying parties: `parley-token=<name>` on a
// wsignin1.0 or SAML2 SSO request.
enum class StsBehaviour {
  kNormal,           // "normal"
  kExpired,          // "expired": NotOnOrAfter in the past (lifetime and skew both elapsed)
  kNotYetValid,      // "not-yet-valid": NotBefore an hour in the future
  kWrongAudience,    // "wrong-audience": audience "urn:parley:wrong-audience"
  kWrongIssuer,      // "wrong-issuer": Issuer "urn:parley:wrong-issuer" (signed by the real key)
  kUnsigned,         // "unsigned": no ds:Signature
  kBadSignature,     // "bad-signature": a claim value altered after signing
  kUntrustedSigner,  // "untrusted-signer": signed by another key, that key's cert in KeyInfo
  kWrapped,          // "wrapped": the signed assertion plus an unsigned forged one before it
  kReplay,           // "replay": the previous token of this format, byte for byte
};
std::span<const StsBehaviour> all_sts_behaviours();
std::string_view to_string(StsBehaviour behaviour);
Result<StsBehaviour> parse_sts_behaviour(std::string_view text);

// The STS. Thread-safe: `handle` may run on many server threads at once.
class Sts {
 public:
  // Loads (or makes) the signing credentials.
  static Result<std::unique_ptr<Sts>> create(StsConfig config);

  // Paths under config.path_prefix: "wsfed" (GET/POST ?wa=wsignin1.0|wsignout1.0|
  // wsignoutcleanup1.0), "saml2/sso" (GET SAMLRequest+RelayState), "metadata/wsfed"
  // (FederationMetadata.xml), "metadata/saml2", "cert.pem". Anything else: 404. Bad requests:
  // 400 with a text/plain reason. Never throws.
  HttpResponse handle(const HttpRequest& request, bool over_tls = false);

  // --- direct use (tests, `parley serve --export-sts-metadata`) ------------------------------
  // Issues a token as the wsignin1.0 endpoint would (the wresult text) for realm `realm`.
  Result<std::string> issue_wresult(std::string_view realm, StsBehaviour behaviour = StsBehaviour::kNormal,
                                    std::optional<TokenFormat> format = std::nullopt,
                                    std::optional<names::TrustVersion> trust = std::nullopt);
  // Issues a samlp:Response (XML, not base64) as the SSO endpoint would answer `request`.
  Result<std::string> issue_saml_response(const AuthnRequest& request,
                                          StsBehaviour behaviour = StsBehaviour::kNormal);

  // Metadata with endpoints under `base_url` (e.g. "https://127.0.0.1:8443").
  std::string wsfed_metadata(std::string_view base_url) const;
  std::string saml2_metadata(std::string_view base_url) const;
  const x509::Certificate& signing_certificate() const { return signing_.certificate; }
  const StsConfig& config() const { return config_; }

  // Writes FederationMetadata.xml, saml2-metadata.xml and sts-cert.pem into `directory`
  // (created if missing).
  Status export_metadata(const std::string& directory, std::string_view base_url) const;

 private:
  Sts(StsConfig config, x509::Credentials signing);
  // Issues one assertion for `spec` (audience, recipient and ID already set) with `behaviour`.
  Result<IssuedAssertion> issue(AssertionSpec spec, StsBehaviour behaviour);
  Result<std::string> wresult_for(std::string_view realm, std::string_view reply, StsBehaviour behaviour,
                                  TokenFormat format, names::TrustVersion trust);
  Result<x509::Credentials> untrusted_signer();
  std::string base_url(const HttpRequest& request, bool over_tls) const;
  HttpResponse wsfed(const FormFields& fields);
  HttpResponse saml2_sso(const HttpRequest& request, const FormFields& fields);

  const StsConfig config_;
  const x509::Credentials signing_;
  std::mutex mutex_;  // guards untrusted_ and last_
  std::optional<x509::Credentials> untrusted_;   // made on first use ("untrusted-signer")
  std::map<TokenFormat, IssuedAssertion> last_;  // the latest token per format ("replay")
};

}  // namespace parley::fed
