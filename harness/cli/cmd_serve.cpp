// `parley serve`: the reference WS-SecureConversation service (the oracle) on HTTP(S).
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>

#include "harness/cli/commands.h"
#include "harness/cli/serve_rp.h"
#include "harness/oracle/config.h"
#include "harness/oracle/http_binding.h"

namespace parley::cli {
namespace {

struct ServeOptions {
  std::string config_file;
  std::string host;
  int port = -1;
  bool print_profile = false;
  std::string profile_out;
  std::vector<std::string> faults;
  bool list_faults = false;
};

int list_faults() {
  // One per line, tab-separated: name, requirement IDs (comma-separated; none for the hostile-*
  // transport faults), description.
  for (const auto& f : oracle::all_faults()) {
    std::string reqs;
    for (auto r : f.requirements) reqs += (reqs.empty() ? "" : ",") + std::string(r);
    std::cout << f.name << "\t" << reqs << "\t" << f.description << "\n";
  }
  return kExitOk;
}

int run_serve(const ServeOptions& o) {
  // A config with an [rp] table runs the reference relying party instead (harness/rp).
  if (!o.config_file.empty() && is_rp_config_file(o.config_file)) {
    return run_rp_serve({o.config_file, o.host, o.port, o.print_profile, o.profile_out, o.faults, o.list_faults});
  }
  if (o.list_faults) return list_faults();
  auto config = o.config_file.empty() ? oracle::parse_serve_config("") : oracle::load_serve_config(o.config_file);
  if (!config.ok()) return usage_error(config.error().message());
  if (!o.host.empty()) config->host = o.host;
  if (o.port >= 0) config->port = static_cast<std::uint16_t>(o.port);
  for (const auto& name : o.faults) {
    auto f = oracle::fault_from_name(name);
    if (!f) return usage_error("--fault " + name + ": no such fault (parley serve --list-faults lists them)");
    config->service.faults.add(*f);
  }

  // Block the stop signals before any thread starts, so that only sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto service = std::make_shared<oracle::Service>(config->service);
  transport::HttpServer::Options options;
  options.bind_address = config->host;
  options.port = config->port;
  if (config->tls) options.tls = transport::HttpServer::TlsFiles{config->certificate_file, config->private_key_file};
  const oracle::ServeConfig serve_config = *config;
  transport::HttpServer server(options, [service, serve_config](const transport::HttpRequest& request,
                                                                const transport::ConnectionInfo& connection) {
    return oracle::handle_http(*service, serve_config, request, connection);
  });
  if (Status started = server.start(); !started.ok()) {
    std::cerr << "parley: error: cannot start the server: " << started.error().message() << "\n";
    return kExitCannotRun;
  }
  std::string base = server.url("");
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::cout << "parley serve: listening on " << base << "\n"
            << "  STS:     " << base << config->sts_path << "\n"
            << "  service: " << base << config->service_path << "\n"
            << "  SOAP " << oracle::soap_name(config->service.versions.soap) << ", WS-Addressing "
            << oracle::addressing_name(config->service.versions.addressing) << ", WS-SC "
            << oracle::sc_name(config->service.versions.sc) << ", bootstrap "
            << oracle::to_string(config->service.bootstrap) << "\n";
  if (const auto& cookie = config->service.cookie; cookie.enabled) {
    std::cout << "  cookie mode: stateless SCTs sealed under key '" << cookie.ring->current_id() << "' ("
              << cookie.ring->ids().size() << " key(s) in the ring); cancel is refused\n";
  }
  if (!config->service.faults.empty()) {
    // On stderr: the profile and the banner on stdout look the same with and without faults.
    std::cerr << "parley serve: FAULTS INJECTED (this service is deliberately non-conformant):";
    for (const auto& name : config->service.faults.names()) std::cerr << " " << name;
    std::cerr << std::endl;
  }
  const std::string profile = oracle::target_profile(*config, base);
  if (o.print_profile) std::cout << "\n" << profile;
  if (!o.profile_out.empty()) {
    std::ofstream out(o.profile_out);
    out << profile;
    if (!out) {
      std::cerr << "parley: error: cannot write " << o.profile_out << "\n";
      return kExitCannotRun;
    }
  }
  std::cout.flush();
  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cout << "parley serve: stopping (signal " << signal << ")\n";
  server.stop();
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, RunState& state) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand("serve", "Run the reference WS-SC service (the oracle) until SIGINT/SIGTERM");
  serve->add_option("--config", o->config_file,
                    "Oracle configuration (TOML, docs/oracle-config.md); with an [rp] table: the reference relying "
                    "party and test STS");
  serve->add_option("--host", o->host, "Listen address (overrides the config; default 127.0.0.1)");
  serve->add_option("--port", o->port, "Listen port (overrides the config; 0 = ephemeral)")->check(CLI::Range(0, 65535));
  serve->add_flag("--print-profile", o->print_profile,
                  "Print the target profile of the running service (docs/target-profile.md)");
  serve->add_option("--profile-out", o->profile_out, "Also write the target profile to this file");
  serve->add_option("--fault", o->faults,
                    "Switch on one named non-conformance (repeatable; see --list-faults) to prove the suites catch it");
  serve->add_flag("--list-faults", o->list_faults,
                  "List the injectable faults, one per line: name, requirement IDs, description (tab-separated)");
  serve->footer("With no --config: SOAP 1.2, WS-Addressing 1.0, WS-SC 1.3 on 127.0.0.1, issuing to anyone.");
  serve->callback([o, &state] { state.exit_code = run_serve(*o); });
}

}  // namespace parley::cli
