// The WCF message log importer (harness/capture/importers.h).
#include "fuzz/capture_support.h"
#include "fuzz/fuzz_target.h"
#include "harness/capture/importers.h"
#include "harness/core/xml.h"

namespace parley::fuzz {
namespace {

void run(Input data) {
  const std::string path = write_scratch_file("in.svclog", data);
  capture::ImportLimits limits;
  limits.max_errors = 100;
  CheckingSink sink;
  capture::ImportReport report;
  (void)capture::import_svclog(path, sink, report, limits);
}

void init() { xml::initialize(); }

}  // namespace
PARLEY_FUZZ_TARGET("import_svclog", run, init, nullptr);
}  // namespace parley::fuzz
