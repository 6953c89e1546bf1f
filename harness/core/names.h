// Every namespace, action, token type, RequestType, fault QName and algorithm URI parley uses
// (requirements-catalog.md section 1), as typed constants, with version objects that hand out
// the right URIs. No other file spells these URIs.
//
// Conventions:
// - Each URI literal is written once, in the group that owns it; version tables refer to it.
// - "Not defined in this version" is an empty string_view (test with .empty()), never a guess.
// - WS-SC 1.3 and 1.4 share every name (same 200512 namespace, same WS-Trust 1.3 actions), so
//   nothing on the wire tells them apart; classifiers report such names as ScVersion::k1_3.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace parley::names {

// A qualified name (namespace URI + local name), as fault codes and subcodes are compared.
struct QName {
  std::string_view ns;
  std::string_view local;
  friend constexpr bool operator==(const QName&, const QName&) = default;
};

// A prefix bound for XPath evaluation (xml::xpath registers every one of these).
struct PrefixBinding {
  std::string_view prefix;
  std::string_view uri;
};
std::span<const PrefixBinding> xpath_prefixes();

// =============================================================================================
// Namespaces
// =============================================================================================
// clang-format off (URI literals stay whole so that grep finds them)
namespace ns {
// SOAP 1.1 (W3C Note, s.4) and SOAP 1.2 Part 1 (s.5) envelopes.
inline constexpr std::string_view kSoap11 = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kSoap12 = "http://www.w3.org/2003/05/soap-envelope";
// WS-Addressing 2004/08 (member submission) and 1.0 Core (W3C Rec).
inline constexpr std::string_view kWsa200408 = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
inline constexpr std::string_view kWsa10 = "http://www.w3.org/2005/08/addressing";
// WSS 1.0 secext / utility and WSS 1.1 secext (OASIS WSS SOAP Message Security).
inline constexpr std::string_view kWsse =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr std::string_view kWsu =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
inline constexpr std::string_view kWsse11 =
    "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd";
// WS-SecureConversation Feb 2005 and 1.3 (1.4 keeps the 1.3 namespace).
inline constexpr std::string_view kWscFeb2005 = "http://schemas.xmlsoap.org/ws/2005/02/sc";
inline constexpr std::string_view kWsc13 =
    "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512";
// WS-Trust Feb 2005 and 1.3.
inline constexpr std::string_view kWstFeb2005 = "http://schemas.xmlsoap.org/ws/2005/02/trust";
inline constexpr std::string_view kWst13 = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
// XML-DSig, XML-Enc 1.0 and 1.1, exclusive c14n (InclusiveNamespaces), the xml: namespace.
inline constexpr std::string_view kDs = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr std::string_view kXenc = "http://www.w3.org/2001/04/xmlenc#";
inline constexpr std::string_view kXenc11 = "http://www.w3.org/2009/xmlenc11#";
inline constexpr std::string_view kExcC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
inline constexpr std::string_view kXml = "http://www.w3.org/XML/1998/namespace";
inline constexpr std::string_view kXsi = "http://www.w3.org/2001/XMLSchema-instance";
// WCF/WIF private namespace: dnse:Cookie, dnse faults, SecureConversationFault action.
inline constexpr std::string_view kDnse = "http://schemas.microsoft.com/ws/2006/05/security";
// WS-SecurityPolicy 1.2, its 2005/07 draft, and WCF's 2005/07 extensions (mssp).
inline constexpr std::string_view kSp12 =
    "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702";
inline constexpr std::string_view kSp200507 =
    "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy";
inline constexpr std::string_view kMssp = "http://schemas.microsoft.com/ws/2005/07/securitypolicy";
// WS-Policy 2004/09 (submission) and 1.5 (W3C Rec); WS-MetadataExchange 2004/09.
inline constexpr std::string_view kWsp200409 = "http://schemas.xmlsoap.org/ws/2004/09/policy";
inline constexpr std::string_view kWsp15 = "http://www.w3.org/ns/ws-policy";
inline constexpr std::string_view kWsx = "http://schemas.xmlsoap.org/ws/2004/09/mex";
// SAML 1.x assertion, SAML 2.0 assertion and protocol (OASIS SAML core).
inline constexpr std::string_view kSaml1 = "urn:oasis:names:tc:SAML:1.0:assertion";
inline constexpr std::string_view kSaml2 = "urn:oasis:names:tc:SAML:2.0:assertion";
inline constexpr std::string_view kSamlp = "urn:oasis:names:tc:SAML:2.0:protocol";
// WS-Federation 1.2 (WIF passive sign-in).
inline constexpr std::string_view kWsfed = "http://docs.oasis-open.org/wsfed/federation/200706";
// The WIF session token body (MC-NBFX SessionDictionary) is unqualified: it has no namespace.
}  // namespace ns

