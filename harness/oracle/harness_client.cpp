#include "harness/oracle/harness_client.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "harness/oracle/config.h"

extern char** environ;

namespace parley::oracle {
namespace {

// A TOML basic string.
std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

Error setting_error(std::string what, std::string variable) {
  return Error(ErrorCode::kInvalidArgument, std::move(what), std::move(variable));
}

Result<bool> flag(const HarnessEnvironment& env, const std::string& name) {
  auto it = env.find(name);
  if (it == env.end() || it->second.empty() || it->second == "0") return false;
  if (it->second == "1") return true;
  return setting_error("expected 0 or 1, got '" + it->second + "'", name);
}

Result<std::uint64_t> number(const HarnessEnvironment& env, const std::string& name, std::uint64_t fallback,
                             std::uint64_t max) {
  auto it = env.find(name);
  if (it == env.end() || it->second.empty()) return fallback;
  std::uint64_t v = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9' || v > max) return setting_error("expected a number up to " + std::to_string(max), name);
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return setting_error("expected a number up to " + std::to_string(max), name);
  return v;
}

std::string get(const HarnessEnvironment& env, const std::string& name, std::string fallback = {}) {
  auto it = env.find(name);
  return it == env.end() || it->second.empty() ? fallback : it->second;
}

bool is_renew_needed(const Error& e, names::ScVersion v) {
  return e.fault() == wssc::clark(names::sc_fault(v, names::ScFault::kRenewNeeded));
}

bool unreachable(const Error& e) { return e.code() == ErrorCode::kIo && e.fault().empty(); }

}  // namespace

HarnessEnvironment process_harness_environment() {
  HarnessEnvironment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.rfind("PARLEY_", 0) != 0) continue;
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

Result<HarnessSettings> harness_settings(const HarnessEnvironment& env) {
  HarnessSettings s;
  s.scenario = get(env, "PARLEY_SCENARIO", "unnamed");
  if (get(env, "PARLEY_SERVICE_URL").empty()) return setting_error("required", "PARLEY_SERVICE_URL");
  // The wssc settings are a target profile's: one parser validates both (docs/target-profile.md).
  std::ostringstream toml;
  toml << "[target]\nkind = \"wssc-service\"\n[wssc]\n";
  toml << "service_url = " << toml_string(get(env, "PARLEY_SERVICE_URL")) << "\n";
  toml << "sts_url = " << toml_string(get(env, "PARLEY_STS_URL", get(env, "PARLEY_SERVICE_URL"))) << "\n";
  toml << "soap = " << toml_string(get(env, "PARLEY_SOAP", "1.2")) << "\n";
  toml << "addressing = " << toml_string(get(env, "PARLEY_ADDRESSING", "1.0")) << "\n";
  toml << "sc_version = " << toml_string(get(env, "PARLEY_SC_VERSION", "1.3")) << "\n";
  toml << "bootstrap = " << toml_string(get(env, "PARLEY_BOOTSTRAP", "none")) << "\n";
  toml << "protection = " << toml_string(get(env, "PARLEY_PROTECTION", "derived-keys")) << "\n";
  toml << "algorithm_suite = " << toml_string(get(env, "PARLEY_ALGORITHM_SUITE", "Basic256")) << "\n";
  if (!get(env, "PARLEY_ACTION").empty()) toml << "action = " << toml_string(get(env, "PARLEY_ACTION")) << "\n";
  if (!get(env, "PARLEY_REQUEST_BODY").empty()) {
    toml << "request_body = " << toml_string(get(env, "PARLEY_REQUEST_BODY")) << "\n";
  }
  toml << "[credentials]\n";
  toml << "username = " << toml_string(get(env, "PARLEY_USERNAME")) << "\n";
  toml << "password = " << toml_string(get(env, "PARLEY_PASSWORD")) << "\n";
  auto profile = parse_target_profile(toml.str());
  if (!profile.ok()) return setting_error(profile.error().message(), "PARLEY_* (" + profile.error().where() + ")");
  s.client = profile->client;
  s.request_body = profile->request_body;
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t key_size, number(env, "PARLEY_KEY_SIZE", s.client.key_size, 131072));
  s.client.key_size = key_size;
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t calls, number(env, "PARLEY_CALLS", 1, 1000));
  s.calls = calls;
  PARLEY_ASSIGN_OR_RETURN(s.client.encrypt, flag(env, "PARLEY_ENCRYPT"));
  PARLEY_ASSIGN_OR_RETURN(s.amend, flag(env, "PARLEY_AMEND"));
  std::string list = get(env, "PARLEY_MUST_NOT_SEND");
  std::replace(list.begin(), list.end(), ',', ' ');
  std::istringstream words(list);
  for (std::string w; words >> w;) {
    if (w == "cancel") {
      s.must_not_send_cancel = true;
    } else if (w == "renew") {
      s.must_not_send_renew = true;
    } else if (w == "amend") {
      s.must_not_send_amend = true;
    } else {
      return setting_error("unknown operation '" + w + "' (cancel, renew, amend)", "PARLEY_MUST_NOT_SEND");
    }
  }
  s.ca_file = get(env, "PARLEY_CA_FILE");
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t timeout, number(env, "PARLEY_TIMEOUT", 10, 3600));
  s.timeout_seconds = static_cast<int>(timeout);
  s.client.strict = true;
  return s;
}

