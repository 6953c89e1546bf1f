// `parley derive`: compute WS-SC derived keys and WS-Trust computed keys from the command
// line, for interop engineers whose two stacks disagree on a key.
#include <charconv>
#include <iostream>
#include <string>

#include "harness/cli/commands.h"
#include "harness/core/bytes.h"
#include "harness/core/crypto.h"

namespace parley::cli {
namespace {

struct PSha1Options {
  std::string secret;
  std::string nonce;
  std::string label{crypto::kWsscDefaultLabel};
  std::string offset;
  std::string generation;
  std::string length = "32";
  std::string output = "hex";
};

struct CkOptions {
  std::string requestor;
  std::string issuer;
  std::string key_size;
  std::string output = "hex";
};

// Strict non-negative decimal; the message names the option and the bad text.
Result<std::uint64_t> parse_count(const std::string& option, const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
    return Error(ErrorCode::kInvalidArgument, "'" + text + "' is not a non-negative integer", option);
  }
  if (ec == std::errc::result_out_of_range) {
    return Error(ErrorCode::kInvalidArgument, "'" + text + "' is larger than 2^64-1", option);
  }
  return value;
}

Result<Bytes> parse_key_material(const std::string& option, const std::string& text) {
  auto bytes = decode_hex_or_base64(text);
  if (!bytes.ok()) return bytes.error().within(option);
  return bytes;
}

std::string format_output(const Bytes& key, const std::string& output) {
  return output == "base64" ? base64_encode(key) : hex_encode(key);
}

int run_p_sha1(const PSha1Options& o) {
  auto secret = parse_key_material("--secret", o.secret);
  if (!secret.ok()) return usage_error(secret.error().message());
  auto nonce = parse_key_material("--nonce", o.nonce);
  if (!nonce.ok()) return usage_error(nonce.error().message());
  auto length = parse_count("--length", o.length);
  if (!length.ok()) return usage_error(length.error().message());
  if (*length == 0) return usage_error("--length: must be at least 1 byte");
  if (*length > crypto::kMaxPSha1Output) {
    return usage_error("--length: " + o.length + " bytes is beyond parley's limit of " +
                       std::to_string(crypto::kMaxPSha1Output) + " bytes");
  }
  crypto::DerivationParams params;
  params.label = o.label;
  params.nonce = std::move(*nonce);
  params.length = *length;
  if (!o.generation.empty()) {
    auto generation = parse_count("--generation", o.generation);
    if (!generation.ok()) return usage_error(generation.error().message());
    auto offset = crypto::generation_offset(*generation, *length);
    if (!offset.ok()) return usage_error(offset.error().message());
    params.offset = *offset;
  } else if (!o.offset.empty()) {
    auto offset = parse_count("--offset", o.offset);
    if (!offset.ok()) return usage_error(offset.error().message());
    params.offset = *offset;
  }
  auto key = crypto::derive_key(*secret, params);
  if (!key.ok()) return usage_error(key.error().message());
  std::cout << format_output(*key, o.output) << "\n";
  return kExitOk;
}

int run_ck_psha1(const CkOptions& o) {
  auto requestor = parse_key_material("--requestor-entropy", o.requestor);
  if (!requestor.ok()) return usage_error(requestor.error().message());
  auto issuer = parse_key_material("--issuer-entropy", o.issuer);
  if (!issuer.ok()) return usage_error(issuer.error().message());
  auto bits = parse_count("--key-size", o.key_size);
  if (!bits.ok()) return usage_error(bits.error().message());
  if (*bits > crypto::kMaxPSha1Output * 8) {
    return usage_error("--key-size: " + o.key_size + " bits is beyond parley's limit of " +
                       std::to_string(crypto::kMaxPSha1Output * 8) + " bits");
  }
  auto key = crypto::ck_psha1(*requestor, *issuer, *bits);
  if (!key.ok()) return usage_error(key.error().message());
  std::cout << format_output(*key, o.output) << "\n";
  return kExitOk;
}

}  // namespace

void add_derive_command(CLI::App& app, RunState& state) {
  CLI::App* derive = app.add_subcommand(
      "derive", "Compute derived keys (WS-SC P_SHA1) and computed keys (WS-Trust CK/PSHA1)");
  derive->require_subcommand(1);
  derive->footer(
      "Key material is hex (0011aabb...) or base64 with a prefix (base64:ABEiMw==).\n"
      "Example (requirements-catalog.md section 1):\n"
      "  parley derive p-sha1 --secret 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \\\n"
      "                       --nonce 808182838485868788898a8b8c8d8e8f\n"
      "  9512a4ae433928e6d24bb0c59d52e622fafe33a389b85d3ba60c6ec0abe9bc1e");

  auto p = std::make_shared<PSha1Options>();
  CLI::App* psha1 = derive->add_subcommand(
      "p-sha1", "Derived key of a wsc:DerivedKeyToken: P_SHA1(secret, label + nonce)[offset, offset + length)");
  psha1->add_option("--secret", p->secret, "Source key: the SCT or EncryptedKey secret (hex or base64:...)")
      ->required();
  psha1->add_option("--nonce", p->nonce, "wsc:Nonce, the raw octets (hex or base64:...)")->required();
  psha1->add_option("--label", p->label, "wsc:Label as text (UTF-8)")->capture_default_str();
  auto* offset = psha1->add_option("--offset", p->offset, "wsc:Offset in bytes (default 0)");
  auto* generation =
      psha1->add_option("--generation", p->generation, "wsc:Generation: offset = generation x length");
  offset->excludes(generation);
  generation->excludes(offset);
  psha1->add_option("--length", p->length, "wsc:Length in bytes")->capture_default_str();
  psha1->add_option("--output", p->output, "Output encoding")
      ->check(CLI::IsMember({"hex", "base64"}))
      ->capture_default_str();
  psha1->callback([p, &state] { state.exit_code = run_p_sha1(*p); });

  auto c = std::make_shared<CkOptions>();
  CLI::App* ck = derive->add_subcommand(
      "ck-psha1", "Computed key of a wst:ComputedKey CK/PSHA1: P_SHA1(requestor entropy, issuer entropy)");
  ck->add_option("--requestor-entropy", c->requestor, "Client's wst:Entropy/BinarySecret (hex or base64:...)")
      ->required();
  ck->add_option("--issuer-entropy", c->issuer, "Issuer's wst:Entropy/BinarySecret (hex or base64:...)")
      ->required();
  ck->add_option("--key-size", c->key_size, "wst:KeySize in bits (a multiple of 8)")->required();
  ck->add_option("--output", c->output, "Output encoding")
      ->check(CLI::IsMember({"hex", "base64"}))
      ->capture_default_str();
  ck->callback([c, &state] { state.exit_code = run_ck_psha1(*c); });
}

}  // namespace parley::cli
