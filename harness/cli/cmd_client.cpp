// `parley client`: the reference WS-SC client, step by step against any service a target
// profile describes.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "harness/cli/client_harness.h"
#include "harness/cli/commands.h"
#include "harness/cli/input.h"
#include "harness/oracle/config.h"
#include "harness/oracle/http_binding.h"

namespace parley::cli {
namespace {

struct ClientOptions {
  std::string target;
  std::string body;
  bool encrypt = false;
  bool show_exchanges = false;
  std::string ca_file;
  bool insecure = false;
  std::string context_file;
  std::vector<std::string> steps;
  bool harness = false;
  std::string poll;
  std::vector<std::string> faults;
  bool list_faults = false;
};

// --context FILE: the session between runs, as {"sct": "<SCT XML>", "key": "hex"}. The SCT is
// kept as the service sent it (dnse:Cookie included), so a later run echoes it unchanged.
Status save_context(const std::string& path, const wssc::ContextKey& context) {
  xml::Document holder = xml::new_document("urn:parley:client-context", "p", "Context");
  PARLEY_ASSIGN_OR_RETURN(xmlNode* sct, wssc::append_sct(holder.root(), context.sct));
  const nlohmann::json j = {{"sct", xml::serialize(sct)}, {"key", hex_encode(context.key)}};
  std::ofstream out(path, std::ios::trunc);
  out << j.dump(2) << "\n";
  if (!out) return Error(ErrorCode::kIo, "cannot write", path);
  return ok_status();
}

Result<wssc::ContextKey> load_context(const std::string& path) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, read_input(path, 1u << 20));
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("sct") || !j["sct"].is_string() || !j.contains("key") || !j["key"].is_string()) {
    return Error(ErrorCode::kParse, "expected {\"sct\": \"<SCT XML>\", \"key\": \"hex\"}", path);
  }
  PARLEY_ASSIGN_OR_RETURN(xml::Document doc, xml::parse(j["sct"].get<std::string>()));
  wssc::ContextKey context;
  PARLEY_ASSIGN_OR_RETURN(context.sct, wssc::parse_sct(doc.root()));
  PARLEY_ASSIGN_OR_RETURN(context.key, hex_decode(j["key"].get<std::string>()));
  return context;
}

void print_exchange(const oracle::Exchange& e) {
  std::cout << "--- POST " << e.url << "\n" << e.request.body << "\n";
  if (e.response) std::cout << "--- HTTP " << e.response->status << "\n" << e.response->body << "\n";
}

