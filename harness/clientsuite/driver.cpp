#include "harness/clientsuite/driver.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "harness/oracle/config.h"
#include "harness/oracle/http_binding.h"

extern char** environ;

namespace parley::clientsuite {
namespace {

constexpr std::size_t kOutputTail = 16 * 1024;

// Every variable of the contract: an inherited value of one of these never reaches the client.
const std::set<std::string>& contract_variables() {
  static const std::set<std::string> names = {
      "PARLEY_SCENARIO", "PARLEY_STS_URL",   "PARLEY_SERVICE_URL",     "PARLEY_POLICY_URL", "PARLEY_CA_FILE",
      "PARLEY_CALLS",    "PARLEY_SOAP",      "PARLEY_ADDRESSING",      "PARLEY_SC_VERSION", "PARLEY_BOOTSTRAP",
      "PARLEY_USERNAME", "PARLEY_PASSWORD",  "PARLEY_PROTECTION",      "PARLEY_ALGORITHM_SUITE",
      "PARLEY_KEY_SIZE", "PARLEY_ACTION",    "PARLEY_REQUEST_BODY",    "PARLEY_ENCRYPT",    "PARLEY_AMEND",
      "PARLEY_MUST_NOT_SEND", "PARLEY_TIMEOUT"};
  return names;
}

std::string tail(std::string s) {
  if (s.size() > kOutputTail) s = "[...]" + s.substr(s.size() - kOutputTail);
  return s;
}

transport::HttpResponse plain(int status, std::string body, std::string type = "text/plain; charset=utf-8") {
  transport::HttpResponse r;
  r.status = status;
  r.headers.set("Content-Type", std::move(type));
  r.body = std::move(body);
  return r;
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

// The routes a scenario's service side answers, for every driver.
std::optional<transport::HttpResponse> scenario_route(ScenarioService& service, const transport::HttpRequest& request) {
  const std::string path = path_of(request.target);
  if (path == "/sts" || path == "/service") {
    if (request.method != "POST") return plain(405, "SOAP over POST only\n");
    oracle::SoapRequest soap;
    soap.content_type = std::string(request.headers.get("Content-Type").value_or(""));
    soap.soap_action = std::string(request.headers.get("SOAPAction").value_or(""));
    soap.body = request.body;
    oracle::SoapResponse out = service.handle(path, soap);
    return plain(out.status, std::move(out.body), out.content_type);
  }
  if (path == "/parley/policy" && request.method == "GET") {
    return plain(200, service.policy_xml(), "application/xml; charset=utf-8");
  }
  return std::nullopt;
}

std::string scenario_json(const Scenario& scenario, const oracle::HarnessEnvironment& env) {
  return nlohmann::json{{"scenario", scenario.name}, {"env", env}}.dump(2) + "\n";
}

}  // namespace

std::optional<std::size_t> ScenarioRun::hostile_index() const {
  for (const auto& m : messages) {
    if (m.hostile) return m.index;
  }
  return std::nullopt;
}

oracle::HarnessEnvironment scenario_environment(const Scenario& s, const oracle::TargetProfile& profile,
                                                const std::string& base_url, std::chrono::seconds timeout) {
  const oracle::ClientConfig& c = profile.client;
  oracle::HarnessEnvironment env;
  env["PARLEY_SCENARIO"] = s.name;
  env["PARLEY_STS_URL"] = base_url + "/sts";
  env["PARLEY_SERVICE_URL"] = base_url + "/service";
  env["PARLEY_POLICY_URL"] = base_url + "/parley/policy";
  env["PARLEY_CALLS"] = std::to_string(s.calls);
  env["PARLEY_SOAP"] = std::string(oracle::soap_name(c.versions.soap));
  env["PARLEY_ADDRESSING"] = std::string(oracle::addressing_name(c.versions.addressing));
  env["PARLEY_SC_VERSION"] = std::string(oracle::sc_name(c.versions.sc));
  env["PARLEY_BOOTSTRAP"] = std::string(oracle::to_string(c.bootstrap));
  if (c.bootstrap == oracle::Bootstrap::kUsernameToken) {
    env["PARLEY_USERNAME"] = c.username;
    env["PARLEY_PASSWORD"] = c.password;
  }
  env["PARLEY_PROTECTION"] = profile.protection.empty() ? "derived-keys" : profile.protection;
  env["PARLEY_ALGORITHM_SUITE"] = profile.algorithm_suite;
  env["PARLEY_KEY_SIZE"] = std::to_string(c.key_size);
  env["PARLEY_ACTION"] = c.action;
  env["PARLEY_REQUEST_BODY"] = profile.request_body;
  env["PARLEY_ENCRYPT"] = s.encrypt ? "1" : "0";
  env["PARLEY_AMEND"] = s.amend ? "1" : "0";
  std::string must_not;
  if (s.must_not_send_cancel) must_not += "cancel";
  if (s.must_not_send_renew) must_not += std::string(must_not.empty() ? "" : ",") + "renew";
  if (s.must_not_send_amend) must_not += std::string(must_not.empty() ? "" : ",") + "amend";
  env["PARLEY_MUST_NOT_SEND"] = must_not;
  env["PARLEY_TIMEOUT"] = std::to_string(timeout.count());
  return env;
}

std::shared_ptr<const ScenarioRun> ClientDriver::run(const Scenario& scenario, const oracle::TargetProfile& profile) {
  std::shared_future<std::shared_ptr<const ScenarioRun>> future;
  std::optional<std::promise<std::shared_ptr<const ScenarioRun>>> mine;
  {
    std::lock_guard lock(mu_);
    auto it = runs_.find(scenario.name);
    if (it == runs_.end()) {
      mine.emplace();
      future = mine->get_future().share();
      runs_.emplace(scenario.name, future);
    } else {
      future = it->second;
    }
  }
  if (mine) {
    auto result = std::make_shared<ScenarioRun>();
    result->scenario = scenario;
    const auto start = std::chrono::steady_clock::now();
    auto service = ScenarioService::create(scenario, profile);
    if (!service.ok()) {
      result->error = service.error().message();
    } else {
      *result = launch(**service, (*service)->scenario(), profile);
      result->scenario = (*service)->scenario();
      result->messages = (*service)->messages();
      result->policy_xml = (*service)->policy_xml();
    }
    result->duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    mine->set_value(std::move(result));
  }
  return future.get();
}

Result<ClientDriver::Served> ClientDriver::serve(ScenarioService& service) {
  transport::HttpServer::Options o;
  o.worker_threads = 1;
  o.max_connections = 16;
  o.log = [](std::string_view) {};  // a client under test may hang up rudely: not our news
  auto server = std::make_unique<transport::HttpServer>(o, [&service](const transport::HttpRequest& request,
                                                                      const transport::ConnectionInfo&) {
    if (auto r = scenario_route(service, request)) return *r;
    return plain(404, "no endpoint at " + path_of(request.target) + "\n");
  });
  PARLEY_TRY(server->start());
  Served s;
  s.base_url = server->url("");
  while (!s.base_url.empty() && s.base_url.back() == '/') s.base_url.pop_back();
  s.server = std::move(server);
  return s;
}

// --- exec ---------------------------------------------------------------------------------------

ScenarioRun ExecDriver::launch(ScenarioService& service, const Scenario& scenario, const oracle::TargetProfile& profile) {
  ScenarioRun run;
  auto served = serve(service);
  if (!served.ok()) {
    run.error = "the scenario's service could not start: " + served.error().message();
    return run;
  }
  run.environment = scenario_environment(scenario, profile, served->base_url, timeout_);
  // The environment: this process's, without inherited contract variables, plus the scenario's.
  std::vector<std::string> entries;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    if (contract_variables().count(entry.substr(0, entry.find('='))) != 0) continue;
    entries.push_back(std::move(entry));
  }
  for (const auto& [k, v] : run.environment) entries.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : entries) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string sh = "/bin/sh", dash_c = "-c", command = command_;
  std::vector<char*> argv = {sh.data(), dash_c.data(), command.data(), nullptr};

