// Every suite's registration. A suite is a named set of case files.
#pragma once

#include <string>
#include <vector>

#include "harness/engine/case.h"

namespace parley::suites {

// suites/wssc/*.cpp: cases against a WS-SC service (parley plays the client).
Status register_wssc_service(engine::Registry& registry);
namespace wssc_service {
Status register_00_capability_probes(engine::Registry& registry);
Status register_02_security_context_token(engine::Registry& registry);
Status register_03_establishing(engine::Registry& registry);
Status register_04_amending(engine::Registry& registry);
Status register_05_renewing(engine::Registry& registry);
Status register_06_cancelling(engine::Registry& registry);
Status register_07_derived_keys(engine::Registry& registry);
Status register_08_referencing(engine::Registry& registry);
Status register_09_faults(engine::Registry& registry);
Status register_10_security(engine::Registry& registry);
Status register_10_attacks(engine::Registry& registry);
Status register_11_wss(engine::Registry& registry);
}  // namespace wssc_service

// The suites `parley run --suite` knows, and their registration.
std::vector<std::string> suite_names();
Status register_suite(const std::string& name, engine::Registry& registry);

}  // namespace parley::suites
