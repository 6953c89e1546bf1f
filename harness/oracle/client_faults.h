// Fault injection in the reference client: named, deliberate non-conformances of `parley client`
// (`parley client --fault NAME`, `--list-faults`). Each names the requirements it violates, so
// that the client suite (`parley run --suite wssc-client`) can be shown to catch it: with a
// fault, at least one case citing its requirements turns red (docs/client-faults.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/fault_catalog.h"

namespace parley::oracle {

enum class ClientFault {
  // establishing
  kConstantEntropy,
  kWrongKeySize,
  kAcceptWrongContext,
  kAcceptExpiredLifetime,
  kAcceptAnyKeySize,
  // protecting messages
  kNoDerivedKeys,
  kReuseDktNonce,
  kSameKeySignEncrypt,
  kUnsignedAddressing,
  // holding the token
  kDropCookie,
  // renewal and closing
  kIgnoreRenewNeeded,
  kStaleInstanceAfterRenew,
  kSkipRstrVerification,
  kRenewDespitePolicy,
  kCancelDespitePolicy,
  kAmendDespitePolicy,
  // reading responses
  kAcceptUncoveredBody,
  kAcceptReplayedResponse,
  kCount,
};

using ClientFaultInfo = core::FaultInfo<ClientFault>;
using ClientFaultSet = core::FaultSet<ClientFault>;

}  // namespace parley::oracle

template <>
const std::vector<parley::core::FaultInfo<parley::oracle::ClientFault>>&
parley::core::fault_catalog<parley::oracle::ClientFault>();

namespace parley::oracle {

// Every client fault, in catalog order.
inline const std::vector<ClientFaultInfo>& all_client_faults() { return core::fault_catalog<ClientFault>(); }
inline const ClientFaultInfo& client_fault_info(ClientFault f) { return core::fault_info_of(f); }
inline std::optional<ClientFault> client_fault_from_name(std::string_view name) {
  return core::fault_by_name<ClientFault>(name);
}

}  // namespace parley::oracle
