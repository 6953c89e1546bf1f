// Side-by-side benchmarks, parley's half (issue 14; docs/performance.md "Side by side"): DKT sign,
// DKT verify, sign+encrypt and decrypt+verify on the exact files bench/sbs_messages.h wrote, and
// the floor on the same bytes: libxml2 parse + exclusive C14N of the message, one P_SHA1
// derivation, one raw HMAC-SHA1 of the canonical SignedInfo. interop/wss4j/Wss4jBench.java does
// the same four operations with WSS4J; scripts/bench-sbs runs both and merges the figures.
//
// Usage: sbs_bench --sbs-dir DIR [google-benchmark flags]
#include <benchmark/benchmark.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "bench/sbs_messages.h"
#include "harness/core/crypto.h"
#include "harness/core/names.h"
#include "harness/core/xml.h"
#include "harness/core/xmlsec.h"
#include "harness/wssc/envelope.h"

namespace parley::bench {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in) {
    std::fprintf(stderr, "sbs_bench: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  return ss.str();
}

// Signer: parse the unsecured envelope, protect it (Timestamp, SCT, DKTs, HMAC-SHA1 over the
// Timestamp, the Body and the addressing headers; the Body encrypted when asked), serialize.
void protect(benchmark::State& state, const std::string& unsecured, bool encrypt) {
  const wssc::ContextKey context = sbs_context();
  const wssc::ProtectOptions options = sbs_protect_options(encrypt);
  for (auto _ : state) {
    auto doc = xml::parse(unsecured);
    if (!doc.ok()) {
      state.SkipWithError(doc.error().message().c_str());
      break;
    }
    auto info = wssc::secure_envelope(*doc, context, options, header_ids(*doc));
    if (!info.ok()) {
      state.SkipWithError(info.error().message().c_str());
      break;
    }
    std::string wire = xml::serialize(*doc);
    benchmark::DoNotOptimize(wire);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * unsecured.size()));
}

