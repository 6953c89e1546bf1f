// `parley vectors verify [DIR]`: walks every known-answer vector file and checks it against
// parley's implementation.
#include <iostream>
#include <string>

#include "harness/cli/commands.h"
#include "harness/core/vectors.h"
#include "harness/wif/vectors.h"

namespace parley::cli {
namespace {

int run_verify(const std::string& dir) {
  wif::register_vector_algorithms();
  auto reports = vectors::verify_directory(dir);
  if (!reports.ok()) {
    std::cerr << "parley: error: " << reports.error().message() << "\n";
    return kExitUsage;
  }
  if (reports->empty()) {
    std::cerr << "parley: error: no *.json vector files in " << dir << "\n";
    return kExitUsage;
  }
  int total = 0;
  int passed = 0;
  for (const auto& r : *reports) {
    total += r.total;
    passed += r.passed;
    std::cout << (r.ok() ? "PASS " : "FAIL ") << r.path.lexically_relative(dir).string() << " (" << r.algorithm
              << "): " << r.passed << "/" << r.total << " vectors\n";
    for (const auto& f : r.failures) {
      std::cout << "  #" << f.id << " " << f.comment << "\n    " << f.detail << "\n";
    }
  }
  std::cout << passed << " passed, " << (total - passed) << " failed\n";
  return passed == total ? kExitOk : kExitFailures;
}

}  // namespace

void add_vectors_command(CLI::App& app, RunState& state) {
  CLI::App* vectors_cmd = app.add_subcommand("vectors", "Known-answer vectors (vectors/*.json)");
  vectors_cmd->require_subcommand(1);
  auto dir = std::make_shared<std::string>(PARLEY_SOURCE_DIR "/vectors");
  CLI::App* verify = vectors_cmd->add_subcommand(
      "verify", "Check every vector file in DIR against parley; exit 1 on any mismatch");
  verify->add_option("DIR", *dir, "Directory of vector files")->capture_default_str();
  verify->callback([dir, &state] { state.exit_code = run_verify(*dir); });
}

}  // namespace parley::cli