  char output_path[] = "/tmp/parley-client-XXXXXX";
  const int out_fd = mkstemp(output_path);
  if (out_fd < 0) {
    run.error = "cannot create a file for the client's output";
    return run;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);  // its own group: a timeout stops all of it
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, sh.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out_fd);
  if (spawned != 0) {
    run.error = "cannot start /bin/sh: " + std::string(std::strerror(spawned));
    unlink(output_path);
    return run;
  }
  run.started = true;
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  int status = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      run.timed_out = true;
      kill(-pid, SIGTERM);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!run.timed_out && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (!run.timed_out && WIFSIGNALED(status)) run.exit_code = 128 + WTERMSIG(status);
  std::ifstream in(output_path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  run.output = tail(text.str());
  unlink(output_path);
  served->server->stop();
  return run;
}

// --- in-process -----------------------------------------------------------------------------------

ScenarioRun InProcessDriver::launch(ScenarioService& service, const Scenario& scenario,
                                    const oracle::TargetProfile& profile) {
  ScenarioRun run;
  auto served = serve(service);
  if (!served.ok()) {
    run.error = "the scenario's service could not start: " + served.error().message();
    return run;
  }
  run.environment = scenario_environment(scenario, profile, served->base_url, timeout_);
  run.started = true;
  std::ostringstream log;
  auto settings = oracle::harness_settings(run.environment);
  if (!settings.ok()) {
    log << "parley: error: " << settings.error().message() << "\n";
    run.exit_code = 2;
  } else {
    settings->client.faults = faults_;
    transport::HttpClient::Options o;
    o.connect_timeout = timeout_;
    o.total_timeout = timeout_;
    transport::HttpClient http(o);
    run.exit_code = oracle::run_harness_client(*settings, oracle::http_sender(http), log);
  }
  run.output = tail(log.str());
  served->server->stop();
  return run;
}

