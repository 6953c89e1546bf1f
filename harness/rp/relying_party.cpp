#include "harness/rp/relying_party.h"

#include <exception>

#include "harness/core/crypto.h"
#include "harness/fed/form.h"
#include "harness/fed/saml.h"
#include "harness/wssc/tokens.h"

namespace parley::rp {
namespace {

using transport::HttpRequest;
using transport::HttpResponse;

HttpResponse text_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.add("Content-Type", "text/plain; charset=utf-8");
  r.headers.add("Cache-Control", "no-store");
  r.body = std::move(body);
  return r;
}

HttpResponse redirect(const std::string& location, std::string body = {}) {
  HttpResponse r = text_response(302, body.empty() ? "see " + location + "\n" : std::move(body));
  r.headers.add("Location", location);
  return r;
}

void add_cookies(HttpResponse& r, const std::vector<wif::SetCookie>& cookies) {
  for (const auto& c : cookies) r.headers.add("Set-Cookie", wif::render_set_cookie(c, wif::ChunkingStyle::kWif));
}

// The texts of every element named `local` (any prefix) in `xml`: the faults that trust what a
// token says about itself read it this way, before (and instead of) any validation.
std::vector<std::string> element_texts(std::string_view xml, std::string_view local) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = xml.find('<', pos)) != std::string_view::npos) {
    ++pos;
    const std::size_t name_end = xml.find_first_of(" \t\r\n/>", pos);
    if (name_end == std::string_view::npos) break;
    std::string_view name = xml.substr(pos, name_end - pos);
    if (auto colon = name.find(':'); colon != std::string_view::npos) name = name.substr(colon + 1);
    if (name != local) continue;
    const std::size_t open_end = xml.find('>', name_end);
    if (open_end == std::string_view::npos || xml[open_end - 1] == '/') continue;
    const std::size_t close = xml.find("</", open_end);
    if (close == std::string_view::npos) break;
    out.emplace_back(xml.substr(open_end + 1, close - open_end - 1));
    pos = close;
  }
  return out;
}

std::string new_token_id() {
  // WIF: "_" + a GUID + "-" + a counter (wire facts B).
  return "_" + wssc::new_uuid_urn().substr(9) + "-1";
}

Result<wif::ChunkedCookieJar> request_cookies(const HttpRequest& request) {
  std::string header;
  for (auto v : request.headers.get_all("Cookie")) {
    if (!header.empty()) header += "; ";
    header += v;
  }
  return wif::ChunkedCookieJar::parse_cookie_header(header);
}

nlohmann::json identity_json(const wif::ClaimsIdentity& id) {
  const std::string name_type = id.name_claim_type.value_or(std::string(names::wif::kClaimTypeName));
  const std::string role_type = id.role_claim_type.value_or(std::string(names::wif::kClaimTypeRole));
  nlohmann::json claims = nlohmann::json::array();
  nlohmann::json name = nullptr;
  nlohmann::json roles = nlohmann::json::array();
  for (const auto& c : id.claims) {
    nlohmann::json props = nlohmann::json::object();
    for (const auto& [k, v] : c.properties) props[k] = v;
    claims.push_back({{"type", c.type},
                      {"value", c.value},
                      {"value_type", c.value_type},
                      {"issuer", c.issuer},
                      {"original_issuer", c.original_issuer},
                      {"properties", props}});
    if (c.type == name_type && name.is_null()) name = c.value;
    if (c.type == role_type) roles.push_back(c.value);
  }
  nlohmann::json j = {{"authentication_type", id.authentication_type},
                      {"is_authenticated", !id.authentication_type.empty()},
                      {"label", id.label},
                      {"name_claim_type", name_type},
                      {"role_claim_type", role_type},
                      {"name", name},
                      {"roles", roles},
                      {"claims", claims}};
  j["bootstrap_token"] = id.bootstrap_token ? nlohmann::json(base64_encode(*id.bootstrap_token)) : nlohmann::json();
  j["actor"] = id.actor ? identity_json(*id.actor) : nlohmann::json();
  return j;
}

