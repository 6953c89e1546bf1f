// The HAR importer (harness/capture/importers.h).
#include "fuzz/capture_support.h"
#include "fuzz/fuzz_target.h"
#include "harness/capture/importers.h"

namespace parley::fuzz {
namespace {

void run(Input data) {
  const std::string path = write_scratch_file("in.har", data);
  capture::ImportLimits limits;
  limits.max_errors = 100;
  CheckingSink sink;
  capture::ImportReport report;
  (void)capture::import_har(path, sink, report, limits);
}

}  // namespace
PARLEY_FUZZ_TARGET("import_har", run, nullptr, nullptr);
}  // namespace parley::fuzz
