// The five WIF cookie transform decoders share one shape of target: decode the input with a
// transform built from fixed keys (the keys of vectors/wif/cookie_transforms.json, so the vectors'
// decode inputs are valid seeds), and encode whatever decodes back.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "harness/wif/cookie_transforms.h"

namespace parley::fuzz {

enum class TransformKind { kDeflate, kRsaEncryption, kRsaSignature, kMachineKey, kAead };

// The transform of `kind` over the fixed keys; built once per process.
const wif::CookieTransform& fixed_transform(TransformKind kind);

inline void run_transform(TransformKind kind, Input data) {
  const wif::CookieTransform& transform = fixed_transform(kind);
  if (auto decoded = transform.decode(data); decoded.ok()) (void)transform.encode(*decoded);
}

// A few values encoded with the fixed transform (empty, short, a repeated pattern, 4 KiB).
std::vector<std::string> transform_seeds(TransformKind kind);

}  // namespace parley::fuzz

#define PARLEY_FUZZ_COOKIE_TRANSFORM(NAME, KIND)                                                    \
  namespace parley::fuzz {                                                                         \
  namespace {                                                                                      \
  void run_##KIND(Input data) { run_transform(TransformKind::KIND, data); }                        \
  void init_##KIND() { (void)fixed_transform(TransformKind::KIND); }                               \
  std::vector<std::string> seeds_##KIND() { return transform_seeds(TransformKind::KIND); }         \
  }                                                                                                \
  PARLEY_FUZZ_TARGET(NAME, run_##KIND, init_##KIND, seeds_##KIND);                                 \
  }