std::string iso(wif::Ticks t) {
  auto s = wif::ticks_to_iso8601(t);
  return s.ok() ? *s : std::string();
}

}  // namespace

nlohmann::json whoami_json(const wif::SessionToken& token, SessionMode mode) {
  nlohmann::json identities = nlohmann::json::array();
  for (const auto& id : token.identities) identities.push_back(identity_json(id));
  nlohmann::json session = {{"session_id", token.context_id},
                            {"token_id", token.id},
                            {"valid_from", iso(token.effective_time)},
                            {"valid_to", iso(token.expiry_time)},
                            {"persistent", token.persistent},
                            {"reference_mode", token.reference_mode},
                            {"endpoint_id", token.endpoint_id}};
  session["key_generation"] = token.key_generation ? nlohmann::json(*token.key_generation) : nlohmann::json();
  return {{"schema", "parley-whoami/1"},
          {"authenticated", true},
          {"mode", std::string(to_string(mode))},
          {"session", session},
          {"identities", identities}};
}

Result<std::unique_ptr<RelyingParty>> RelyingParty::create(RpConfig config) {
  std::shared_ptr<SessionCache> cache;
  if (config.cache.kind == "redis") {
    cache = std::make_shared<RedisSessionCache>(config.cache.redis);
  } else {
    cache = std::make_shared<MruSessionCache>(config.cache.max_entries, config.cache.size_after_purge);
  }
  std::unique_ptr<fed::Sts> sts;
  std::vector<x509::Certificate> trusted;
  if (config.sts) {
    auto s = fed::Sts::create(*config.sts);
    if (!s.ok()) return std::move(s.error().within("sts"));
    sts = std::move(*s);
    trusted.push_back(sts->signing_certificate());
  } else {
    auto cert = x509::Certificate::load_pem_file(config.sts_certificate_file);
    if (!cert.ok()) return std::move(cert.error().within("rp.sts_certificate"));
    trusted.push_back(std::move(*cert));
  }
  return std::unique_ptr<RelyingParty>(new RelyingParty(std::move(config), std::move(cache), std::move(sts),
                                                        std::move(trusted)));
}

RelyingParty::RelyingParty(RpConfig config, std::shared_ptr<SessionCache> cache, std::unique_ptr<fed::Sts> sts,
                           std::vector<x509::Certificate> trusted)
    : config_(std::move(config)), cache_(std::move(cache)), sts_(std::move(sts)), trusted_(std::move(trusted)) {
  codec_ = std::make_unique<SessionCookieCodec>(config_.cookie, config_.protection, cache_, config_.faults);
}

void RelyingParty::set_base_url(std::string base_url) {
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  fed::ValidatorConfig vc;
  vc.trusted_certificates = trusted_;
  vc.audiences = {config_.realm};
  if (sts_) vc.issuers = {sts_->config().issuer};
  vc.clock_skew = config_.cookie.max_clock_skew;
  vc.acs_url = base_url + config_.signin_path;
  auto validator = std::make_shared<fed::SignInValidator>(std::move(vc));
  std::lock_guard lock(mutex_);
  base_url_ = std::move(base_url);
  validator_ = std::move(validator);
}

std::string RelyingParty::base_url() const {
  std::lock_guard lock(mutex_);
  return base_url_;
}

std::string RelyingParty::sts_signin_url() const {
  if (!config_.sts_url.empty()) return config_.sts_url;
  const std::string prefix = sts_ ? sts_->config().path_prefix : "/sts/";
  return base_url() + prefix + (config_.signin_method == SignInMethod::kWsFed ? "wsfed" : "saml2/sso");
}

std::string RelyingParty::sts_signout_url() const {
  if (!config_.sts_url.empty()) return config_.sts_url;
  return base_url() + (sts_ ? sts_->config().path_prefix : "/sts/") + "wsfed";
}

HttpResponse RelyingParty::handle(const HttpRequest& request, const transport::ConnectionInfo& connection) {
  return handle(request, connection, Clock::now());
}

