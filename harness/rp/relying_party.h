// The reference relying party: protected resources under a path, WS-Federation / SAML 2.0
// sign-in through an STS, WIF FedAuth session cookies (by value or by reference), whoami, sign-out.
// Transport-independent like fed::Sts: `handle` maps one HTTP request to one response and never
// throws; a bad or missing session is always a clean re-authentication (redirect or 401 and the
// cookies deleted), never a 5xx. docs/design/reference-rp.md, docs/design/rp-whoami.md.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/fed/sts.h"
#include "harness/fed/validator.h"
#include "harness/rp/config.h"
#include "harness/rp/session_cookie.h"
#include "harness/transport/http.h"

namespace parley::rp {

// The whoami document of a session (docs/design/rp-whoami.md).
nlohmann::json whoami_json(const wif::SessionToken& token, SessionMode mode);

class RelyingParty {
 public:
  // Builds the cache (memory or Redis), the test STS (when config.sts) and the cookie codec.
  static Result<std::unique_ptr<RelyingParty>> create(RpConfig config);

  // The absolute base URL this RP is reached at ("https://127.0.0.1:PORT"): wreply, the SAML ACS
  // and the STS URLs are built from it. Call once the server is bound, before serving.
  void set_base_url(std::string base_url);

  // Thread-safe; never throws.
  transport::HttpResponse handle(const transport::HttpRequest& request, const transport::ConnectionInfo& connection);
  // `now` injected for tests.
  transport::HttpResponse handle(const transport::HttpRequest& request, const transport::ConnectionInfo& connection,
                                 Clock::time_point now);

  const RpConfig& config() const { return config_; }
  fed::Sts* sts() const { return sts_.get(); }
  const SessionCookieCodec& codec() const { return *codec_; }
  // The STS sign-in URL (wsfed endpoint or SAML2 SSO endpoint) and its sign-out URL.
  std::string sts_signin_url() const;
  std::string sts_signout_url() const;

 private:
  RelyingParty(RpConfig config, std::shared_ptr<SessionCache> cache, std::unique_ptr<fed::Sts> sts,
               std::vector<x509::Certificate> trusted);
  std::string base_url() const;
  transport::HttpResponse dispatch(const transport::HttpRequest& request, const transport::ConnectionInfo& connection,
                                   Clock::time_point now);
  transport::HttpResponse sign_in(const transport::HttpRequest& request, const wif::ChunkedCookieJar& jar,
                                  Clock::time_point now);
  transport::HttpResponse sign_out(const wif::ChunkedCookieJar& jar, bool cleanup, Clock::time_point now);
  transport::HttpResponse protected_resource(const transport::HttpRequest& request, std::string_view path,
                                             const wif::ChunkedCookieJar& jar, Clock::time_point now);
  transport::HttpResponse reauthenticate(const transport::HttpRequest& request, const wif::ChunkedCookieJar& jar,
                                         const std::string& reason, Clock::time_point now);
  Result<fed::SignIn> validate(const fed::FormFields& form, bool saml2, Clock::time_point now);
  std::string return_path(const std::string& context) const;

  RpConfig config_;
  std::shared_ptr<SessionCache> cache_;
  std::unique_ptr<fed::Sts> sts_;
  std::vector<x509::Certificate> trusted_;
  std::unique_ptr<SessionCookieCodec> codec_;
  mutable std::mutex mutex_;  // guards base_url_ and validator_
  std::string base_url_;
  std::shared_ptr<fed::SignInValidator> validator_;
};

}  // namespace parley::rp
