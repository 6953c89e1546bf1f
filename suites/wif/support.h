// Shared steps of the wif-session cases (suites/wif): signing in through the test STS, telling
// an authenticated answer from a re-authentication, the differential rule for negative cases
// (a control before and after each mutant), the whoami probe, reading and forging WIF session
// cookies. docs/design/wif-session-suite.md.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "harness/engine/case.h"
#include "harness/wif/session_token.h"
#include "suites/wif/browser.h"

namespace parley::suites::wif_suite {

const oracle::RelyingPartyProfile& rp(const engine::CaseContext& ctx);

// How the RP answered a request that carried (or did not carry) a session.
enum class Seen {
  kAuthenticated,     // 2xx: the resource was served
  kReauthentication,  // the declared "not authenticated" answer (redirect to the STS, or 401)
  kOtherRefusal,      // a refusal in another shape (401 when a redirect is declared, 400, 403, 431 ...)
  kServerError,       // 5xx
  kNoAnswer,          // transport failure
  kOther,             // e.g. a redirect elsewhere
};
Seen see(const engine::CaseContext& ctx, const BrowserResponse& r);

// A browser signed in through the STS, the protected URL answered 200 with its cookies.
struct Session {
  std::unique_ptr<Browser> browser;
  SignInResult signin;
};
// The Error says which hop failed (the caller reports PREREQ_FAILED).
Result<Session> signed_in(engine::CaseContext& ctx, const std::string& label = "sign-in");

// The protected URL with the browser's own cookies (the control).
BrowserResponse control(Browser& b, const std::string& label = "control");

// The differential rule for negative cases on an RP: the control (the real session on the
// protected URL) must be served, else PREREQ_FAILED; the mutant must be refused: the declared
// re-authentication passes, a refusal in another shape (never a 5xx) is WARN; serving it is
// FAIL, a 5xx is FAIL (RP-SESS-05), no answer is ERROR; when `session_survives`, the control
// after the mutant must be served again (else FAIL).
struct NegativeStep {
  std::function<BrowserResponse()> control;
  std::function<BrowserResponse()> mutant;
  std::string mutation;  // what the mutant is, for the reason
  bool session_survives = true;
};
engine::Outcome judge_refusal(engine::CaseContext& ctx, const NegativeStep& step);
// The same for several mutants of one session: the worst verdict, with each mutant's reason.
engine::Outcome judge_refusals(engine::CaseContext& ctx, const std::vector<NegativeStep>& steps);

// A mutant request: the protected URL with this Cookie field; the jar is left as it is.
BrowserResponse send_cookie(Browser& b, const std::string& cookie_header, const std::string& label);
// "Name=v; Name1=v1 ..." for a value split into WIF chunks of `chunk_size` characters.
std::string chunked_cookie_header(const std::string& name, const std::string& value, std::size_t chunk_size);

// GET whoami_url with the browser's cookies: the parsed parley-whoami/1 document.
Result<nlohmann::json> whoami(Browser& b, const std::string& label = "whoami");

// The WIF wrapper of the browser's session cookie (base64 SCT XML), without any key.
Result<wif::SecurityContextTokenXml> read_wrapper(const std::string& session_value);

// With the profile's [cookie_protection]: decode the session cookie to its token, and encode a
// token back to the cookie value (base64 SCT XML) that the RP would write.
class CookieForge {
 public:
  static Result<CookieForge> create(const oracle::RelyingPartyProfile& profile);
  Result<wif::SessionToken> decode(const std::string& session_value) const;
  Result<std::string> encode(const wif::SessionToken& token) const;
  std::vector<std::string> transform_names() const;

 private:
  std::vector<std::shared_ptr<const wif::CookieTransform>> transforms_;
};

// now +/- seconds as WIF ticks.
wif::Ticks ticks_from_now(std::int64_t seconds);

// NotOnOrAfter of the assertion in `token_xml` (the wresult or SAML Response), as ISO text.
std::optional<std::string> assertion_not_on_or_after(const std::string& token_xml);
// The assertion's ID (SAML 2.0 ID or SAML 1.1 AssertionID).
std::optional<std::string> assertion_id(const std::string& token_xml);

}  // namespace parley::suites::wif_suite
