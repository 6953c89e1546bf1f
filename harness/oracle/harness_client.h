// The reference client under the client-harness contract (docs/client-harness.md): the settings
// come from PARLEY_* environment variables, and the lifecycle is the one every client under
// test runs: issue, PARLEY_CALLS application calls (renewing on wsc:RenewNeeded, amending once
// when asked), then close (cancel, unless the policy says MustNotSendCancel). `parley client
// --harness` runs it in a process; the client suite's tests run it in-process.
#pragma once

#include <map>
#include <ostream>
#include <string>

#include "harness/oracle/client.h"

namespace parley::oracle {

using HarnessEnvironment = std::map<std::string, std::string>;

struct HarnessSettings {
  std::string scenario;
  ClientConfig client;
  std::string request_body;
  std::size_t calls = 1;
  bool amend = false;
  bool must_not_send_cancel = false;
  bool must_not_send_renew = false;
  bool must_not_send_amend = false;
  std::string ca_file;
  int timeout_seconds = 10;
};

// The settings the environment describes (kInvalidArgument naming the variable when one is
// missing or malformed).
Result<HarnessSettings> harness_settings(const HarnessEnvironment& env);

// The PARLEY_* variables of this process's environment.
HarnessEnvironment process_harness_environment();

// Runs the lifecycle, one line per step on `log`. Exit codes of the contract: 0 every step
// succeeded, 1 a step failed or an answer was refused, 2 the settings are unusable, 3 the
// service could not be reached.
int run_harness_client(const HarnessSettings& settings, const SendFunction& send, std::ostream& log);

}  // namespace parley::oracle