int run_client(const ClientOptions& o) {
  if (o.list_faults) return list_client_faults();
  auto faults = client_faults(o.faults);
  if (!faults.ok()) return usage_error(faults.error().where() + ": " + faults.error().message());
  if (o.harness || !o.poll.empty()) return run_client_harness(*faults, o.poll, o.insecure);
  if (o.target.empty()) return usage_error("--target is required (unless --harness, --poll or --list-faults)");
  auto profile = oracle::load_target_profile(o.target);
  if (!profile.ok()) return usage_error(profile.error().message());
  if (profile->kind != "wssc-service") return usage_error(o.target + ": kind must be wssc-service for parley client");
  oracle::ClientConfig config = profile->client;
  config.encrypt = o.encrypt;
  config.faults = *faults;
  const std::string body = o.body.empty() ? profile->request_body : o.body;
  std::vector<std::string> steps = o.steps.empty() ? std::vector<std::string>{"issue", "call", "cancel"} : o.steps;
  for (const std::string& step : steps) {
    if (step != "issue" && step != "call" && step != "renew" && step != "amend" && step != "cancel") {
      return usage_error("unknown step '" + step + "' (issue, call, renew, amend, cancel)");
    }
  }
  transport::HttpClient::Options http_options;
  http_options.connect_timeout = std::chrono::seconds(5);
  http_options.total_timeout = std::chrono::seconds(30);
  http_options.ca_file = o.ca_file;
  if (o.insecure) {
    http_options.verify_peer = false;
    http_options.verify_host = false;
  }
  transport::HttpClient http(http_options);
  oracle::Client client(config, oracle::http_sender(http));
  std::error_code no_file;
  if (!o.context_file.empty() && std::filesystem::exists(o.context_file, no_file)) {
    auto loaded = load_context(o.context_file);
    if (!loaded.ok()) return usage_error(loaded.error().message());
    client.set_context(std::move(*loaded));
  }
  std::size_t shown = 0;
  for (const std::string& step : steps) {
    Status result = ok_status();
    std::string detail;
    if (step == "issue") {
      result = client.issue();
      if (result.ok()) {
        detail = client.context()->sct.identifier + ", " + std::to_string(client.context()->key.size() * 8) + "-bit key";
      }
    } else if (step == "call") {
      auto echoed = client.call(body);
      if (echoed.ok()) {
        detail = *echoed;
      } else {
        result = echoed.error();
      }
    } else if (step == "renew") {
      result = client.renew();
      if (result.ok()) detail = "instance " + client.context()->sct.instance;
    } else if (step == "amend") {
      result = client.amend();
    } else {
      result = client.cancel();
    }
    if (o.show_exchanges) {
      for (; shown < client.exchanges().size(); ++shown) print_exchange(client.exchanges()[shown]);
    }
    if (!result.ok()) {
      std::cout << step << ": FAILED: " << result.error().message() << "\n";
      const bool unreachable = result.error().code() == ErrorCode::kIo && result.error().fault().empty();
      return unreachable ? kExitCannotRun : kExitFailures;
    }
    std::cout << step << ": ok" << (detail.empty() ? "" : " (" + detail + ")") << "\n";
    if (!o.context_file.empty()) {
      Status saved = client.context() ? save_context(o.context_file, *client.context()) : ok_status();
      std::error_code ignored;
      if (!client.context()) std::filesystem::remove(o.context_file, ignored);  // cancelled: nothing to continue
      if (!saved.ok()) {
        std::cerr << "parley: error: " << saved.error().message() << "\n";
        return kExitCannotRun;
      }
    }
  }
  return kExitOk;
}

}  // namespace

void add_client_command(CLI::App& app, RunState& state) {
  auto o = std::make_shared<ClientOptions>();
  CLI::App* client = app.add_subcommand("client", "Reference WS-SC client: issue, call, renew, amend, cancel");
  client->add_option("--target", o->target, "Target profile (TOML, docs/target-profile.md)");
  client->add_option("--body", o->body, "Application request Body element (default: the profile's request_body)");
  client->add_flag("--encrypt", o->encrypt, "Encrypt the Body of application messages");
  client->add_flag("--show-exchanges", o->show_exchanges, "Print every HTTP request and response");
  client->add_option("--ca", o->ca_file, "CA certificate (PEM) for an HTTPS target");
  client->add_flag("--insecure", o->insecure, "Do not verify the target's TLS certificate");
  client->add_option("--context", o->context_file,
                     "Load the security context from this file when it exists, and save it after each step: "
                     "several runs (e.g. against the nodes of a cookie-mode farm) continue one session");
  client->add_option("steps", o->steps, "Steps in order (default: issue call cancel)");
  client->add_flag("--harness", o->harness,
                   "Run as the client under test of `parley run --suite wssc-client --exec`: settings from the "
                   "PARLEY_* environment, lifecycle issue / calls / close (docs/client-harness.md)");
  client->add_option("--poll", o->poll,
                     "Run every scenario a `parley run --suite wssc-client --listen ADDR` hands out (URL of ADDR)");
  client->add_option("--fault", o->faults,
                     "Switch on one named client non-conformance (repeatable; see --list-faults) to prove the client "
                     "suite catches it");
  client->add_flag("--list-faults", o->list_faults,
                   "List the client faults, one per line: name, requirement IDs, description (tab-separated)");
  client->footer(
      "Example:\n  parley serve --profile-out /tmp/oracle.toml &\n"
      "  parley client --target /tmp/oracle.toml issue call renew call amend cancel\n"
      "  parley run --suite wssc-client --target client.toml --exec 'parley client --harness' --out rep\n"
      "Exit codes: 0 every step succeeded, 1 a step failed, 2 usage, 3 the target was unreachable.");
  client->callback([o, &state] { state.exit_code = run_client(*o); });
}

}  // namespace parley::cli
