// Generic session behaviour: a fresh session id per sign-in, damaged cookies, the session's
// validity window (forged with the profile's cookie keys, or waited out), sign-out.
#include <algorithm>

#include "suites/suites.h"
#include "suites/wif/support.h"

namespace parley::suites::wif_session {
namespace {

using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
using namespace wif_suite;

// The session's identifier as far as it can be seen: whoami's session_id, the WIF wrapper's
// Identifier, or (last resort) the cookie value itself.
std::pair<std::string, std::string> session_id(CaseContext& ctx, Browser& b, const std::string& label) {
  if (!rp(ctx).whoami_url.empty()) {
    if (auto who = whoami(b, label); who.ok()) {
      const auto& s = (*who)["session"];
      if (s.is_object() && s.contains("session_id") && s["session_id"].is_string()) {
        return {s["session_id"].get<std::string>(), "whoami session_id"};
      }
    }
  }
  if (rp(ctx).wif_cookie_format) {
    if (auto w = read_wrapper(b.session_value()); w.ok()) return {w->context_id, "the cookie's SCT Identifier"};
  }
  return {b.session_value(), "the session cookie's value"};
}

// RP-SESS-01: a second sign-in by a browser that still carries its session gets a new id.
Outcome fresh_session_id(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  auto [first, how] = session_id(ctx, *s->browser, "session id after the first sign-in");
  auto again = s->browser->sign_in_at(s->browser->signin_url(), "second sign-in (the old session's cookies sent)");
  if (!again.ok()) return Outcome::prereq_failed("the second sign-in failed: " + again.error().message());
  if (again->session_set_cookies.empty()) {
    return Outcome::fail("the second sign-in set no session cookie: the browser keeps the session it had before "
                         "signing in (" + again->answer.describe() + ")");
  }
  BrowserResponse page = control(*s->browser, "protected URL after the second sign-in");
  if (see(ctx, page) != Seen::kAuthenticated) return Outcome::prereq_failed("after the second sign-in: " + page.describe());
  auto [second, how2] = session_id(ctx, *s->browser, "session id after the second sign-in");
  if (first == second) {
    return Outcome::fail("the second sign-in kept the session id " + first.substr(0, 80) + " (" + how +
                         "): a session id the browser carried survives a sign-in (fixation)");
  }
  return Outcome::pass("each sign-in made a new session id (" + how + ")");
}

// RP-SESS-05 (and RP-SESS-04 for the altered one): damaged cookies are re-authentications.
Outcome damaged(CaseContext& ctx, const std::string& what) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  Browser& b = *s->browser;
  const std::string v = b.session_value();
  const std::string name = rp(ctx).cookie_name;
  const std::size_t chunk = rp(ctx).chunk_size;
  std::string header, mutation;
  if (what == "garbage") {
    header = name + "=" + "parley%%garbage!!" + std::string(40, 'A');
    mutation = "a garbage session cookie";
  } else if (what == "truncated") {
    header = chunked_cookie_header(name, v.substr(0, v.size() / 2), chunk);
    mutation = "the session cookie cut to half its length";
  } else if (what == "altered") {
    std::string t = v;
    const std::size_t at = t.size() / 2;
    t[at] = t[at] == 'A' ? 'B' : 'A';
    header = chunked_cookie_header(name, t, chunk);
    mutation = "the session cookie with one character changed in the middle";
  } else {
    // Larger than a browser keeps for one cookie, but within the header limits of common servers.
    std::string big;
    while (big.size() < 12000) big += v.empty() ? std::string("QUJD") : v;
    header = name + "=" + big.substr(0, 12000);
    mutation = "an oversized session cookie (12000 characters in one cookie)";
  }
  NegativeStep step;
  step.control = [&] { return control(b); };
  step.mutant = [&] { return send_cookie(b, header, "mutant: " + what + " cookie"); };
  step.mutation = mutation;
  return judge_refusal(ctx, step);
}

// A forged copy of the browser's session, edited by `edit`.
Result<std::string> forged(CaseContext& ctx, Browser& b, const std::function<void(wif::SessionToken&)>& edit) {
  PARLEY_ASSIGN_OR_RETURN(CookieForge forge, CookieForge::create(rp(ctx)));
  PARLEY_ASSIGN_OR_RETURN(wif::SessionToken token, forge.decode(b.session_value()));
  edit(token);
  PARLEY_ASSIGN_OR_RETURN(std::string value, forge.encode(token));
  return chunked_cookie_header(rp(ctx).cookie_name, value, rp(ctx).chunk_size);
}

Outcome forged_refused(CaseContext& ctx, const std::string& mutation,
                       const std::function<void(wif::SessionToken&)>& edit) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  Browser& b = *s->browser;
  // A control forgery first: re-encoding the token unchanged must still be accepted, else the
  // profile's keys are not the RP's and a refusal below would prove nothing.
  auto same = forged(ctx, b, [](wif::SessionToken&) {});
  if (!same.ok()) return Outcome::prereq_failed("cannot forge with the profile's cookie keys: " + same.error().message());
  auto mutant = forged(ctx, b, edit);
  if (!mutant.ok()) return Outcome::error("cannot forge the mutant: " + mutant.error().message());
  NegativeStep step;
  step.control = [&] { return send_cookie(b, *same, "control: the session re-encoded with the profile's keys"); };
  step.mutant = [&] { return send_cookie(b, *mutant, "mutant"); };
  step.mutation = mutation;
  return judge_refusal(ctx, step);
}

