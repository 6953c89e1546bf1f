#include "harness/oracle/faults.h"

namespace parley::oracle {

const std::vector<FaultInfo>& all_faults() {
  static const std::vector<FaultInfo> faults = {
      {Fault::kReuseSctIdentifier, "reuse-sct-identifier", {"SC-2-03"},
       "every issuance returns the same wsc:Identifier (with a fresh key that replaces the previous holder's)"},
      {Fault::kRelativeSctIdentifier, "relative-sct-identifier", {"SC-2-02"},
       "wsc:Identifier is a relative reference ('ctx-<hex>'), not an absolute URI"},
      {Fault::kMixedTokenType, "mixed-token-type", {"SC-2-09", "SC-3-03"},
       "the RSTR's wst:TokenType is the /sct URI of the other WS-SC version"},
      {Fault::kBareRstrUnder13, "bare-rstr-under-1.3", {"SC-3-05", "WST-4.3-01"},
       "under WS-Trust 1.3 the issuance response is a bare RSTR, not an RSTRC"},
      {Fault::kIgnoreRequestType, "ignore-request-type", {"SC-3-02"},
       "an RST/SCT is issued whatever its wst:RequestType says"},
      {Fault::kDropRstContext, "drop-rst-context", {"SC-3-10"}, "RSTR/@Context is not echoed"},
      {Fault::kSwapComputedKeyEntropies, "swap-computed-key-entropies", {"SC-3-08", "WST-4.4-02"},
       "the combined key is P_SHA1(server entropy, client entropy): the entropies swapped"},
      {Fault::kMisreportKeySize, "misreport-key-size", {"SC-3-09", "WST-KS-01"},
       "wst:KeySize in the RSTR repeats the requested size when the issued key was clamped to another"},
      {Fault::kDispatchOnSoapAction, "dispatch-on-soapaction", {"SC-3-17"},
       "SOAP 1.1 requests with an empty SOAPAction are refused with ActionNotSupported instead of dispatched on "
       "wsa:Action"},
      {Fault::kReversedLifetime, "reversed-lifetime", {"WST-LT-01", "SC-3-11"},
       "wst:Lifetime has Created and Expires swapped"},
      {Fault::kKeysNeverExpire, "keys-never-expire", {"SC-3-11", "SC-5-09"},
       "a context key stays valid after the wst:Lifetime it was issued with"},
      {Fault::kAmendNewIdentifier, "amend-new-identifier", {"SC-4-05"},
       "an amendment answers with a token of a new wsc:Identifier"},
      {Fault::kRenewKeepsInstance, "renew-keeps-instance", {"SC-5-05", "SC-2-04"},
       "the renewed token keeps the previous wsc:Instance although the key changed"},
      {Fault::kRenewOtherContext, "renew-other-context", {"SC-5-02"},
       "a renewal is granted for the RenewTarget even when the request is signed by another context"},
      {Fault::kRenewNewIdentifier, "renew-new-identifier", {"SC-5-05", "SC-2-04"},
       "the renewed token carries a new wsc:Identifier"},
      {Fault::kCancelIsNoop, "cancel-is-noop", {"SC-6-04"},
       "a cancel is answered with RequestedTokenCancelled but the context keeps working"},
      {Fault::kCancelOtherContext, "cancel-other-context", {"SC-6-02", "SC-6-05"},
       "a cancel is granted for the CancelTarget even when the request is signed by another context"},
      {Fault::kNoRequestedTokenCancelled, "no-requested-token-cancelled", {"SC-6-03", "WST-6-01"},
       "the cancel response lacks wst:RequestedTokenCancelled"},
      {Fault::kSecondCancelSucceeds, "second-cancel-succeeds", {"SC-6-07"},
       "a cancel of an already cancelled (or unknown) context is answered with success"},
      {Fault::kAcceptDktWithoutNonce, "accept-dkt-without-nonce", {"SC-7-08", "WCF-03"},
       "a wsc:DerivedKeyToken without wsc:Nonce is accepted"},
      {Fault::kIgnoreDktGeneration, "ignore-dkt-generation", {"SC-7-07", "SC-7-10"},
       "wsc:Generation is ignored: keys are derived at offset 0"},
      {Fault::kIgnoreDktLabel, "ignore-dkt-label", {"SC-7-06", "SC-7-21"},
       "wsc:Label is ignored: keys are derived with the default label"},
      {Fault::kUnboundedDkt, "unbounded-dkt", {"SC-7-19", "WCF-03", "SC-10-04"},
       "derived-key offsets, lengths, labels and nonces up to 1 MiB are accepted"},
      {Fault::kAcceptUnknownDktAlgorithm, "accept-unknown-dkt-algorithm", {"SC-7-04"},
       "a wsc:DerivedKeyToken with an unknown @Algorithm is derived with P_SHA1 anyway"},
      {Fault::kResolveUnknownIdentifier, "resolve-unknown-identifier", {"SC-8-05", "SC-8-04"},
       "a reference to an unknown wsc:Identifier resolves to the context used last"},
      {Fault::kSupersededKeysNeverExpire, "superseded-keys-never-expire", {"SC-8-03"},
       "a renewed context's previous key generation is accepted forever, not only in the rollover window"},
      {Fault::kWrongFaultNamespace, "wrong-fault-namespace", {"SC-9-06", "SC-9-01"},
       "wsc: fault codes use the other WS-SC version's namespace"},
      {Fault::kFaultsAsBare500, "faults-as-bare-500", {"SC-9-06", "WSS-12-01", "WST-11-01"},
       "every fault is an HTTP 500 with a text/html body instead of a SOAP fault"},
      {Fault::kRenewNeededAsBadContext, "renew-needed-as-bad-context", {"SC-5-09", "WCF-02"},
       "an expired key is answered with wsc:BadContextToken instead of wsc:RenewNeeded"},
      {Fault::kRenewNeededWrongAction, "renew-needed-wrong-action", {"WCF-02"},
       "the RenewNeeded fault carries the addressing fault action instead of WCF's SecureConversationFault"},
      {Fault::kSkipReplayDetection, "skip-replay-detection", {"WSS-13-01", "SC-3-16"},
       "a message replayed byte for byte is processed again"},
      {Fault::kSignatureWrapping, "signature-wrapping", {"SC-10-01"},
       "the signature is verified without checking that it covers the soap:Body that is processed"},
      {Fault::kTrustKeyInfoSecret, "trust-keyinfo-secret", {"WSS-8-01", "SC-8-06"},
       "a wst:BinarySecret inside ds:KeyInfo is trusted as the HMAC key of an SCT-bound message"},
      {Fault::kUnboundedPendingSessions, "unbounded-pending-sessions", {"SC-10-04"},
       "no limit on the number of open contexts (MaxPendingSessions ignored)"},
      {Fault::kAcceptUnsignedAddressing, "accept-unsigned-addressing", {"SC-10-01"},
       "wsa:Action and wsa:To need not be covered by the signature"},
      {Fault::kAcceptDirectKey, "accept-direct-key", {"SC-10-03"},
       "messages signed with the context key itself are accepted although the service requires derived keys"},
      {Fault::kMixedTrustNamespace, "mixed-trust-namespace", {"WST-3.1-01"},
       "an RST/SCT whose RequestType is in the other WS-Trust namespace is issued"},
      {Fault::kSkipTimestampExpiry, "skip-timestamp-expiry", {"WSS-10-03"},
       "expired and future-dated wsu:Timestamps are accepted"},
      {Fault::kAcceptUnsignedTimestamp, "accept-unsigned-timestamp", {"WSS-10-04"},
       "a wsu:Timestamp the signature does not cover is accepted"},
      {Fault::kNoSignatureConfirmation, "no-signature-confirmation", {"WSS-8.5-01"},
       "responses carry no wsse11:SignatureConfirmation even where the service promises it"},
      {Fault::kBareRenewResponse, "bare-renew-response", {"WCF-06"},
       "under WS-Trust 1.3 renew and cancel responses are bare RSTRs"},
      {Fault::kCookieStateInClear, "cookie-state-in-clear", {"WCF-04"},
       "cookie mode: the dnse:Cookie holds the context state (its key included) unencrypted and unauthenticated"},
  };
  return faults;
}

const FaultInfo& fault_info(Fault f) { return all_faults().at(static_cast<std::size_t>(f)); }

std::optional<Fault> fault_from_name(std::string_view name) {
  for (const auto& f : all_faults()) {
    if (f.name == name) return f.fault;
  }
  return std::nullopt;
}

std::vector<std::string> FaultSet::names() const {
  std::vector<std::string> out;
  for (const auto& f : all_faults()) {
    if (has(f.fault)) out.emplace_back(f.name);
  }
  return out;
}

}  // namespace parley::oracle
