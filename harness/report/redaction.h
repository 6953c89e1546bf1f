// Redaction (--redact): reports must be safe to hand on, so keys, secrets, passwords,
// Authorization headers and cookies are masked in every output, by two complementary means:
// by shape (redact(): secret elements, header lines, "password = ..." assignments) and by value
// (SecretSet: every secret the run is known to have used -- keys, profile credentials, the
// contents of secret elements -- masked wherever else it appears, e.g. quoted in a reason).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/bytes.h"

namespace parley::report {

inline constexpr std::string_view kRedacted = "[redacted]";

// Masks secrets by shape: the text of Password, BinarySecret, Nonce and Cookie elements (any
// prefix), Authorization / Cookie / Set-Cookie header lines, "password|secret|key|sct_key = ..."
// assignments, and user:password@ in URLs.
std::string redact(std::string text);

// Secret values, each masked wherever it occurs. Values shorter than kMinSecretLength are
// ignored: masking "00" everywhere would mangle the report without protecting anything.
class SecretSet {
 public:
  static constexpr std::size_t kMinSecretLength = 6;

  void add(std::string_view value);
  // Key bytes, masked as lower- and upper-case hex and as base64.
  void add_key(ByteView key);
  // Hex text of a key (evidence keys): masked in every form add_key() masks.
  void add_key_hex(std::string_view hex);
  // Base64 text of a secret (a BinarySecret): itself and the hex forms of its bytes.
  void add_base64(std::string_view text);
  // The secrets shown inside `text`: the contents of secret elements and header values, the
  // values of secret assignments.
  void add_found_in(std::string_view text);

  std::string scrub(std::string text) const;
  const std::vector<std::string>& values() const { return values_; }

 private:
  std::vector<std::string> values_;
};

// Both means applied to one text.
std::string redact(std::string text, const SecretSet& secrets);

// Redacts a parsed report.json in place (every string in it; evidence keys become
// "[redacted]") and marks it "redacted": true. `extra` adds secrets known from elsewhere.
void redact_report(nlohmann::json& report, const SecretSet& extra = {});

}  // namespace parley::report
