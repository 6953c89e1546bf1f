#include "harness/core/bytes.h"

#include <array>
#include <string>

namespace parley {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::array<int, 256> make_base64_table() {
  std::array<int, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kBase64Alphabet[i])] = i;
  return t;
}
constexpr std::array<int, 256> kBase64Table = make_base64_table();

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string describe_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  std::string s = "byte 0x";
  s += kHexDigits[u >> 4];
  s += kHexDigits[u & 0xf];
  return s;
}

}  // namespace

std::string hex_encode(ByteView data) {
  std::string out;
  out.reserve(data.size() * 2);
  for (std::uint8_t b : data) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 0xf];
  }
  return out;
}

Result<Bytes> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "odd number of hex digits (" + std::to_string(text.size()) + ")", "hex");
  }
  Bytes out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = hex_value(text[i]);
    int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) {
      std::size_t bad = hi < 0 ? i : i + 1;
      return Error(ErrorCode::kInvalidArgument,
                   "not a hex digit: " + describe_char(text[bad]) + " at position " +
                       std::to_string(bad),
                   "hex");
    }
    out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
  }
  return out;
}

std::string base64_encode(ByteView data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += kBase64Alphabet[v & 63];
  }
  std::size_t rest = data.size() - i;
  if (rest == 1) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<Bytes> base64_decode(std::string_view text) {
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  int quad = 0;      // symbols in the current group of four
  int padding = 0;   // '=' seen
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (is_xml_space(c)) continue;
    if (c == '=') {
      if (quad < 2) {
        return Error(ErrorCode::kInvalidArgument,
                     "misplaced padding '=' at position " + std::to_string(i), "base64");
      }
      ++padding;
      ++quad;
      if (quad == 4) {
        if (padding == 2 && (acc & 0xf) != 0) {
          return Error(ErrorCode::kInvalidArgument, "non-zero trailing bits before padding", "base64");
        }
        if (padding == 1 && (acc & 0x3) != 0) {
          return Error(ErrorCode::kInvalidArgument, "non-zero trailing bits before padding", "base64");
        }
        if (padding == 2) {
          out.push_back(static_cast<std::uint8_t>(acc >> 4));
        } else {
          out.push_back(static_cast<std::uint8_t>(acc >> 10));
          out.push_back(static_cast<std::uint8_t>((acc >> 2) & 0xff));
        }
        quad = 0;
        acc = 0;
      }
      continue;
    }
    if (padding > 0) {
      return Error(ErrorCode::kInvalidArgument,
                   "data after padding at position " + std::to_string(i), "base64");
    }
    int v = kBase64Table[static_cast<unsigned char>(c)];
    if (v < 0) {
      return Error(ErrorCode::kInvalidArgument,
                   "not a base64 character: " + describe_char(c) + " at position " + std::to_string(i),
                   "base64");
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    if (++quad == 4) {
      out.push_back(static_cast<std::uint8_t>(acc >> 16));
      out.push_back(static_cast<std::uint8_t>((acc >> 8) & 0xff));
      out.push_back(static_cast<std::uint8_t>(acc & 0xff));
      quad = 0;
      acc = 0;
    }
  }
  if (quad != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "truncated input: length is not a multiple of 4 characters", "base64");
  }
  return out;
}

Result<Bytes> decode_hex_or_base64(std::string_view text) {
  constexpr std::string_view kPrefix = "base64:";
  if (text.substr(0, kPrefix.size()) == kPrefix) return base64_decode(text.substr(kPrefix.size()));
  return hex_decode(text);
}

}  // namespace parley
