// Fault injection: named, deliberate non-conformances of the reference service
// (`parley serve --fault NAME`). Each names the requirements it violates, so that the suites
// can be shown to catch it (a mutation self-test). A fault changes behaviour only: the printed
// target profile is the same with and without it, so a suite cannot tell from the profile.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/fault_catalog.h"
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

using FaultInfo = core::FaultInfo<Fault>;
using FaultSet = core::FaultSet<Fault>;

}  // namespace parley::oracle

template <>
const std::vector<parley::core::FaultInfo<parley::oracle::Fault>>&
parley::core::fault_catalog<parley::oracle::Fault>();

namespace parley::oracle {

// Every fault, in catalog order.
inline const std::vector<FaultInfo>& all_faults() { return core::fault_catalog<Fault>(); }
inline const FaultInfo& fault_info(Fault f) { return core::fault_info_of(f); }
inline std::optional<Fault> fault_from_name(std::string_view name) { return core::fault_by_name<Fault>(name); }

// The broken answer a hostile-* fault gives to a SOAP request, or nullopt when none is on (the
// first one on wins when several are). `request` supplies the redirect loop's Location.
std::optional<transport::HttpResponse> hostile_response(const FaultSet& faults, const transport::HttpRequest& request);

}  // namespace parley::oracle
