// The recording proxy between the real libcurl client and a real Beast upstream, plain and TLS:
// everything but the hop-by-hop fields passes byte-identical, and the capture holds it exactly.
#include "harness/capture/record_proxy.h"

#include <gtest/gtest.h>

#include <mutex>

#include "harness/transport/http_test_support.h"

namespace parley::capture {
namespace {

using transport::HttpRequest;
using transport::HttpResponse;
using transport::testing::TempDir;

std::string all_bytes() {
  std::string s;
  for (int b = 0; b < 256; ++b) s.push_back(static_cast<char>(b));
  return s;
}

struct Upstream {
  std::mutex mu;
  std::vector<HttpRequest> seen;
  std::unique_ptr<transport::HttpServer> server;

  explicit Upstream(std::optional<transport::HttpServer::TlsFiles> tls = std::nullopt) {
    transport::HttpServer::Options o;
    o.tls = std::move(tls);
    server = std::make_unique<transport::HttpServer>(o, [this](const HttpRequest& r, const transport::ConnectionInfo&) {
      {
        std::lock_guard lock(mu);
        seen.push_back(r);
      }
      HttpResponse out;
      out.status = 201;
      out.reason = "Made It";
      out.headers.add("Content-Type", "application/octet-stream");
      out.headers.add("Set-Cookie", "FedAuth=a; path=/; secure; HttpOnly");
      out.headers.add("Set-Cookie", "FedAuth1=b; path=/; secure; HttpOnly");
      out.headers.add("X-Odd-Case", "Value  with  spaces");
      out.body = all_bytes() + r.body;
      return out;
    });
    EXPECT_TRUE(server->start().ok());
  }
};

std::vector<Message> read_all(const std::string& path) {
  std::vector<Message> out;
  auto r = CaptureReader::open(path);
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return out;
  for (;;) {
    auto m = (*r)->next();
    EXPECT_TRUE(m.ok());
    if (!m.ok() || !m->has_value()) break;
    out.push_back(std::move(**m));
  }
  return out;
}

void exercise(Upstream& upstream, const std::string& upstream_url, const std::string& ca_file,
              const std::string& capture_path) {
  Header h;
  h.origin = "record";
  auto writer = CaptureWriter::create(capture_path, h);
  ASSERT_TRUE(writer.ok());
  RecordOptions o;
  o.upstream = upstream_url;
  o.ca_file = ca_file;
  RecordingProxy proxy(o, **writer);
  ASSERT_TRUE(proxy.start().ok());

  transport::HttpClient client;
  HttpRequest rq;
  rq.method = "POST";
  rq.target = "/service?q=1";
  rq.headers.add("Content-Type", "application/soap+xml; charset=utf-8");
  rq.headers.add("X-Dup", "1");
  rq.headers.add("x-dup", "2");
  rq.headers.add("Connection", "keep-alive, X-Hop");
  rq.headers.add("X-Hop", "dropped");
  rq.headers.add("Cookie", "FedAuth=a; FedAuth1=b");
  rq.body = all_bytes();
  auto answer = client.exchange(proxy.url("/"), rq);
  ASSERT_FALSE(answer.error) << answer.error->message();
  EXPECT_EQ(answer.response.status, 201);
  EXPECT_EQ(answer.response.reason, "Made It");
  EXPECT_EQ(answer.response.body, all_bytes() + all_bytes());
  EXPECT_EQ(answer.response.headers.get_all("Set-Cookie").size(), 2u);
  EXPECT_EQ(answer.response.headers.get("X-Odd-Case").value_or(""), "Value  with  spaces");

  {
    std::lock_guard lock(upstream.mu);
    ASSERT_EQ(upstream.seen.size(), 1u);
    const HttpRequest& got = upstream.seen[0];
    EXPECT_EQ(got.method, "POST");
    EXPECT_EQ(got.target, "/service?q=1");
    EXPECT_EQ(got.body, all_bytes());
    EXPECT_EQ(got.headers.get_all("X-Dup").size(), 2u);
    EXPECT_FALSE(got.headers.contains("X-Hop"));  // named in Connection: hop-by-hop
    EXPECT_EQ(got.headers.get("Cookie").value_or(""), "FedAuth=a; FedAuth1=b");
    // Host is the client's, unchanged.
    EXPECT_EQ(got.headers.get("Host").value_or(""), "127.0.0.1:" + std::to_string(proxy.port()));
  }
  proxy.stop();
  ASSERT_TRUE((*writer)->close().ok());
  EXPECT_EQ(proxy.exchanges(), 1u);

  auto messages = read_all(capture_path);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].start_line, "POST /service?q=1 HTTP/1.1");
  EXPECT_EQ(messages[0].body, all_bytes());
  EXPECT_EQ(messages[0].headers.get("X-Hop").value_or(""), "dropped");  // what the client sent
  EXPECT_EQ(messages[1].start_line, "HTTP/1.1 201 Made It");
  EXPECT_EQ(messages[1].body, all_bytes() + all_bytes());
  EXPECT_EQ(messages[1].headers.get_all("Set-Cookie").size(), 2u);
  EXPECT_EQ(messages[1].exchange, messages[0].exchange);
  EXPECT_EQ(messages[0].connection, messages[1].connection);
  EXPECT_NE(messages[0].connection, 0u);
  EXPECT_LE(messages[0].time, messages[1].time);
}

TEST(RecordingProxy, PassesEverythingThroughAndRecordsItOverHttp) {
  TempDir dir;
  Upstream upstream;
  exercise(upstream, upstream.server->url(""), "", (dir.path() / "c.jsonl").string());
}

TEST(RecordingProxy, PassesEverythingThroughToAnHttpsUpstream) {
  TempDir dir;
  auto certs = transport::testing::make_self_signed(dir.path(), "upstream");
  ASSERT_FALSE(certs.cert_file.empty());
  Upstream upstream(transport::HttpServer::TlsFiles{certs.cert_file, certs.key_file});
  exercise(upstream, upstream.server->url(""), certs.cert_file, (dir.path() / "c.jsonl").string());
}

TEST(RecordingProxy, AnUnreachableUpstreamIs502AndRecordedWithTheReason) {
  TempDir dir;
  const auto path = (dir.path() / "c.jsonl").string();
  auto writer = CaptureWriter::create(path, Header{});
  RecordOptions o;
  o.upstream = "http://127.0.0.1:1";
  RecordingProxy proxy(o, **writer);
  ASSERT_TRUE(proxy.start().ok());
  transport::HttpClient client;
  auto answer = client.send(proxy.url("/x"), HttpRequest{});
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->status, 502);
  proxy.stop();
  ASSERT_TRUE((*writer)->close().ok());
  auto messages = read_all(path);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].status(), 502);
  ASSERT_FALSE(messages[1].notes.empty());
  EXPECT_NE(messages[1].notes[0].find("upstream error"), std::string::npos);
}

TEST(RecordingProxy, RefusesAnUpstreamThatIsNotHttp) {
  auto writer = CaptureWriter::create("/dev/null", Header{});
  RecordOptions o;
  o.upstream = "ftp://x";
  RecordingProxy proxy(o, **writer);
  EXPECT_FALSE(proxy.start().ok());
}

}  // namespace
}  // namespace parley::capture
