// A target profile (`parley run --target`, harness/oracle/config.h): TOML text in,
// a configuration or an Error naming the key out. Relative file names resolve against the empty
// scratch directory, so a config names no file of the machine there.
#include "fuzz/fuzz_target.h"
#include "harness/oracle/config.h"

namespace parley::fuzz {
namespace {

void run(Input data) { (void)oracle::parse_target_profile(as_text(data), scratch_dir()); }

}  // namespace
PARLEY_FUZZ_TARGET("target_profile", run, nullptr, nullptr);
}  // namespace parley::fuzz
