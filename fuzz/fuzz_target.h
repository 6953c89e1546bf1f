// One fuzz target per parser (docs/fuzzing.md). A target is a function over arbitrary bytes that
// must return without crashing, hanging or leaking whatever the bytes are; errors are values.
//
// The same target source builds two ways:
//  - PARLEY_FUZZ=ON (clang): one libFuzzer executable per target (fuzz_NAME), main from libFuzzer;
//  - the normal build: every target linked into `parley_fuzz_replay`, which runs saved inputs
//    (fuzz/regressions/NAME/ and the target's built-in seeds) under CTest, so a crash once found
//    stays fixed in the GCC and ASan builds too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::fuzz {

using Input = std::span<const std::uint8_t>;

struct Target {
  const char* name = "";
  void (*run)(Input data) = nullptr;
  // Once per process before the first input (keys, certificates); may be null.
  void (*init)() = nullptr;
  // Valid inputs built with parley's own writers, to seed the corpus (scripts/fuzz-corpus);
  // may be null. Called after init.
  std::vector<std::string> (*seeds)() = nullptr;
};

// Registered by PARLEY_FUZZ_TARGET at static-initialization time.
bool register_target(const Target& target);
const std::vector<Target>& targets();

inline std::string_view as_text(Input data) {
  return std::string_view(reinterpret_cast<const char*>(data.data()), data.size());
}

// A private, empty directory for targets that need files (importers read paths, configs resolve
// relative names); created once per process and removed at exit.
const std::string& scratch_dir();
// Writes `data` to a file under scratch_dir() and returns its path (the same path each call).
std::string write_scratch_file(std::string_view name, Input data);

}  // namespace parley::fuzz

#define PARLEY_FUZZ_CONCAT_(a, b) a##b
#define PARLEY_FUZZ_CONCAT(a, b) PARLEY_FUZZ_CONCAT_(a, b)
// PARLEY_FUZZ_TARGET("name", run, init, seeds): registers one target (one per source file).
#define PARLEY_FUZZ_TARGET(NAME, RUN, INIT, SEEDS)                                     \
  [[maybe_unused]] static const bool PARLEY_FUZZ_CONCAT(parley_fuzz_registered_, __LINE__) = \
      ::parley::fuzz::register_target(::parley::fuzz::Target{NAME, RUN, INIT, SEEDS})
