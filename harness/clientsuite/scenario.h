// The client suite's scenarios: what the service side does while a client under test runs its
// lifecycle (docs/client-harness.md). A scenario is normal (a positive control, or a setting such
// as a RenewNeeded fault, a cookie SCT, a MustNotSend* policy) or hostile at one step.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "harness/oracle/service.h"

namespace parley::clientsuite {

// What a hostile service does wrong, and at which step.
enum class Hostility {
  kNone,
  // The issuance RSTR (step: the first RST/SCT).
  kRstrContextMismatch,  // RSTR/@Context is not the RST's (SC-3-10)
  kRstrTokenType,        // wst:TokenType of the other WS-SC version (SC-2-09)
  kLifetimeExpired,      // wst:Lifetime over an hour ago (SC-3-11, WST-LT-01)
  kKeySizeTiny,          // wst:KeySize 16 bits (WST-KS-01, SC-10-03)
  kKeySizeHuge,          // wst:KeySize 1048576 bits (SC-10-04)
  // An application response (step: Scenario::hostile_call).
  kResponseWrongKey,        // signed with a key the context does not give (WSS-8-01)
  kResponseReplayed,        // the response to the first call, byte for byte (WSS-13-01)
  kResponseBodyNotCovered,  // the signed Body moved into a header, another in its place (SC-10-01)
  // The renewal RSTR (step: the first RST/SCT/Renew).
  kRenewTampered,  // the new wsc:Instance altered after signing
  kRenewForged,    // signed with a key the context does not give
};
std::string_view to_string(Hostility h);

enum class HostileStep { kNone, kIssue, kApplication, kRenew };
HostileStep hostile_step(Hostility h);

struct Scenario {
  std::string name;            // PARLEY_SCENARIO; unique within a run
  std::size_t calls = 2;       // PARLEY_CALLS
  bool encrypt = false;        // PARLEY_ENCRYPT: the client encrypts application Bodies
  bool amend = false;          // PARLEY_AMEND: the client amends once, after the first call
  std::size_t renew_needed_at = 0;  // the application request (1-based, retries count) answered wsc:RenewNeeded
  bool must_not_send_cancel = false;
  bool must_not_send_renew = false;
  bool must_not_send_amend = false;
  bool cookie = false;         // stateless SCTs carrying a dnse:Cookie (implies MustNotSendCancel)
  bool sct_extension = false;  // the issued SCT carries a foreign extension element to echo
  oracle::EntropyMode entropy = oracle::EntropyMode::kCombined;
  Hostility hostility = Hostility::kNone;
  std::size_t hostile_call = 2;  // application-response attacks: which response (1-based)
};

// The extension element a scenario with sct_extension adds to the issued SCT.
inline constexpr std::string_view kSctExtension =
    "<x:Extension xmlns:x=\"urn:parley:sct-extension\" x:kind=\"opaque\">c2Vzc2lvbiBzdGF0ZQ==</x:Extension>";

}  // namespace parley::clientsuite
