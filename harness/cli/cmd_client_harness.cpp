// `parley client --harness` (the client-harness contract, docs/client-harness.md), `--poll URL`
// (the same against `parley run --listen`), `--fault` and `--list-faults`.
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/cli/client_harness.h"
#include "harness/cli/commands.h"
#include "harness/oracle/harness_client.h"
#include "harness/oracle/http_binding.h"

namespace parley::cli {
namespace {

transport::HttpClient::Options http_options(const oracle::HarnessSettings& s, bool insecure) {
  transport::HttpClient::Options o;
  o.connect_timeout = std::chrono::seconds(std::min(s.timeout_seconds, 10));
  o.total_timeout = std::chrono::seconds(s.timeout_seconds);
  o.ca_file = s.ca_file;
  if (insecure) {
    o.verify_peer = false;
    o.verify_host = false;
  }
  return o;
}

int run_one(const oracle::HarnessEnvironment& env, const oracle::ClientFaultSet& faults, bool insecure) {
  auto settings = oracle::harness_settings(env);
  if (!settings.ok()) return usage_error(settings.error().message() + " (" + settings.error().where() + ")");
  settings->client.faults = faults;
  transport::HttpClient http(http_options(*settings, insecure));
  return oracle::run_harness_client(*settings, oracle::http_sender(http), std::cout);
}

int poll(const std::string& base, const oracle::ClientFaultSet& faults, bool insecure) {
  transport::HttpClient::Options o;
  o.connect_timeout = std::chrono::seconds(5);
  o.total_timeout = std::chrono::seconds(10);
  transport::HttpClient control(o);
  std::size_t ran = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    transport::HttpRequest get;
    auto answer = control.send(base + "/parley/scenario", get);
    if (!answer.ok()) {
      // The harness went away: the run is over (after at least one scenario), or not up yet.
      if (ran > 0) return kExitOk;
      if (std::chrono::steady_clock::now() > give_up) {
        std::cerr << "parley: error: " << base << " did not answer: " << answer.error().message() << "\n";
        return kExitCannotRun;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    if (answer->status == 410) return kExitOk;
    if (answer->status != 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    auto j = nlohmann::json::parse(answer->body, nullptr, false);
    if (!j.is_object() || !j.contains("env") || !j["env"].is_object()) {
      std::cerr << "parley: error: " << base << "/parley/scenario answered no {\"env\": {...}}\n";
      return kExitCannotRun;
    }
    oracle::HarnessEnvironment env;
    for (const auto& [k, v] : j["env"].items()) {
      if (v.is_string()) env[k] = v.get<std::string>();
    }
    const int code = run_one(env, faults, insecure);
    ++ran;
    transport::HttpRequest post;
    post.method = "POST";
    post.headers.set("Content-Type", "application/json");
    post.body = nlohmann::json{{"scenario", j.value("scenario", "")}, {"exit_code", code}}.dump();
    (void)control.send(base + "/parley/result", post);
  }
}

}  // namespace

int list_client_faults() {
  // One per line, tab-separated: name, requirement IDs (comma-separated), description.
  for (const auto& f : oracle::all_client_faults()) {
    std::string reqs;
    for (auto r : f.requirements) reqs += (reqs.empty() ? "" : ",") + std::string(r);
    std::cout << f.name << "\t" << reqs << "\t" << f.description << "\n";
  }
  return kExitOk;
}

Result<oracle::ClientFaultSet> client_faults(const std::vector<std::string>& names) {
  oracle::ClientFaultSet set;
  for (const auto& name : names) {
    auto f = oracle::client_fault_from_name(name);
    if (!f) return Error(ErrorCode::kInvalidArgument, "no such fault (parley client --list-faults lists them)", "--fault " + name);
    set.add(*f);
  }
  return set;
}

int run_client_harness(const oracle::ClientFaultSet& faults, const std::string& poll_url, bool insecure) {
  if (!poll_url.empty()) {
    std::string base = poll_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return poll(base, faults, insecure);
  }
  return run_one(oracle::process_harness_environment(), faults, insecure);
}

}  // namespace parley::cli
