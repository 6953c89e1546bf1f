// sbs_messages: writes the side-by-side benchmark messages (bench/sbs_messages.h) into a
// directory, once, for scripts/bench-sbs. Usage: sbs_messages --out DIR [--cold N]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/sbs_messages.h"
#include "harness/core/xmlsec.h"

int main(int argc, char** argv) {
  std::string out;
  std::size_t cold = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else if (arg == "--cold" && i + 1 < argc) {
      cold = std::strtoul(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: sbs_messages --out DIR [--cold N]\n");
      return 2;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "usage: sbs_messages --out DIR [--cold N]\n");
    return 2;
  }
  if (auto s = parley::xmlsec::initialize(); !s.ok()) {
    std::fprintf(stderr, "sbs_messages: %s\n", s.error().message().c_str());
    return 1;
  }
  parley::bench::SbsOptions options;
  options.cold_messages = cold;
  auto set = parley::bench::write_sbs_messages(out, options);
  if (!set.ok()) {
    std::fprintf(stderr, "sbs_messages: %s\n", set.error().message().c_str());
    return 1;
  }
  std::printf("%s\n", set->context_json.c_str());
  return 0;
}