// =============================================================================================
// Algorithm URIs
// =============================================================================================
namespace alg {
// Canonicalization: c14n 1.0 (W3C Rec 2001-03-15) and exclusive c14n 1.0.
inline constexpr std::string_view kC14n = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
inline constexpr std::string_view kC14nWithComments =
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
inline constexpr std::string_view kExcC14n = ns::kExcC14n;
inline constexpr std::string_view kExcC14nWithComments =
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
// Transforms: XML-DSig s.6.6.4 enveloped signature; WSS 1.0 s.8.3 STR-Transform.
inline constexpr std::string_view kEnvelopedSignature =
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
inline constexpr std::string_view kStrTransform =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-soap-message-security-1.0#STR-Transform";
// Digests: XML-DSig s.6.2 (sha1), XML-Enc s.5.7 (sha256, sha512).
inline constexpr std::string_view kSha1 = "http://www.w3.org/2000/09/xmldsig#sha1";
inline constexpr std::string_view kSha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
inline constexpr std::string_view kSha512 = "http://www.w3.org/2001/04/xmlenc#sha512";
// MACs and signatures: XML-DSig s.6.3-6.4, RFC 6931 (xmldsig-more).
inline constexpr std::string_view kHmacSha1 = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
inline constexpr std::string_view kHmacSha256 =
    "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256";
inline constexpr std::string_view kHmacSha512 =
    "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512";
inline constexpr std::string_view kRsaSha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
inline constexpr std::string_view kRsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
// Block encryption: XML-Enc s.5.2 (CBC) and XML-Enc 1.1 s.5.2.4 (GCM).
inline constexpr std::string_view kTripleDesCbc = "http://www.w3.org/2001/04/xmlenc#tripledes-cbc";
inline constexpr std::string_view kAes128Cbc = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
inline constexpr std::string_view kAes192Cbc = "http://www.w3.org/2001/04/xmlenc#aes192-cbc";
inline constexpr std::string_view kAes256Cbc = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
inline constexpr std::string_view kAes128Gcm = "http://www.w3.org/2009/xmlenc11#aes128-gcm";
inline constexpr std::string_view kAes256Gcm = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
// Key transport and key wrap: XML-Enc s.5.4-5.6.
inline constexpr std::string_view kRsaOaepMgf1p = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
inline constexpr std::string_view kRsa15 = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
inline constexpr std::string_view kKwTripleDes = "http://www.w3.org/2001/04/xmlenc#kw-tripledes";
inline constexpr std::string_view kKwAes128 = "http://www.w3.org/2001/04/xmlenc#kw-aes128";
inline constexpr std::string_view kKwAes192 = "http://www.w3.org/2001/04/xmlenc#kw-aes192";
inline constexpr std::string_view kKwAes256 = "http://www.w3.org/2001/04/xmlenc#kw-aes256";
// Key derivation: WS-SC Feb 2005 s.7 and WS-SC 1.3 s.7 P_SHA1.
inline constexpr std::string_view kPSha1Feb2005 =
    "http://schemas.xmlsoap.org/ws/2005/02/sc/dk/p_sha1";
inline constexpr std::string_view kPSha1_13 =
    "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk/p_sha1";
// EncryptedData/@Type: XML-Enc s.3.5.
inline constexpr std::string_view kXencElement = "http://www.w3.org/2001/04/xmlenc#Element";
inline constexpr std::string_view kXencContent = "http://www.w3.org/2001/04/xmlenc#Content";
}  // namespace alg

// =============================================================================================
// WS-Security token profiles: EncodingType / ValueType / TokenType URIs
// =============================================================================================
namespace wss {
// WSS 1.0 SOAP Message Security s.6.3 (EncodingType).
inline constexpr std::string_view kBase64Binary =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-soap-message-security-1.0#Base64Binary";
// X.509 Token Profile 1.0 s.3.1 (ValueType of BinarySecurityToken / KeyIdentifier).
inline constexpr std::string_view kX509v3 =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
inline constexpr std::string_view kX509SubjectKeyIdentifier =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier";
// Username Token Profile 1.0 s.3.1 (Password/@Type).
inline constexpr std::string_view kPasswordText =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-username-token-profile-1.0#PasswordText";
inline constexpr std::string_view kPasswordDigest =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
// WSS 1.1 SOAP Message Security s.7.7 (ThumbprintSHA1) and s.7.3 (EncryptedKey, EncryptedKeySHA1).
inline constexpr std::string_view kThumbprintSha1 =
    "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1";
inline constexpr std::string_view kEncryptedKey =
    "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKey";
inline constexpr std::string_view kEncryptedKeySha1 =
    "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKeySHA1";
// SAML Token Profile 1.1 s.3.3-3.4 (token types and KeyIdentifier value types).
inline constexpr std::string_view kSamlV11TokenType =
    "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1";
inline constexpr std::string_view kSamlV20TokenType =
    "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0";
inline constexpr std::string_view kSamlAssertionId =
    "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID";
inline constexpr std::string_view kSamlId =
    "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID";
}  // namespace wss
// clang-format on

