// Subcommands of the parley CLI. Each registers itself on the app and returns the exit code
// through `exit_code` when it runs (architecture.md: 0 ok, 1 failures, 2 usage, 3 cannot run).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace parley::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailures = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitCannotRun = 3;

// Exit code set by the subcommand that ran.
struct RunState {
  int exit_code = kExitOk;
};

void add_derive_command(CLI::App& app, RunState& state);
void add_vectors_command(CLI::App& app, RunState& state);
void add_nbfx_command(CLI::App& app, RunState& state);        // cmd_nbfx.cpp
void add_cookie_command(CLI::App& app, RunState& state);      // cmd_cookie.cpp
void add_machinekey_command(CLI::App& app, RunState& state);  // cmd_machinekey.cpp
void add_serve_command(CLI::App& app, RunState& state);       // cmd_serve.cpp
void add_client_command(CLI::App& app, RunState& state);      // cmd_client.cpp
void add_run_command(CLI::App& app, RunState& state);         // cmd_run.cpp: run, list, explain
void add_report_command(CLI::App& app, RunState& state);      // cmd_report.cpp: html, merge, diff, sign, verify
void add_record_command(CLI::App& app, RunState& state);      // cmd_record.cpp: record, import
void add_analyze_command(CLI::App& app, RunState& state);     // cmd_analyze.cpp
void add_load_command(CLI::App& app, RunState& state);        // cmd_load.cpp

// Prints "parley: error: <message>" to stderr and returns kExitUsage.
int usage_error(const std::string& message);

}  // namespace parley::cli
