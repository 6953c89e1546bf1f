// Fault injection: named, deliberate non-conformances of the reference service
// (`parley serve --fault NAME`). Each names the requirements it violates, so that the suites
// can be shown to catch it (a mutation self-test). A fault changes behaviour only: the printed
// target profile is the same with and without it, so a suite cannot tell from the profile.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::oracle {

enum class Fault {
  // 2.1 the SCT
  kReuseSctIdentifier,
  kRelativeSctIdentifier,
  kMixedTokenType,
  // 2.2 establishing
  kBareRstrUnder13,
  kIgnoreRequestType,
  kDropRstContext,
  kSwapComputedKeyEntropies,
  kMisreportKeySize,
  kDispatchOnSoapAction,
  kReversedLifetime,
  kKeysNeverExpire,
  // 2.3 amend
  kAmendNewIdentifier,
  // 2.4 renew
  kRenewKeepsInstance,
  kRenewOtherContext,
  kRenewNewIdentifier,
  // 2.5 cancel
  kCancelIsNoop,
  kCancelOtherContext,
  kNoRequestedTokenCancelled,
  kSecondCancelSucceeds,
  // 2.6 derived keys
  kAcceptDktWithoutNonce,
  kIgnoreDktGeneration,
  kIgnoreDktLabel,
  kUnboundedDkt,
  kAcceptUnknownDktAlgorithm,
  // 2.7 referencing
  kResolveUnknownIdentifier,
  kSupersededKeysNeverExpire,
  // 2.8 faults
  kWrongFaultNamespace,
  kFaultsAsBare500,
  kRenewNeededAsBadContext,
  kRenewNeededWrongAction,
  // 2.9 security considerations
  kSkipReplayDetection,
  kSignatureWrapping,
  kTrustKeyInfoSecret,
  kUnboundedPendingSessions,
  kAcceptUnsignedAddressing,
  kAcceptDirectKey,
  // 2.10 WS-Trust
  kMixedTrustNamespace,
  // 2.11 WS-Security
  kSkipTimestampExpiry,
  kAcceptUnsignedTimestamp,
  kNoSignatureConfirmation,
  // 2.12 WCF profile
  kBareRenewResponse,
  kCookieStateInClear,
  kCount,
};

struct FaultInfo {
  Fault fault;
  std::string_view name;                       // the --fault NAME
  std::vector<std::string_view> requirements;  // IDs in docs/requirements it violates
  std::string_view description;                // one sentence: what the service does wrong
};

// Every fault, in catalog order.
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

}  // namespace parley::oracle
