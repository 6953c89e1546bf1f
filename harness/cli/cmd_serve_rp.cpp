// `parley serve --config rp.toml`: the reference relying party (and the test STS) on HTTP(S).
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "harness/cli/commands.h"
#include "harness/cli/serve_rp.h"
#include "harness/rp/relying_party.h"
#include "harness/transport/http_server.h"

namespace parley::cli {

bool is_rp_config_file(const std::string& config_file) {
  std::ifstream in(config_file, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  return rp::is_rp_config(ss.str());
}

int run_rp_serve(const RpServeOptions& o) {
  if (o.list_faults) {
    // One per line, tab-separated: name, requirement IDs (comma-separated), description.
    for (const auto& f : rp::all_faults()) {
      std::string reqs;
      for (auto r : f.requirements) reqs += (reqs.empty() ? "" : ",") + std::string(r);
      std::cout << f.name << "\t" << reqs << "\t" << f.description << "\n";
    }
    return kExitOk;
  }
  auto config = rp::load_rp_config(o.config_file);
  if (!config.ok()) return usage_error(config.error().message());
  if (!o.host.empty()) config->host = o.host;
  if (o.port >= 0) config->port = static_cast<std::uint16_t>(o.port);
  for (const auto& name : o.faults) {
    auto f = rp::fault_from_name(name);
    if (!f) return usage_error("--fault " + name + ": no such relying-party fault (parley serve --config " +
                               o.config_file + " --list-faults lists them)");
    config->faults.add(*f);
  }

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto created = rp::RelyingParty::create(*config);
  if (!created.ok()) {
    std::cerr << "parley: error: cannot start the relying party: " << created.error().message() << "\n";
    return kExitCannotRun;
  }
  std::shared_ptr<rp::RelyingParty> party = std::move(*created);
  transport::HttpServer::Options options;
  options.bind_address = config->host;
  options.port = config->port;
  // FedAuth chunks of a large principal: more than the 16 KiB default of request headers.
  options.max_header_bytes = std::size_t{64} << 10;
  if (config->tls) options.tls = transport::HttpServer::TlsFiles{config->certificate_file, config->private_key_file};
  transport::HttpServer server(options, [party](const transport::HttpRequest& request,
                                                const transport::ConnectionInfo& connection) {
    return party->handle(request, connection);
  });
  if (Status started = server.start(); !started.ok()) {
    std::cerr << "parley: error: cannot start the server: " << started.error().message() << "\n";
    return kExitCannotRun;
  }
  std::string base = server.url("");
  while (!base.empty() && base.back() == '/') base.pop_back();
  party->set_base_url(base);
  const rp::RpConfig& c = party->config();
  std::string transforms;
  for (const auto& n : c.protection.names()) transforms += (transforms.empty() ? "" : ", ") + n;
  std::cout << "parley serve: listening on " << base << "\n"
            << "  relying party: " << base << c.protected_path << " (realm " << c.realm << ", sign-in "
            << rp::to_string(c.signin_method) << " at " << c.signin_path << ")\n"
            << "  sessions by " << rp::to_string(c.cookie.mode) << ": cookie " << c.cookie.name << " ("
            << transforms << "; chunks of " << c.cookie.chunking.chunk_size << "), cache " << c.cache.kind
            << (c.sliding ? ", sliding" : "") << (c.cookie.persistent ? ", persistent" : "") << "\n"
            << "  STS:     " << party->sts_signin_url() << (party->sts() ? "" : " (external)") << "\n";
  if (c.random_machine_key) {
    std::cout << "  machine key: random for this process (configure rp.cookie keys for a farm)\n";
  }
  if (c.cache.kind == "redis") {
    rp::RedisSessionCache probe(c.cache.redis);
    if (Status ping = probe.ping(); !ping.ok()) {
      std::cerr << "parley serve: warning: " << ping.error().message()
                << " (sessions by reference re-authenticate until Redis answers)\n";
    }
  }
  if (!c.faults.empty()) {
    std::cerr << "parley serve: FAULTS INJECTED (this relying party is deliberately non-conformant):";
    for (const auto& name : c.faults.names()) std::cerr << " " << name;
    std::cerr << std::endl;
  }
  const std::string profile = rp::rp_target_profile(c, base);
  if (o.print_profile) std::cout << "\n" << profile;
  if (!o.profile_out.empty()) {
    // Written aside and renamed: whoever waits for the file never reads it half written.
    const std::string tmp = o.profile_out + ".tmp";
    {
      std::ofstream out(tmp);
      out << profile;
      out.close();
      if (!out) {
        std::cerr << "parley: error: cannot write " << tmp << "\n";
        return kExitCannotRun;
      }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, o.profile_out, ec);
    if (ec) {
      std::cerr << "parley: error: cannot write " << o.profile_out << ": " << ec.message() << "\n";
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

}  // namespace parley::cli