HttpResponse RelyingParty::handle(const HttpRequest& request, const transport::ConnectionInfo& connection,
                                  Clock::time_point now) {
  // Nothing escapes as an exception: the server would answer 500.
  try {
    return dispatch(request, connection, now);
  } catch (const std::exception& e) {
    try {
      return reauthenticate(request, {}, std::string("internal error: ") + e.what(), now);
    } catch (...) {
    }
  } catch (...) {
  }
  return text_response(401, "authentication required\n");
}

HttpResponse RelyingParty::dispatch(const HttpRequest& request, const transport::ConnectionInfo& connection,
                                    Clock::time_point now) {
  auto [path, query] = fed::split_target(request.target);
  if (sts_ && path.starts_with(sts_->config().path_prefix)) return sts_->handle(request, connection.tls);

  auto jar = request_cookies(request);
  const std::string_view protected_path = config_.protected_path;
  const bool in_protected =
      path.starts_with(protected_path) || std::string(path) + "/" == config_.protected_path;
  if (!jar.ok()) {
    if (!in_protected && path != config_.signin_path) return text_response(404, "not found\n");
    return reauthenticate(request, {}, "unreadable Cookie header: " + jar.error().message(), now);
  }
  if (path == config_.signin_path) {
    if (request.method != "POST") {
      HttpResponse r = text_response(405, "the sign-in endpoint takes the STS's POST\n");
      r.headers.add("Allow", "POST");
      return r;
    }
    return sign_in(request, *jar, now);
  }
  if (path == config_.signout_path) return sign_out(*jar, false, now);
  if (in_protected && !query.empty()) {
    auto fields = fed::parse_form(query);
    if (fields.ok()) {
      auto wa = fed::form_value(*fields, "wa");
      if (wa.ok() && *wa == names::fed::kWaSignOut) return sign_out(*jar, false, now);
      if (wa.ok() && *wa == names::fed::kWaSignOutCleanup) return sign_out(*jar, true, now);
    }
  }
  if (in_protected) return protected_resource(request, path, *jar, now);
  if (path == "/") return redirect(config_.protected_path);
  return text_response(404, "not found\n");
}

std::string RelyingParty::return_path(const std::string& context) const {
  // Only a path under the protected area: wctx / RelayState come from the browser (no open redirect).
  if (context.starts_with(config_.protected_path) && context.find("//") == std::string::npos &&
      context.find_first_of("\r\n\\") == std::string::npos) {
    return context;
  }
  return config_.protected_path;
}

HttpResponse RelyingParty::reauthenticate(const HttpRequest& request, const wif::ChunkedCookieJar& jar,
                                          const std::string& reason, Clock::time_point now) {
  const std::string back = request.method == "GET" ? return_path(request.target) : config_.protected_path;
  const std::string reply = base_url() + config_.signin_path;
  std::string signin;
  if (config_.signin_method == SignInMethod::kWsFed) {
    signin = fed::wsfed_signin_url(sts_signin_url(), config_.realm, reply, back);
  } else {
    fed::AuthnRequest authn;
    authn.issuer = config_.realm;
    authn.destination = sts_signin_url();
    authn.assertion_consumer_service_url = reply;
    authn.protocol_binding = std::string(names::fed::kBindingHttpPost);
    auto encoded = fed::deflate_and_base64(fed::write_authn_request(authn));
    const std::string sso = sts_signin_url();
    signin = sso + (sso.find('?') == std::string::npos ? "?" : "&") +
             fed::write_form({{"SAMLRequest", encoded.ok() ? *encoded : std::string()}, {"RelayState", back}});
  }
  HttpResponse r;
  if (config_.unauthenticated == Unauthenticated::kRedirect) {
    r = redirect(signin, "authentication required (" + reason + "); signing in at " + signin + "\n");
  } else {
    r = text_response(401, "authentication required (" + reason + "); sign in at " + signin + "\n");
    // RFC 9110 s.15.5.2: a 401 names a challenge; passive federation has no registered scheme.
    r.headers.add("WWW-Authenticate", "WSFederation realm=\"" + config_.realm + "\"");
  }
  if (jar.get(config_.cookie.name)) add_cookies(r, codec_->deletions(jar, now));
  return r;
}