// =============================================================================================
// Versions
// =============================================================================================
enum class ScVersion { kFeb2005, k1_3, k1_4 };
enum class TrustVersion { kFeb2005, k1_3 };
enum class SoapVersion { k1_1, k1_2 };
enum class AddressingVersion { k2004_08, k1_0 };

inline constexpr std::array kAllScVersions{ScVersion::kFeb2005, ScVersion::k1_3, ScVersion::k1_4};
inline constexpr std::array kAllTrustVersions{TrustVersion::kFeb2005, TrustVersion::k1_3};
inline constexpr std::array kAllSoapVersions{SoapVersion::k1_1, SoapVersion::k1_2};
inline constexpr std::array kAllAddressingVersions{AddressingVersion::k2004_08,
                                                   AddressingVersion::k1_0};

// --- WS-Trust (Feb 2005 / 1.3) ----------------------------------------------------------------
// The names WS-SC borrows from WS-Trust: SCT binding actions (WS-SC s.3-8), RequestType
// (WS-Trust 1.3 s.3.1, s.5-7), BinarySecret/@Type (s.3.3), ComputedKey (s.4.4.3), KeyType (s.11.2).
struct TrustNames {
  TrustVersion version;
  std::string_view label;  // for reports: "WS-Trust 1.3"
  std::string_view ns;
  // SCT binding actions, request / response.
  std::string_view rst_sct;
  std::string_view rstr_sct;
  std::string_view rst_sct_amend;
  std::string_view rstr_sct_amend;
  std::string_view rst_sct_renew;
  std::string_view rstr_sct_renew;
  std::string_view rst_sct_cancel;
  std::string_view rstr_sct_cancel;
  // RequestType.
  std::string_view request_issue;
  std::string_view request_renew;
  std::string_view request_cancel;
  std::string_view request_sts_cancel;  // 1.3 only (s.10.2); empty in Feb 2005
  std::string_view request_validate;
  // BinarySecret/@Type.
  std::string_view binary_secret_nonce;
  std::string_view binary_secret_symmetric_key;
  std::string_view binary_secret_asymmetric_key;
  // ComputedKey algorithm.
  std::string_view computed_key_psha1;
  // KeyType.
  std::string_view key_type_symmetric;
  std::string_view key_type_public;
  std::string_view key_type_bearer;  // 1.3 only; empty in Feb 2005 (see wcf::kNoProofKeyFeb2005)
};

// clang-format off
inline constexpr TrustNames kTrustFeb2005{
    .version = TrustVersion::kFeb2005,
    .label = "WS-Trust Feb 2005",
    .ns = ns::kWstFeb2005,
    .rst_sct = "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT",
    .rstr_sct = "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT",
    .rst_sct_amend = "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT/Amend",
    .rstr_sct_amend = "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT/Amend",
    .rst_sct_renew = "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT/Renew",
    .rstr_sct_renew = "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT/Renew",
    .rst_sct_cancel = "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT/Cancel",
    .rstr_sct_cancel = "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT/Cancel",
    .request_issue = "http://schemas.xmlsoap.org/ws/2005/02/trust/Issue",
    .request_renew = "http://schemas.xmlsoap.org/ws/2005/02/trust/Renew",
    .request_cancel = "http://schemas.xmlsoap.org/ws/2005/02/trust/Cancel",
    .request_sts_cancel = {},
    .request_validate = "http://schemas.xmlsoap.org/ws/2005/02/trust/Validate",
    .binary_secret_nonce = "http://schemas.xmlsoap.org/ws/2005/02/trust/Nonce",
    // The same URI serves as BinarySecret/@Type and as KeyType.
    .binary_secret_symmetric_key = "http://schemas.xmlsoap.org/ws/2005/02/trust/SymmetricKey",
    .binary_secret_asymmetric_key = "http://schemas.xmlsoap.org/ws/2005/02/trust/AsymmetricKey",
    .computed_key_psha1 = "http://schemas.xmlsoap.org/ws/2005/02/trust/CK/PSHA1",
    .key_type_symmetric = "http://schemas.xmlsoap.org/ws/2005/02/trust/SymmetricKey",
    .key_type_public = "http://schemas.xmlsoap.org/ws/2005/02/trust/PublicKey",
    .key_type_bearer = {},
};

inline constexpr TrustNames kTrust13{
    .version = TrustVersion::k1_3,
    .label = "WS-Trust 1.3",
    .ns = ns::kWst13,
    .rst_sct = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT",
    .rstr_sct = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT",
    .rst_sct_amend = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT/Amend",
    .rstr_sct_amend = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT/Amend",
    .rst_sct_renew = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT/Renew",
    .rstr_sct_renew = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT/Renew",
    .rst_sct_cancel = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT/Cancel",
    .rstr_sct_cancel = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT/Cancel",
    .request_issue = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
    .request_renew = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew",
    .request_cancel = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Cancel",
    .request_sts_cancel = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/STSCancel",
    .request_validate = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Validate",
    .binary_secret_nonce = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Nonce",
    // The same URI serves as BinarySecret/@Type and as KeyType.
    .binary_secret_symmetric_key = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/SymmetricKey",
    .binary_secret_asymmetric_key = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/AsymmetricKey",
    .computed_key_psha1 = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/CK/PSHA1",
    .key_type_symmetric = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/SymmetricKey",
    .key_type_public = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey",
    .key_type_bearer = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer",
};

