// parley's reference WS-SecureConversation service (the oracle): an STS that issues, renews,
// amends and cancels SCTs, and an application endpoint that accepts SCT-protected messages and
// echoes the first child of the request Body. Transport-independent: `handle` maps one SOAP
// request to one SOAP response, and `parley serve` puts it behind HTTP(S).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "harness/oracle/cert_bootstrap.h"
#include "harness/oracle/context_store.h"
#include "harness/oracle/cookie_mode.h"
#include "harness/oracle/faults.h"
#include "harness/oracle/replay_cache.h"
#include "harness/wssc/envelope.h"
#include "harness/wssc/security.h"
#include "harness/wssc/trust.h"

namespace parley::oracle {

// How an RST/SCT is authenticated. The last three are WCF's message-security bootstraps
// (MutualCertificate, AnonymousForCertificate, UserNameForCertificate; harness/oracle/cert_bootstrap.h).
enum class Bootstrap {
  kNone,
  kUsernameToken,
  kPresharedSct,
  kX509Mutual,
  kAnonymousForCertificate,
  kUsernameForCertificate,
};
enum class EntropyMode { kCombined, kClient, kServer };

std::string_view to_string(Bootstrap b);
std::string_view to_string(EntropyMode e);
// The certificate bootstrap mode, or nullopt for the others.
std::optional<certs::Mode> certificate_mode(Bootstrap b);

struct ServiceConfig {
  wssc::Versions versions;
  Bootstrap bootstrap = Bootstrap::kNone;
  std::map<std::string, std::string> users;  // username -> password (kUsernameToken)
  bool allow_password_text_without_tls = false;
  // kPresharedSct: the context both sides know in advance.
  std::string preshared_identifier;
  Bytes preshared_key;
  // Certificate bootstraps: the service's message-security certificate and key, and the CAs
  // client certificates must chain to (x509-mutual).
  certs::ServiceCredentials certificates;

  EntropyMode entropy = EntropyMode::kCombined;
  std::uint64_t default_key_size = 256;  // bits (Basic256)
  std::uint64_t min_key_size = 128;      // requests below are clamped up (SC-3-09)
  std::uint64_t max_key_size = 512;      // requests above are clamped down
  ContextPolicy contexts;

  std::string algorithm_suite = "Basic256";  // WS-SP suite: key lengths, digest, signature method
  xmlsec::SignatureMethod signature_method = xmlsec::SignatureMethod::kHmacSha1;
  xmlsec::DigestMethod digest_method = xmlsec::DigestMethod::kSha1;
  bool derived_keys = true;  // protect responses with DKTs (else with the context key)
  std::uint64_t signature_key_length = 24;
  std::uint64_t encryption_key_length = 32;
  bool require_derived_keys = false;       // refuse requests signed with the context key itself
  bool encrypt_responses = false;          // also encrypt when the request was not encrypted
  bool signature_confirmation = false;     // WSS 1.1 SignatureConfirmation in responses
  bool allow_renew = true;
  bool allow_cancel = true;
  bool allow_amend = true;
  std::chrono::seconds max_clock_skew{300};
  wssc::DktLimits dkt_limits;
  // Stateless SCTs (dnse:Cookie) instead of the context store; cancel is then refused as WCF
  // refuses it (docs/design/cookie-mode.md).
  CookieModeConfig cookie;
  // Replay detection (WCF LocalServiceSecuritySettings: DetectReplays, ReplayCacheSize,
  // ReplayWindow): a message whose signature was seen within the window is refused, and so is
  // one whose Timestamp is older than the window (the cache could not tell).
  bool detect_replays = true;
  std::size_t replay_cache_size = 900000;
  std::chrono::seconds replay_window{300};

  // Injected non-conformances (`parley serve --fault`); never part of the printed profile.
  FaultSet faults;
};

struct SoapRequest {
  std::string content_type;  // the HTTP Content-Type
  std::string soap_action;   // the HTTP SOAPAction header (SOAP 1.1), "" when absent
  std::string body;
  bool over_tls = false;
};

struct SoapResponse {
  int status = 200;
  std::string content_type;
  std::string body;
};

class Service {
 public:
  explicit Service(ServiceConfig config);

