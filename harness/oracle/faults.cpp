#include "harness/oracle/faults.h"

#include <cstdint>
#include <memory>

template <>
const std::vector<parley::core::FaultInfo<parley::oracle::Fault>>&
parley::core::fault_catalog<parley::oracle::Fault>() {
  using parley::oracle::Fault;
  static const std::vector<FaultInfo<Fault>> faults = {
      {Fault::kReuseSctIdentifier, "reuse-sct-identifier", {"SC-2-03"},
       "every issuance returns the same wsc:Identifier (with a fresh key that replaces the previous holder's, so contexts in use at the same time are lost)"},
      {Fault::kRelativeSctIdentifier, "relative-sct-identifier", {"SC-2-02"},
       "wsc:Identifier is a relative reference ('ctx-<hex>'), not an absolute URI (a conformant client refuses the token, so nothing that needs a context can run)"},
      {Fault::kMixedTokenType, "mixed-token-type", {"SC-2-09", "SC-3-03"},
       "the RSTR's wst:TokenType is the /sct URI of the other WS-SC version"},
      {Fault::kBareRstrUnder13, "bare-rstr-under-1.3", {"SC-3-05", "WST-4.3-01"},
       "under WS-Trust 1.3 the issuance response is a bare RSTR, not an RSTRC"},
      {Fault::kIgnoreRequestType, "ignore-request-type", {"SC-3-02"},
       "an RST/SCT is issued whatever its wst:RequestType says"},
      {Fault::kDropRstContext, "drop-rst-context", {"SC-3-10"}, "RSTR/@Context is not echoed"},
      {Fault::kSwapComputedKeyEntropies, "swap-computed-key-entropies", {"SC-3-08", "WST-4.4-02"},
       "the combined key is P_SHA1(server entropy, client entropy): the entropies swapped (so no message protected with the client's key verifies)"},
      {Fault::kMisreportKeySize, "misreport-key-size", {"SC-3-09", "WST-KS-01"},
       "wst:KeySize in the RSTR repeats the requested size when the issued key was clamped to another"},
      {Fault::kDispatchOnSoapAction, "dispatch-on-soapaction", {"SC-3-17"},
       "SOAP 1.1 requests with an empty SOAPAction are refused with ActionNotSupported instead of dispatched on "
       "wsa:Action"},
      {Fault::kReversedLifetime, "reversed-lifetime", {"WST-LT-01", "SC-3-11"},
       "wst:Lifetime has Created and Expires swapped (a conformant client refuses the token, so nothing that needs a context can run)"},
      {Fault::kKeysNeverExpire, "keys-never-expire", {"SC-3-11", "SC-5-09"},
       "a context key stays valid after the wst:Lifetime it was issued with"},
      {Fault::kAmendNewIdentifier, "amend-new-identifier", {"SC-4-05"},
       "an amendment answers with a token of a new wsc:Identifier (the amend capability probe fails too)"},
      {Fault::kRenewKeepsInstance, "renew-keeps-instance", {"SC-5-05", "SC-2-04"},
       "the renewed token keeps the previous wsc:Instance although the key changed (so the new key is unusable and cases that renew first cannot run)"},
      {Fault::kRenewOtherContext, "renew-other-context", {"SC-5-02"},
       "a renewal is granted for the RenewTarget even when the request is signed by another context"},
      {Fault::kRenewNewIdentifier, "renew-new-identifier", {"SC-5-05", "SC-2-04"},
       "the renewed token carries a new wsc:Identifier (a conformant client refuses it: the renew probe fails and cases that renew first cannot run)"},
      {Fault::kCancelIsNoop, "cancel-is-noop", {"SC-6-04"},
       "a cancel is answered with RequestedTokenCancelled but the context keeps working (so a cancelled context can also be renewed and cancelled again)"},
      {Fault::kCancelOtherContext, "cancel-other-context", {"SC-6-02", "SC-6-05"},
       "a cancel is granted for the CancelTarget even when the request is signed by another context"},
      {Fault::kNoRequestedTokenCancelled, "no-requested-token-cancelled", {"SC-6-03", "WST-6-01"},
       "the cancel response lacks wst:RequestedTokenCancelled (a conformant client refuses it, so cases that cancel first cannot run)"},
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
       "a reference to an unknown wsc:Identifier resolves to the context used last (so a cancelled context is processed too and context errors disappear)"},
      {Fault::kSupersededKeysNeverExpire, "superseded-keys-never-expire", {"SC-8-03"},
       "a renewed context's previous key generation is accepted forever, not only in the rollover window"},
      {Fault::kWrongFaultNamespace, "wrong-fault-namespace", {"SC-9-06", "SC-9-01"},
       "wsc: fault codes use the other WS-SC version's namespace (every case expecting a wsc: fault sees a fault it does not expect)"},
      {Fault::kFaultsAsBare500, "faults-as-bare-500", {"SC-9-06", "WSS-12-01", "WST-11-01"},
       "every fault is an HTTP 500 with a text/html body instead of a SOAP fault (so every negative case sees a bare 500)"},
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
      {Fault::kHostileEndlessBody, "hostile-endless-body", {},
       "every SOAP response is a 200 whose body never ends (no Content-Length; 64 KiB chunks until the client hangs up)", true},
      {Fault::kHostileHugeContentLength, "hostile-huge-content-length", {},
       "every SOAP response announces Content-Length 10737418240 (10 GiB) and starts sending it", true},
      {Fault::kHostileSlowDrip, "hostile-slow-drip", {},
       "every SOAP response arrives one byte a second (a 4 KiB body: over an hour)", true},
      {Fault::kHostileResetMidBody, "hostile-reset-mid-body", {},
       "every SOAP response is cut by a TCP reset after 1 KiB of a 64 KiB body", true},
      {Fault::kHostileXmlBomb, "hostile-xml-bomb", {},
       "every SOAP response is an entity-expansion bomb (billion laughs: a DTD with ten nested entities)", true},
      {Fault::kHostileBinaryGarbage, "hostile-binary-garbage", {},
       "every SOAP request is answered with 4 KiB of random bytes instead of an HTTP response", true},
      {Fault::kHostileRedirectLoop, "hostile-redirect-loop", {},
       "every SOAP request is redirected (302) to its own URL", true},
  };
  return faults;
}

