// How the client suite gets a client under test to run a scenario (docs/client-harness.md):
// for each scenario a ScenarioService answers on 127.0.0.1, the client is told the scenario
// through PARLEY_* variables, and what it sent is judged once it has finished.
//  - ExecDriver (`--exec 'CMD'`): CMD runs under /bin/sh per scenario, with a timeout.
//  - ListenDriver (`--listen ADDR`): one listener for the whole run; a client started apart
//    fetches GET /parley/scenario, runs it, and reports POST /parley/result.
//  - InProcessDriver: the reference client in this process (tests).
#pragma once

#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "harness/clientsuite/scenario_service.h"
#include "harness/oracle/harness_client.h"
#include "harness/transport/http_server.h"

namespace parley::clientsuite {

struct ScenarioRun {
  Scenario scenario;
  oracle::HarnessEnvironment environment;  // the PARLEY_* variables the client got
  std::vector<Recorded> messages;
  std::string policy_xml;   // what GET /parley/policy answered
  bool started = false;     // the client was launched (exec) or fetched the scenario (listen)
  int exit_code = -1;       // -1: none (not started, or timed out)
  bool timed_out = false;
  std::string output;       // the client's stdout and stderr (the last 16 KiB)
  std::string error;        // what kept the harness from running the scenario, if anything
  std::chrono::milliseconds duration{0};

  bool connected() const { return !messages.empty(); }
  // The message answered with the hostile response, when the client got that far.
  std::optional<std::size_t> hostile_index() const;
};

// The PARLEY_* variables of a scenario for a client whose service side is at `base_url`.
oracle::HarnessEnvironment scenario_environment(const Scenario& scenario, const oracle::TargetProfile& profile,
                                                const std::string& base_url, std::chrono::seconds timeout);

class ClientDriver {
 public:
  virtual ~ClientDriver() = default;
  // Runs `scenario` once per driver: cases sharing a scenario (a positive control, several
  // checks of one lifecycle) share its run. Thread-safe.
  std::shared_ptr<const ScenarioRun> run(const Scenario& scenario, const oracle::TargetProfile& profile);
  // How the client is run, for reports ("exec: CMD", "listen: ADDR", "in-process").
  virtual std::string describe() const = 0;
  // Scenarios of this driver cannot run concurrently (listen).
  virtual bool serial() const { return false; }

 protected:
  virtual ScenarioRun launch(ScenarioService& service, const Scenario& scenario,
                             const oracle::TargetProfile& profile) = 0;
  // Serves one scenario on an ephemeral 127.0.0.1 port for the exec and in-process drivers.
  struct Served {
    std::unique_ptr<transport::HttpServer> server;
    std::string base_url;
  };
  static Result<Served> serve(ScenarioService& service);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_future<std::shared_ptr<const ScenarioRun>>> runs_;
};

class ExecDriver : public ClientDriver {
 public:
  ExecDriver(std::string command, std::chrono::seconds timeout) : command_(std::move(command)), timeout_(timeout) {}
  std::string describe() const override { return "exec: " + command_; }

 protected:
  ScenarioRun launch(ScenarioService& service, const Scenario& scenario, const oracle::TargetProfile& profile) override;

 private:
  std::string command_;
  std::chrono::seconds timeout_;
};

class InProcessDriver : public ClientDriver {
 public:
  explicit InProcessDriver(oracle::ClientFaultSet faults = {}, std::chrono::seconds timeout = std::chrono::seconds(10))
      : faults_(faults), timeout_(timeout) {}
  std::string describe() const override { return "in-process reference client"; }

 protected:
  ScenarioRun launch(ScenarioService& service, const Scenario& scenario, const oracle::TargetProfile& profile) override;

 private:
  oracle::ClientFaultSet faults_;
  std::chrono::seconds timeout_;
};

class ListenDriver : public ClientDriver {
 public:
  // Binds `address` ("HOST:PORT"; port 0 picks one) at once.
  static Result<std::unique_ptr<ListenDriver>> create(const std::string& address, std::chrono::seconds timeout);
  ~ListenDriver() override;
  std::string describe() const override { return "listen: " + base_url_; }
  bool serial() const override { return true; }
  const std::string& base_url() const { return base_url_; }
  // Tells polling clients that the run is over (GET /parley/scenario answers 410 from now on).
  void finish();

 protected:
  ScenarioRun launch(ScenarioService& service, const Scenario& scenario, const oracle::TargetProfile& profile) override;

 private:
  explicit ListenDriver(std::chrono::seconds timeout) : timeout_(timeout) {}
  transport::HttpResponse handle(const transport::HttpRequest& request);

  std::chrono::seconds timeout_;
  std::unique_ptr<transport::HttpServer> server_;
  std::string base_url_;
  std::mutex mu_;
  std::condition_variable cv_;
  ScenarioService* current_ = nullptr;  // guarded by mu_
  std::string current_json_;            // the pending scenario, as GET /parley/scenario answers it
  bool taken_ = false;
  std::optional<int> result_;
  bool finished_ = false;
};

}  // namespace parley::clientsuite