// clang-format on

constexpr const TrustNames& trust(TrustVersion v) {
  return v == TrustVersion::kFeb2005 ? kTrustFeb2005 : kTrust13;
}

// --- WS-SecureConversation (Feb 2005 / 1.3 / 1.4) ---------------------------------------------
// Token types (WS-SC s.3 SCT, s.7 DKT), default derivation algorithm (s.7) and the WS-Trust
// version each pairs with (Feb 2005 <-> Feb 2005; 1.3 and 1.4 <-> 1.3).
struct ScNames {
  ScVersion version;
  std::string_view label;  // for reports: "WS-SC 1.3"
  std::string_view ns;
  std::string_view sct_token_type;  // also the SCT's STR Reference/@ValueType
  std::string_view dk_token_type;
  std::string_view p_sha1;
  TrustVersion trust;
};

inline constexpr ScNames kScFeb2005{
    .version = ScVersion::kFeb2005,
    .label = "WS-SC Feb 2005",
    .ns = ns::kWscFeb2005,
    .sct_token_type = "http://schemas.xmlsoap.org/ws/2005/02/sc/sct",
    .dk_token_type = "http://schemas.xmlsoap.org/ws/2005/02/sc/dk",
    .p_sha1 = alg::kPSha1Feb2005,
    .trust = TrustVersion::kFeb2005,
};
inline constexpr ScNames kSc13{
    .version = ScVersion::k1_3,
    .label = "WS-SC 1.3",
    .ns = ns::kWsc13,
    .sct_token_type = "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct",
    .dk_token_type = "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk",
    .p_sha1 = alg::kPSha1_13,
    .trust = TrustVersion::k1_3,
};
// WS-SC 1.4 changes no name of 1.3.
inline constexpr ScNames kSc14{
    .version = ScVersion::k1_4,
    .label = "WS-SC 1.4",
    .ns = kSc13.ns,
    .sct_token_type = kSc13.sct_token_type,
    .dk_token_type = kSc13.dk_token_type,
    .p_sha1 = kSc13.p_sha1,
    .trust = TrustVersion::k1_3,
};

constexpr const ScNames& sc(ScVersion v) {
  switch (v) {
    case ScVersion::kFeb2005:
      return kScFeb2005;
    case ScVersion::k1_3:
      return kSc13;
    case ScVersion::k1_4:
      return kSc14;
  }
  return kSc13;
}
constexpr TrustVersion trust_version_for(ScVersion v) {
  return sc(v).trust;
}
constexpr const TrustNames& trust(ScVersion v) {
  return trust(trust_version_for(v));
}

// --- SCT binding actions (WS-SC s.3 issue, s.5 amend, s.6 renew, s.8 cancel) --------------------
enum class ScOperation { kIssue, kAmend, kRenew, kCancel };
enum class Direction { kRequest, kResponse };
inline constexpr std::array kAllScOperations{ScOperation::kIssue, ScOperation::kAmend,
                                             ScOperation::kRenew, ScOperation::kCancel};

constexpr std::string_view sct_action(TrustVersion v, ScOperation op, Direction dir) {
  const TrustNames& t = trust(v);
  const bool rq = dir == Direction::kRequest;
  switch (op) {
    case ScOperation::kIssue:
      return rq ? t.rst_sct : t.rstr_sct;
    case ScOperation::kAmend:
      return rq ? t.rst_sct_amend : t.rstr_sct_amend;
    case ScOperation::kRenew:
      return rq ? t.rst_sct_renew : t.rstr_sct_renew;
    case ScOperation::kCancel:
      return rq ? t.rst_sct_cancel : t.rstr_sct_cancel;
  }
  return {};
}
constexpr std::string_view sct_action(ScVersion v, ScOperation op, Direction dir) {
  return sct_action(trust_version_for(v), op, dir);
}

// What an SCT binding action URI is. `sc` is kFeb2005 or k1_3 (1.3 and 1.4 share actions).
struct ActionInfo {
  TrustVersion trust;
  ScVersion sc;
  ScOperation operation;
  Direction direction;
  friend constexpr bool operator==(const ActionInfo&, const ActionInfo&) = default;
};
// Exact, case-sensitive match (URIs compare as strings); nullopt for any other action.
std::optional<ActionInfo> classify_sct_action(std::string_view action);
// The response action for an SCT binding request action (/RST/ -> /RSTR/); nullopt when
// `request_action` is not a known SCT request action.
std::optional<std::string_view> response_action(std::string_view request_action);

