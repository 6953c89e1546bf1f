// Every suite's registration. A suite is a named set of case files.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/engine/case.h"

namespace parley::clientsuite {
class ClientDriver;
}

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

// suites/wssc_client/*.cpp: cases against a WS-SC client (parley plays the service; the driver
// runs the client under test per scenario). A null driver registers cases that report ERROR
// (for `parley list` and `parley explain`).
Status register_wssc_client(engine::Registry& registry, std::shared_ptr<clientsuite::ClientDriver> driver);
namespace wssc_client {
using DriverPtr = std::shared_ptr<clientsuite::ClientDriver>;
Status register_client_03_establishing(engine::Registry& registry, const DriverPtr& driver);
Status register_client_05_lifecycle(engine::Registry& registry, const DriverPtr& driver);
Status register_client_07_protection(engine::Registry& registry, const DriverPtr& driver);
Status register_client_10_hostile(engine::Registry& registry, const DriverPtr& driver);
}  // namespace wssc_client

// suites/wif/*.cpp: cases against a relying party's WIF session management (kind relying-party).
Status register_wif_session(engine::Registry& registry);
namespace wif_session {
Status register_01_cookies(engine::Registry& registry);
Status register_02_sessions(engine::Registry& registry);
Status register_03_wif_format(engine::Registry& registry);
}  // namespace wif_session

// The profile kind a suite tests ("wssc-service", "relying-party"); "" for an unknown suite.
std::string suite_kind(const std::string& name);
// The requirement catalog (docs/requirements/<catalog>.json) a suite covers.
std::string suite_catalog(const std::string& name);

// The suites `parley run --suite` knows, and their registration.
std::vector<std::string> suite_names();
Status register_suite(const std::string& name, engine::Registry& registry);

}  // namespace parley::suites
