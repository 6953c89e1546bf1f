#include "harness/oracle/client_faults.h"

template <>
const std::vector<parley::core::FaultInfo<parley::oracle::ClientFault>>&
parley::core::fault_catalog<parley::oracle::ClientFault>() {
  using parley::oracle::ClientFault;
  static const std::vector<FaultInfo<ClientFault>> faults = {
      {ClientFault::kConstantEntropy, "constant-entropy", {"SC-3-07", "SC-3-16"},
       "every RST/SCT (issue and renew) carries the same client entropy"},
      {ClientFault::kWrongKeySize, "wrong-key-size", {"WST-KS-01", "SC-10-03"},
       "wst:KeySize is written in bytes (32 for a 256-bit key), not in bits"},
      {ClientFault::kAcceptWrongContext, "accept-wrong-context", {"SC-3-10"},
       "an RSTR whose @Context is not the RST's is accepted"},
      {ClientFault::kAcceptExpiredLifetime, "accept-expired-lifetime", {"WST-LT-01", "SC-3-11"},
       "an SCT whose wst:Lifetime is already over is used anyway"},
      {ClientFault::kAcceptAnyKeySize, "accept-any-key-size", {"WST-KS-01", "SC-10-03", "SC-10-04"},
       "an RSTR's wst:KeySize is believed whatever it says (16 bits, or 4 Gbit)"},
      {ClientFault::kNoDerivedKeys, "no-derived-keys", {"SC-7-17"},
       "application messages are signed with the context key itself although the profile says derived-keys; "
       "the derived-key cases then have no DKT to judge (NOT_APPLICABLE) and separate-keys sees one "
       "key sign and encrypt"},
      {ClientFault::kReuseDktNonce, "reuse-dkt-nonce", {"SC-7-09"},
       "every wsc:DerivedKeyToken carries the same nonce, across messages and key generations; "
       "the signing and encryption DKTs then derive one key, which separate-keys reports"},
      {ClientFault::kSameKeySignEncrypt, "same-key-sign-encrypt", {"SC-7-18"},
       "the Body is encrypted with the derived key that signs the message"},
      {ClientFault::kUnsignedAddressing, "unsigned-addressing", {"SC-10-01"},
       "the addressing headers (wsa:Action, wsa:To, wsa:MessageID) are left out of the signature; "
       "the suite's service refuses such messages as WCF does, so every scenario past the first "
       "application call breaks"},
      {ClientFault::kDropCookie, "drop-cookie", {"SC-2-06", "WCF-04"},
       "the SCT is echoed without its extensions (the dnse:Cookie of a stateless token)"},
      {ClientFault::kIgnoreRenewNeeded, "ignore-renew-needed", {"SC-5-10"},
       "a wsc:RenewNeeded fault is answered by resending the call under the same key, without renewing; "
       "the cases judging the renewal then have no renewal to judge"},
      {ClientFault::kStaleInstanceAfterRenew, "stale-instance-after-renew", {"SC-5-10", "SC-8-03"},
       "after a renewal the client keeps signing with the previous key and wsc:Instance"},
      {ClientFault::kSkipRstrVerification, "skip-rstr-verification", {"WSS-8-01", "SC-5-06"},
       "the renewal response is read without verifying its signature"},
      {ClientFault::kRenewDespitePolicy, "renew-despite-policy", {"SC-5-11"},
       "the client renews although the service's policy says sp:MustNotSendRenew"},
      {ClientFault::kCancelDespitePolicy, "cancel-despite-policy", {"SC-6-06", "WCF-07"},
       "the client cancels on close although the service's policy says sp:MustNotSendCancel"},
      {ClientFault::kAmendDespitePolicy, "amend-despite-policy", {"SC-4-06"},
       "the client amends although the service's policy says sp:MustNotSendAmend"},
      {ClientFault::kAcceptUncoveredBody, "accept-uncovered-body", {"SC-10-01"},
       "a response whose signature does not cover the soap:Body it carries is accepted"},
      {ClientFault::kAcceptReplayedResponse, "accept-replayed-response", {"WSS-13-01"},
       "a response whose wsa:RelatesTo names an earlier request (a replay) is accepted"},
  };
  return faults;
}
