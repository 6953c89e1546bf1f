// WIF session token (harness/wif/session_token.h): the cookie payload (BinaryFormatter frame or
// raw NBFX state), the SecurityContextToken XML wrapper, and the JSON form `parley cookie` reads.
#include "fuzz/fuzz_target.h"
#include "harness/core/bytes.h"
#include "harness/core/xml.h"
#include "harness/wif/session_token.h"

namespace parley::fuzz {
namespace {

void exercise(const wif::SessionToken& token) {
  (void)wif::serialize_session_state(token);
  (void)wif::encode_cookie_payload(token);
  (void)wif::session_token_from_json(wif::to_json(token));
  (void)wif::write_security_context_token(token, Bytes{1, 2, 3});
}

void run(Input data) {
  if (auto token = wif::decode_cookie_payload(data); token.ok()) exercise(*token);
  if (auto state = wif::unwrap_binary_formatter(data); state.ok()) (void)wif::parse_session_state(*state);
  const std::string_view text = as_text(data);
  if (auto sct = wif::read_security_context_token(text); sct.ok() && sct->cookie) {
    if (auto token = wif::decode_cookie_payload(*sct->cookie); token.ok()) {
      (void)wif::check_cookie_matches(*sct, *token);
    }
  }
  (void)wif::ticks_from_iso8601(text);
  // The JSON form (`parley cookie encode` input); nlohmann's own parser is not the target.
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_discarded()) {
    if (auto token = wif::session_token_from_json(json); token.ok()) exercise(*token);
  }
}

void init() { xml::initialize(); }

std::vector<std::string> seeds() {
  wif::SessionToken t;
  t.id = "_6f3b1c0a-2d4e-4f5a-8b9c-0d1e2f3a4b5c-1";
  t.context_id = "urn:uuid:00112233-4455-6677-8899-aabbccddeeff";
  t.key = Bytes(16, 7);
  t.effective_time = 638712864000000000;
  t.expiry_time = t.effective_time + 36000000000;
  t.key_effective_time = t.effective_time;
  t.key_expiry_time = t.expiry_time;
  t.persistent = true;
  t.endpoint_id = "https://rp.example/";
  wif::ClaimsIdentity identity;
  identity.authentication_type = "Federation";
  identity.claims.push_back(wif::Claim{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "alice",
                                       "http://www.w3.org/2001/XMLSchema#string", "urn:sts", "urn:sts", {}});
  t.identities.push_back(std::move(identity));
  std::vector<std::string> out;
  if (auto state = wif::serialize_session_state(t); state.ok()) out.emplace_back(state->begin(), state->end());
  if (auto payload = wif::encode_cookie_payload(t); payload.ok()) {
    out.emplace_back(payload->begin(), payload->end());
    out.push_back(wif::write_security_context_token(t, *payload));
  }
  out.push_back(wif::to_json(t).dump());
  return out;
}

}  // namespace
PARLEY_FUZZ_TARGET("session_token", run, init, seeds);
}  // namespace parley::fuzz
