// The wsse:Security header of SCT-protected messages, both ways: securing an envelope with a
// security context (derived keys or the context key itself, signature, optional body
// encryption, SignatureConfirmation) and opening one (resolving STR -> DKT -> SCT, verifying,
// decrypting, and checking what the signature covered). The oracle, the reference client and
// the suites all use this one implementation.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/xml.h"
#include "harness/core/xmlsec.h"
#include "harness/wssc/deviations.h"
#include "harness/wssc/envelope.h"
#include "harness/wssc/tokens.h"

namespace parley::wssc {

// A security context as one party holds it: the token and its key (for a given Instance).
struct ContextKey {
  SecurityContextToken sct;
  Bytes key;
};

struct ProtectOptions {
  bool derived_keys = true;                   // else sign / encrypt with the context key directly
  std::uint64_t signature_key_length = 24;    // bytes (WCF, Basic256: 24)
  std::uint64_t encryption_key_length = 32;   // bytes (WCF, Basic256: 32)
  bool encrypt_body = false;
  bool include_sct = true;                    // SCT in the header, referenced by #id (WCF client);
                                              // else referenced by Identifier (WCF service)
  xmlsec::SignatureMethod signature_method = xmlsec::SignatureMethod::kHmacSha1;
  xmlsec::DigestMethod digest_method = xmlsec::DigestMethod::kSha1;
  std::chrono::seconds timestamp_validity{300};
  std::vector<std::string> confirm_signature_values;  // wsse11:SignatureConfirmation per value
  std::optional<Clock::time_point> now;               // default: the system clock
  Deviations deviations;
};

struct SecuredInfo {
  std::string signature_value;  // base64, as written (a response confirms it)
  std::vector<DerivedKeyToken> dkts;
  std::vector<Bytes> derived_keys;  // in the order of dkts
};

// Adds a wsse:Security header to `doc` (an envelope with Header and Body: see new_envelope)
// and protects it: Timestamp, the SCT or a reference to it, DKTs, a signature over the
// Timestamp, the Body and the elements named by `extra_signed_ids` (addressing headers), then
// the Body content encrypted if asked (sign before encrypt).
Result<SecuredInfo> secure_envelope(xml::Document& doc, const ContextKey& context, const ProtectOptions& options,
                                    const std::vector<std::string>& extra_signed_ids);

// Finds the security context a reference names. `embedded` is the SCT carried in the message
// when the reference pointed at it by #id, else nullptr. Errors carry the fault to answer with
// (wsc:BadContextToken for an unknown context, wsc:RenewNeeded for an expired key, ...).
class ContextResolver {
 public:
  virtual ~ContextResolver() = default;
  virtual Result<ContextKey> resolve(names::ScVersion version, std::string_view identifier, std::string_view instance,
                                     const SecurityContextToken* embedded) = 0;
};

// A resolver that knows exactly one context (a client opening its service's responses).
class SingleContextResolver : public ContextResolver {
 public:
  explicit SingleContextResolver(ContextKey context) : context_(std::move(context)) {}
  Result<ContextKey> resolve(names::ScVersion version, std::string_view identifier, std::string_view instance,
                             const SecurityContextToken* embedded) override;

 private:
  ContextKey context_;
};

// Deliberate receiver non-conformances, switched on only by the oracle's fault injection
// (`parley serve --fault`, harness/oracle/faults.h) so that the suites can be shown to catch them.
struct ReceiverFaults {
  bool ignore_dkt_generation = false;      // derive at offset 0 whatever wsc:Generation says
  bool ignore_dkt_label = false;           // derive with the default label
  bool skip_body_coverage = false;         // signature wrapping: covered Body need not be the Body
  bool trust_keyinfo_secret = false;       // a wst:BinarySecret in ds:KeyInfo is the HMAC key
  bool skip_timestamp_expiry = false;
  bool accept_unsigned_timestamp = false;
};

struct OpenPolicy {
  DktLimits dkt_limits;
  bool require_signature = true;
  bool require_timestamp = true;
  bool require_signed_addressing = true;  // wsa:Action and wsa:To, when present (SC-10-01)
  bool allow_direct_context_key = true;   // signature keyed by the SCT itself (no DKT)
  bool allow_derived_keys = true;
  std::chrono::seconds max_clock_skew{300};
  std::optional<Clock::time_point> now;
  std::size_t max_dkts = 8;               // WCF: (2 + endorsing) * 2
  ReceiverFaults faults;
};

struct OpenedMessage {
  EnvelopeView envelope;  // pointers into the caller's document
  ContextKey context;     // the context the signature's key came from
  std::string signature_value;
  std::vector<std::string> covered_ids;  // wsu:Ids the signature covered, in SignedInfo order
  std::optional<Timestamp> timestamp;
  std::vector<DerivedKeyToken> dkts;
  bool signed_with_derived_key = false;
  bool body_was_encrypted = false;
  std::vector<std::string> signature_confirmations;
  std::optional<UsernameToken> username_token;
};

// Opens a secured envelope in place (decrypting the Body). Every error carries the fault a
// service answers with (Error::fault, Clark notation) and the requirement it cites.
Result<OpenedMessage> open_envelope(xml::Document& doc, ContextResolver& resolver, const OpenPolicy& policy = {});

// The wsse:Security header of an envelope, created (with mustUnderstand) when absent.
xmlNode* security_header(const xml::Document& doc, bool create);

}  // namespace parley::wssc
