// WIF-format behaviour (the wif_cookie_format capability): chunks, transforms, reference mode,
// farms, and what survives the cookie round trip (whoami).
#include <algorithm>

#include "suites/suites.h"
#include "suites/wif/support.h"

namespace parley::suites::wif_session {
namespace {

using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
using namespace wif_suite;

std::string chunk_name(CaseContext& ctx, std::size_t i) {
  return rp(ctx).cookie_name + (i == 0 ? std::string() : std::to_string(i));
}

// RP-CHUNK-03: Name, Name1, ... each within the chunk size, each Set-Cookie within 4096 bytes.
Outcome chunk_naming(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  const auto& set = s->signin.session_set_cookies;
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (set[i].name != chunk_name(ctx, i)) {
      return Outcome::fail("session cookie #" + std::to_string(i + 1) + " is named " + set[i].name + ", expected " +
                           chunk_name(ctx, i) + " (consecutive WIF chunk names)");
    }
    if (set[i].value.size() > rp(ctx).chunk_size) {
      return Outcome::fail(set[i].name + " holds " + std::to_string(set[i].value.size()) +
                           " characters, more than the declared chunk_size " + std::to_string(rp(ctx).chunk_size));
    }
    if (set[i].raw.size() > 4096) {
      return Outcome::fail("the Set-Cookie of " + set[i].name + " is " + std::to_string(set[i].raw.size()) +
                           " bytes: browsers keep 4096 per cookie");
    }
  }
  return Outcome::pass(std::to_string(set.size()) + " chunk(s) " + chunk_name(ctx, 0) +
                       (set.size() > 1 ? ".." + chunk_name(ctx, set.size() - 1) : std::string()) + ", each <= " +
                       std::to_string(rp(ctx).chunk_size) + " characters");
}

// A signed-in session with at least `min_chunks` chunks, or why not.
Result<Session> chunked_session(CaseContext& ctx, std::size_t min_chunks) {
  PARLEY_ASSIGN_OR_RETURN(Session s, signed_in(ctx));
  if (s.browser->session_cookies().size() < min_chunks) {
    return Error(ErrorCode::kUnsupported,
                 "the session cookie has " + std::to_string(s.browser->session_cookies().size()) +
                     " chunk(s); the case needs " + std::to_string(min_chunks),
                 "chunks");
  }
  return s;
}

// RP-CHUNK-04: chunks are joined by index, whatever their order in the Cookie field.
Outcome reassembly(CaseContext& ctx) {
  auto s = chunked_session(ctx, 2);
  if (!s.ok()) {
    return s.error().code() == ErrorCode::kUnsupported ? Outcome::not_applicable(s.error().message())
                                                       : Outcome::prereq_failed(s.error().message());
  }
  auto chunks = s->browser->session_cookies();
  std::reverse(chunks.begin(), chunks.end());
  std::string header;
  for (const auto& c : chunks) header += (header.empty() ? "" : "; ") + c.name + "=" + c.value;
  BrowserResponse r = send_cookie(*s->browser, header, "the chunks in reverse order");
  if (see(ctx, r) != Seen::kAuthenticated) {
    return Outcome::fail("the " + std::to_string(chunks.size()) + " chunks sent in reverse order were not reassembled: " +
                         r.describe());
  }
  return Outcome::pass(std::to_string(chunks.size()) + " chunks reassembled by index, not by order in the Cookie field");
}

// RP-CHUNK-04 / RP-SESS-05: a chunk left out.
Outcome missing_middle_chunk(CaseContext& ctx) {
  auto s = chunked_session(ctx, 2);
  if (!s.ok()) {
    return s.error().code() == ErrorCode::kUnsupported ? Outcome::not_applicable(s.error().message())
                                                       : Outcome::prereq_failed(s.error().message());
  }
  auto chunks = s->browser->session_cookies();
  const std::size_t drop = chunks.size() >= 3 ? 1 : chunks.size() - 1;
  std::string header;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (i != drop) header += (header.empty() ? "" : "; ") + chunks[i].name + "=" + chunks[i].value;
  }
  NegativeStep step;
  step.control = [&] { return control(*s->browser); };
  step.mutant = [&] { return send_cookie(*s->browser, header, "mutant: chunk " + chunks[drop].name + " left out"); };
  step.mutation = "the session with chunk " + chunks[drop].name + " of " + std::to_string(chunks.size()) + " left out";
  return judge_refusal(ctx, step);
}

