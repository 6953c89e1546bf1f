// WCF's three message-security bootstraps of a secure conversation, for the RST/SCT exchange
// only (the session's messages then use the SCT as every other bootstrap does):
//
//   kMutual     (WCF MutualCertificate): the client signs the RST with its X.509 key (RSA),
//               its certificate travels as a wsse:BinarySecurityToken; the Body is encrypted
//               under a fresh key wrapped for the service certificate. The service answers
//               signed with its own certificate's key and encrypted for the client certificate.
//   kAnonymous  (WCF AnonymousForCertificate): the client wraps a random key for the service
//               certificate (xenc:EncryptedKey, ThumbprintSHA1 reference), derives a signing and
//               an encryption key from it (wsc:DerivedKeyToken), signs (HMAC) and encrypts. The
//               service answers with keys derived from the same EncryptedKey, which it
//               references by its SHA-1 (WSS 1.1 EncryptedKeySHA1).
//   kUsername   (WCF UserNameForCertificate): kAnonymous plus a wsse:UsernameToken, signed and
//               encrypted (Type=Element) with the encryption key.
//
// Design, wire shapes and references: docs/design/x509-bootstraps.md. Errors carry the WSS
// fault a service answers with (Error::fault) and the requirement where the catalog has one.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/x509.h"
#include "harness/core/xml.h"
#include "harness/core/xmlsec.h"
#include "harness/wssc/tokens.h"

namespace parley::oracle::certs {

using wssc::Clock;

enum class Mode { kMutual, kAnonymous, kUsername };

// The algorithm suite's part in the bootstrap (from ServiceConfig / ClientConfig).
struct Suite {
  xmlsec::SignatureMethod symmetric_signature = xmlsec::SignatureMethod::kHmacSha1;
  xmlsec::DigestMethod digest = xmlsec::DigestMethod::kSha1;
  std::uint64_t signature_key_length = 24;   // bytes, the signing DKT
  std::uint64_t encryption_key_length = 32;  // bytes, the encryption DKT, and the wrapped key
  names::ScVersion sc = names::ScVersion::k1_3;  // namespace of the DKTs
  std::chrono::seconds timestamp_validity{300};
  // RSA-SHA256 for the *Sha256 suites, RSA-SHA1 otherwise (names::kAlgorithmSuites).
  xmlsec::SignatureMethod asymmetric_signature() const;
};

// Checks a receiver applies.
struct ReadPolicy {
  Clock::time_point now = Clock::now();
  std::chrono::seconds max_clock_skew{300};
  wssc::DktLimits dkt_limits;
};

// --- client side -------------------------------------------------------------------------------

struct ClientCredentials {
  std::optional<x509::Credentials> own;               // kMutual: the client certificate and key
  std::optional<x509::Certificate> service;           // every mode: the service certificate
  std::optional<wssc::UsernameToken> username_token;  // kUsername
};

// Knobs for the negative tests (a conformant client never changes them).
struct RequestOptions {
  bool sign_body = true;
  bool encrypt_body = true;
};

// What the client keeps from its request to open the response.
struct PendingRequest {
  Mode mode = Mode::kMutual;
  Bytes key;                       // kAnonymous / kUsername: the EncryptedKey's key
  std::string encrypted_key_sha1;  // base64 SHA-1 of the wrapped key octets
};

// Secures an RST/SCT envelope in place: `doc` has its addressing headers (ids in `signed_ids`)
// and the RST in the Body. Adds the wsse:Security header (Timestamp first).
Result<PendingRequest> secure_request(xml::Document& doc, Mode mode, const ClientCredentials& credentials,
                                      const Suite& suite, const std::vector<std::string>& signed_ids,
                                      Clock::time_point now, const RequestOptions& options = {});

// Verifies and decrypts the service's answer in place (a SOAP fault is not passed here).
Status open_response(xml::Document& doc, const PendingRequest& pending, const ClientCredentials& credentials,
                     const Suite& suite, const ReadPolicy& policy);

// --- service side ------------------------------------------------------------------------------

struct ServiceCredentials {
  std::optional<x509::Credentials> own;        // the service certificate and key
  std::optional<x509::TrustStore> client_cas;  // kMutual: anchors for client certificates
};

struct OpenedRequest {
  Mode mode = Mode::kMutual;
  // kMutual: the client certificate's subject; kAnonymous: "anonymous"; kUsername: "" (the
  // caller checks username_token against its users).
  std::string principal;
  std::optional<wssc::UsernameToken> username_token;
  bool username_token_encrypted = false;
  bool body_was_encrypted = false;
  xmlNode* body_child = nullptr;  // the RST, decrypted
  std::optional<x509::Certificate> client_certificate;  // kMutual
  Bytes key;                       // kAnonymous / kUsername: the EncryptedKey's key
  std::string encrypted_key_sha1;  // base64
  std::string signature_value;     // the request signature's SignatureValue (replay detection)
};

// Decrypts and verifies an RST/SCT request in place. Faults (Error::fault):
//   untrusted client certificate            wsse:FailedAuthentication
//   expired / not yet valid certificate     wsse:InvalidSecurityToken
//   EncryptedKey for another certificate    wsse:SecurityTokenUnavailable
//   digest or signature mismatch            wsse:FailedCheck
//   Body / Timestamp / wsa:Action / wsa:To / UsernameToken not signed   wsse:InvalidSecurity
//   expired message                         wsse:MessageExpired
Result<OpenedRequest> open_request(xml::Document& doc, Mode mode, const ServiceCredentials& credentials,
                                   const Suite& suite, const ReadPolicy& policy);

// Protects the service's response (addressing ids in `signed_ids`, RSTR in the Body): signed
// and encrypted as the mode answers.
Status secure_response(xml::Document& doc, const OpenedRequest& request, const ServiceCredentials& credentials,
                       const Suite& suite, const std::vector<std::string>& signed_ids, Clock::time_point now);

}  // namespace parley::oracle::certs