namespace parley::oracle {

namespace {

constexpr std::string_view kSoapHead =
    "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8\r\n";
constexpr std::string_view kEnvelopeStart =
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>";

std::shared_ptr<transport::RawResponse> raw(std::string head, std::string chunk, std::uint64_t repeat) {
  auto r = std::make_shared<transport::RawResponse>();
  r->head = std::move(head);
  r->chunk = std::move(chunk);
  r->repeat = repeat;
  return r;
}

// Well-formed-looking filler: 64 KiB of elements.
std::string padding() {
  std::string out;
  while (out.size() < (64u << 10)) out += "<pad>parley hostile peer</pad>";
  return out;
}

// Bytes that are no protocol at all (xorshift, fixed seed: the same garbage every time).
std::string garbage(std::size_t n) {
  std::string out(n, '\0');
  std::uint32_t x = 2463534242u;
  for (char& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xffu);
  }
  out[0] = '\x8f';  // never "HTTP/"
  return out;
}

// The classic billion laughs: ten levels of ten references, 10^9 "lol"s if expanded.
std::string xml_bomb() {
  std::string dtd = "<?xml version=\"1.0\"?>\n<!DOCTYPE s:Envelope [\n  <!ENTITY lol \"lol\">\n";
  for (int level = 1; level <= 9; ++level) {
    dtd += "  <!ENTITY lol" + std::to_string(level) + " \"";
    const std::string previous = level == 1 ? "lol" : "lol" + std::to_string(level - 1);
    for (int i = 0; i < 10; ++i) dtd += "&" + previous + ";";
    dtd += "\">\n";
  }
  dtd += "]>\n";
  return dtd + std::string(kEnvelopeStart) + "<x>&lol9;</x></s:Body></s:Envelope>";
}

}  // namespace

std::optional<transport::HttpResponse> hostile_response(const FaultSet& faults, const transport::HttpRequest& request) {
  transport::HttpResponse r;
  if (faults.has(Fault::kHostileEndlessBody)) {
    // No Content-Length, no chunking: the body runs until the connection closes, i.e. never.
    r.raw = raw(std::string(kSoapHead) + "Connection: close\r\n\r\n" + std::string(kEnvelopeStart), padding(),
                std::uint64_t{1} << 40);
  } else if (faults.has(Fault::kHostileHugeContentLength)) {
    r.raw = raw(std::string(kSoapHead) + "Content-Length: 10737418240\r\n\r\n" + std::string(kEnvelopeStart),
                padding(), (std::uint64_t{10} << 30) / (64u << 10));
  } else if (faults.has(Fault::kHostileSlowDrip)) {
    auto drip = raw(std::string(kSoapHead) + "Content-Length: 4096\r\n\r\n", " ", 4096);
    drip->delay = std::chrono::seconds(1);
    r.raw = std::move(drip);
  } else if (faults.has(Fault::kHostileResetMidBody)) {
    std::string body = std::string(kEnvelopeStart) + padding();
    auto cut = raw(std::string(kSoapHead) + "Content-Length: 65536\r\n\r\n" + body.substr(0, 1024), "", 0);
    cut->reset = true;
    r.raw = std::move(cut);
  } else if (faults.has(Fault::kHostileXmlBomb)) {
    r.headers.set("Content-Type", "application/soap+xml; charset=utf-8");
    r.body = xml_bomb();
  } else if (faults.has(Fault::kHostileBinaryGarbage)) {
    r.raw = raw(garbage(4096), "", 0);
  } else if (faults.has(Fault::kHostileRedirectLoop)) {
    r.status = 302;
    const std::string host(request.headers.get("Host").value_or("127.0.0.1"));
    r.headers.set("Location", "http://" + host + request.target);
    r.headers.set("Content-Type", "text/plain; charset=utf-8");
    r.body = "redirected to itself\n";
  } else {
    return std::nullopt;
  }
  return r;
}

}  // namespace parley::oracle