// RP-CHUNK-02: a browser carrying one chunk more than the next cookie needs signs in again.
Outcome stale_chunks(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  Browser& b = *s->browser;
  auto chunks = b.session_cookies();
  JarCookie stale = chunks.back();
  stale.name = chunk_name(ctx, chunks.size());
  stale.value = "parleystale" + std::to_string(ctx.rng()() % 100000);
  b.set_cookie(stale);
  auto again = b.sign_in_at(b.signin_url(), "a new sign-in with a stale extra chunk " + stale.name);
  if (!again.ok()) return Outcome::prereq_failed("the second sign-in failed: " + again.error().message());
  BrowserResponse page = control(b, "protected URL after the re-issue");
  switch (see(ctx, page)) {
    case Seen::kAuthenticated: break;
    case Seen::kNoAnswer: return Outcome::error(page.describe());
    default:
      return Outcome::fail("after the re-issue the browser still sends stale chunk " + stale.name +
                           " (not deleted), and the session no longer works: " + page.describe());
  }
  for (const auto& c : b.cookies()) {
    if (c.name == stale.name) {
      return Outcome::fail("the re-issue left stale chunk " + stale.name + " in the browser (it works only because the "
                           "RP stops reading at the first missing index)");
    }
  }
  return Outcome::pass("the re-issued cookie deleted the stale chunk " + stale.name);
}

// RP-CHUNK-01 / RP-SESS-05 (destructive): hundreds of chunks and oversized values.
Outcome chunk_bomb(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  Browser& b = *s->browser;
  const std::string v = b.session_value();
  const std::size_t count = rp(ctx).max_chunks ? static_cast<std::size_t>(*rp(ctx).max_chunks) + 50 : 1000;
  // The real session spread over `count` chunks: only a bound on the count refuses it.
  const std::size_t per = std::max<std::size_t>(1, (v.size() + count - 1) / count);
  std::string many;
  std::size_t made = 0;
  for (std::size_t at = 0; at < v.size(); at += per, ++made) {
    many += (many.empty() ? "" : "; ") + chunk_name(ctx, made) + "=" + v.substr(at, per);
  }
  std::vector<NegativeStep> steps(2);
  steps[0].control = [&] { return control(b); };
  steps[0].mutant = [&] { return send_cookie(b, many, "mutant: the session in " + std::to_string(made) + " chunks"); };
  steps[0].mutation = "the real session spread over " + std::to_string(made) + " chunks" +
                      (rp(ctx).max_chunks ? " (declared max_chunks " + std::to_string(*rp(ctx).max_chunks) + ")" : "");
  std::string bomb;
  for (std::size_t i = 0; i < 300; ++i) bomb += (i ? "; " : "") + chunk_name(ctx, i) + "=" + std::string(150, 'Q');
  steps[1].control = steps[0].control;
  steps[1].mutant = [&] { return send_cookie(b, bomb, "mutant: 300 chunks of garbage"); };
  steps[1].mutation = "300 chunks of 150 characters of garbage";
  if (made <= 1) return Outcome::not_applicable("the session value is too short to split");
  return judge_refusals(ctx, steps);
}

