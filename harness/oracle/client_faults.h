// Fault injection in the reference client: named, deliberate non-conformances of `parley client`
// (`parley client --fault NAME`, `--list-faults`). Each names the requirements it violates, so
// that the client suite (`parley run --suite wssc-client`) can be shown to catch it: with a
// fault, at least one case citing its requirements turns red (docs/client-faults.md).
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

struct ClientFaultInfo {
  ClientFault fault;
  std::string_view name;                       // the --fault NAME
  std::vector<std::string_view> requirements;  // IDs in docs/requirements it violates
  std::string_view description;                // one sentence: what the client does wrong
};

// Every client fault, in catalog order.
const std::vector<ClientFaultInfo>& all_client_faults();
const ClientFaultInfo& client_fault_info(ClientFault f);
std::optional<ClientFault> client_fault_from_name(std::string_view name);

class ClientFaultSet {
 public:
  bool has(ClientFault f) const { return bits_.test(static_cast<std::size_t>(f)); }
  void add(ClientFault f) { bits_.set(static_cast<std::size_t>(f)); }
  bool empty() const { return bits_.none(); }
  std::vector<std::string> names() const;

 private:
  std::bitset<static_cast<std::size_t>(ClientFault::kCount)> bits_;
};

}  // namespace parley::oracle
