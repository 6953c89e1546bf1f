// placeholder: being written
#include "harness/cli/commands.h"

namespace parley::cli {
void add_machinekey_command(CLI::App& /*app*/, RunState& /*state*/) {}
}  // namespace parley::cli