// RequestType expected with each operation (WS-SC s.3, s.6, s.8): Issue, Renew, Cancel. Amend
// maps to Issue as in the WS-SC s.5 example (unconfirmed: prefer WARN over FAIL on it).
constexpr std::string_view request_type(TrustVersion v, ScOperation op) {
  const TrustNames& t = trust(v);
  switch (op) {
    case ScOperation::kIssue:
    case ScOperation::kAmend:
      return t.request_issue;
    case ScOperation::kRenew:
      return t.request_renew;
    case ScOperation::kCancel:
      return t.request_cancel;
  }
  return {};
}

// =============================================================================================
// SOAP 1.1 / 1.2
// =============================================================================================
// Envelope namespace, HTTP content type (SOAP 1.1 s.6.1.1; SOAP 1.2 Part 2 s.7.1.4 / RFC 3902)
// and the fault codes (SOAP 1.1 s.4.4.1: Client/Server; SOAP 1.2 Part 1 s.5.4.6: Sender/Receiver).
struct SoapNames {
  SoapVersion version;
  std::string_view label;
  std::string_view envelope_ns;
  std::string_view content_type;  // media type only, without charset / action parameters
  QName version_mismatch;
  QName must_understand;
  QName sender;    // s11:Client / s12:Sender
  QName receiver;  // s11:Server / s12:Receiver
};

inline constexpr SoapNames kSoap11{
    .version = SoapVersion::k1_1,
    .label = "SOAP 1.1",
    .envelope_ns = ns::kSoap11,
    .content_type = "text/xml",
    .version_mismatch = {ns::kSoap11, "VersionMismatch"},
    .must_understand = {ns::kSoap11, "MustUnderstand"},
    .sender = {ns::kSoap11, "Client"},
    .receiver = {ns::kSoap11, "Server"},
};
inline constexpr SoapNames kSoap12{
    .version = SoapVersion::k1_2,
    .label = "SOAP 1.2",
    .envelope_ns = ns::kSoap12,
    .content_type = "application/soap+xml",
    .version_mismatch = {ns::kSoap12, "VersionMismatch"},
    .must_understand = {ns::kSoap12, "MustUnderstand"},
    .sender = {ns::kSoap12, "Sender"},
    .receiver = {ns::kSoap12, "Receiver"},
};

constexpr const SoapNames& soap(SoapVersion v) {
  return v == SoapVersion::k1_1 ? kSoap11 : kSoap12;
}

// =============================================================================================
// WS-Addressing 2004/08 / 1.0
// =============================================================================================
// Anonymous address (2004/08 s.2.3 role/anonymous; 1.0 Core s.2.1), none (1.0 only), the fault
// action (2004/08 s.5.1; 1.0 SOAP Binding s.6) and the two faults a dispatcher sends.
struct AddressingNames {
  AddressingVersion version;
  std::string_view label;
  std::string_view ns;
  std::string_view anonymous;
  std::string_view none;  // 1.0 only; empty in 2004/08
  std::string_view fault_action;
  QName action_not_supported;
  QName destination_unreachable;
};

inline constexpr AddressingNames kAddressing200408{
    .version = AddressingVersion::k2004_08,
    .label = "WS-Addressing 2004/08",
    .ns = ns::kWsa200408,
    .anonymous = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous",
    .none = {},
    .fault_action = "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault",
    .action_not_supported = {ns::kWsa200408, "ActionNotSupported"},
    .destination_unreachable = {ns::kWsa200408, "DestinationUnreachable"},
};
inline constexpr AddressingNames kAddressing10{
    .version = AddressingVersion::k1_0,
    .label = "WS-Addressing 1.0",
    .ns = ns::kWsa10,
    .anonymous = "http://www.w3.org/2005/08/addressing/anonymous",
    .none = "http://www.w3.org/2005/08/addressing/none",
    .fault_action = "http://www.w3.org/2005/08/addressing/fault",
    .action_not_supported = {ns::kWsa10, "ActionNotSupported"},
    .destination_unreachable = {ns::kWsa10, "DestinationUnreachable"},
};

constexpr const AddressingNames& addressing(AddressingVersion v) {
  return v == AddressingVersion::k2004_08 ? kAddressing200408 : kAddressing10;
}

// =============================================================================================
// Fault QNames (checks match these, never reason texts)
// =============================================================================================
// WS-SC s.9 faults, in the SC namespace of the version in use.
enum class ScFault {
  kBadContextToken,
  kUnsupportedContextToken,
  kUnknownDerivationSource,
  kRenewNeeded,
  kUnableToRenew,
};
inline constexpr std::array kAllScFaults{
    ScFault::kBadContextToken, ScFault::kUnsupportedContextToken, ScFault::kUnknownDerivationSource,
    ScFault::kRenewNeeded, ScFault::kUnableToRenew};
inline constexpr std::array<std::string_view, 5> kScFaultLocalNames{
    "BadContextToken", "UnsupportedContextToken", "UnknownDerivationSource", "RenewNeeded",
    "UnableToRenew"};
