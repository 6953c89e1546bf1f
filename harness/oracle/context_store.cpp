#include "harness/oracle/context_store.h"

namespace parley::oracle {
namespace {

using names::ScFault;

Error sc_reject(names::ScVersion v, ScFault f, std::string what, std::string requirement) {
  Error e(ErrorCode::kVerification, std::move(what), "security context");
  e.with_fault(wssc::clark(names::sc_fault(v, f)));
  e.cite(std::move(requirement));
  return e;
}

}  // namespace

Result<SecurityContext> ContextStore::issue(names::ScVersion version, Bytes key, std::string principal,
                                            Clock::time_point now, std::string identifier) {
  std::lock_guard lock(mu_);
  // Idle contexts are closed first: they do not count against the limit.
  for (auto it = contexts_.begin(); it != contexts_.end();) {
    const bool idle = !it->second.pinned && now > it->second.last_used + policy_.inactivity_timeout;
    it = idle ? contexts_.erase(it) : std::next(it);
  }
  if (contexts_.size() >= policy_.max_contexts && (identifier.empty() || !contexts_.contains(identifier))) {
    Error e(ErrorCode::kLimitExceeded,
            "the service holds " + std::to_string(contexts_.size()) + " security contexts, its limit",
            "security context");
    e.with_fault(wssc::clark(names::wcf_fault(names::WcfFault::kServerTooBusy)));
    return e.cite("SC-10-04");
  }
  SecurityContext ctx;
  ctx.sct.version = version;
  ctx.sct.identifier = identifier.empty() ? wssc::new_uuid_urn() : std::move(identifier);
  ctx.sct.wsu_id = wssc::new_wsu_id();
  ctx.generations.push_back(KeyGeneration{"", std::move(key), now, now + policy_.key_lifetime, std::nullopt});
  ctx.principal = std::move(principal);
  ctx.last_used = now;
  contexts_[ctx.sct.identifier] = ctx;
  return ctx;
}

void ContextStore::install(const wssc::SecurityContextToken& sct, Bytes key, Clock::time_point now) {
  std::lock_guard lock(mu_);
  SecurityContext ctx;
  ctx.sct = sct;
  ctx.generations.push_back(
      KeyGeneration{sct.instance, std::move(key), now, Clock::time_point::max(), std::nullopt});
  ctx.principal = "preshared";
  ctx.pinned = true;
  ctx.last_used = now;
  contexts_[sct.identifier] = std::move(ctx);
}

Result<wssc::ContextKey> ContextStore::renew(std::string_view identifier, Bytes key, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = contexts_.find(identifier);
  if (it == contexts_.end() || it->second.cancelled) {
    const auto version = it == contexts_.end() ? names::ScVersion::k1_3 : it->second.sct.version;
    return sc_reject(version, ScFault::kUnableToRenew, "no renewable context '" + std::string(identifier) + "'",
                     "SC-5-07");
  }
  SecurityContext& ctx = it->second;
  std::size_t pending = 0;
  for (const auto& g : ctx.generations) {
    if (!g.superseded_at || now < *g.superseded_at + policy_.rollover) ++pending;
  }
  if (pending > policy_.max_pending_generations) {
    return sc_reject(ctx.sct.version, ScFault::kUnableToRenew,
                     "more than " + std::to_string(policy_.max_pending_generations) + " key generations pending",
                     "SC-5-08");
  }
  for (auto& g : ctx.generations) {
    if (!g.superseded_at) g.superseded_at = now;
  }
  KeyGeneration next{wssc::new_uuid_urn(), std::move(key), now, now + policy_.key_lifetime, std::nullopt};
  ctx.generations.push_back(next);
  wssc::ContextKey out;
  out.sct = ctx.sct;
  out.sct.instance = next.instance;
  out.key = next.key;
  return out;
}

Status ContextStore::cancel(std::string_view identifier) {
  std::lock_guard lock(mu_);
  auto it = contexts_.find(identifier);
  if (it == contexts_.end() || it->second.cancelled) {
    const auto version = it == contexts_.end() ? names::ScVersion::k1_3 : it->second.sct.version;
    return sc_reject(version, ScFault::kBadContextToken, "no context '" + std::string(identifier) + "' to cancel",
                     "SC-6-07");
  }
  // Cancelled contexts are forgotten: nothing of them is accepted again (SC-6-04).
  contexts_.erase(it);
  return ok_status();
}

Result<wssc::ContextKey> ContextStore::resolve(names::ScVersion version, std::string_view identifier,
                                               std::string_view instance, Clock::time_point now, bool allow_expired) {
  std::lock_guard lock(mu_);
  auto it = contexts_.find(identifier);
  if (it == contexts_.end()) {
    return sc_reject(version, ScFault::kBadContextToken, "unknown security context '" + std::string(identifier) + "'",
                     "SC-8-05");
  }
  SecurityContext& ctx = it->second;
  if (!ctx.pinned && now > ctx.last_used + policy_.inactivity_timeout) {
    contexts_.erase(it);
    return sc_reject(version, ScFault::kBadContextToken,
                     "security context '" + std::string(identifier) + "' was idle for more than " +
                         std::to_string(policy_.inactivity_timeout.count()) + " s and has been closed",
                     "SC-10-04");
  }
  if (ctx.sct.version != version &&
      !(ctx.sct.version != names::ScVersion::kFeb2005 && version != names::ScVersion::kFeb2005)) {
    return sc_reject(version, ScFault::kBadContextToken, "the context was issued under another WS-SC version",
                     "SC-2-09");
  }
  for (const auto& g : ctx.generations) {
    if (g.instance != instance) continue;
    if (g.superseded_at && now > *g.superseded_at + policy_.rollover) {
      return sc_reject(version, ScFault::kBadContextToken,
                       "key generation '" + std::string(instance) + "' was replaced and its rollover window has passed",
                       "SC-8-03");
    }
    if (now > g.expires && !allow_expired) {
      Error e = sc_reject(version, ScFault::kRenewNeeded, "the context key has expired; renew the context", "SC-5-09");
      return e;
    }
    ctx.last_used = now;
    wssc::ContextKey out;
    out.sct = ctx.sct;
    out.sct.instance = g.instance;
    out.key = g.key;
    return out;
  }
  return sc_reject(version, ScFault::kBadContextToken,
                   "context '" + std::string(identifier) + "' has no key generation '" + std::string(instance) + "'",
                   "SC-8-03");
}

std::size_t ContextStore::size() const {
  std::lock_guard lock(mu_);
  return contexts_.size();
}

Result<wssc::ContextKey> StoreResolver::resolve(names::ScVersion version, std::string_view identifier,
                                                std::string_view instance, const wssc::SecurityContextToken*) {
  return store_.resolve(version, identifier, instance, now_, allow_expired_);
}

}  // namespace parley::oracle
