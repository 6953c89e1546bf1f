// parley_fuzz_replay: runs saved inputs through the fuzz targets without libFuzzer (any compiler,
// any sanitizer). CTest runs it once per target over the target's built-in seeds and every file
// in fuzz/regressions/TARGET/ (docs/fuzzing.md).
//
//   parley_fuzz_replay --list
//   parley_fuzz_replay TARGET [--seeds] [--regressions ROOT] [FILE|DIR ...]
//   parley_fuzz_replay TARGET --write-seeds DIR
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"

namespace fs = std::filesystem;
using parley::fuzz::Target;

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: parley_fuzz_replay --list\n"
               "       parley_fuzz_replay TARGET [--seeds] [--regressions ROOT] [FILE|DIR ...]\n"
               "       parley_fuzz_replay TARGET --write-seeds DIR\n");
  return 2;
}

const Target* find_target(const std::string& name) {
  for (const Target& t : parley::fuzz::targets()) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

bool read_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

void run_one(const Target& target, const std::string& bytes) {
  target.run(parley::fuzz::Input(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

// Files under `path` (itself when a file), sorted; README files document the directory.
bool collect(const fs::path& path, std::vector<fs::path>& files) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    files.push_back(path);
    return true;
  }
  if (!fs::is_directory(path, ec)) return false;
  std::vector<fs::path> found;
  for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
    if (entry.is_regular_file() && entry.path().filename() != "README.md") found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  files.insert(files.end(), found.begin(), found.end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage();
  if (args[0] == "--list") {
    for (const Target& t : parley::fuzz::targets()) std::printf("%s\n", t.name);
    return 0;
  }
  const Target* target = find_target(args[0]);
  if (target == nullptr) {
    std::fprintf(stderr, "parley_fuzz_replay: unknown target '%s' (--list names them)\n", args[0].c_str());
    return 2;
  }
  if (target->init != nullptr) target->init();

  bool seeds = false;
  std::vector<fs::path> files;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--seeds") {
      seeds = true;
    } else if (args[i] == "--write-seeds" && i + 1 < args.size()) {
      const fs::path dir = args[++i];
      fs::create_directories(dir);
      std::size_t n = 0;
      if (target->seeds != nullptr) {
        for (const std::string& seed : target->seeds()) {
          std::ofstream out(dir / ("builtin-" + std::to_string(n++)), std::ios::binary);
          out.write(seed.data(), static_cast<std::streamsize>(seed.size()));
        }
      }
      std::printf("%s: wrote %zu built-in seeds to %s\n", target->name, n, dir.c_str());
      return 0;
    } else if (args[i] == "--regressions" && i + 1 < args.size()) {
      // A target with no crash found yet has no directory: nothing to replay.
      collect(fs::path(args[++i]) / target->name, files);
    } else if (!collect(args[i], files)) {
      std::fprintf(stderr, "parley_fuzz_replay: no such file or directory: %s\n", args[i].c_str());
      return 2;
    }
  }

  std::size_t seeds_run = 0;
  if (seeds && target->seeds != nullptr) {
    for (const std::string& seed : target->seeds()) {
      run_one(*target, seed);
      ++seeds_run;
    }
  }
  for (const fs::path& file : files) {
    std::string bytes;
    if (!read_file(file, bytes)) {
      std::fprintf(stderr, "parley_fuzz_replay: cannot read %s\n", file.c_str());
      return 1;
    }
    std::fprintf(stderr, "%s: %s (%zu bytes)\n", target->name, file.c_str(), bytes.size());
    run_one(*target, bytes);
  }
  std::printf("%s: %zu built-in seeds and %zu files ran without a crash\n", target->name, seeds_run, files.size());
  return 0;
}
