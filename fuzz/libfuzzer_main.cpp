// The libFuzzer entry points for one target executable (PARLEY_FUZZ=ON). The executable links
// exactly one target source, so the registry holds exactly one target.
//
// PARLEY_FUZZ_WRITE_SEEDS=DIR makes the executable write the target's built-in seeds into DIR
// and exit (scripts/fuzz-corpus), before libFuzzer reads any corpus.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz/fuzz_target.h"

namespace {

const parley::fuzz::Target& the_target() {
  const auto& all = parley::fuzz::targets();
  if (all.size() != 1) {
    std::fprintf(stderr, "parley fuzz: %zu targets linked into one fuzz executable (need 1)\n", all.size());
    std::abort();
  }
  return all.front();
}

int write_seeds(const parley::fuzz::Target& target, const std::string& dir) {
  std::filesystem::create_directories(dir);
  std::size_t n = 0;
  if (target.seeds != nullptr) {
    for (const std::string& seed : target.seeds()) {
      std::ofstream out(dir + "/builtin-" + std::to_string(n++), std::ios::binary);
      out.write(seed.data(), static_cast<std::streamsize>(seed.size()));
    }
  }
  std::printf("%s: wrote %zu built-in seeds to %s\n", target.name, n, dir.c_str());
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  const parley::fuzz::Target& target = the_target();
  if (target.init != nullptr) target.init();
  if (const char* dir = std::getenv("PARLEY_FUZZ_WRITE_SEEDS"); dir != nullptr && *dir != '\0') {
    std::exit(write_seeds(target, dir));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const parley::fuzz::Target& target = the_target();
  target.run(parley::fuzz::Input(data, size));
  return 0;
}
