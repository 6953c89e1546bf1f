#include "fuzz/fuzz_target.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace parley::fuzz {

namespace {
std::vector<Target>& registry() {
  static std::vector<Target> all;
  return all;
}

std::string make_scratch_dir() {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string templ = (base / "parley-fuzz-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) {
    std::perror("parley fuzz: mkdtemp");
    std::abort();
  }
  return templ;
}
}  // namespace

bool register_target(const Target& target) {
  registry().push_back(target);
  return true;
}

const std::vector<Target>& targets() { return registry(); }

const std::string& scratch_dir() {
  static const std::string dir = [] {
    std::string made = make_scratch_dir();
    // Removed at normal exit; libFuzzer's crash exits leave it under /tmp (harmless, tiny).
    static const std::string* to_remove = new std::string(made);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(*to_remove, ec);
    });
    return made;
  }();
  return dir;
}

std::string write_scratch_file(std::string_view name, Input data) {
  std::string path = scratch_dir() + "/" + std::string(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "parley fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace parley::fuzz