// RP-SESS-04 per transform: bytes of the protected <Cookie> and the wrapper changed.
Outcome tampered_transforms(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  Browser& b = *s->browser;
  auto sct_xml = base64_decode(b.session_value());
  if (!sct_xml.ok()) return Outcome::fail("the session cookie is not base64: " + sct_xml.error().message());
  const std::string xml = to_string(*sct_xml);
  auto wrapper = wif::read_security_context_token(xml);
  if (!wrapper.ok()) return Outcome::fail("the session cookie is not a WIF SCT: " + wrapper.error().message());
  if (!wrapper->cookie) return Outcome::not_applicable("the cookie carries no <Cookie> (reference mode)");
  const std::string cookie_b64 = base64_encode(*wrapper->cookie);
  const auto at = xml.find(cookie_b64);
  if (at == std::string::npos) return Outcome::prereq_failed("cannot locate the <Cookie> content in the SCT XML");
  // Outermost transform last in the encode list: its layout says what each position is.
  std::string outer = "the protected value";
  if (!rp(ctx).transforms.empty()) outer = "the " + rp(ctx).transforms.back() + " output";
  struct Flip {
    std::size_t pos;
    std::string what;
  };
  const std::size_t n = wrapper->cookie->size();
  std::vector<Flip> flips{{0, "first byte of " + outer + " (MachineKey IV / RsaSignature length / header)"},
                          {n / 2, "middle byte of " + outer + " (ciphertext / payload)"},
                          {n - 1, "last byte of " + outer + " (MachineKey HMAC / payload)"}};
  std::vector<std::string> headers;
  std::vector<NegativeStep> steps;
  headers.reserve(flips.size() + 1);
  for (const auto& f : flips) {
    Bytes changed = *wrapper->cookie;
    changed[f.pos] ^= 0x01;
    std::string x = xml;
    x.replace(at, cookie_b64.size(), base64_encode(changed));
    headers.push_back(chunked_cookie_header(rp(ctx).cookie_name, base64_encode(as_bytes(x)), rp(ctx).chunk_size));
  }
  // The wrapper's Identifier no longer matching the protected state's ContextId.
  {
    std::string x = xml;
    const auto id = x.find(wrapper->context_id);
    if (id != std::string::npos && wrapper->context_id.size() > 10) {
      char& ch = x[id + wrapper->context_id.size() - 1];
      ch = ch == '0' ? '1' : '0';
      headers.push_back(chunked_cookie_header(rp(ctx).cookie_name, base64_encode(as_bytes(x)), rp(ctx).chunk_size));
      flips.push_back({0, "the SCT wrapper's Identifier (the protected state still names the old one)"});
    }
  }
  for (std::size_t i = 0; i < headers.size(); ++i) {
    NegativeStep step;
    step.control = [&] { return control(b); };
    step.mutant = [&, i] { return send_cookie(b, headers[i], "mutant: " + flips[i].what); };
    step.mutation = "the cookie with the " + flips[i].what + " changed";
    steps.push_back(std::move(step));
  }
  return judge_refusals(ctx, steps);
}

// RP-REF-01: a reference-mode cookie carries no <Cookie> and stays small.
Outcome reference_small_cookie(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  const std::string v = s->browser->session_value();
  auto w = read_wrapper(v);
  if (!w.ok()) return Outcome::fail("the session cookie is not a WIF SCT: " + w.error().message());
  if (w->cookie) {
    return Outcome::fail("the profile declares reference mode but the cookie carries the token (<Cookie> of " +
                         std::to_string(w->cookie->size()) + " bytes)");
  }
  if (s->browser->session_cookies().size() > 1) return Outcome::fail("a reference-mode cookie needs more than one chunk");
  return Outcome::pass("reference mode: " + std::to_string(v.size()) + " characters, no <Cookie>, one chunk");
}

// RP-REF-02 (destructive): a session evicted from a declared small cache.
Outcome reference_eviction(CaseContext& ctx) {
  const auto entries = rp(ctx).cache_max_entries;
  if (!entries) return Outcome::not_applicable("the profile declares no cache_max_entries");
  if (*entries > 200) {
    return Outcome::not_applicable("the declared cache holds " + std::to_string(*entries) +
                                   " sessions; the case fills at most 200");
  }
  auto s = signed_in(ctx, "the session to evict");
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  const std::string old = s->browser->cookie_header(rp(ctx).protected_url);
  for (std::uint64_t i = 0; i <= *entries; ++i) {
    Browser other(ctx);
    auto r = other.sign_in("filling the cache " + std::to_string(i + 1));
    if (!r.ok()) return Outcome::prereq_failed("filling the cache: " + r.error().message());
  }
  BrowserResponse r = send_cookie(*s->browser, old, "the first session after " + std::to_string(*entries + 1) +
                                                        " newer sign-ins");
  switch (see(ctx, r)) {
    case Seen::kReauthentication: return Outcome::pass("the evicted session is a clean re-authentication");
    case Seen::kAuthenticated:
      return Outcome::info("the first session survived " + std::to_string(*entries + 1) +
                           " newer sessions: the cache holds more than the declared cache_max_entries");
    case Seen::kServerError: return Outcome::fail("the evicted session was answered " + r.describe());
    case Seen::kNoAnswer: return Outcome::error(r.describe());
    default: return Outcome::warn("the evicted session was answered " + r.describe());
  }
}

// RP-FARM-01: a cookie from this node works on every farm node.
Outcome farm(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  const std::string cookies = s->browser->cookie_header(rp(ctx).protected_url);
  for (const auto& url : rp(ctx).farm_urls) {
    RequestOptions o;
    o.cookie_header = cookies;
    o.store_cookies = false;
    BrowserResponse r = s->browser->get(url, "the session on another node", o);
    if (see(ctx, r) == Seen::kNoAnswer) return Outcome::error(r.describe());
    if (see(ctx, r) != Seen::kAuthenticated) {
      return Outcome::fail("the node at " + url + " does not accept the session issued at " + rp(ctx).protected_url +
                           ": " + r.describe());
    }
  }
  return Outcome::pass("the session is served by all " + std::to_string(rp(ctx).farm_urls.size() + 1) + " nodes");
}