Result<fed::SignIn> RelyingParty::validate(const fed::FormFields& form, bool saml2, Clock::time_point now) {
  std::shared_ptr<fed::SignInValidator> validator;
  {
    std::lock_guard lock(mutex_);
    validator = validator_;
  }
  if (!validator) return Error(ErrorCode::kInternal, "the RP has no base URL yet", "sign-in");
  const FaultSet& f = config_.faults;
  if (f.has(Fault::kAcceptWrongAudience) || f.has(Fault::kAcceptUntrustedSignature) ||
      f.has(Fault::kAcceptReplayedSignin)) {
    // The faults: a validator of this request alone (no replay memory), trusting what the token
    // says about itself.
    fed::ValidatorConfig vc = validator->config();
    std::string token;
    if (auto v = fed::form_value(form, saml2 ? "SAMLResponse" : "wresult"); v.ok() && *v) {
      if (saml2) {
        auto decoded = base64_decode(**v);
        if (decoded.ok()) token = to_string(*decoded);
      } else {
        token = **v;
      }
    }
    if (f.has(Fault::kAcceptWrongAudience)) {
      for (auto& a : element_texts(token, "Audience")) vc.audiences.push_back(a);
      vc.issuers.clear();
    }
    if (f.has(Fault::kAcceptUntrustedSignature)) {
      for (const auto& b64 : element_texts(token, "X509Certificate")) {
        auto der = base64_decode(b64);
        if (!der.ok()) continue;
        auto cert = x509::Certificate::from_der(*der);
        if (cert.ok()) vc.trusted_certificates.push_back(std::move(*cert));
      }
    }
    validator = std::make_shared<fed::SignInValidator>(std::move(vc));
  }
  return saml2 ? validator->validate_saml2_post(form, now) : validator->validate_wsfed(form, now);
}

HttpResponse RelyingParty::sign_in(const HttpRequest& request, const wif::ChunkedCookieJar& jar,
                                   Clock::time_point now) {
  auto refuse = [](const std::string& why) { return text_response(401, "sign-in refused: " + why + "\n"); };
  auto form = fed::parse_form(request.body);
  if (!form.ok()) return refuse(form.error().message());
  auto saml = fed::form_value(*form, "SAMLResponse");
  const bool saml2 = saml.ok() && saml->has_value();
  auto signin = validate(*form, saml2, now);
  if (!signin.ok()) return refuse(signin.error().message());

  // Replay across the farm: the shared cache remembers each assertion until it expires.
  if (!config_.faults.has(Fault::kAcceptReplayedSignin)) {
    const std::string key = "signin:" + signin->issuer + "|" + signin->assertion_id;
    auto fresh = cache_->add_if_absent(key, as_bytes(signin->assertion_id),
                                       signin->valid_to + config_.cookie.max_clock_skew, now);
    if (!fresh.ok()) return refuse("cannot check the token for replay: " + fresh.error().message());
    if (!*fresh) {
      return refuse("the sign-in token " + signin->assertion_id + " was used before (replay) [RP-SIGNIN-01]");
    }
  }

  wif::SessionToken token;
  token.context_id = wssc::new_uuid_urn();
  if (config_.faults.has(Fault::kReuseSessionId)) {
    if (auto old = codec_->peek(jar); old && !old->context_id.empty()) token.context_id = old->context_id;
  }
  token.id = new_token_id();
  auto key = crypto::random_bytes(16);  // WIF: 128 random bits
  if (!key.ok()) return refuse(key.error().message());
  token.key = std::move(*key);
  Clock::time_point valid_to = now + config_.session_lifetime;
  // WIF's FAM: the session ends no later than the token it was made from.
  if (signin->valid_to < valid_to && !config_.faults.has(Fault::kSessionOutlivesToken)) valid_to = signin->valid_to;
  token.effective_time = token.key_effective_time = to_ticks(now);
  token.expiry_time = token.key_expiry_time = to_ticks(valid_to);
  token.persistent = config_.cookie.persistent;
  token.reference_mode = config_.cookie.mode == SessionMode::kReference;
  token.endpoint_id = config_.cookie.endpoint_id;
  wif::ClaimsIdentity identity = signin->identity;
  if (!identity.bootstrap_token) identity.bootstrap_token = to_bytes(signin->token_xml);
  token.identities.push_back(std::move(identity));

  auto cookies = codec_->issue(token, jar, now);
  if (!cookies.ok()) return refuse("cannot write the session: " + cookies.error().message());
  HttpResponse r = redirect(return_path(signin->context));
  add_cookies(r, *cookies);
  return r;
}

