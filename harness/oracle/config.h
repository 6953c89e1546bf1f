// TOML configuration: the oracle's (`parley serve --config`) and target profiles (what a run
// or `parley client` points at). Schemas: docs/oracle-config.md, docs/target-profile.md. Unknown
// keys are errors: a typo must not silently change what is tested.
#pragma once

#include <cstdint>
#include <string>

#include "harness/oracle/client.h"
#include "harness/oracle/rp_profile.h"
#include "harness/oracle/service.h"

namespace parley::oracle {

struct ServeConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = ephemeral; the bound port is printed
  bool tls = false;
  std::string certificate_file;  // PEM
  std::string private_key_file;  // PEM
  // [message_security] certificate (absolute path; --print-profile names it for clients).
  std::string message_certificate_file;
  std::string sts_path = "/sts";
  std::string service_path = "/service";
  ServiceConfig service;
};

// Parses an oracle config; `base_dir` resolves relative file names (key files).
Result<ServeConfig> parse_serve_config(std::string_view toml_text, const std::string& base_dir = ".");
Result<ServeConfig> load_serve_config(const std::string& path);

// The target profile describing a running oracle, as `parley serve --print-profile` prints it.
std::string target_profile(const ServeConfig& config, const std::string& base_url);

// A parsed target profile (kind = "wssc-service").
struct TargetProfile {
  std::string name;
  std::string kind;
  ClientConfig client;
  std::string request_body;
  std::string protection;       // derived-keys | sct-key
  std::string algorithm_suite;  // e.g. Basic256
  // Claimed capabilities (the engine probes them).
  bool renew = true;
  bool cancel = true;
  bool amend = false;
  bool cookie_mode = false;
  bool replay_detection = false;
  bool encryption = false;
  bool signature_confirmation = false;
  // The service refuses messages protected with the context key itself (no derived keys):
  // claimed by services whose policy requires derived keys (SC-10-03).
  bool requires_derived_keys = false;
  // [limits]: what the target declares of its own bounds; nullopt = not declared (the cases
  // that need a bound are then NOT_APPLICABLE or probe up to their own ceiling).
  std::optional<std::uint64_t> max_pending_sessions;  // WCF MaxPendingSessions
  std::optional<std::uint64_t> key_rollover_seconds;  // WCF SessionKeyRolloverInterval
  // kind = "relying-party": everything the wif-session suite reads (harness/oracle/rp_profile.h);
  // client.service_url is then the protected URL (the reachability probe's).
  std::optional<RelyingPartyProfile> relying_party;
};

Result<TargetProfile> parse_target_profile(std::string_view toml_text, const std::string& base_dir = ".");
Result<TargetProfile> load_target_profile(const std::string& path);

// Applies a WS-SecurityPolicy algorithm suite (names::kAlgorithmSuites): derived key lengths,
// default KeySize, digest and signature method. Errors for unknown suites and for suites whose
// ciphers parley does not implement (TripleDes).
Status apply_algorithm_suite(std::string_view suite, ServiceConfig& config);
Status apply_algorithm_suite(std::string_view suite, ClientConfig& config);

// Version names as profiles spell them ("1.1", "1.2"; "2004/08", "1.0"; "feb2005", "1.3", "1.4").
std::string_view soap_name(names::SoapVersion v);
std::string_view addressing_name(names::AddressingVersion v);
std::string_view sc_name(names::ScVersion v);

}  // namespace parley::oracle
