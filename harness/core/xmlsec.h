// XML Signature and XML Encryption through xmlsec1 (OpenSSL backend).
//
// The verification key is always supplied by the caller, from the token chain it resolved
// (STR -> DKT -> SCT). xmlsec's own key lookup from the message (KeyValue, KeyName,
// RetrievalMethod, HMAC keys in KeyInfo) is switched off: key material carried inside a
// message is never trusted (catalog section 3, key confusion).
#pragma once

#include <libxml/tree.h>

#include <string>
#include <variant>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/core/error.h"
#include "harness/core/xml.h"

namespace parley::xmlsec {

// Initializes libxml2 + xmlsec1 + its OpenSSL backend once per process (thread-safe, idempotent).
// xmlsec's messages are never printed: each operation collects them into the Error it returns.
Status initialize();

enum class SignatureMethod {
  kHmacSha1,    // http://www.w3.org/2000/09/xmldsig#hmac-sha1
  kHmacSha256,  // http://www.w3.org/2001/04/xmldsig-more#hmac-sha256
  kRsaSha1,     // http://www.w3.org/2000/09/xmldsig#rsa-sha1
  kRsaSha256,   // http://www.w3.org/2001/04/xmldsig-more#rsa-sha256
};
enum class DigestMethod { kSha1, kSha256 };

// A signing / verification key: raw HMAC key bytes (e.g. a derived key) or an RSA key.
class SignatureKey {
 public:
  static SignatureKey hmac(Bytes key) { return SignatureKey(std::move(key)); }
  static SignatureKey rsa(crypto::RsaKey key) { return SignatureKey(std::move(key)); }
  bool is_hmac() const { return std::holds_alternative<Bytes>(key_); }
  const Bytes& hmac_key() const { return std::get<Bytes>(key_); }
  const crypto::RsaKey& rsa_key() const { return std::get<crypto::RsaKey>(key_); }

 private:
  explicit SignatureKey(Bytes key) : key_(std::move(key)) {}
  explicit SignatureKey(crypto::RsaKey key) : key_(std::move(key)) {}
  std::variant<Bytes, crypto::RsaKey> key_;
};

struct SignOptions {
  SignatureMethod method = SignatureMethod::kHmacSha1;
  DigestMethod digest = DigestMethod::kSha1;
  // Each entry is the value of a wsu:Id / Id on an element to sign ("#" is added).
  std::vector<std::string> reference_ids;
  // Exclusive C14N for SignedInfo and every reference; InclusiveNamespaces PrefixList per
  // reference.
  std::vector<std::string> inclusive_prefixes;
  // Optional KeyInfo content (e.g. a wsse:SecurityTokenReference), copied under ds:KeyInfo.
  // It is added after signing, so xmlsec never reads it nor writes key material into it.
  xmlNode* key_info_content = nullptr;
};

// Builds a ds:Signature as the last child of `parent` over the referenced elements and signs it.
// Each id must resolve to exactly one element (kNotFound / kAmbiguous otherwise); a reference to
// an ancestor of `parent` gets the enveloped-signature transform first. The method must match
// the key kind (kInvalidArgument). Nothing is left in the document on failure.
// Returns the ds:Signature element.
Result<xmlNode*> sign(xml::Document& doc, xmlNode* parent, const SignOptions& options,
                      const SignatureKey& key);

struct VerifyOptions {
  // Refuse HMACOutputLength smaller than the full HMAC output (CVE-2009-0217; WSS-8-02).
  // parley refuses any truncation: it never accepts fewer bits than the hash gives.
  bool allow_hmac_truncation = false;
};

struct SignedReference {
  std::string uri;             // as written in the Reference, e.g. "#_1"
  xmlNode* element = nullptr;  // the element the digest was computed over
};

struct Verification {
  SignatureMethod method;
  std::vector<SignedReference> references;  // in SignedInfo order, every one verified
};

// Verifies `signature` (a ds:Signature element) with `key` only. Succeeds only when
// SignedInfo and every Reference verify; references must be same-document "#id" references
// resolving to exactly one element (ID collisions are refused, kAmbiguous). Returns exactly
// which elements the signature covered.
// Refused before any crypto runs: a SignatureMethod whose kind (HMAC / RSA) differs from the
// key's (kVerification), HMACOutputLength other than the full output (kVerification), unknown
// algorithms, transforms other than exc-c14n / c14n / enveloped-signature, digests other than
// SHA-1 / SHA-256, and empty, external or XPointer URIs (kUnsupported). Manifests are not
// processed. A digest or SignatureValue mismatch is kVerification. The referenced ids are
// registered as libxml2 IDs of `doc` (that is how xmlsec resolves them).
Result<Verification> verify(xml::Document& doc, xmlNode* signature, const SignatureKey& key,
                            const VerifyOptions& options = {});

// --- encryption ------------------------------------------------------------------------------

enum class BlockCipher { kAes128Cbc, kAes192Cbc, kAes256Cbc };

// Replaces the content of `element` with an xenc:EncryptedData (Type=Content) encrypted under
// `key`. Optional KeyInfo content as for signatures. Returns the EncryptedData element.
Result<xmlNode*> encrypt_content(xml::Document& doc, xmlNode* element, BlockCipher cipher,
                                 ByteView key, xmlNode* key_info_content = nullptr);
// Replaces `element` itself with an xenc:EncryptedData (Type=Element) encrypted under `key`
// (e.g. a wsse:UsernameToken in a Security header, as WCF encrypts it). Returns the
// EncryptedData element, which now stands where `element` stood (`element` is freed).
Result<xmlNode*> encrypt_element(xml::Document& doc, xmlNode* element, BlockCipher cipher,
                                 ByteView key, xmlNode* key_info_content = nullptr);
// Decrypts an xenc:EncryptedData (Type Content or Element, AES-CBC, CipherValue only: a
// CipherReference is refused) in place with `key`; `encrypted_data` is freed. Returns the first
// node replacing it (nullptr when the plaintext is empty; leading text that libxml2 merges into
// a preceding text node is not returned separately).
Result<xmlNode*> decrypt(xml::Document& doc, xmlNode* encrypted_data, ByteView key);

// Builds an xenc:EncryptedKey (RSA-OAEP-MGF1P, SHA-1) carrying `symmetric_key` for `recipient`,
// as the last child of `parent`. Optional ds:KeyInfo content naming the recipient's key (e.g. a
// wsse:SecurityTokenReference with a ThumbprintSHA1 KeyIdentifier), copied after encryption.
Result<xmlNode*> encrypt_key(xml::Document& doc, xmlNode* parent, ByteView symmetric_key,
                             const crypto::RsaKey& recipient, xmlNode* key_info_content = nullptr);
// Decrypts an xenc:EncryptedKey (rsa-oaep-mgf1p only) with the recipient's private key.
Result<Bytes> decrypt_key(xml::Document& doc, xmlNode* encrypted_key,
                          const crypto::RsaKey& private_key);

}  // namespace parley::xmlsec
