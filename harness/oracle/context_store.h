// The oracle's security contexts: issued SCTs, their key generations (Instances), renewal with a
// rollover window for the old key, cancellation. In memory; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/wssc/security.h"

namespace parley::oracle {

using Clock = std::chrono::system_clock;

struct KeyGeneration {
  std::string instance;  // "" for the first key (WCF writes no Instance before a renew)
  Bytes key;
  Clock::time_point effective;
  Clock::time_point expires;
  std::optional<Clock::time_point> superseded_at;  // when a newer generation was issued
};

struct SecurityContext {
  wssc::SecurityContextToken sct;  // as first issued (Instance empty)
  std::vector<KeyGeneration> generations;
  bool cancelled = false;
  std::string principal;  // who obtained it (the bootstrap's identity)
  Clock::time_point last_used;
  bool pinned = false;  // installed in advance (pre-shared): never closed for inactivity
};

struct ContextPolicy {
  std::chrono::seconds key_lifetime{15 * 3600};  // WCF SessionKeyRenewalInterval
  std::chrono::seconds rollover{300};            // WCF SessionKeyRolloverInterval
  std::size_t max_contexts = 128;                // WCF MaxPendingSessions
  std::size_t max_pending_generations = 5;       // WCF: at most 5 renewed keys per session
  std::chrono::seconds inactivity_timeout{120};  // WCF InactivityTimeout: idle contexts are closed
};

class ContextStore {
 public:
  explicit ContextStore(ContextPolicy policy) : policy_(policy) {}

  // A new context with its first key. Errors when the store is full (wsc/dnse faults set).
  // `identifier` is for fault injection only: an Identifier chosen by the caller (replacing a
  // context of that Identifier); empty means a fresh urn:uuid.
  Result<SecurityContext> issue(names::ScVersion version, Bytes key, std::string principal, Clock::time_point now,
                                std::string identifier = {});
  // Installs a context known in advance (bootstrap "preshared-sct").
  void install(const wssc::SecurityContextToken& sct, Bytes key, Clock::time_point now);
  // A new key generation for `identifier`: new Instance, new key (SC-5-05).
  Result<wssc::ContextKey> renew(std::string_view identifier, Bytes key, Clock::time_point now);
  Status cancel(std::string_view identifier);

  // The key for (identifier, instance). Unknown or cancelled: wsc:BadContextToken; a key past
  // its lifetime: wsc:RenewNeeded unless allow_expired (renew and cancel may use it); a
  // superseded key past the rollover window: wsc:BadContextToken.
  Result<wssc::ContextKey> resolve(names::ScVersion version, std::string_view identifier, std::string_view instance,
                                   Clock::time_point now, bool allow_expired);

  std::size_t size() const;

 private:
  ContextPolicy policy_;
  mutable std::mutex mu_;
  std::map<std::string, SecurityContext, std::less<>> contexts_;
};

// Adapts a store to wssc::ContextResolver for one incoming message.
class StoreResolver : public wssc::ContextResolver {
 public:
  StoreResolver(ContextStore& store, Clock::time_point now, bool allow_expired)
      : store_(store), now_(now), allow_expired_(allow_expired) {}
  Result<wssc::ContextKey> resolve(names::ScVersion version, std::string_view identifier, std::string_view instance,
                                   const wssc::SecurityContextToken* embedded) override;

 private:
  ContextStore& store_;
  Clock::time_point now_;
  bool allow_expired_;
};

}  // namespace parley::oracle