constexpr std::string_view local_name(ScFault f) {
  return kScFaultLocalNames[static_cast<std::size_t>(f)];
}
constexpr QName sc_fault(ScVersion v, ScFault f) {
  return {sc(v).ns, local_name(f)};
}

// WS-Trust 1.3 s.11 / Feb 2005 s.11 faults, in the Trust namespace of the version in use.
enum class TrustFault {
  kInvalidRequest,
  kFailedAuthentication,
  kRequestFailed,
  kInvalidSecurityToken,
  kAuthenticationBadElements,
  kBadRequest,
  kExpiredData,
  kInvalidTimeRange,
  kInvalidScope,
  kRenewNeeded,
  kUnableToRenew,
};
inline constexpr std::array kAllTrustFaults{TrustFault::kInvalidRequest,
                                            TrustFault::kFailedAuthentication,
                                            TrustFault::kRequestFailed,
                                            TrustFault::kInvalidSecurityToken,
                                            TrustFault::kAuthenticationBadElements,
                                            TrustFault::kBadRequest,
                                            TrustFault::kExpiredData,
                                            TrustFault::kInvalidTimeRange,
                                            TrustFault::kInvalidScope,
                                            TrustFault::kRenewNeeded,
                                            TrustFault::kUnableToRenew};
inline constexpr std::array<std::string_view, 11> kTrustFaultLocalNames{"InvalidRequest",
                                                                        "FailedAuthentication",
                                                                        "RequestFailed",
                                                                        "InvalidSecurityToken",
                                                                        "AuthenticationBadElements",
                                                                        "BadRequest",
                                                                        "ExpiredData",
                                                                        "InvalidTimeRange",
                                                                        "InvalidScope",
                                                                        "RenewNeeded",
                                                                        "UnableToRenew"};
constexpr std::string_view local_name(TrustFault f) {
  return kTrustFaultLocalNames[static_cast<std::size_t>(f)];
}
constexpr QName trust_fault(TrustVersion v, TrustFault f) {
  return {trust(v).ns, local_name(f)};
}

// WSS 1.0 SOAP Message Security s.12 faults (wsse namespace; WSS 1.1 keeps them).
enum class WssFault {
  kUnsupportedSecurityToken,
  kUnsupportedAlgorithm,
  kInvalidSecurity,
  kInvalidSecurityToken,
  kFailedAuthentication,
  kFailedCheck,
  kSecurityTokenUnavailable,
  kMessageExpired,
};
inline constexpr std::array kAllWssFaults{
    WssFault::kUnsupportedSecurityToken, WssFault::kUnsupportedAlgorithm,
    WssFault::kInvalidSecurity,          WssFault::kInvalidSecurityToken,
    WssFault::kFailedAuthentication,     WssFault::kFailedCheck,
    WssFault::kSecurityTokenUnavailable, WssFault::kMessageExpired};
inline constexpr std::array<std::string_view, 8> kWssFaultLocalNames{
    "UnsupportedSecurityToken", "UnsupportedAlgorithm", "InvalidSecurity",
    "InvalidSecurityToken",     "FailedAuthentication", "FailedCheck",
    "SecurityTokenUnavailable", "MessageExpired"};
constexpr std::string_view local_name(WssFault f) {
  return kWssFaultLocalNames[static_cast<std::size_t>(f)];
}
constexpr QName wss_fault(WssFault f) {
  return {ns::kWsse, local_name(f)};
}

// WCF's own secure-session faults (dnse namespace; wire facts A, Faults).
enum class WcfFault {
  kSecuritySessionAborted,
  kServerTooBusy,
  kSecureConversationCancellationNotAllowed,
};
inline constexpr std::array kAllWcfFaults{WcfFault::kSecuritySessionAborted,
                                          WcfFault::kServerTooBusy,
                                          WcfFault::kSecureConversationCancellationNotAllowed};
inline constexpr std::array<std::string_view, 3> kWcfFaultLocalNames{
    "SecuritySessionAborted", "ServerTooBusy", "SecureConversationCancellationNotAllowed"};
constexpr std::string_view local_name(WcfFault f) {
  return kWcfFaultLocalNames[static_cast<std::size_t>(f)];
}
constexpr QName wcf_fault(WcfFault f) {
  return {ns::kDnse, local_name(f)};
}

// =============================================================================================
// WCF / WIF private URIs
// =============================================================================================
namespace wcf {
// wsa:Action of WCF's RenewNeeded fault (the addressing fault action is used for the others).
inline constexpr std::string_view kSecureConversationFaultAction =
    "http://schemas.microsoft.com/ws/2006/05/security/SecureConversationFault";
// System.IdentityModel.Claims.Rights.Identity: the Right of the claim that names a principal
// (cookie-mode SCT state, harness/oracle/cookie_state.cpp).
inline constexpr std::string_view kRightIdentity = "http://schemas.xmlsoap.org/ws/2005/05/identity/right/identity";
// Bearer KeyType that WCF/WIF send with WS-Trust Feb 2005, which defines none.
inline constexpr std::string_view kNoProofKeyFeb2005 =
    "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey";
}  // namespace wcf

