// Fault injection for the reference relying party: named, deliberate non-conformances
// (`parley serve --config rp.toml --fault NAME`), each naming the requirements it violates
// (docs/requirements/wif-session.json), so that the wif-session suite can be shown to catch it.
// As for the oracle (harness/oracle/faults.h), a fault changes behaviour only: the printed
// target profile is the same with and without it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/fault_catalog.h"

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

using FaultInfo = core::FaultInfo<Fault>;  // requirements: IDs in docs/requirements/wif-session.json
using FaultSet = core::FaultSet<Fault>;

}  // namespace parley::rp

template <>
const std::vector<parley::core::FaultInfo<parley::rp::Fault>>& parley::core::fault_catalog<parley::rp::Fault>();

namespace parley::rp {

inline const std::vector<FaultInfo>& all_faults() { return core::fault_catalog<Fault>(); }
inline const FaultInfo& fault_info(Fault f) { return core::fault_info_of(f); }
inline std::optional<Fault> fault_from_name(std::string_view name) { return core::fault_by_name<Fault>(name); }

}  // namespace parley::rp