std::int64_t skew(CaseContext& ctx) { return static_cast<std::int64_t>(rp(ctx).max_clock_skew_seconds); }

// RP-SESS-02: forged past ValidTo + skew, or (without keys) the declared lifetime waited out.
Outcome expired_session(CaseContext& ctx) {
  if (engine::has_capability(ctx.profile(), Capability::kCookieKeys)) {
    const std::int64_t past = skew(ctx) + 120;
    return forged_refused(ctx, "a session whose ValidTo lies " + std::to_string(past) + " s in the past",
                          [&](wif::SessionToken& t) {
                            t.effective_time = t.key_effective_time = ticks_from_now(-past - 3600);
                            t.expiry_time = t.key_expiry_time = ticks_from_now(-past);
                          });
  }
  const auto wait = std::chrono::seconds(rp(ctx).session_lifetime_seconds + rp(ctx).max_clock_skew_seconds + 1);
  if (wait > ctx.settings().max_wait) {
    return Outcome::not_applicable("no [cookie_protection] keys to forge an expired session, and waiting out the "
                                   "declared lifetime + skew (" + std::to_string(wait.count()) +
                                   " s) exceeds --max-wait");
  }
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  Browser& b = *s->browser;
  const std::string cookies = b.cookie_header(rp(ctx).protected_url);
  if (Status w = ctx.wait(wait, "the session's lifetime and clock skew"); !w.ok()) {
    return Outcome::not_applicable(w.error().message());
  }
  BrowserResponse r = send_cookie(b, cookies, "the session after its lifetime");
  switch (see(ctx, r)) {
    case Seen::kReauthentication: return Outcome::pass("after its lifetime the session asks for a new sign-in");
    case Seen::kAuthenticated: return Outcome::fail("the session was still served after ValidTo + skew");
    case Seen::kNoAnswer: return Outcome::error(r.describe());
    default: return Outcome::fail("the expired session was answered " + r.describe());
  }
}