// WIF (System.Security.Claims) claim URIs that a session token carries by default.
namespace wif {
// ClaimValueTypes.String: the ValueType of a claim made without one.
inline constexpr std::string_view kClaimValueTypeString = "http://www.w3.org/2001/XMLSchema#string";
// ClaimTypes.Name / ClaimTypes.Role: ClaimsIdentity's default NameClaimType / RoleClaimType.
inline constexpr std::string_view kClaimTypeName = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
inline constexpr std::string_view kClaimTypeRole = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
}  // namespace wif

// Passive federation (harness/fed): SAML 1.1 / 2.0 core, bindings and metadata (OASIS SAML 2.0
// core, bindings, metadata; SAML 1.1 core), WS-Federation 1.2 passive requestor profile, and the
// WIF claim types and authentication type a federated sign-in produces.
namespace fed {
// clang-format off
// SAML 2.0 metadata (saml-metadata-2.0-os s.2).
inline constexpr std::string_view kSamlMetadata = "urn:oasis:names:tc:SAML:2.0:metadata";
// SAML 2.0 core s.3.2.2.2: the Status a successful Response carries.
inline constexpr std::string_view kStatusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success";
inline constexpr std::string_view kStatusRequester = "urn:oasis:names:tc:SAML:2.0:status:Requester";
// SAML 2.0 bindings s.3.4 / s.3.5.
inline constexpr std::string_view kBindingHttpRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
inline constexpr std::string_view kBindingHttpPost = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
// Bearer subject confirmation: SAML 1.1 core s.7.1 / SAML 2.0 profiles s.3.3.
inline constexpr std::string_view kSaml1Bearer = "urn:oasis:names:tc:SAML:1.0:cm:bearer";
inline constexpr std::string_view kSaml2Bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
// SAML 1.1 core s.7.3 / SAML 2.0 core s.8.3.1: unspecified NameIdentifier format.
inline constexpr std::string_view kNameIdUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
// SAML 2.0 core s.8.2.2: attribute names that are URIs.
inline constexpr std::string_view kAttrNameFormatUri = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
// Authentication: SAML 1.1 core s.7.1 (password), SAML 2.0 authn context PasswordProtectedTransport.
inline constexpr std::string_view kSaml1AuthnPassword = "urn:oasis:names:tc:SAML:1.0:am:password";
inline constexpr std::string_view kSaml2AuthnPasswordProtectedTransport =
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
// WS-Federation 1.2 s.13.2.4: the wa parameter values of the passive requestor profile.
inline constexpr std::string_view kWaSignIn = "wsignin1.0";
inline constexpr std::string_view kWaSignOut = "wsignout1.0";
inline constexpr std::string_view kWaSignOutCleanup = "wsignoutcleanup1.0";
// WS-Federation 1.2 s.3.1.2: xsi:type of the STS RoleDescriptor in federation metadata (a QName
// in ns::kWsfed).
inline constexpr std::string_view kSecurityTokenServiceType = "SecurityTokenServiceType";
// WS-Federation 1.2 s.9.2 (authorization namespace): auth:ClaimType in fed:ClaimTypesOffered.
inline constexpr std::string_view kWsfedAuth = "http://docs.oasis-open.org/wsfed/authorization/200706";
// WIF's ClaimTypes.NameIdentifier / ClaimTypes.Email and AuthenticationTypes.Federation.
inline constexpr std::string_view kClaimTypeNameIdentifier = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier";
inline constexpr std::string_view kClaimTypeEmail = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
inline constexpr std::string_view kAuthenticationTypeFederation = "Federation";
// clang-format on
}  // namespace fed

// =============================================================================================
// WS-SecurityPolicy 1.2 s.6.1 algorithm suites
// =============================================================================================
// [Dig] [Enc] [Sym KW] [Asym KW] [Enc KD] [Sig KD] [Min SKL] of WS-SP 1.2 s.6.1; the maximum
// symmetric key length and the signature algorithms are those WCF's SecurityAlgorithmSuite
// enforces and sends (WS-SP lists HmacSha1 / RsaSha1 for every suite; WCF's *Sha256 suites sign
// with HmacSha256 / RsaSha256). Key derivation is P_SHA1 (URI per SC version: sc(v).p_sha1);
// canonicalization exc-c14n; asymmetric keys 1024..4096 bits for all suites.
struct AlgorithmSuite {
  std::string_view name;  // the sp: policy assertion local name, e.g. "Basic256Sha256Rsa15"
  std::string_view digest;
  std::string_view encryption;
  std::string_view symmetric_key_wrap;
  std::string_view asymmetric_key_wrap;
  std::string_view symmetric_signature;
  std::string_view asymmetric_signature;
  int signature_key_derivation_bits;   // [Sig KD] PSha1L<n>; WCF signing DKT length
  int encryption_key_derivation_bits;  // [Enc KD] PSha1L<n>; WCF encryption DKT length
  int min_symmetric_key_bits;          // also WCF's default KeySize
  int max_symmetric_key_bits;
  int min_asymmetric_key_bits;
  int max_asymmetric_key_bits;
};