// --- listen -----------------------------------------------------------------------------------------

Result<std::unique_ptr<ListenDriver>> ListenDriver::create(const std::string& address, std::chrono::seconds timeout) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Error(ErrorCode::kInvalidArgument, "expected HOST:PORT, got '" + address + "'", "--listen");
  }
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = address.substr(colon + 1);
  unsigned long port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9' || port > 65535) return Error(ErrorCode::kInvalidArgument, "bad port '" + port_text + "'", "--listen");
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  if (port_text.empty() || port > 65535) {
    return Error(ErrorCode::kInvalidArgument, "bad port '" + port_text + "'", "--listen");
  }
  std::unique_ptr<ListenDriver> d(new ListenDriver(timeout));
  transport::HttpServer::Options o;
  o.bind_address = host;
  o.port = static_cast<std::uint16_t>(port);
  o.worker_threads = 2;
  o.log = [](std::string_view) {};
  ListenDriver* self = d.get();
  d->server_ = std::make_unique<transport::HttpServer>(
      o, [self](const transport::HttpRequest& request, const transport::ConnectionInfo&) { return self->handle(request); });
  PARLEY_TRY(d->server_->start());
  d->base_url_ = d->server_->url("");
  while (!d->base_url_.empty() && d->base_url_.back() == '/') d->base_url_.pop_back();
  return d;
}

ListenDriver::~ListenDriver() {
  finish();
  if (server_) server_->stop();
}

void ListenDriver::finish() {
  std::lock_guard lock(mu_);
  finished_ = true;
  cv_.notify_all();
}

transport::HttpResponse ListenDriver::handle(const transport::HttpRequest& request) {
  const std::string path = path_of(request.target);
  std::unique_lock lock(mu_);
  if (path == "/parley/scenario" && request.method == "GET") {
    if (finished_) return plain(410, "{\"done\": true}\n", "application/json");
    if (current_ == nullptr || taken_) return plain(204, "");
    taken_ = true;
    cv_.notify_all();
    return plain(200, current_json_, "application/json");
  }
  if (path == "/parley/result" && request.method == "POST") {
    auto j = nlohmann::json::parse(request.body, nullptr, false);
    if (!j.is_object() || !j.contains("exit_code") || !j["exit_code"].is_number_integer()) {
      return plain(400, "expected {\"exit_code\": N}\n");
    }
    if (current_ == nullptr || !taken_) return plain(409, "no scenario is running\n");
    result_ = j["exit_code"].get<int>();
    cv_.notify_all();
    return plain(200, "recorded\n");
  }
  if (current_ == nullptr) return plain(503, "no scenario is running: fetch one from GET /parley/scenario\n");
  if (auto r = scenario_route(*current_, request)) return *r;
  return plain(404, "no endpoint at " + path + "\n");
}

ScenarioRun ListenDriver::launch(ScenarioService& service, const Scenario& scenario,
                                 const oracle::TargetProfile& profile) {
  ScenarioRun run;
  run.environment = scenario_environment(scenario, profile, base_url_, timeout_);
  std::unique_lock lock(mu_);
  current_ = &service;
  current_json_ = scenario_json(scenario, run.environment);
  taken_ = false;
  result_.reset();
  // The client has `timeout` to fetch the scenario, and `timeout` again to run it.
  if (!cv_.wait_for(lock, timeout_, [&] { return taken_ || finished_; }) || !taken_) {
    current_ = nullptr;
    run.error = "no client fetched the scenario from " + base_url_ + "/parley/scenario within " +
                std::to_string(timeout_.count()) + " s";
    return run;
  }
  run.started = true;
  if (!cv_.wait_for(lock, timeout_, [&] { return result_.has_value() || finished_; }) || !result_) {
    run.timed_out = true;
  } else {
    run.exit_code = *result_;
  }
  current_ = nullptr;
  taken_ = false;
  return run;
}

}  // namespace parley::clientsuite
