// Cookie mode (WCF's RequireCancellation = false; wire facts A, "Cookie-mode SCT"): the service
// keeps no context state. Each issued or renewed SCT carries its whole state in dnse:Cookie,
// sealed under a key ring (cookie_state.h), and every request must carry the SCT so that the
// service can open it. Processes that share the ring accept each other's tokens: a farm
// without shared memory. Design and departures from WCF: docs/design/cookie-mode.md.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "harness/core/xml.h"
#include "harness/oracle/context_store.h"
#include "harness/oracle/cookie_state.h"

namespace parley::oracle {

struct CookieModeConfig {
  bool enabled = false;
  std::shared_ptr<const cookie::KeyRing> ring;     // required when enabled
  std::chrono::seconds token_lifetime{10 * 3600};  // WCF IssuedCookieLifetime
  cookie::CookieLimits limits;
  // Fault injection only (cookie-state-in-clear): the state goes into the cookie as plain NBFX,
  // neither encrypted nor authenticated, and is read back the same way.
  bool state_in_clear = false;
};

// Issues and renews cookie-mode SCTs. Stateless: any instance with the same ring and policy
// continues what another began.
class CookieContexts {
 public:
  CookieContexts(CookieModeConfig config, ContextPolicy policy)
      : config_(std::move(config)), policy_(policy) {}

  // A new context: a fresh Identifier (unless `identifier` is given: injected faults) and wsu:Id, the key's window now .. now + key lifetime
  // (never past the token's expiry), and the sealed state in sct.cookie. The result has one
  // generation, like ContextStore::issue's, and nothing is stored.
  Result<SecurityContext> issue(names::ScVersion version, Bytes key, const std::string& principal,
                                Clock::time_point now, std::string identifier = {}) const;
  // The next generation of the context a request proved possession of (`state`, opened from its
  // cookie by CookieResolver): same Identifier, a new Instance, wsu:Id and key (SC-5-05), a new
  // token lifetime from now. The old cookie stays valid until its own KeyExpiryTime: nothing
  // records that it was superseded.
  Result<SecurityContext> renew(names::ScVersion version, const cookie::CookieState& state,
                                Bytes key, Clock::time_point now) const;

 private:
  Result<SecurityContext> seal(names::ScVersion version, cookie::CookieState state) const;

  CookieModeConfig config_;
  ContextPolicy policy_;
};

// Resolves a context from the SCT a message carries: the SCT referenced by #wsu:Id, or for a
// reference by Identifier (and Instance) the SCT with that Identifier in the message's
// wsse:Security header. The cookie must open under the ring and name the same Id, ContextId and
// KeyGeneration as the SCT around it; every failure is wsc:BadContextToken saying why, a key
// past its KeyExpiryTime wsc:RenewNeeded (unless allow_expired: renew, cancel).
class CookieResolver : public wssc::ContextResolver {
 public:
  CookieResolver(const CookieModeConfig& config, names::ScVersion service_version,
                 const xml::Document& message, Clock::time_point now,
                 std::chrono::seconds max_clock_skew, bool allow_expired)
      : config_(config),
        service_version_(service_version),
        message_(message),
        now_(now),
        skew_(max_clock_skew),
        allow_expired_(allow_expired) {}

  Result<wssc::ContextKey> resolve(names::ScVersion version, std::string_view identifier,
                                   std::string_view instance,
                                   const wssc::SecurityContextToken* embedded) override;

  // The state of the context resolved last.
  const std::optional<cookie::CookieState>& state() const { return state_; }

 private:
  const CookieModeConfig& config_;
  names::ScVersion service_version_;
  const xml::Document& message_;
  Clock::time_point now_;
  std::chrono::seconds skew_;
  bool allow_expired_;
  std::optional<cookie::CookieState> state_;
};

}  // namespace parley::oracle
