// Deliberate non-conformance, in one place. The attack cases and the oracle's fault injection
// ask the builders for wrong messages through these switches; with everything off (the
// default) every builder writes what the specs require. Each switch names the rule it breaks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace parley::wssc {

struct DktDeviations {
  bool length_before_offset = false;      // SC-7-01: Length written before Offset/Generation
  bool offset_and_generation = false;     // SC-7-02: both Offset and Generation written
  bool omit_nonce = false;                // SC-7-08 / WCF-03: no wsc:Nonce
  bool empty_nonce = false;               // SC-7-08: <wsc:Nonce/> with no content
  std::optional<std::string> algorithm;   // SC-7-03/04: an @Algorithm other than P_SHA1
  std::optional<std::string> raw_offset;  // SC-7-20: Offset text as given (e.g. "-1", "abc")
  std::optional<std::string> raw_length;  // SC-7-20: Length text as given
  // The text of the token's wsc:Generation, as given (SC-7-19): values no sender can derive
  // at (2^62 x Length overflows 64 bits). The key is derived from the token's Generation.
  std::optional<std::string> raw_generation;
  bool omit_str = false;                  // SC-7-11: no SecurityTokenReference to the source
  // The key actually used differs from what the DKT says (a sender bug: SC-7-10).
  bool derive_with_wrong_label = false;
  std::optional<std::uint64_t> derive_offset;  // SC-7-07: the key taken at this offset instead
  std::optional<std::uint64_t> derive_length;  // SC-7-05: the key of this length instead
  // SC-7-09: every DKT carries this nonce instead of a fresh random one (a client fault).
  std::optional<std::string> fixed_nonce;
};

struct SctDeviations {
  bool relative_identifier = false;  // SC-2-02: Identifier is not an absolute URI
  bool two_identifiers = false;      // SC-2-01: two wsc:Identifier children
};

struct Deviations {
  DktDeviations dkt;
  SctDeviations sct;
  // SC-7-18: the Body is encrypted with the signing key (and its DKT), not a key of its own.
  bool encrypt_with_signing_key = false;
};

}  // namespace parley::wssc