// RP-SESS-07: the session ends no later than the sign-in token.
Outcome not_beyond_token(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  auto token_end = assertion_not_on_or_after(s->signin.token_xml);
  if (!token_end) return Outcome::prereq_failed("the STS's token has no readable Conditions/@NotOnOrAfter");
  auto who = whoami(*s->browser);
  if (!who.ok()) return Outcome::fail("whoami did not answer for the session: " + who.error().message());
  const auto& session = (*who)["session"];
  if (!session.is_object() || !session.contains("valid_to") || !session["valid_to"].is_string()) {
    return Outcome::not_applicable("whoami does not expose session.valid_to");
  }
  auto session_end = wif::ticks_from_iso8601(session["valid_to"].get<std::string>());
  // The assertion's dateTime may have fewer fraction digits; normalize both to ticks.
  std::string t = *token_end;
  if (t.find('.') == std::string::npos && t.ends_with("Z")) t.insert(t.size() - 1, ".0");
  auto token_ticks = wif::ticks_from_iso8601(t);
  if (!session_end.ok() || !token_ticks.ok()) return Outcome::prereq_failed("unreadable valid_to or NotOnOrAfter");
  if (*session_end > *token_ticks + wif::kTicksPerSecond) {
    return Outcome::fail("the session lasts until " + session["valid_to"].get<std::string>() +
                         ", past the sign-in token's NotOnOrAfter " + *token_end);
  }
  return Outcome::pass("the session (until " + session["valid_to"].get<std::string>() +
                       ") ends no later than the sign-in token (" + *token_end + ")");
}

// RP-SESS-08: inside the skew both ends are still accepted.
Outcome clock_skew(CaseContext& ctx) {
  const std::int64_t half = skew(ctx) / 2;
  if (half < 2) return Outcome::not_applicable("the declared max_clock_skew_seconds is below 4 s");
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  Browser& b = *s->browser;
  auto ahead = forged(ctx, b, [&](wif::SessionToken& t) { t.effective_time = t.key_effective_time = ticks_from_now(half); });
  auto behind = forged(ctx, b, [&](wif::SessionToken& t) {
    t.effective_time = t.key_effective_time = ticks_from_now(-3600);
    t.expiry_time = t.key_expiry_time = ticks_from_now(-half);
  });
  if (!ahead.ok() || !behind.ok()) {
    return Outcome::prereq_failed("cannot forge with the profile's cookie keys: " +
                                  (ahead.ok() ? behind : ahead).error().message());
  }
  for (const auto& [cookie, what] : {std::pair{*ahead, "ValidFrom " + std::to_string(half) + " s ahead"},
                                     std::pair{*behind, "ValidTo " + std::to_string(half) + " s past"}}) {
    BrowserResponse r = send_cookie(b, cookie, "a session with " + what);
    if (see(ctx, r) != Seen::kAuthenticated) {
      return Outcome::fail("a session with " + what + " (inside the declared skew of " + std::to_string(skew(ctx)) +
                           " s) was not served: " + r.describe());
    }
  }
  return Outcome::pass("sessions " + std::to_string(half) + " s early and late are served (skew " +
                       std::to_string(skew(ctx)) + " s)");
}

// RP-SIGNIN-01: the same posted token twice.
Outcome signin_replay(CaseContext& ctx) {
  auto s = signed_in(ctx, "first sign-in");
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  Browser replayer(ctx);
  BrowserResponse r = replayer.post_form(s->signin.form.action, s->signin.form.fields, "the same token posted again");
  if (!r.answered()) return Outcome::error(r.describe());
  const auto now = std::chrono::system_clock::now();
  for (const auto& c : r.set_cookies) {
    if (rp(ctx).is_session_cookie(c.name) && !c.value.empty() && !c.is_deletion(now)) {
      return Outcome::fail("the replayed sign-in token made a new session (" + r.describe() + ", cookie " + c.name + ")");
    }
  }
  if (r.status >= 500) return Outcome::fail("the replayed sign-in token was answered " + r.describe());
  return Outcome::pass("the replayed token was refused: " + r.describe() + ", no session cookie");
}