// RP-CLAIMS-01: the declared claims come back through the session.
Outcome claims_round_trip(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  auto who = whoami(*s->browser);
  if (!who.ok()) return Outcome::fail("whoami did not answer for the session: " + who.error().message());
  const auto& ids = (*who)["identities"];
  if (!ids.is_array() || ids.empty()) return Outcome::fail("whoami shows no identity");
  if (!(*who).value("authenticated", false)) return Outcome::fail("whoami says authenticated = false");
  std::size_t claims = 0;
  for (const auto& [type, value] : rp(ctx).claims) {
    bool found = false;
    for (const auto& id : ids) {
      for (const auto& c : id.value("claims", nlohmann::json::array())) {
        found = found || (c.value("type", "") == type && c.value("value", "") == value);
      }
    }
    if (!found) return Outcome::fail("the claim " + type + " = " + value + " the STS asserts is missing after the round trip");
    ++claims;
  }
  for (const auto& c : ids[0].value("claims", nlohmann::json::array())) {
    if (c.value("issuer", "").empty() && c.contains("issuer")) {
      return Outcome::fail("claim " + c.value("type", "?") + " lost its issuer in the round trip");
    }
  }
  if (claims == 0) return Outcome::info("the profile lists no claims; whoami shows " + std::to_string(ids.size()) + " identity");
  return Outcome::pass("all " + std::to_string(claims) + " asserted claims survive the cookie round trip");
}

// RP-CLAIMS-02: the bootstrap token is the posted assertion.
Outcome bootstrap_token(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  auto who = whoami(*s->browser);
  if (!who.ok()) return Outcome::fail("whoami did not answer for the session: " + who.error().message());
  const auto& ids = (*who)["identities"];
  if (!ids.is_array() || ids.empty() || !ids[0].contains("bootstrap_token")) {
    return Outcome::not_applicable("whoami does not expose bootstrap_token");
  }
  if (ids[0]["bootstrap_token"].is_null()) return Outcome::info("the RP keeps no bootstrap token (saveBootstrapContext off)");
  auto bytes = base64_decode(ids[0]["bootstrap_token"].get<std::string>());
  if (!bytes.ok()) return Outcome::fail("bootstrap_token is not base64");
  auto id = assertion_id(s->signin.token_xml);
  if (!id) return Outcome::prereq_failed("the posted token has no readable assertion ID");
  if (to_string(*bytes).find(*id) == std::string::npos) {
    return Outcome::fail("the bootstrap token after the round trip is not the posted assertion " + *id);
  }
  return Outcome::pass("the bootstrap token survives the round trip (assertion " + *id + ")");
}

// The whoami contract: without a session, the ordinary unauthenticated answer.
Outcome whoami_unauthenticated(CaseContext& ctx) {
  Browser b(ctx);
  BrowserResponse r = b.get(rp(ctx).whoami_url, "whoami without a session");
  switch (see(ctx, r)) {
    case Seen::kReauthentication: return Outcome::pass("whoami without a session: " + r.describe());
    case Seen::kAuthenticated: return Outcome::fail("whoami answered " + r.describe() + " without a session");
    case Seen::kNoAnswer: return Outcome::error(r.describe());
    default: return Outcome::fail("whoami without a session answered " + r.describe());
  }
}

}  // namespace

