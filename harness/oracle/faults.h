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

#include "harness/transport/http.h"

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
  // Hostile peer: transport faults, not conformance faults (FaultInfo::transport). Every SOAP
  // response of the STS and service paths is replaced by a broken one, to show that a harness
  // (`parley run`) survives it and reports it (docs/oracle-faults.md, "Hostile peer").
  kHostileEndlessBody,
  kHostileHugeContentLength,
  kHostileSlowDrip,
  kHostileResetMidBody,
  kHostileXmlBomb,
  kHostileBinaryGarbage,
  kHostileRedirectLoop,
  kCount,
};

struct FaultInfo {
  Fault fault;
  std::string_view name;                       // the --fault NAME
  std::vector<std::string_view> requirements;  // IDs in docs/requirements it violates
  std::string_view description;                // one sentence: what the service does wrong
  // A hostile-* transport fault: it breaks HTTP, not a requirement (no requirement IDs); the
  // mutation self-test skips it and tests/e2e/test_hostile_peers.py covers it instead.
  bool transport = false;
};

// Every fault, in catalog order.
const std::vector<FaultInfo>& all_faults();
const FaultInfo& fault_info(Fault f);
std::optional<Fault> fault_from_name(std::string_view name);

class FaultSet;

// The broken answer a hostile-* fault gives to a SOAP request, or nullopt when none is on (the
// first one on wins when several are). `request` supplies the redirect loop's Location.
std::optional<transport::HttpResponse> hostile_response(const FaultSet& faults, const transport::HttpRequest& request);

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