// RP-SIGNIN-02..07: a bad token from the STS on request (parley-token=...) makes no session.
Outcome bad_signin(CaseContext& ctx, const std::string& behaviour, const std::string& what) {
  Browser before(ctx);
  auto ok = before.sign_in("control sign-in");
  if (!ok.ok() || ok->session_set_cookies.empty()) {
    return Outcome::prereq_failed("a normal sign-in (control) did not give a session: " +
                                  (ok.ok() ? ok->answer.describe() : ok.error().message()));
  }
  Browser b(ctx);
  auto bad = b.sign_in("mutant sign-in (" + what + ")", "parley-token=" + behaviour);
  if (!bad.ok()) return Outcome::prereq_failed("the STS did not issue the bad token: " + bad.error().message());
  const BrowserResponse& answer = bad->answer;
  if (!bad->session_set_cookies.empty()) {
    BrowserResponse page = control(b, "protected URL with the session made from " + what);
    if (see(ctx, page) == Seen::kAuthenticated) return Outcome::fail("accepted " + what + ": it made a session");
  }
  if (answer.status >= 500) return Outcome::fail("answered " + what + " with " + answer.describe());
  Browser after(ctx);
  auto again = after.sign_in("control sign-in after");
  if (!again.ok() || again->session_set_cookies.empty()) {
    return Outcome::fail("after refusing " + what + ", a normal sign-in no longer works");
  }
  return Outcome::pass("refused " + what + ": " + answer.describe() + ", no session");
}

// RP-OUT-01: sign-out deletes every chunk the browser had, with the cookie's path.
Outcome signout_deletes(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  Browser& b = *s->browser;
  const auto had = b.session_cookies();
  BrowserResponse out = b.get(rp(ctx).signout_url, "sign-out");
  if (!out.answered()) return Outcome::error(out.describe());
  if (out.status >= 500) return Outcome::fail("sign-out answered " + out.describe());
  const auto now = std::chrono::system_clock::now();
  std::vector<std::string> missing;
  for (const auto& c : had) {
    const bool deleted = std::any_of(out.set_cookies.begin(), out.set_cookies.end(), [&](const SetCookieField& f) {
      return f.name == c.name && (f.value.empty() || f.is_deletion(now)) && f.attribute("path").value_or("/") == c.path;
    });
    if (!deleted) missing.push_back(c.name);
  }
  if (!missing.empty()) {
    std::string names;
    for (const auto& n : missing) names += (names.empty() ? "" : ", ") + n;
    return Outcome::fail("sign-out did not delete " + names + " (of " + std::to_string(had.size()) +
                         " session cookies): the browser keeps a part of the session");
  }
  BrowserResponse after = control(b, "protected URL after sign-out");
  if (see(ctx, after) == Seen::kAuthenticated) return Outcome::fail("after sign-out the browser is still signed in");
  return Outcome::pass("sign-out deleted all " + std::to_string(had.size()) + " session cookies (path " +
                       (had.empty() ? std::string("?") : had.front().path) + ")");
}

// RP-OUT-03 / RP-OUT-02: the old cookie replayed after sign-out.
Outcome replay_after_signout(CaseContext& ctx, bool reference) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  Browser& b = *s->browser;
  const std::string old = b.cookie_header(rp(ctx).protected_url);
  BrowserResponse out = b.get(rp(ctx).signout_url, "sign-out");
  if (!out.answered() || out.status >= 500) return Outcome::prereq_failed("sign-out answered " + out.describe());
  std::vector<std::string> urls{rp(ctx).protected_url};
  if (reference) urls.insert(urls.end(), rp(ctx).farm_urls.begin(), rp(ctx).farm_urls.end());
  for (const auto& url : urls) {
    RequestOptions o;
    o.cookie_header = old;
    o.store_cookies = false;
    BrowserResponse r = b.get(url, "the old session cookie after sign-out", o);
    const Seen seen = see(ctx, r);
    if (seen == Seen::kNoAnswer) return Outcome::error(r.describe());
    if (seen == Seen::kServerError) return Outcome::fail("the old cookie after sign-out was answered " + r.describe());
    if (seen == Seen::kAuthenticated) {
      if (!reference && rp(ctx).wif_cookie_format) {
        return Outcome::info("the old cookie still works after sign-out at " + url +
                             ": WIF sessions by value keep no server state, so a copied cookie lives until its "
                             "ValidTo (use reference mode to invalidate on sign-out)");
      }
      return Outcome::fail("the old session cookie still works after sign-out at " + url);
    }
  }
  return Outcome::pass("after sign-out the old session cookie is refused" +
                       std::string(urls.size() > 1 ? " on every node of the farm" : ""));
}

}  // namespace

