// `parley client` in the client-harness contract (cmd_client_harness.cpp).
#pragma once

#include <string>
#include <vector>

#include "harness/oracle/client_faults.h"
#include "harness/core/error.h"

namespace parley::cli {

// name <TAB> requirement IDs <TAB> description, per client fault.
int list_client_faults();
Result<oracle::ClientFaultSet> client_faults(const std::vector<std::string>& names);
// The lifecycle from this process's PARLEY_* variables, or (poll_url) every scenario a
// `parley run --listen` hands out until it says the run is over.
int run_client_harness(const oracle::ClientFaultSet& faults, const std::string& poll_url, bool insecure);

}  // namespace parley::cli
