#include "harness/rp/faults.h"

template <>
const std::vector<parley::core::FaultInfo<parley::rp::Fault>>& parley::core::fault_catalog<parley::rp::Fault>() {
  using parley::rp::Fault;
  static const std::vector<FaultInfo<Fault>> faults = {
      {Fault::kDropSecure, "drop-secure", {"RP-COOKIE-01"}, "session cookies are written without the Secure attribute"},
      {Fault::kDropHttpOnly, "drop-httponly", {"RP-COOKIE-02"},
       "session cookies are written without the HttpOnly attribute"},
      {Fault::kRootCookiePath, "root-cookie-path", {"RP-COOKIE-03"},
       "session cookies get Path=/ instead of the protected path"},
      {Fault::kPersistentCookie, "persistent-cookie", {"RP-COOKIE-04"},
       "session cookies carry Expires (persistent) although persistent sessions are not configured"},
      {Fault::kUnboundedChunks, "unbounded-chunks", {"RP-CHUNK-01"},
       "a session cookie of any number of chunks is reassembled (no chunk limit)"},
      {Fault::kStaleChunksOnReissue, "stale-chunks-on-reissue", {"RP-CHUNK-02"},
       "a re-issued cookie with fewer chunks leaves the request's higher chunks in place"},
      {Fault::kAcceptExpiredSession, "accept-expired-session", {"RP-SESS-02"},
       "a session token past its ValidTo (plus skew) is still accepted"},
      {Fault::kIgnoreNotYetValid, "ignore-not-yet-valid", {"RP-SESS-03"},
       "a session token whose ValidFrom is in the future (beyond the skew) is accepted"},
      {Fault::kSkipCookieIntegrity, "skip-cookie-integrity", {"RP-SESS-04"},
       "the MAC / signature of the cookie transforms is not checked before the cookie is used"},
      {Fault::kServerErrorOnBadCookie, "500-on-bad-cookie", {"RP-SESS-05"},
       "a corrupted, truncated or tampered cookie is answered with 500 instead of a re-authentication"},
      {Fault::kIgnoreEndpointId, "ignore-endpoint-id", {"RP-SESS-06"},
       "a session token scoped to another endpoint (EndpointId) is accepted"},
      {Fault::kSessionOutlivesToken, "session-outlives-token", {"RP-SESS-07"},
       "the session lasts the configured lifetime even when the sign-in token expires earlier"},
      {Fault::kReuseSessionId, "reuse-session-id", {"RP-SESS-01"},
       "a sign-in keeps the session id (ContextId) of the session cookie the browser already had (fixation)"},
      {Fault::kKeepCacheEntryOnSignout, "keep-cache-entry-on-signout", {"RP-OUT-02"},
       "reference mode: sign-out deletes the cookies but keeps the session in the cache, so the old cookie "
       "still works"},
      {Fault::kPartialSignoutDeletion, "partial-signout-deletion", {"RP-OUT-01"},
       "deleting the session cookie (sign-out, re-authentication) deletes only the first chunk (FedAuth), not "
       "FedAuth1..n"},
      {Fault::kAcceptReplayedSignin, "accept-replayed-signin", {"RP-SIGNIN-01"},
       "a sign-in token already used is accepted again (no replay cache)"},
      {Fault::kAcceptWrongAudience, "accept-wrong-audience", {"RP-SIGNIN-02"},
       "a sign-in token for another audience (realm) is accepted"},
      {Fault::kAcceptUntrustedSignature, "accept-untrusted-signature", {"RP-SIGNIN-03"},
       "a sign-in token signed by any key is accepted: the certificate in its KeyInfo is trusted"},
  };
  return faults;
}