int run_harness_client(const HarnessSettings& s, const SendFunction& send, std::ostream& log) {
  const ClientFaultSet& faults = s.client.faults;
  Client client(s.client, send);
  const names::ScVersion version = s.client.versions.sc;
  auto failed = [&](std::string_view step, const Error& e) {
    log << step << ": FAILED: " << e.message() << "\n";
    return unreachable(e) ? 3 : 1;
  };
  log << "scenario " << s.scenario << "\n";
  if (Status st = client.issue(); !st.ok()) return failed("issue", st.error());
  log << "issue: ok (" << client.context()->sct.identifier << ")\n";
  for (std::size_t i = 1; i <= s.calls; ++i) {
    const std::string step = "call " + std::to_string(i);
    auto echoed = client.call(s.request_body);
    if (!echoed.ok() && is_renew_needed(echoed.error(), version)) {
      log << step << ": wsc:RenewNeeded\n";
      if (faults.has(ClientFault::kIgnoreRenewNeeded)) {
        log << step << ": resending under the same key (fault ignore-renew-needed)\n";
      } else if (s.must_not_send_renew && !faults.has(ClientFault::kRenewDespitePolicy)) {
        // MustNotSendRenew (SC-5-11): a new context instead (SC-5-10 allows re-issuing).
        if (Status st = client.issue(); !st.ok()) return failed("re-issue", st.error());
        log << "re-issue: ok (" << client.context()->sct.identifier << ")\n";
      } else {
        if (Status st = client.renew(); !st.ok()) return failed("renew", st.error());
        log << "renew: ok (instance " << client.context()->sct.instance << ")\n";
      }
      echoed = client.call(s.request_body);
    }
    if (!echoed.ok()) return failed(step, echoed.error());
    log << step << ": ok\n";
    if (i == 1 && s.amend) {
      if (s.must_not_send_amend && !faults.has(ClientFault::kAmendDespitePolicy)) {
        log << "amend: not sent (MustNotSendAmend)\n";
      } else if (Status st = client.amend(); !st.ok()) {
        return failed("amend", st.error());
      } else {
        log << "amend: ok\n";
      }
    }
  }
  if (s.must_not_send_cancel && !faults.has(ClientFault::kCancelDespitePolicy)) {
    log << "cancel: not sent (MustNotSendCancel)\n";
    return 0;
  }
  if (Status st = client.cancel(); !st.ok()) return failed("cancel", st.error());
  log << "cancel: ok\n";
  return 0;
}

}  // namespace parley::oracle
