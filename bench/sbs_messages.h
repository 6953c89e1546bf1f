// The messages of the side-by-side benchmarks (issue 14, docs/performance.md "Side by side"):
// generated once by parley's reference client under a pre-shared SCT, written as files, and
// then measured byte for byte by parley (bench/sbs_bench.cpp) and by Apache WSS4J
// (interop/wss4j/Wss4jBench.java). The context key is written out so both sides can verify.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/error.h"
#include "harness/wssc/security.h"

namespace parley::bench {

// The pre-shared context both sides know: the SCT's wsc:Identifier and its 32-byte secret
// (the WSS4J interop test's, with a zero byte and high-bit bytes on purpose).
inline constexpr std::string_view kSbsIdentifier = "urn:uuid:6f1c2a9e-3b7d-4e59-9a21-0c8d5e4f7a13";
inline constexpr std::string_view kSbsKeyHex = "00ff102132435465768798a9bacbdcedfe0f1e2d3c4b5a69788796a5b4c3d2e1";
// Scripts/wss4j's --version for the reference client's default WS-SC 1.3.
inline constexpr std::string_view kSbsShimVersion = "05/12";

// One measured message: the unsecured envelope (what a signer starts from) and the two protected
// forms (signed; signed then Body encrypted), all with the same Body.
struct SbsMessage {
  std::string size_name;           // "1k", "64k"
  std::size_t body_bytes = 0;      // the soap:Body's child, serialized
  std::filesystem::path unsecured; // no wsse:Security header
  std::filesystem::path signed_only;
  std::filesystem::path encrypted;
};

struct SbsOptions {
  std::vector<std::size_t> body_sizes = {1u << 10, 64u << 10};
  // Cold start: this many distinct signed 1 KB messages as cold/NNNN.xml plus cold/capture.jsonl
  // (one exchange each) for `parley analyze --keys`; 0 = none.
  std::size_t cold_messages = 0;
};

struct SbsSet {
  std::filesystem::path dir;
  std::vector<SbsMessage> messages;
  std::filesystem::path context_json;  // identifier, key (hex), versions
  std::filesystem::path keys_toml;     // for `parley analyze --keys`
  std::vector<std::filesystem::path> cold;
  std::filesystem::path cold_capture;
};

// The Echo payload of exactly `bytes` bytes (as serialized), as bench/oracle_bench.cpp sends.
std::string sbs_body(std::size_t bytes);
// The pre-shared context as parley holds it.
wssc::ContextKey sbs_context();
// Protect options for the timed messages: the reference client's defaults (Basic256 DKTs,
// HMAC-SHA1), with a Timestamp valid for a day so that a long benchmark run never meets an
// expired message on either side.
wssc::ProtectOptions sbs_protect_options(bool encrypt);
// The wsu:Ids of the unsecured envelope's header blocks (the addressing headers a signature
// covers besides the Timestamp and the Body), in document order.
std::vector<std::string> header_ids(const xml::Document& unsecured);

// Writes the set into `dir` (created) and a manifest.json describing it.
Result<SbsSet> write_sbs_messages(const std::filesystem::path& dir, const SbsOptions& options = {});

}  // namespace parley::bench