Status register_03_wif_format(engine::Registry& r) {
  const Capability wif = Capability::kWifCookieFormat;
  PARLEY_TRY(r.add({{"wif/10/chunk-naming", "Chunks are named Name, Name1, ... within the chunk size",
                     {"RP-CHUNK-03"}, "RP", {wif}, false, "A sign-in; the session Set-Cookie fields.",
                     "Consecutive WIF chunk names, each value <= chunk_size, each Set-Cookie <= 4096 bytes.",
                     "A chunk size over 4096 (browsers drop the chunk); gaps in the names."},
                    chunk_naming}));
  PARLEY_TRY(r.add({{"wif/10/reassembly", "Chunks are reassembled by index", {"RP-CHUNK-04", "RP-SESS-09"}, "RP",
                     {Capability::kValueMode}, false, "A sign-in; the chunks sent in reverse order.",
                     "The session served.", "Chunks concatenated in header order."},
                    reassembly}));
  PARLEY_TRY(r.add({{"wif/10/missing-middle-chunk", "A session with a chunk left out is refused",
                     {"RP-CHUNK-04", "RP-SESS-05"}, "RP", {Capability::kValueMode}, false,
                     "A sign-in; the chunks without FedAuth1 (or the last).",
                     "A clean re-authentication; the whole session still works.",
                     "A partial value accepted; a parse error surfacing as 500."},
                    missing_middle_chunk}));
  PARLEY_TRY(r.add({{"wif/10/stale-chunks", "A re-issued cookie deletes the chunks it no longer uses",
                     {"RP-CHUNK-02"}, "RP", {wif}, false,
                     "A sign-in; an extra chunk Name<n> added to the browser; a second sign-in; the protected URL.",
                     "The second sign-in's answer deletes Name<n>; the new session works.",
                     "Writing the new chunks without deleting the request's higher ones."},
                    stale_chunks}));
  PARLEY_TRY(r.add({{"wif/10/chunk-bomb", "Hundreds of chunks are refused cleanly", {"RP-CHUNK-01", "RP-SESS-05"},
                     "RP", {wif}, true,
                     "A sign-in; the real session spread over max_chunks + 50 chunks (1000 undeclared); 300 chunks of "
                     "garbage.",
                     "Re-authentications, never a 5xx; the real session still works.",
                     "No bound on the chunk count (WIF reads until the first missing index)."},
                    chunk_bomb}));
  PARLEY_TRY(r.add({{"wif/11/tampered-transforms", "A change in any layer of the protected cookie is refused",
                     {"RP-SESS-04", "RP-SESS-05"}, "RP", {Capability::kValueMode}, false,
                     "A sign-in; the cookie with one bit flipped in the first, middle and last byte of the transformed "
                     "<Cookie> (IV, ciphertext, MAC for MachineKey), and with the SCT Identifier changed.",
                     "Each a clean re-authentication; the real session still works.",
                     "The MAC not checked before decrypting; the wrapper not compared with the protected state."},
                    tampered_transforms}));
  PARLEY_TRY(r.add({{"wif/12/reference-small-cookie", "By reference, the cookie holds only the session's identifiers",
                     {"RP-REF-01"}, "RP", {Capability::kReferenceMode}, false, "A sign-in; the session cookie.",
                     "One chunk, an SCT without <Cookie>.", "IsReferenceMode not set."},
                    reference_small_cookie}));
  PARLEY_TRY(r.add({{"wif/12/reference-eviction", "By reference, an evicted session is a clean re-authentication",
                     {"RP-REF-02", "RP-SESS-05"}, "RP", {Capability::kReferenceMode}, true,
                     "A sign-in; cache_max_entries + 1 more sign-ins from other browsers; the first cookie.",
                     "A re-authentication (INFO when not evicted).", "A cache miss surfacing as 500."},
                    reference_eviction}));
  PARLEY_TRY(r.add({{"wif/13/farm", "A session from one node is served by every node", {"RP-FARM-01"}, "RP",
                     {Capability::kFarm}, false, "A sign-in at protected_url; the cookie sent to every farm_urls node.",
                     "200 on every node.", "Per-node machine keys; a node-local session cache (reference mode)."},
                    farm}));
  PARLEY_TRY(r.add({{"wif/14/claims-round-trip", "The asserted claims survive the cookie round trip",
                     {"RP-CLAIMS-01"}, "RP", {Capability::kWhoami}, false,
                     "A sign-in; whoami, compared with the profile's claims.",
                     "Every declared claim (type, value) in whoami's identities, with its issuer.",
                     "Claims dropped or re-typed when the token is serialized into the cookie."},
                    claims_round_trip}));
  PARLEY_TRY(r.add({{"wif/14/bootstrap-token", "The bootstrap token survives the round trip", {"RP-CLAIMS-02"}, "RP",
                     {Capability::kWhoami}, false, "A sign-in; whoami's bootstrap_token.",
                     "The posted assertion (its ID), or INFO when the RP keeps none.",
                     "saveBootstrapContext on but the token lost in the cookie."},
                    bootstrap_token}));
  PARLEY_TRY(r.add({{"wif/14/whoami-unauthenticated", "whoami without a session is the ordinary unauthenticated answer",
                     {"RP-UNAUTH-01"}, "RP", {Capability::kWhoami}, false, "GET whoami_url with no cookie.",
                     "The declared re-authentication, never a 200.", "whoami outside the protected area."},
                    whoami_unauthenticated}));
  return ok_status();
}

}  // namespace parley::suites::wif_session