// Receiver: safe parse + open_envelope (STR -> DKT -> SCT, P_SHA1, xmlsec verify, coverage
// checks; decryption first when the Body is encrypted).
void open(benchmark::State& state, const std::string& wire, bool encrypted) {
  const wssc::ContextKey context = sbs_context();
  for (auto _ : state) {
    auto doc = xml::parse(wire);
    if (!doc.ok()) {
      state.SkipWithError(doc.error().message().c_str());
      break;
    }
    wssc::SingleContextResolver resolver(context);
    auto opened = wssc::open_envelope(*doc, resolver);
    if (!opened.ok() || opened->body_was_encrypted != encrypted) {
      state.SkipWithError(opened.ok() ? "encryption state differs" : opened.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(opened->signature_value);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}

// Floor: libxml2 parse (no network, nothing else) + exclusive C14N of the whole document with
// xmlC14NDocDumpMemory, the least any DOM-based verifier does with the bytes.
void parse_c14n(benchmark::State& state, const std::string& wire) {
  for (auto _ : state) {
    xmlDoc* doc = xmlReadMemory(wire.data(), static_cast<int>(wire.size()), nullptr, nullptr, XML_PARSE_NONET);
    if (doc == nullptr) {
      state.SkipWithError("libxml2 refused the message");
      break;
    }
    xmlChar* out = nullptr;
    const int n = xmlC14NDocDumpMemory(doc, nullptr, XML_C14N_EXCLUSIVE_1_0, nullptr, 0, &out);
    benchmark::DoNotOptimize(n);
    xmlFree(out);
    xmlFreeDoc(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}

// Floor: one P_SHA1 derivation of a 24-byte signing key (label + 16-byte nonce), through
// crypto::p_sha1 (OpenSSL's TLS1-PRF KDF), as open_envelope derives it.
void psha1(benchmark::State& state) {
  const wssc::ContextKey context = sbs_context();
  crypto::DerivationParams p;
  p.nonce = Bytes(16, 0x5a);
  p.length = 24;
  for (auto _ : state) {
    auto key = crypto::derive_key(context.key, p);
    benchmark::DoNotOptimize(key);
  }
}

// Floor: raw HMAC-SHA1 (OpenSSL one-shot) over the canonical ds:SignedInfo of the signed message.
void hmac_sha1(benchmark::State& state, const std::string& signed_info) {
  const unsigned char key[24] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  for (auto _ : state) {
    HMAC(EVP_sha1(), key, sizeof key, reinterpret_cast<const unsigned char*>(signed_info.data()), signed_info.size(),
         mac, &mac_len);
    benchmark::DoNotOptimize(mac);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * signed_info.size()));
  state.counters["input_bytes"] = static_cast<double>(signed_info.size());
}

std::string canonical_signed_info(const std::string& wire) {
  auto doc = xml::parse(wire);
  if (!doc.ok()) return {};
  auto si = xml::xpath_one(*doc, "//ds:SignedInfo");
  if (!si.ok()) return {};
  auto c = xml::canonicalize(*si);
  return c.ok() ? *c : std::string();
}

}  // namespace
}  // namespace parley::bench

int main(int argc, char** argv) {
  using namespace parley::bench;
  std::filesystem::path dir;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--sbs-dir=", 0) == 0) {
      dir = arg.substr(10);
    } else if (arg == "--sbs-dir" && i + 1 < argc) {
      dir = argv[++i];
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  if (dir.empty()) {
    std::fprintf(stderr, "usage: sbs_bench --sbs-dir DIR [google-benchmark flags] (DIR from sbs_messages --out)\n");
    return 2;
  }
  if (!parley::xmlsec::initialize().ok()) return 1;
  static std::vector<std::string> keep;  // the benchmarks capture views of these strings
  keep.reserve(64);
  for (const char* size : {"1k", "64k"}) {
    const std::string& unsecured = keep.emplace_back(read_file(dir / (std::string("unsecured-") + size + ".xml")));
    const std::string& signed_wire = keep.emplace_back(read_file(dir / (std::string("signed-") + size + ".xml")));
    const std::string& encrypted = keep.emplace_back(read_file(dir / (std::string("encrypted-") + size + ".xml")));
    const std::string& signed_info = keep.emplace_back(canonical_signed_info(signed_wire));
    if (signed_info.empty()) {
      std::fprintf(stderr, "sbs_bench: no ds:SignedInfo in signed-%s.xml\n", size);
      return 2;
    }
    const std::string s = size;
    benchmark::RegisterBenchmark(("parley/sign/" + s).c_str(), [&unsecured](benchmark::State& st) { protect(st, unsecured, false); });
    benchmark::RegisterBenchmark(("parley/verify/" + s).c_str(), [&signed_wire](benchmark::State& st) { open(st, signed_wire, false); });
    benchmark::RegisterBenchmark(("parley/sign_encrypt/" + s).c_str(), [&unsecured](benchmark::State& st) { protect(st, unsecured, true); });
    benchmark::RegisterBenchmark(("parley/decrypt_verify/" + s).c_str(), [&encrypted](benchmark::State& st) { open(st, encrypted, true); });
    benchmark::RegisterBenchmark(("floor/parse_c14n/" + s).c_str(), [&signed_wire](benchmark::State& st) { parse_c14n(st, signed_wire); });
    benchmark::RegisterBenchmark(("floor/parse_c14n_encrypted/" + s).c_str(), [&encrypted](benchmark::State& st) { parse_c14n(st, encrypted); });
    benchmark::RegisterBenchmark(("floor/hmac_sha1_signed_info/" + s).c_str(), [&signed_info](benchmark::State& st) { hmac_sha1(st, signed_info); });
  }
  benchmark::RegisterBenchmark("floor/p_sha1", [](benchmark::State& st) { psha1(st); });
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
