// Cookie-mode SCT state (harness/oracle/cookie_state.h): the NBFX state document, the sealed
// cookie around it and the key ring file. What parses must serialize and parse back equal.
#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_target.h"
#include "harness/core/bytes.h"
#include "harness/oracle/cookie_state.h"

namespace parley::fuzz {
namespace {

namespace cookie = oracle::cookie;

const cookie::KeyRing& ring() {
  static const cookie::KeyRing r =
      cookie::KeyRing::create({{"k2", Bytes(32, 0x22)}, {"k1", Bytes(32, 0x11)}}).value();
  return r;
}

void check_round_trip(const cookie::CookieState& state) {
  Result<Bytes> again = cookie::serialize_state(state);
  if (!again.ok()) return;  // e.g. a time parse_state accepts but the writer bounds tighter
  Result<cookie::CookieState> back = cookie::parse_state(*again);
  if (!back.ok() || !(*back == state)) {
    std::fprintf(stderr, "cookie state does not round-trip: %s\n",
                 back.ok() ? "values differ" : back.error().message().c_str());
    std::abort();
  }
}

void run(Input data) {
  if (auto state = cookie::parse_state(data); state.ok()) check_round_trip(*state);
  if (auto opened = cookie::open_cookie(ring(), data); opened.ok()) check_round_trip(*opened);
  (void)cookie::KeyRing::parse(as_text(data));
}

void init() { (void)ring(); }

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  cookie::CookieState s;
  s.id = "uuid-1-2";
  s.context_id = "urn:uuid:11111111-2222-4333-8444-555555555555";
  s.key = Bytes(32, 0x33);
  s.effective_time = 638712864000000000;
  s.expiry_time = s.effective_time + 36000000000;
  s.key_effective_time = s.effective_time;
  s.key_expiry_time = s.expiry_time;
  for (int variant = 0; variant < 2; ++variant) {
    if (variant == 1) {
      s.key_generation = "urn:uuid:gen-2";
      s.principal = cookie::Principal{"alice", "UserName"};
    }
    if (auto bytes = cookie::serialize_state(s); bytes.ok()) out.emplace_back(bytes->begin(), bytes->end());
    if (auto sealed = cookie::seal_cookie(ring(), s); sealed.ok()) out.emplace_back(sealed->begin(), sealed->end());
  }
  out.emplace_back("# ring\nk2 " + std::string(64, 'a') + "\nk1 base64:" + base64_encode(Bytes(32, 1)) + "\n");
  return out;
}

}  // namespace
PARLEY_FUZZ_TARGET("cookie_state", run, init, seeds);
}  // namespace parley::fuzz