// clang-format off
inline constexpr std::array<AlgorithmSuite, 16> kAlgorithmSuites{{
    // name                  digest        encryption          sym KW            asym KW
    //   sym sig            asym sig          sigKD encKD minSKL maxSKL minAKL maxAKL
    {"Basic256", alg::kSha1, alg::kAes256Cbc, alg::kKwAes256, alg::kRsaOaepMgf1p,
     alg::kHmacSha1, alg::kRsaSha1, 192, 256, 256, 256, 1024, 4096},
    {"Basic192", alg::kSha1, alg::kAes192Cbc, alg::kKwAes192, alg::kRsaOaepMgf1p,
     alg::kHmacSha1, alg::kRsaSha1, 192, 192, 192, 256, 1024, 4096},
    {"Basic128", alg::kSha1, alg::kAes128Cbc, alg::kKwAes128, alg::kRsaOaepMgf1p,
     alg::kHmacSha1, alg::kRsaSha1, 128, 128, 128, 256, 1024, 4096},
    {"TripleDes", alg::kSha1, alg::kTripleDesCbc, alg::kKwTripleDes, alg::kRsaOaepMgf1p,
     alg::kHmacSha1, alg::kRsaSha1, 192, 192, 192, 256, 1024, 4096},
    {"Basic256Rsa15", alg::kSha1, alg::kAes256Cbc, alg::kKwAes256, alg::kRsa15,
     alg::kHmacSha1, alg::kRsaSha1, 192, 256, 256, 256, 1024, 4096},
    {"Basic192Rsa15", alg::kSha1, alg::kAes192Cbc, alg::kKwAes192, alg::kRsa15,
     alg::kHmacSha1, alg::kRsaSha1, 192, 192, 192, 256, 1024, 4096},
    {"Basic128Rsa15", alg::kSha1, alg::kAes128Cbc, alg::kKwAes128, alg::kRsa15,
     alg::kHmacSha1, alg::kRsaSha1, 128, 128, 128, 256, 1024, 4096},
    {"TripleDesRsa15", alg::kSha1, alg::kTripleDesCbc, alg::kKwTripleDes, alg::kRsa15,
     alg::kHmacSha1, alg::kRsaSha1, 192, 192, 192, 256, 1024, 4096},
    {"Basic256Sha256", alg::kSha256, alg::kAes256Cbc, alg::kKwAes256, alg::kRsaOaepMgf1p,
     alg::kHmacSha256, alg::kRsaSha256, 192, 256, 256, 256, 1024, 4096},
    {"Basic192Sha256", alg::kSha256, alg::kAes192Cbc, alg::kKwAes192, alg::kRsaOaepMgf1p,
     alg::kHmacSha256, alg::kRsaSha256, 192, 192, 192, 256, 1024, 4096},
    {"Basic128Sha256", alg::kSha256, alg::kAes128Cbc, alg::kKwAes128, alg::kRsaOaepMgf1p,
     alg::kHmacSha256, alg::kRsaSha256, 128, 128, 128, 256, 1024, 4096},
    {"TripleDesSha256", alg::kSha256, alg::kTripleDesCbc, alg::kKwTripleDes, alg::kRsaOaepMgf1p,
     alg::kHmacSha256, alg::kRsaSha256, 192, 192, 192, 256, 1024, 4096},
    {"Basic256Sha256Rsa15", alg::kSha256, alg::kAes256Cbc, alg::kKwAes256, alg::kRsa15,
     alg::kHmacSha256, alg::kRsaSha256, 192, 256, 256, 256, 1024, 4096},
    {"Basic192Sha256Rsa15", alg::kSha256, alg::kAes192Cbc, alg::kKwAes192, alg::kRsa15,
     alg::kHmacSha256, alg::kRsaSha256, 192, 192, 192, 256, 1024, 4096},
    {"Basic128Sha256Rsa15", alg::kSha256, alg::kAes128Cbc, alg::kKwAes128, alg::kRsa15,
     alg::kHmacSha256, alg::kRsaSha256, 128, 128, 128, 256, 1024, 4096},
    {"TripleDesSha256Rsa15", alg::kSha256, alg::kTripleDesCbc, alg::kKwTripleDes, alg::kRsa15,
     alg::kHmacSha256, alg::kRsaSha256, 192, 192, 192, 256, 1024, 4096},
}};
// clang-format on

// The suite named by an sp:AlgorithmSuite child's local name; nullptr when unknown.
const AlgorithmSuite* find_algorithm_suite(std::string_view name);

}  // namespace parley::names