HttpResponse RelyingParty::sign_out(const wif::ChunkedCookieJar& jar, bool cleanup, Clock::time_point now) {
  if (auto sct = codec_->peek(jar); sct && !config_.faults.has(Fault::kKeepCacheEntryOnSignout)) {
    (void)codec_->forget(sct->context_id, sct->instance);  // Redis down: the cookies still go
  }
  HttpResponse r = cleanup ? text_response(200, "signed out\n")
                           : redirect(fed::wsfed_signout_url(sts_signout_url(), base_url() + config_.protected_path));
  add_cookies(r, codec_->deletions(jar, now));
  return r;
}

HttpResponse RelyingParty::protected_resource(const HttpRequest& request, std::string_view path,
                                              const wif::ChunkedCookieJar& jar, Clock::time_point now) {
  auto session = codec_->read(jar, now);
  if (!session.ok()) {
    if (config_.faults.has(Fault::kServerErrorOnBadCookie)) {
      return text_response(500, "session cookie error: " + session.error().message() + "\n");
    }
    return reauthenticate(request, jar, session.error().message(), now);
  }
  if (!session->has_value()) return reauthenticate(request, jar, "no session cookie", now);
  wif::SessionToken token = std::move(**session);

  HttpResponse r;
  if (config_.sliding) {
    // WIF has no automatic sliding: the application re-issues explicitly, here past half the lifetime.
    const auto from = from_ticks(token.effective_time);
    const auto to = from_ticks(token.expiry_time);
    if (now - from > (to - from) / 2) {
      wif::SessionToken next = token;
      next.id = new_token_id();
      next.key_generation = wssc::new_uuid_urn();
      next.effective_time = next.key_effective_time = to_ticks(now);
      next.expiry_time = next.key_expiry_time = to_ticks(now + config_.session_lifetime);
      auto cookies = codec_->issue(next, jar, now);
      if (cookies.ok()) {
        add_cookies(r, *cookies);
        (void)codec_->forget(token.context_id, token.key_generation);  // WIF removes the old cache entry
        token = std::move(next);
      }
    }
  }
  r.headers.add("Cache-Control", "no-store");
  if (path == config_.whoami_path) {
    r.headers.add("Content-Type", "application/json");
    r.body = whoami_json(token, config_.cookie.mode).dump(2) + "\n";
    return r;
  }
  std::string name = "(no name claim)";
  for (const auto& id : token.identities) {
    for (const auto& c : id.claims) {
      if (c.type == id.name_claim_type.value_or(std::string(names::wif::kClaimTypeName))) {
        name = c.value;
        break;
      }
    }
  }
  r.headers.add("Content-Type", "text/html; charset=utf-8");
  r.body = "<!DOCTYPE html><html><head><title>parley reference RP</title></head><body><p>Signed in as " +
           fed::html_escape(name) + " (session " + fed::html_escape(token.context_id) + ").</p><p><a href=\"" +
           fed::html_escape(config_.signout_path) + "\">Sign out</a></p></body></html>\n";
  return r;
}

}  // namespace parley::rp
