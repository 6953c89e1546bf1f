// The oracle's hot paths (issue 4): DKT-protected signing and verification of a 1 KB and a
// 64 KB body, SCT issuance, and full request handling of a protected echo. In process (no
// sockets): these measure parley's own cost. Figures and the command: docs/performance.md.
#include <benchmark/benchmark.h>

#include "harness/oracle/client.h"
#include "harness/oracle/service.h"

namespace parley::oracle {
namespace {

std::string body_of(std::size_t bytes) {
  const std::string head = "<e:Echo xmlns:e=\"urn:example\">";
  const std::string tail = "</e:Echo>";
  return head + std::string(bytes > head.size() + tail.size() ? bytes - head.size() - tail.size() : 0, 'x') + tail;
}

ServiceConfig bench_config() {
  ServiceConfig c;
  c.contexts.max_contexts = std::size_t{1} << 30;  // issuance runs millions of times
  c.contexts.inactivity_timeout = std::chrono::hours(24);
  c.detect_replays = false;  // the echo benchmark sends the same message again and again
  return c;
}

struct Fixture {
  Fixture() : service(bench_config()) {
    ClientConfig cc;
    cc.sts_url = "http://127.0.0.1:1/sts";
    cc.service_url = "http://127.0.0.1:1/service";
    client = std::make_unique<Client>(cc, [this](const std::string&, const SoapRequest& r) -> Result<SoapResponse> {
      return service.handle(r);
    });
    if (!client->issue().ok()) std::abort();
  }
  SoapRequest request_for(const xml::Document& doc) const {
    SoapRequest r;
    r.content_type = "application/soap+xml; charset=utf-8";
    r.body = xml::serialize(doc);
    return r;
  }
  Service service;
  std::unique_ptr<Client> client;
};

void BM_DktSign(benchmark::State& state) {
  Fixture f;
  const std::string body = body_of(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto doc = f.client->application_request(body, *f.client->context(), f.client->protect_options());
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_DktSign)->Arg(1 << 10)->Arg(64 << 10);

void BM_DktVerify(benchmark::State& state) {
  Fixture f;
  const std::string body = body_of(static_cast<std::size_t>(state.range(0)));
  auto doc = f.client->application_request(body, *f.client->context(), f.client->protect_options());
  const std::string wire = xml::serialize(*doc);
  for (auto _ : state) {
    auto parsed = xml::parse(wire);  // open_envelope works in place: a fresh tree each time
    wssc::SingleContextResolver resolver(*f.client->context());
    auto opened = wssc::open_envelope(*parsed, resolver);
    if (!opened.ok()) state.SkipWithError(opened.error().message().c_str());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_DktVerify)->Arg(1 << 10)->Arg(64 << 10);

void BM_SctIssuance(benchmark::State& state) {
  Fixture f;
  auto request = f.client->issue_request();
  const SoapRequest wire = f.request_for(request->doc);
  for (auto _ : state) {
    SoapResponse r = f.service.handle(wire);
    if (r.status != 200) state.SkipWithError("issuance failed");
  }
}
BENCHMARK(BM_SctIssuance);

void BM_ProtectedEcho(benchmark::State& state) {
  Fixture f;
  auto doc = f.client->application_request(body_of(static_cast<std::size_t>(state.range(0))), *f.client->context(),
                                           f.client->protect_options());
  const SoapRequest wire = f.request_for(*doc);
  for (auto _ : state) {
    SoapResponse r = f.service.handle(wire);
    if (r.status != 200) state.SkipWithError(r.body.c_str());
  }
}
BENCHMARK(BM_ProtectedEcho)->Arg(1 << 10)->Arg(64 << 10);

}  // namespace
}  // namespace parley::oracle
