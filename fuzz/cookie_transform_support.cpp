#include "fuzz/cookie_transform_support.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/wif/machine_key.h"

namespace parley::fuzz {
namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "parley fuzz: %s\n", what.c_str());
  std::abort();
}

// The first RSA key of the vectors file (a test key committed with the vectors); a fresh one
// when the source tree is not at hand.
crypto::RsaKey fixed_rsa_key() {
  std::ifstream in(std::string(PARLEY_SOURCE_DIR) + "/vectors/wif/cookie_transforms.json");
  if (in) {
    const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_discarded()) {
      for (const auto& test : doc.value("tests", nlohmann::json::array())) {
        const auto& inputs = test.value("inputs", nlohmann::json::object());
        if (inputs.contains("rsa_keys") && !inputs["rsa_keys"].empty()) {
          if (auto key = crypto::RsaKey::from_pem(inputs["rsa_keys"][0].get<std::string>()); key.ok()) return *key;
        }
      }
    }
  }
  Result<crypto::RsaKey> fresh = crypto::RsaKey::generate(2048);
  if (!fresh.ok()) die(fresh.error().message());
  return *fresh;
}

std::unique_ptr<wif::CookieTransform> make(TransformKind kind) {
  switch (kind) {
    case TransformKind::kDeflate:
      return std::make_unique<wif::DeflateCookieTransform>(64 * 1024);
    case TransformKind::kRsaEncryption: {
      auto t = wif::RsaEncryptionCookieTransform::create({fixed_rsa_key()});
      if (!t.ok()) die(t.error().message());
      return std::make_unique<wif::RsaEncryptionCookieTransform>(std::move(*t));
    }
    case TransformKind::kRsaSignature: {
      auto t = wif::RsaSignatureCookieTransform::create({fixed_rsa_key()});
      if (!t.ok()) die(t.error().message());
      return std::make_unique<wif::RsaSignatureCookieTransform>(std::move(*t));
    }
    case TransformKind::kMachineKey: {
      wif::MachineKeyConfig config;
      config.decryption_key = hex_decode("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f").value();
      config.validation_key =
          hex_decode("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122").value();
      auto t = wif::MachineKeyCookieTransform::create(config);
      if (!t.ok()) die(t.error().message());
      return std::make_unique<wif::MachineKeyCookieTransform>(std::move(*t));
    }
    case TransformKind::kAead: {
      auto t = wif::AeadCookieTransform::create(
          {{"2023-12", Bytes(32, 0x30)},
           {"2024-01", hex_decode("404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f").value()}});
      if (!t.ok()) die(t.error().message());
      return std::make_unique<wif::AeadCookieTransform>(std::move(*t));
    }
  }
  die("unknown transform kind");
}

}  // namespace

const wif::CookieTransform& fixed_transform(TransformKind kind) {
  static std::unique_ptr<wif::CookieTransform> made[5];
  auto& slot = made[static_cast<int>(kind)];
  if (!slot) slot = make(kind);
  return *slot;
}

std::vector<std::string> transform_seeds(TransformKind kind) {
  std::vector<std::string> out;
  const std::string values[] = {"", "session token", std::string(300, 'a'), std::string(4096, '\x5a')};
  for (const std::string& v : values) {
    const Bytes in(v.begin(), v.end());
    if (auto encoded = fixed_transform(kind).encode(in); encoded.ok()) out.emplace_back(encoded->begin(), encoded->end());
  }
  return out;
}

}  // namespace parley::fuzz
