#include "suites/suites.h"

#include "suites/passive/passive.h"

namespace parley::suites {

Status register_wssc_service(engine::Registry& registry) {
  PARLEY_TRY(wssc_service::register_00_capability_probes(registry));
  PARLEY_TRY(wssc_service::register_02_security_context_token(registry));
  PARLEY_TRY(wssc_service::register_03_establishing(registry));
  PARLEY_TRY(wssc_service::register_04_amending(registry));
  PARLEY_TRY(wssc_service::register_05_renewing(registry));
  PARLEY_TRY(wssc_service::register_06_cancelling(registry));
  PARLEY_TRY(wssc_service::register_07_derived_keys(registry));
  PARLEY_TRY(wssc_service::register_08_referencing(registry));
  PARLEY_TRY(wssc_service::register_09_faults(registry));
  PARLEY_TRY(wssc_service::register_10_security(registry));
  PARLEY_TRY(wssc_service::register_10_attacks(registry));
  PARLEY_TRY(wssc_service::register_11_wss(registry));
  return ok_status();
}

Status register_wssc_client(engine::Registry& registry, std::shared_ptr<clientsuite::ClientDriver> driver) {
  PARLEY_TRY(wssc_client::register_client_03_establishing(registry, driver));
  PARLEY_TRY(wssc_client::register_client_07_protection(registry, driver));
  PARLEY_TRY(wssc_client::register_client_05_lifecycle(registry, driver));
  PARLEY_TRY(wssc_client::register_client_10_hostile(registry, driver));
  return ok_status();
}

Status register_wif_session(engine::Registry& registry) {
  PARLEY_TRY(wif_session::register_01_cookies(registry));
  PARLEY_TRY(wif_session::register_02_sessions(registry));
  PARLEY_TRY(wif_session::register_03_wif_format(registry));
  return ok_status();
}

std::vector<std::string> suite_names() { return {"wssc-service", "wssc-client", "wif-session", "passive"}; }

std::string suite_kind(const std::string& name) {
  if (name == "wssc-service") return "wssc-service";
  if (name == "wssc-client") return "wssc-client";
  if (name == "wif-session") return "relying-party";
  return "";
}

std::string suite_catalog(const std::string& name) {
  if (name == "wif-session") return "wif-session";
  if (name == "wssc-service" || name == "wssc-client" || name == "passive") return "wssc";
  return "";
}

Status register_suite(const std::string& name, engine::Registry& registry) {
  if (name == "wssc-service") return register_wssc_service(registry);
  if (name == "wssc-client") return register_wssc_client(registry, nullptr);
  if (name == "wif-session") return register_wif_session(registry);
  if (name == "passive") return register_passive(registry);  // parley analyze
  return Error(ErrorCode::kInvalidArgument,
               "unknown suite '" + name + "' (known: wssc-service, wssc-client, wif-session, passive)", "--suite");
}

}  // namespace parley::suites
