// `parley serve` in relying-party mode (harness/rp): chosen when the --config file has an [rp]
// table. cmd_serve.cpp parses the options and hands over here.
#pragma once

#include <string>
#include <vector>

namespace parley::cli {

struct RpServeOptions {
  std::string config_file;
  std::string host;
  int port = -1;
  bool print_profile = false;
  std::string profile_out;
  std::vector<std::string> faults;
  bool list_faults = false;
};

// True when `config_file` is a relying-party config (has an [rp] table).
bool is_rp_config_file(const std::string& config_file);
int run_rp_serve(const RpServeOptions& options);

}  // namespace parley::cli
