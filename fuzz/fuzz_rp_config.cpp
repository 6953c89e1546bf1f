// The reference RP's configuration (`parley serve-rp --config`, harness/rp/config.h): TOML text in,
// a configuration or an Error naming the key out. Relative file names resolve against the empty
// scratch directory, so a config names no file of the machine there.
#include "fuzz/fuzz_target.h"
#include "harness/rp/config.h"

namespace parley::fuzz {
namespace {

void run(Input data) { (void)rp::parse_rp_config(as_text(data), scratch_dir()); }

}  // namespace
PARLEY_FUZZ_TARGET("rp_config", run, nullptr, nullptr);
}  // namespace parley::fuzz