Status register_02_sessions(engine::Registry& r) {
  PARLEY_TRY(r.add({{"wif/03/fresh-session-id", "Every sign-in makes a new session id", {"RP-SESS-01"}, "RP", {},
                     false,
                     "A sign-in; a second sign-in by the same browser, its session cookies sent along.",
                     "A new session id (whoami session_id, else the WIF cookie's SCT Identifier).",
                     "Re-using the ContextId of the cookie the browser carried (session fixation)."},
                    fresh_session_id}));
  for (const auto& [what, title, reqs] :
       {std::tuple{"garbage", "A garbage session cookie is a clean re-authentication",
                   std::vector<std::string>{"RP-SESS-05"}},
        std::tuple{"truncated", "A truncated session cookie is a clean re-authentication",
                   std::vector<std::string>{"RP-SESS-05"}},
        std::tuple{"altered", "An altered session cookie is refused", std::vector<std::string>{"RP-SESS-04", "RP-SESS-05"}},
        std::tuple{"oversized", "An oversized session cookie is a clean re-authentication",
                   std::vector<std::string>{"RP-SESS-05"}}}) {
    const std::string w = what;
    PARLEY_TRY(r.add({{"wif/04/" + w + "-cookie", title, reqs, "RP", {}, false,
                       "A sign-in; the protected URL with the real session (control), with the " + w +
                           " cookie (mutant), and with the real session again.",
                       "The declared re-authentication for the mutant (never a 5xx); the real session still works.",
                       "Cookie parse errors surfacing as 500 (WIF leaves catching them to the application)."},
                      [w](CaseContext& ctx) { return damaged(ctx, w); }}));
  }
  PARLEY_TRY(r.add({{"wif/05/expired-session", "A session past ValidTo + skew is refused", {"RP-SESS-02"}, "RP", {},
                     false,
                     "With [cookie_protection]: the session re-encoded unchanged (control) and with ValidTo in the past "
                     "beyond the skew (mutant). Without: the declared lifetime waited out, when it fits --max-wait.",
                     "The control served, the expired session a re-authentication.",
                     "Lifetime not checked; the skew applied twice or in the wrong direction."},
                    expired_session}));
  PARLEY_TRY(r.add({{"wif/05/not-yet-valid-session", "A session whose ValidFrom lies beyond the skew is refused",
                     {"RP-SESS-03"}, "RP", {Capability::kCookieKeys}, false,
                     "The session re-encoded with the profile's keys (control) and with ValidFrom an hour beyond the "
                     "skew (mutant).",
                     "The control served, the mutant a re-authentication.", "Only ValidTo checked."},
                    [](CaseContext& ctx) {
                      const std::int64_t ahead = skew(ctx) + 3600;
                      return forged_refused(ctx, "a session valid only from " + std::to_string(ahead) + " s ahead",
                                            [&](wif::SessionToken& t) {
                                              t.effective_time = t.key_effective_time = ticks_from_now(ahead);
                                              t.expiry_time = t.key_expiry_time = ticks_from_now(ahead + 3600);
                                            });
                    }}));
  PARLEY_TRY(r.add({{"wif/05/clock-skew", "Sessions inside the clock skew are still served", {"RP-SESS-08"}, "RP",
                     {Capability::kCookieKeys}, false,
                     "The session re-encoded with ValidFrom half the skew ahead, and with ValidTo half the skew past.",
                     "Both served.", "No clock skew (farms with drifting clocks lose sessions)."},
                    clock_skew}));
  PARLEY_TRY(r.add({{"wif/05/other-endpoint", "A session scoped to another endpoint is refused", {"RP-SESS-06"}, "RP",
                     {Capability::kCookieKeys}, false,
                     "The session re-encoded unchanged (control) and with EndpointId /parley-other-endpoint/ (mutant).",
                     "The mutant a re-authentication.", "EndpointId not checked (WIF checks it after the lifetime)."},
                    [](CaseContext& ctx) {
                      return forged_refused(ctx, "a session scoped to EndpointId /parley-other-endpoint/",
                                            [](wif::SessionToken& t) { t.endpoint_id = "/parley-other-endpoint/"; });
                    }}));
  PARLEY_TRY(r.add({{"wif/05/not-beyond-token", "The session ends no later than the sign-in token", {"RP-SESS-07"},
                     "RP", {Capability::kWhoami}, false,
                     "A sign-in; whoami's session valid_to against the posted assertion's NotOnOrAfter.",
                     "valid_to <= NotOnOrAfter.", "The session lifetime applied without looking at the token's."},
                    not_beyond_token}));
  PARLEY_TRY(r.add({{"wif/06/signin-replay", "A sign-in token posted twice is refused", {"RP-SIGNIN-01"}, "RP", {},
                     false,
                     "A sign-in; the same auto-POST form posted again from a fresh browser.",
                     "No session for the second post (a 4xx or a new sign-in).", "No token replay cache."},
                    signin_replay}));
  for (const auto& [behaviour, what, req] :
       {std::tuple{"expired", "an expired sign-in token", "RP-SIGNIN-04"},
        std::tuple{"not-yet-valid", "a sign-in token valid only from an hour ahead", "RP-SIGNIN-04"},
        std::tuple{"wrong-audience", "a sign-in token for another audience", "RP-SIGNIN-02"},
        std::tuple{"wrong-issuer", "a sign-in token from another issuer (signed with the trusted key)", "RP-SIGNIN-05"},
        std::tuple{"unsigned", "an unsigned sign-in token", "RP-SIGNIN-06"},
        std::tuple{"bad-signature", "a sign-in token altered after signing", "RP-SIGNIN-06"},
        std::tuple{"untrusted-signer", "a sign-in token signed by an untrusted key (its certificate in KeyInfo)",
                   "RP-SIGNIN-03"},
        std::tuple{"wrapped", "a sign-in response with a forged assertion wrapped around the signed one",
                   "RP-SIGNIN-07"}}) {
    const std::string b = behaviour, w = what;
    PARLEY_TRY(r.add({{"wif/06/signin-" + b, "Refuses " + w, {req}, "RP", {}, false,
                       "A normal sign-in (control), a sign-in with the STS's parley-token=" + b +
                           " (mutant), a normal sign-in again.",
                       "No session from the mutant (and no 5xx); both controls work.",
                       "The validation rule skipped; see docs/design/federation.md for what the STS sends."},
                      [b, w](CaseContext& ctx) { return bad_signin(ctx, b, w); }}));
  }
  PARLEY_TRY(r.add({{"wif/07/signout-deletes", "Sign-out deletes every session cookie", {"RP-OUT-01"}, "RP",
                     {Capability::kSignOut}, false, "A sign-in; GET signout_url.",
                     "A deletion (empty value, past expiry, same path) of every session cookie the browser had; the "
                     "protected URL then asks for a sign-in.",
                     "Only the first chunk deleted; deletions with another Path (the browser keeps the old one)."},
                    signout_deletes}));
  PARLEY_TRY(r.add({{"wif/07/replay-after-signout", "The old cookie no longer works after sign-out", {"RP-OUT-03"},
                     "RP", {Capability::kSignOut}, false,
                     "A sign-in; a copy of the session cookies; sign-out; the protected URL with the copy.",
                     "A re-authentication (INFO for WIF sessions by value, which cannot be invalidated).",
                     "No server-side session state (by value); a cache entry kept on sign-out."},
                    [](CaseContext& ctx) { return replay_after_signout(ctx, false); }}));
  PARLEY_TRY(r.add({{"wif/12/reference-signout-replay", "By reference, sign-out invalidates the session everywhere",
                     {"RP-OUT-02"}, "RP", {Capability::kReferenceMode, Capability::kSignOut}, false,
                     "A sign-in; a copy of the session cookie; sign-out; the copy on this node and every farm node.",
                     "A re-authentication everywhere.", "The cache entry kept on sign-out; a node-local cache."},
                    [](CaseContext& ctx) { return replay_after_signout(ctx, true); }}));
  return ok_status();
}

}  // namespace parley::suites::wif_session
