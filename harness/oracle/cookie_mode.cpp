#include "harness/oracle/cookie_mode.h"

#include <algorithm>

namespace parley::oracle {
namespace {

using names::ScFault;

constexpr std::string_view kAnonymous = "anonymous";  // the principal of bootstrap "none"

Error cookie_reject(names::ScVersion v, ScFault f, std::string what, std::string requirement) {
  Error e(ErrorCode::kVerification, std::move(what), "security context (cookie mode)");
  e.with_fault(wssc::clark(names::sc_fault(v, f)));
  return e.cite(std::move(requirement));
}

Error bad_context(names::ScVersion v, std::string what, std::string requirement = "WCF-04") {
  return cookie_reject(v, ScFault::kBadContextToken, std::move(what), std::move(requirement));
}

bool same_family(names::ScVersion a, names::ScVersion b) {
  return (a == names::ScVersion::kFeb2005) == (b == names::ScVersion::kFeb2005);
}

}  // namespace

Result<SecurityContext> CookieContexts::seal(names::ScVersion version,
                                             cookie::CookieState state) const {
  if (!config_.ring)
    return Error(ErrorCode::kInternal, "cookie mode without a key ring", "cookie mode");
  PARLEY_ASSIGN_OR_RETURN(Bytes sealed, config_.state_in_clear
                                            ? cookie::serialize_state(state)
                                            : cookie::seal_cookie(*config_.ring, state, config_.limits));
  SecurityContext ctx;
  ctx.sct.version = version;
  ctx.sct.wsu_id = state.id;
  ctx.sct.identifier = state.context_id;
  ctx.sct.instance = state.key_generation.value_or("");
  ctx.sct.cookie = std::move(sealed);  // written after Identifier / Instance (wire facts A)
  ctx.generations.push_back(KeyGeneration{ctx.sct.instance, std::move(state.key),
                                          cookie::from_ticks(state.key_effective_time),
                                          cookie::from_ticks(state.key_expiry_time), std::nullopt});
  ctx.principal = state.principal ? state.principal->name : std::string(kAnonymous);
  ctx.last_used = ctx.generations.front().effective;
  return ctx;
}

Result<SecurityContext> CookieContexts::issue(names::ScVersion version, Bytes key,
                                              const std::string& principal,
                                              Clock::time_point now, std::string identifier) const {
  cookie::CookieState st;
  st.id = wssc::new_wsu_id();
  st.context_id = identifier.empty() ? wssc::new_uuid_urn() : std::move(identifier);
  st.key = std::move(key);
  const Clock::time_point token_expires = now + config_.token_lifetime;
  PARLEY_ASSIGN_OR_RETURN(st.effective_time, cookie::to_ticks(now));
  PARLEY_ASSIGN_OR_RETURN(st.expiry_time, cookie::to_ticks(token_expires));
  st.key_effective_time = st.effective_time;
  PARLEY_ASSIGN_OR_RETURN(st.key_expiry_time,
                          cookie::to_ticks(std::min(now + policy_.key_lifetime, token_expires)));
  if (principal != kAnonymous) st.principal = cookie::Principal{principal, ""};
  return seal(version, std::move(st));
}

Result<SecurityContext> CookieContexts::renew(names::ScVersion version,
                                              const cookie::CookieState& state, Bytes key,
                                              Clock::time_point now) const {
  cookie::CookieState next = state;  // same ContextId, token start and principal
  next.id = wssc::new_wsu_id();
  next.key = std::move(key);
  next.key_generation = wssc::new_uuid_urn();
  const Clock::time_point token_expires = now + config_.token_lifetime;
  PARLEY_ASSIGN_OR_RETURN(next.expiry_time, cookie::to_ticks(token_expires));
  PARLEY_ASSIGN_OR_RETURN(next.key_effective_time, cookie::to_ticks(now));
  PARLEY_ASSIGN_OR_RETURN(next.key_expiry_time,
                          cookie::to_ticks(std::min(now + policy_.key_lifetime, token_expires)));
  next.effective_time = std::min(next.effective_time, next.key_effective_time);
  return seal(version, std::move(next));
}

Result<wssc::ContextKey> CookieResolver::resolve(names::ScVersion version,
                                                 std::string_view identifier,
                                                 std::string_view instance,
                                                 const wssc::SecurityContextToken* embedded) {
  const std::string id(identifier);
  const wssc::SecurityContextToken* sct = embedded;
  std::optional<wssc::SecurityContextToken> carried;
  if (sct == nullptr) {
    // A reference by Identifier: the token must still travel in the message (WCF's client
    // always sends it; a cookie-mode service has nothing else to resolve it from).
    if (xmlNode* security = wssc::security_header(message_, false)) {
      for (xmlNode* item : xml::child_elements(security)) {
        if (xml::local_name(item) != "SecurityContextToken" || !wssc::sc_version_of(item)) continue;
        auto parsed = wssc::parse_sct(item);
        if (parsed.ok() && parsed->identifier == identifier && parsed->instance == instance) {
          carried = std::move(*parsed);
          break;
        }
      }
    }
    if (!carried) {
      return bad_context(
          version,
          "the message references context '" + id + "'" +
              (instance.empty() ? "" : " instance '" + std::string(instance) + "'") +
              " by its Identifier but does not carry that wsc:SecurityContextToken: this service "
              "runs "
              "in cookie mode, keeps no context state, and needs the token with its dnse:Cookie in "
              "the message",
          "SC-8-05");
    }
    sct = &*carried;
  }
  if (!same_family(sct->version, service_version_)) {
    return bad_context(version,
                       "the SCT is in the " + std::string(names::sc(sct->version).label) +
                           " namespace; this service speaks " +
                           std::string(names::sc(service_version_).label),
                       "SC-2-09");
  }
  if (!sct->cookie) {
    return bad_context(
        version,
        "the SCT '" + id +
            "' carries no dnse:Cookie: this service runs in cookie mode and keeps no context "
            "state, so only tokens it issued (with their cookie) are known");
  }
  if (!config_.ring)
    return Error(ErrorCode::kInternal, "cookie mode without a key ring", "cookie mode");
  auto opened = config_.state_in_clear ? cookie::parse_state(*sct->cookie, config_.limits.state)
                                       : cookie::open_cookie(*config_.ring, *sct->cookie, config_.limits);
  if (!opened.ok())
    return bad_context(version, "the SCT's dnse:Cookie is not valid: " + opened.error().message());
  const cookie::CookieState& st = *opened;
  // SecurityContextCookieSerializer: the cookie must describe the token that carries it.
  if (st.id != sct->wsu_id) {
    return bad_context(version, "the dnse:Cookie belongs to the SCT with wsu:Id '" + st.id +
                                    "', but the token carrying it has wsu:Id '" + sct->wsu_id +
                                    "'");
  }
  if (st.context_id != sct->identifier) {
    return bad_context(version, "the dnse:Cookie's ContextId '" + st.context_id +
                                    "' is not the SCT's Identifier '" + sct->identifier + "'");
  }
  if (st.key_generation.value_or("") != sct->instance) {
    return bad_context(version,
                       "the dnse:Cookie's KeyGeneration '" + st.key_generation.value_or("") +
                           "' is not the SCT's Instance '" + sct->instance + "'",
                       "SC-8-03");
  }
  // The times are the issuing node's; skew covers a farm whose clocks differ a little.
  if (now_ + skew_ < cookie::from_ticks(st.effective_time) ||
      now_ + skew_ < cookie::from_ticks(st.key_effective_time)) {
    return bad_context(version, "the token or its key is not valid before " +
                                    wssc::format_utc(cookie::from_ticks(
                                        std::max(st.effective_time, st.key_effective_time))));
  }
  if (now_ > cookie::from_ticks(st.expiry_time)) {
    return bad_context(version,
                       "the security context token expired at " +
                           wssc::format_utc(cookie::from_ticks(st.expiry_time)) +
                           "; establish a new one",
                       "SC-8-05");
  }
  if (now_ > cookie::from_ticks(st.key_expiry_time) && !allow_expired_) {
    return cookie_reject(version, ScFault::kRenewNeeded,
                         "the context key expired at " +
                             wssc::format_utc(cookie::from_ticks(st.key_expiry_time)) +
                             "; renew the context",
                         "SC-5-09");
  }
  state_ = st;
  return wssc::ContextKey{*sct, st.key};
}

}  // namespace parley::oracle
