// Fault injection for the reference relying party: named, deliberate non-conformances
// (`parley serve --config rp.toml --fault NAME`), each naming the requirements it violates
// (docs/requirements/wif-session.json), so that the wif-session suite can be shown to catch it.
// As for the oracle (harness/oracle/faults.h), a fault changes behaviour only: the printed
// target profile is the same with and without it.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::rp {

enum class Fault {
  // the session cookie
  kDropSecure,
  kDropHttpOnly,
  kRootCookiePath,
  kPersistentCookie,
  kUnboundedChunks,
  kStaleChunksOnReissue,
  // the session token
  kAcceptExpiredSession,
  kIgnoreNotYetValid,
  kSkipCookieIntegrity,
  kServerErrorOnBadCookie,
  kIgnoreEndpointId,
  kSessionOutlivesToken,
  kReuseSessionId,
  // sign-out
  kKeepCacheEntryOnSignout,
  kPartialSignoutDeletion,
  // sign-in
  kAcceptReplayedSignin,
  kAcceptWrongAudience,
  kAcceptUntrustedSignature,
  kCount,
};

struct FaultInfo {
  Fault fault;
  std::string_view name;                       // the --fault NAME
  std::vector<std::string_view> requirements;  // IDs in docs/requirements/wif-session.json
  std::string_view description;                // one sentence: what the RP does wrong
};

const std::vector<FaultInfo>& all_faults();
const FaultInfo& fault_info(Fault f);
std::optional<Fault> fault_from_name(std::string_view name);

class FaultSet {
 public:
  bool has(Fault f) const { return bits_.test(static_cast<std::size_t>(f)); }
  void add(Fault f) { bits_.set(static_cast<std::size_t>(f)); }
  bool empty() const { return bits_.none(); }
  std::vector<std::string> names() const;

 private:
  std::bitset<static_cast<std::size_t>(Fault::kCount)> bits_;
};

}  // namespace parley::rp
