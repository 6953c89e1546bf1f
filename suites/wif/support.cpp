#include "suites/wif/support.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/core/crypto.h"
#include "harness/core/xml.h"
#include "harness/wif/cookie_transforms.h"
#include "harness/wif/machine_key.h"

namespace parley::suites::wif_suite {
namespace {

using engine::Outcome;
using engine::Verdict;

bool to_sts(const oracle::RelyingPartyProfile& p, const std::string& location) {
  const std::string sts = p.sts_url.substr(0, p.sts_url.find('?'));
  return location.starts_with(sts);
}

std::string seen_text(const engine::CaseContext& ctx, const BrowserResponse& r) {
  switch (see(ctx, r)) {
    case Seen::kAuthenticated: return "served it (" + r.describe() + ")";
    case Seen::kReauthentication: return "asked for a new sign-in (" + r.describe() + ")";
    case Seen::kOtherRefusal: return "refused it with " + r.describe();
    case Seen::kServerError: return "answered " + r.describe();
    case Seen::kNoAnswer: return r.describe();
    case Seen::kOther: return "answered " + r.describe();
  }
  return r.describe();
}

int rank(Verdict v) {
  switch (v) {
    case Verdict::kError: return 6;
    case Verdict::kPrereqFailed: return 5;
    case Verdict::kFail: return 4;
    case Verdict::kWarn: return 3;
    case Verdict::kInfo: return 2;
    case Verdict::kPass: return 1;
    case Verdict::kNotApplicable: return 0;
  }
  return 0;
}

Result<std::string> read_small_file(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error(ErrorCode::kIo, "cannot read: " + ec.message(), path);
  if (size > (1u << 20)) return Error(ErrorCode::kLimitExceeded, "larger than 1 MiB", path);
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

xmlNode* find_element(xmlNode* node, std::string_view local) {
  // Iterative depth-first search for the first element named `local` (any namespace).
  std::vector<xmlNode*> stack{node};
  while (!stack.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    if (n == nullptr) continue;
    if (n->type == XML_ELEMENT_NODE && xml::local_name(n) == local) return n;
    std::vector<xmlNode*> kids = xml::child_elements(n);
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
  }
  return nullptr;
}

}  // namespace

const oracle::RelyingPartyProfile& rp(const engine::CaseContext& ctx) { return *ctx.profile().relying_party; }

Seen see(const engine::CaseContext& ctx, const BrowserResponse& r) {
  if (!r.answered()) return Seen::kNoAnswer;
  if (r.status >= 500) return Seen::kServerError;
  if (r.status >= 200 && r.status < 300) return Seen::kAuthenticated;
  const auto& p = rp(ctx);
  const bool redirect = r.status >= 300 && r.status < 400;
  const bool to_the_sts = redirect && r.location() && to_sts(p, *r.location());
  if (p.unauthenticated == "redirect" ? to_the_sts : r.status == 401) return Seen::kReauthentication;
  if (to_the_sts || r.status == 400 || r.status == 401 || r.status == 403 || r.status == 413 || r.status == 431) {
    return Seen::kOtherRefusal;
  }
  return Seen::kOther;
}

Result<Session> signed_in(engine::CaseContext& ctx, const std::string& label) {
  Session s;
  s.browser = std::make_unique<Browser>(ctx);
  auto result = s.browser->sign_in(label);
  if (!result.ok()) return std::move(result.error().within("signing in"));
  s.signin = std::move(*result);
  if (s.signin.session_set_cookies.empty()) {
    return Error(ErrorCode::kVerification,
                 "the RP answered the STS's token with " + s.signin.answer.describe() + " and no session cookie",
                 "signing in");
  }
  BrowserResponse page = control(*s.browser, label + ": protected URL with the session");
  if (see(ctx, page) != Seen::kAuthenticated) {
    return Error(ErrorCode::kVerification, "after signing in, the protected URL answered " + page.describe(),
                 "signing in");
  }
  return s;
}

BrowserResponse control(Browser& b, const std::string& label) {
  return b.get(rp(b.context()).protected_url, label);
}

BrowserResponse send_cookie(Browser& b, const std::string& cookie_header, const std::string& label) {
  RequestOptions o;
  o.cookie_header = cookie_header;
  o.store_cookies = false;
  return b.get(rp(b.context()).protected_url, label, o);
}

std::string chunked_cookie_header(const std::string& name, const std::string& value, std::size_t chunk_size) {
  std::string header;
  const std::size_t n = chunk_size == 0 ? 1 : (value.size() + chunk_size - 1) / chunk_size;
  for (std::size_t i = 0; i < std::max<std::size_t>(n, 1); ++i) {
    header += (i ? "; " : "") + name + (i ? std::to_string(i) : "") + "=" + value.substr(i * chunk_size, chunk_size);
  }
  return header;
}

Outcome judge_refusal(engine::CaseContext& ctx, const NegativeStep& step) {
  BrowserResponse before = step.control();
  if (see(ctx, before) != Seen::kAuthenticated) {
    return Outcome::prereq_failed("the real session (control) was not served: " + before.describe());
  }
  BrowserResponse mutant = step.mutant();
  Outcome verdict;
  switch (see(ctx, mutant)) {
    case Seen::kReauthentication:
      verdict = Outcome::pass("refused " + step.mutation + ": " + seen_text(ctx, mutant));
      break;
    case Seen::kAuthenticated:
      return Outcome::fail("accepted " + step.mutation + ": " + mutant.describe());
    case Seen::kServerError:
      return Outcome::fail("answered " + step.mutation + " with " + mutant.describe() +
                           ": a bad session must be a clean re-authentication, never a server error");
    case Seen::kNoAnswer:
      return Outcome::error("no answer to " + step.mutation + ": " + mutant.error);
    case Seen::kOtherRefusal:
    case Seen::kOther:
      verdict = Outcome::warn("refused " + step.mutation + " with " + mutant.describe() + ", not the declared " +
                              rp(ctx).unauthenticated + " answer");
      break;
  }
  if (step.session_survives) {
    BrowserResponse after = step.control();
    if (see(ctx, after) != Seen::kAuthenticated) {
      return Outcome::fail("after " + step.mutation + ", the real session is no longer served: " + after.describe());
    }
  }
  return verdict;
}

Outcome judge_refusals(engine::CaseContext& ctx, const std::vector<NegativeStep>& steps) {
  Outcome worst = Outcome::not_applicable("no mutant");
  std::string reasons;
  for (const auto& step : steps) {
    Outcome o = judge_refusal(ctx, step);
    reasons += (reasons.empty() ? "" : "; ") + o.reason;
    if (rank(o.verdict) > rank(worst.verdict)) worst = o;
    if (o.verdict == Verdict::kPrereqFailed || o.verdict == Verdict::kError) break;
  }
  if (worst.verdict == Verdict::kPass) worst.reason = reasons;
  return worst;
}

Result<nlohmann::json> whoami(Browser& b, const std::string& label) {
  const auto& p = rp(b.context());
  if (p.whoami_url.empty()) return Error(ErrorCode::kUnsupported, "the profile names no whoami_url", "whoami");
  BrowserResponse r = b.get(p.whoami_url, label);
  if (r.status != 200) return Error(ErrorCode::kVerification, "whoami answered " + r.describe(), p.whoami_url);
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Error(ErrorCode::kParse, "not a JSON object", p.whoami_url);
  if (doc.value("schema", "") != "parley-whoami/1") {
    return Error(ErrorCode::kParse, "schema is not parley-whoami/1", p.whoami_url);
  }
  return doc;
}

Result<wif::SecurityContextTokenXml> read_wrapper(const std::string& session_value) {
  PARLEY_ASSIGN_OR_RETURN(Bytes xml, base64_decode(session_value));
  return wif::read_security_context_token(to_string(xml));
}

Result<CookieForge> CookieForge::create(const oracle::RelyingPartyProfile& p) {
  if (!p.can_forge()) return Error(ErrorCode::kUnsupported, "the profile gives no [cookie_protection]", "profile");
  CookieForge f;
  std::optional<crypto::RsaKey> rsa;
  for (const auto& name : p.transforms) {
    if (name == "deflate") {
      f.transforms_.push_back(std::make_shared<wif::DeflateCookieTransform>());
    } else if (name == "machinekey") {
      PARLEY_ASSIGN_OR_RETURN(auto alg, wif::parse_machine_key_validation(p.machine_key_validation));
      PARLEY_ASSIGN_OR_RETURN(auto t, wif::MachineKeyCookieTransform::create(
                                          {p.machine_key_decryption_key, p.machine_key_validation_key, alg}));
      f.transforms_.push_back(std::make_shared<wif::MachineKeyCookieTransform>(std::move(t)));
    } else {
      if (!rsa) {
        PARLEY_ASSIGN_OR_RETURN(std::string pem, read_small_file(p.rsa_key_file));
        PARLEY_ASSIGN_OR_RETURN(rsa, crypto::RsaKey::from_pem(pem));
      }
      if (name == "rsa-encryption") {
        PARLEY_ASSIGN_OR_RETURN(auto t, wif::RsaEncryptionCookieTransform::create({*rsa}));
        f.transforms_.push_back(std::make_shared<wif::RsaEncryptionCookieTransform>(std::move(t)));
      } else {
        PARLEY_ASSIGN_OR_RETURN(auto t, wif::RsaSignatureCookieTransform::create({*rsa}));
        f.transforms_.push_back(std::make_shared<wif::RsaSignatureCookieTransform>(std::move(t)));
      }
    }
  }
  return f;
}

std::vector<std::string> CookieForge::transform_names() const {
  std::vector<std::string> out;
  for (const auto& t : transforms_) out.emplace_back(t->name());
  return out;
}

Result<wif::SessionToken> CookieForge::decode(const std::string& session_value) const {
  PARLEY_ASSIGN_OR_RETURN(wif::SecurityContextTokenXml sct, read_wrapper(session_value));
  if (!sct.cookie) return Error(ErrorCode::kUnsupported, "the cookie holds no <Cookie> (reference mode)", "forge");
  wif::CookieTransformPipeline pipeline;
  for (const auto& t : transforms_) pipeline.add(t);
  PARLEY_ASSIGN_OR_RETURN(Bytes payload, pipeline.decode(*sct.cookie));
  return wif::decode_cookie_payload(payload);
}

Result<std::string> CookieForge::encode(const wif::SessionToken& token) const {
  PARLEY_ASSIGN_OR_RETURN(Bytes payload, wif::encode_cookie_payload(token));
  wif::CookieTransformPipeline pipeline;
  for (const auto& t : transforms_) pipeline.add(t);
  PARLEY_ASSIGN_OR_RETURN(Bytes transformed, pipeline.encode(payload));
  return base64_encode(as_bytes(wif::write_security_context_token(token, transformed)));
}

wif::Ticks ticks_from_now(std::int64_t seconds) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto ticks = std::chrono::duration_cast<std::chrono::duration<std::int64_t, std::ratio<1, 10'000'000>>>(now);
  return wif::kUnixEpochTicks + ticks.count() + seconds * wif::kTicksPerSecond;
}

std::optional<std::string> assertion_not_on_or_after(const std::string& token_xml) {
  auto doc = xml::parse(token_xml);
  if (!doc.ok()) return std::nullopt;
  xmlNode* conditions = find_element(doc->root(), "Conditions");
  if (conditions == nullptr) return std::nullopt;
  auto a = xml::attribute(conditions, "", "NotOnOrAfter");
  return a.found ? std::optional<std::string>(a.value) : std::nullopt;
}

std::optional<std::string> assertion_id(const std::string& token_xml) {
  auto doc = xml::parse(token_xml);
  if (!doc.ok()) return std::nullopt;
  xmlNode* assertion = find_element(doc->root(), "Assertion");
  if (assertion == nullptr) return std::nullopt;
  for (const char* name : {"ID", "AssertionID"}) {
    auto a = xml::attribute(assertion, "", name);
    if (a.found) return a.value;
  }
  return std::nullopt;
}

}  // namespace parley::suites::wif_suite
