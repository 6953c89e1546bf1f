// Byte strings and their text encodings (hex, base64). Decoders are strict and say what is wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/error.h"

namespace parley {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string to_string(ByteView b) { return std::string(b.begin(), b.end()); }

// Lower-case hex.
std::string hex_encode(ByteView data);
// Accepts upper and lower case; whitespace is not allowed. Errors name the offending position.
Result<Bytes> hex_decode(std::string_view text);

// Standard base64 (RFC 4648 section 4) with padding.
std::string base64_encode(ByteView data);
// Strict RFC 4648 decoding; XML whitespace (space, tab, CR, LF) between characters is skipped,
// as base64Binary in XML allows. Errors name the first bad character and its position.
Result<Bytes> base64_decode(std::string_view text);

// "hex" or "base64:..." as the CLI and vectors accept key material.
Result<Bytes> decode_hex_or_base64(std::string_view text);

}  // namespace parley
