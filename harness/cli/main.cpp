// parley: conformance and interoperability suite for WS-SecureConversation and WIF sessions.
#include <iostream>

#include "harness/cli/commands.h"

namespace parley::cli {

int usage_error(const std::string& message) {
  std::cerr << "parley: error: " << message << "\n";
  return kExitUsage;
}

}  // namespace parley::cli

int main(int argc, char** argv) {
  using namespace parley::cli;
  CLI::App app{
      "parley " PARLEY_VERSION
      " -- conformance and interoperability suite for WS-SecureConversation\n"
      "(WCF secure sessions: SCTs, derived keys, issue/amend/renew/cancel) and WIF session\n"
      "management (session tokens in chunked FedAuth cookies).",
      "parley"};
  app.set_version_flag("--version", "parley " PARLEY_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success, 1 conformance failures or mismatches, 2 usage or input error,\n"
      "3 the target could not be reached or the run could not complete.\n"
      "Run 'parley SUBCOMMAND --help' for the options of each subcommand.");

  RunState state;
  add_derive_command(app, state);
  add_vectors_command(app, state);
  add_nbfx_command(app, state);
  add_cookie_command(app, state);
  add_machinekey_command(app, state);
  add_serve_command(app, state);
  add_client_command(app, state);
  add_run_command(app, state);
  add_report_command(app, state);
  add_record_command(app, state);
  add_analyze_command(app, state);
  add_load_command(app, state);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, a hint, exit 2: CLI11's own codes are not part of parley's contract.
    std::cerr << "parley: error: " << e.what() << "\n"
              << "Run 'parley --help' for usage.\n";
    return kExitUsage;
  }
  return state.exit_code;
}