  SoapResponse handle(const SoapRequest& request);
  // Same, at a given time (tests of expiry and rollover).
  SoapResponse handle(const SoapRequest& request, Clock::time_point now);

  const ServiceConfig& config() const { return config_; }
  ContextStore& contexts() { return store_; }

 private:
  Result<xml::Document> dispatch(xml::Document& request, const wssc::EnvelopeView& view, const SoapRequest& raw,
                                 Clock::time_point now);
  Result<xml::Document> issue(xml::Document& request, const wssc::EnvelopeView& view, const SoapRequest& raw,
                              Clock::time_point now);
  Result<xml::Document> renew(xml::Document& request, Clock::time_point now);
  Result<xml::Document> cancel(xml::Document& request, Clock::time_point now);
  Result<xml::Document> amend(xml::Document& request, Clock::time_point now);
  Result<xml::Document> echo(xml::Document& request, Clock::time_point now);

  // The key material of an issuance or renewal for the configured entropy mode.
  struct KeyDecision {
    Bytes key;
    std::optional<wssc::KeyMaterial> proof;
    std::optional<wssc::KeyMaterial> entropy;
    std::uint64_t key_size = 0;
  };
  Result<KeyDecision> decide_key(const wssc::RequestSecurityToken& rst);
  // Refuses a replayed message (WSS-13-01), unless replay detection is off.
  Status check_replay(const wssc::OpenedMessage& opened, Clock::time_point now);
  // SC-3-16: an issuance request seen before (the same UsernameToken nonce, or the same request
  // signature) is a replay; `what` names the repeated item in the fault.
  Status check_issuance_replay(const std::string& key, std::string_view what, std::string_view where,
                               Clock::time_point now);
  // Opens an SCT-protected request with the store or, in cookie mode, the SCT's cookie (and the
  // injected faults); `cookie_state` receives the opened cookie's state in cookie mode.
  Result<wssc::OpenedMessage> open_request(xml::Document& request, Clock::time_point now, bool allow_expired,
                                           std::optional<cookie::CookieState>* cookie_state = nullptr);
  Status authenticate(const wssc::EnvelopeView& view, const SoapRequest& raw, Clock::time_point now,
                      std::string& principal);
  // A UsernameToken against config_.users (both username bootstraps).
  Status check_user(const wssc::UsernameToken& token, bool password_text_ok, Clock::time_point now,
                    std::string& principal) const;
  // The certificate bootstraps' RST/SCT: decrypted and verified in place (service_certs.cpp).
  Result<certs::OpenedRequest> open_certificate_request(xml::Document& request, certs::Mode mode, Clock::time_point now,
                                                        std::string& principal) const;
  certs::Suite certificate_suite() const;
  // A response envelope (RelatesTo the request's MessageID) with `action`.
  xml::Document response_envelope(const wssc::EnvelopeView& request, std::string_view action,
                                  std::vector<std::string>& signed_ids);
  Status protect_response(xml::Document& response, const wssc::OpenedMessage& request, const wssc::ContextKey& context,
                          const std::vector<std::string>& signed_ids, Clock::time_point now);
  wssc::OpenPolicy open_policy(Clock::time_point now) const;
  SoapResponse fault_response(const Error& error, std::string_view relates_to) const;
  SoapResponse to_response(const xml::Document& doc, int status) const;
  // The resolver for one request: the store's, or in cookie mode one that opens the SCT's cookie.
  std::unique_ptr<wssc::ContextResolver> resolver(const xml::Document& request, Clock::time_point now,
                                                  bool allow_expired);

  bool fault(Fault f) const { return config_.faults.has(f); }

  ServiceConfig config_;
  ContextStore store_;
  CookieContexts cookies_;
  ReplayCache replays_;
  // Fault resolve-unknown-identifier: the context resolved last.
  std::mutex last_mu_;
  std::optional<wssc::ContextKey> last_context_;
};

}  // namespace parley::oracle
