// HttpServer over real loopback sockets: the libcurl client and raw sockets as peers.
#include "harness/transport/http_server.h"

#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>
#include <vector>

#include "harness/transport/http_client.h"
#include "harness/transport/http_test_support.h"

namespace parley::transport {
namespace {

using namespace std::chrono_literals;
using testing::CertFiles;
using testing::eventually;
using testing::RawConnection;
using testing::TempDir;

// Echoes the request: status 200, the body as received, and what the server saw in headers.
HttpResponse echo(const HttpRequest& req, const ConnectionInfo& conn) {
  HttpResponse r;
  r.headers.add("Content-Type", "application/octet-stream");
  r.headers.add("X-Method", req.method);
  r.headers.add("X-Target", req.target);
  r.headers.add("X-Connection-Id", std::to_string(conn.id));
  r.headers.add("X-Request-Index", std::to_string(conn.request_index));
  r.body = req.body;
  return r;
}

std::string all_bytes() {
  std::string s;
  for (int round = 0; round < 4; ++round) {
    for (int b = 0; b < 256; ++b) s.push_back(static_cast<char>(b));
  }
  return s;
}

HttpServer::Options quiet_options() {
  HttpServer::Options o;
  o.log = [](std::string_view) {};
  return o;
}

HttpRequest post(std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.body = std::move(body);
  return r;
}

TEST(HttpServer, GetAndPostRoundTripBinaryBodies) {
  HttpServer server(quiet_options(), echo);
  ASSERT_TRUE(server.start().ok());
  ASSERT_NE(server.port(), 0);
  HttpClient client;

  auto got = client.send(server.url("/path?q=1"), HttpRequest{});
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->reason, "OK");
  EXPECT_EQ(got->headers.get("X-Method"), "GET");
  EXPECT_EQ(got->headers.get("X-Target"), "/path?q=1");
  EXPECT_EQ(got->body, "");

  const std::string binary = all_bytes();
  auto posted = client.send(server.url("/echo"), post(binary));
  ASSERT_TRUE(posted.ok()) << posted.error().message();
  EXPECT_EQ(posted->headers.get("X-Method"), "POST");
  EXPECT_EQ(posted->headers.get("Content-Length"), std::to_string(binary.size()));
  EXPECT_EQ(posted->body, binary);

  HttpRequest put = post("x");
  put.method = "PUT";
  auto put_result = client.send(server.url("/"), put);
  ASSERT_TRUE(put_result.ok()) << put_result.error().message();
  EXPECT_EQ(put_result->headers.get("X-Method"), "PUT");
  EXPECT_EQ(server.stats().requests, 3u);
}

TEST(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  HttpServer server(quiet_options(), echo);
  ASSERT_TRUE(server.start().ok());
  HttpClient client;
  std::vector<Exchange> exchanges;
  for (int i = 0; i < 3; ++i) exchanges.push_back(client.exchange(server.url("/"), post("hi")));
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(exchanges[i].error) << exchanges[i].error->message();
    EXPECT_EQ(exchanges[i].response.headers.get("X-Connection-Id"), "1");
    EXPECT_EQ(exchanges[i].response.headers.get("X-Request-Index"), std::to_string(i));
    EXPECT_EQ(exchanges[i].connection_id, 1u);
    EXPECT_EQ(exchanges[i].reused_connection, i > 0);
  }
  EXPECT_EQ(server.stats().connections_accepted, 1u);
}

TEST(HttpServer, BodyOverTheCapIsAnswered413AndTheClientSeesIt) {
  auto options = quiet_options();
  options.max_body_bytes = 1024;
  HttpServer server(options, echo);
  ASSERT_TRUE(server.start().ok());
  HttpClient client;
  auto got = client.send(server.url("/"), post(std::string(256 * 1024, 'x')));
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->status, 413);
  EXPECT_NE(got->body.find("max_body_bytes 1024"), std::string::npos) << got->body;
  EXPECT_EQ(got->headers.get("Connection"), "close");
  EXPECT_EQ(server.stats().bodies_too_large, 1u);
  EXPECT_EQ(server.stats().requests, 0u);  // the handler never saw it

  // A body exactly at the cap is fine.
  auto at_cap = client.send(server.url("/"), post(std::string(1024, 'y')));
  ASSERT_TRUE(at_cap.ok()) << at_cap.error().message();
  EXPECT_EQ(at_cap->status, 200);
}

TEST(HttpServer, ChunkedBodyOverTheCapIsAnswered413) {
  auto options = quiet_options();
  options.max_body_bytes = 100;
  HttpServer server(options, echo);
  ASSERT_TRUE(server.start().ok());
  RawConnection raw(server.port());
  ASSERT_TRUE(raw.connected());
  std::string chunk(64, 'z');
  ASSERT_TRUE(
      raw.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               "40\r\n" +
               chunk + "\r\n40\r\n" + chunk + "\r\n0\r\n\r\n"));
  std::string answer = raw.read_until_close();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413 ")) << answer;
  EXPECT_TRUE(raw.closed_by_peer());
}

TEST(HttpServer, HeadersOverTheCapAreAnswered431) {
  auto options = quiet_options();
  options.max_header_bytes = 4096;
  HttpServer server(options, echo);
  ASSERT_TRUE(server.start().ok());
  HttpClient client;
  HttpRequest req;
  req.headers.add("X-Big", std::string(8192, 'h'));
  auto got = client.send(server.url("/"), req);
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->status, 431);
  EXPECT_NE(got->body.find("max_header_bytes 4096"), std::string::npos) << got->body;
  EXPECT_EQ(server.stats().headers_too_large, 1u);

  // Just under the cap is served.
  HttpRequest small;
  small.headers.add("X-Big", std::string(3000, 'h'));
  auto ok = client.send(server.url("/"), small);
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->status, 200);
}

TEST(HttpServer, MalformedRequestsAreAnswered400AndTheServerCarriesOn) {
  HttpServer server(quiet_options(), echo);
  ASSERT_TRUE(server.start().ok());
  for (std::string bad :
       {std::string("GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"),
        std::string("GET / HTTP/9.Z\r\n\r\n"), std::string("G@T / HTTP/1.1\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "zz\r\n\r\n")}) {
    RawConnection raw(server.port());
    ASSERT_TRUE(raw.send(bad));
    std::string answer = raw.read_until_close();
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400 ")) << bad << " -> " << answer;
    EXPECT_NE(answer.find("malformed request"), std::string::npos) << answer;
  }
  EXPECT_EQ(server.stats().bad_requests, 5u);
  HttpClient client;
  auto got = client.send(server.url("/"), HttpRequest{});
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->status, 200);
}

TEST(HttpServer, PeerThatSendsNothingOrHalfARequestIsClosedQuietly) {
  HttpServer server(quiet_options(), echo);
  ASSERT_TRUE(server.start().ok());
  {
    RawConnection raw(server.port());
    ASSERT_TRUE(raw.send("GET / HTTP/1.1\r\nHost:"));
  }  // half a request, then close: nobody to answer
  { RawConnection raw(server.port()); }
  ASSERT_TRUE(eventually([&] { return server.stats().active_connections == 0; }));
  EXPECT_EQ(server.stats().bad_requests, 0u);
}

TEST(HttpServer, HandlerExceptionBecomes500WithAPlainBody) {
  std::vector<std::string> lines;
  std::mutex mu;
  auto options = quiet_options();
  options.log = [&](std::string_view line) {
    std::lock_guard lock(mu);
    lines.emplace_back(line);
  };
  HttpServer server(options, [](const HttpRequest&, const ConnectionInfo&) -> HttpResponse {
    throw std::runtime_error("boom");
  });
  ASSERT_TRUE(server.start().ok());
  HttpClient client;
  auto got = client.send(server.url("/x"), HttpRequest{});
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->status, 500);
  EXPECT_FALSE(got->body.empty());
  EXPECT_EQ(got->headers.get("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(server.stats().handler_failures, 1u);
  server.stop();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("boom"), std::string::npos);
}

TEST(HttpServer, InvalidResponseFromTheHandlerBecomes500) {
  HttpServer server(quiet_options(), [](const HttpRequest& req, const ConnectionInfo&) {
    HttpResponse r;
    if (req.target == "/inject") r.headers.add("X-A", "1\r\nX-Injected: yes");
    if (req.target == "/status") r.status = 101;
    return r;
  });
  ASSERT_TRUE(server.start().ok());
  HttpClient client;
  for (const char* path : {"/inject", "/status"}) {
    auto got = client.send(server.url(path), HttpRequest{});
    ASSERT_TRUE(got.ok()) << got.error().message();
    EXPECT_EQ(got->status, 500) << path;
    EXPECT_FALSE(got->headers.contains("X-Injected"));
    EXPECT_FALSE(got->body.empty());
  }
  EXPECT_EQ(server.stats().handler_failures, 2u);
}

TEST(HttpServer, ServerOwnsFramingAndHonoursHandlerConnectionClose) {
  HttpServer server(quiet_options(), [](const HttpRequest&, const ConnectionInfo& conn) {
    HttpResponse r;
    r.status = 201;
    r.reason = "Made It";
    r.headers.add("Content-Length", "999");  // wrong on purpose: the server recomputes it
    r.headers.add("Connection", "close");
    r.headers.add("X-Connection-Id", std::to_string(conn.id));
    r.body = "abc";
    return r;
  });
  ASSERT_TRUE(server.start().ok());
  HttpClient client;
  for (int i = 1; i <= 2; ++i) {
    auto got = client.send(server.url("/"), HttpRequest{});
    ASSERT_TRUE(got.ok()) << got.error().message();
    EXPECT_EQ(got->status, 201);
    EXPECT_EQ(got->reason, "Made It");
    EXPECT_EQ(got->headers.get("Content-Length"), "3");
    EXPECT_EQ(got->headers.get("Connection"), "close");
    EXPECT_EQ(got->headers.get("X-Connection-Id"), std::to_string(i));  // a new connection each
  }
}

TEST(HttpServer, HeadAnswersWithTheLengthButNoBody) {
  HttpServer server(quiet_options(), [](const HttpRequest&, const ConnectionInfo&) {
    HttpResponse r;
    r.body = "twelve bytes";
    return r;
  });
  ASSERT_TRUE(server.start().ok());
  RawConnection raw(server.port());
  ASSERT_TRUE(raw.send("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string answer = raw.read_until_close();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 OK\r\n")) << answer;
  EXPECT_NE(answer.find("Content-Length: 12\r\n"), std::string::npos) << answer;
  EXPECT_TRUE(answer.ends_with("\r\n\r\n")) << answer;
}

TEST(HttpServer, ExpectContinueGetsA100BeforeTheBody) {
  HttpServer server(quiet_options(), echo);
  ASSERT_TRUE(server.start().ok());
  RawConnection raw(server.port());
  ASSERT_TRUE(
      raw.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
               "Expect: 100-continue\r\n\r\n"));
  std::string interim = raw.read_until("\r\n\r\n");
  EXPECT_TRUE(interim.starts_with("HTTP/1.1 100 Continue\r\n")) << interim;
  ASSERT_TRUE(raw.send("hello"));
  std::string final_response = raw.read_until("hello");
  EXPECT_TRUE(final_response.starts_with("HTTP/1.1 200 OK\r\n")) << final_response;

  HttpClient client;  // curl waits for the 100 as well
  HttpRequest req = post(std::string(100000, 'e'));
  req.headers.add("Expect", "100-continue");
  auto ex = client.exchange(server.url("/"), req);
  ASSERT_FALSE(ex.error) << ex.error->message();
  EXPECT_EQ(ex.response.status, 200);
  EXPECT_EQ(ex.response.body, req.body);
  EXPECT_TRUE(ex.response_head.starts_with("HTTP/1.1 200 OK\r\n")) << ex.response_head;
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  HttpServer server(quiet_options(), echo);
  ASSERT_TRUE(server.start().ok());
  RawConnection raw(server.port());
  ASSERT_TRUE(
      raw.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
               "GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string answer = raw.read_until_close();
  auto one = answer.find("X-Target: /one");
  auto two = answer.find("X-Target: /two");
  ASSERT_NE(one, std::string::npos) << answer;
  ASSERT_NE(two, std::string::npos) << answer;
  EXPECT_LT(one, two);
}

TEST(HttpServer, ConnectionsOverTheCapAreAnswered503) {
  auto options = quiet_options();
  options.max_connections = 2;
  HttpServer server(options, echo);
  ASSERT_TRUE(server.start().ok());
  auto first = std::make_unique<RawConnection>(server.port());
  RawConnection second(server.port());
  ASSERT_TRUE(eventually([&] { return server.stats().active_connections == 2; }));

  HttpClient client;
  auto refused = client.send(server.url("/"), post("over the cap"));
  ASSERT_TRUE(refused.ok()) << refused.error().message();
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->headers.get("Connection"), "close");
  EXPECT_NE(refused->body.find("max_connections 2"), std::string::npos) << refused->body;
  EXPECT_EQ(server.stats().connections_refused, 1u);
  EXPECT_EQ(server.stats().requests, 0u);

  first.reset();  // a slot frees up
  ASSERT_TRUE(eventually([&] { return server.stats().active_connections == 1; }));
  auto served = client.send(server.url("/"), post("now there is room"));
  ASSERT_TRUE(served.ok()) << served.error().message();
  EXPECT_EQ(served->status, 200);
}

TEST(HttpServer, SlowDripRequestIsCutOffByTheReadTimeout) {
  auto options = quiet_options();
  options.read_timeout = 300ms;
  HttpServer server(options, echo);
  ASSERT_TRUE(server.start().ok());
  RawConnection raw(server.port());
  ASSERT_TRUE(raw.send("GET / HTTP/1.1\r\n"));
  // One header byte at a time: each arrives well within any per-read timeout, but the request
  // as a whole never completes.
  bool sending = true;
  for (int i = 0; i < 200 && sending; ++i) {
    sending = raw.send("X");
    std::this_thread::sleep_for(20ms);
    if (server.stats().read_timeouts > 0) break;
  }
  ASSERT_TRUE(eventually([&] { return server.stats().read_timeouts == 1; }));
  std::string rest = raw.read_until_close();
  EXPECT_EQ(rest, "");  // no answer: the connection is just closed
  EXPECT_EQ(server.stats().active_connections, 0u);
}

TEST(HttpServer, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  auto options = quiet_options();
  options.idle_timeout = 200ms;
  HttpServer server(options, echo);
  ASSERT_TRUE(server.start().ok());
  HttpClient client;
  auto first = client.send(server.url("/"), HttpRequest{});
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(first->headers.get("X-Connection-Id"), "1");
  ASSERT_TRUE(eventually([&] { return server.stats().active_connections == 0; }));
  auto second = client.send(server.url("/"), HttpRequest{});
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(second->headers.get("X-Connection-Id"), "2");
}

TEST(HttpServer, StopClosesKeptAliveAndHalfOpenConnections) {
  HttpServer server(quiet_options(), echo);
  ASSERT_TRUE(server.start().ok());
  std::vector<HttpClient> clients(3);
  for (auto& c : clients) {
    auto got = c.send(server.url("/"), HttpRequest{});
    ASSERT_TRUE(got.ok()) << got.error().message();
  }
  RawConnection half(server.port());
  ASSERT_TRUE(half.send("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly some"));
  ASSERT_TRUE(eventually([&] { return server.stats().active_connections == 4; }));
  const std::string url = server.url("/");
  server.stop();
  EXPECT_EQ(server.stats().active_connections, 0u);
  EXPECT_EQ(half.read_until_close(), "");
  // Closed at once: a FIN, or a reset when the server had not read all the peer sent yet.
  EXPECT_TRUE(half.ended_by_peer());
  auto after = clients[0].exchange(url, HttpRequest{});
  ASSERT_TRUE(after.error);
  EXPECT_EQ(after.failure, TransportFailure::kConnect) << after.error->message();
  server.stop();  // idempotent
}

TEST(HttpServer, ExchangeObserverRecordsServedAndRefusedRequests) {
  std::mutex mu;
  std::vector<Exchange> seen;
  auto options = quiet_options();
  options.max_header_bytes = 2048;
  options.on_exchange = [&](const Exchange& ex) {
    std::lock_guard lock(mu);
    seen.push_back(ex);
  };
  HttpServer server(options, echo);
  ASSERT_TRUE(server.start().ok());
  HttpClient client;
  ASSERT_TRUE(client.send(server.url("/a"), post("body")).ok());
  HttpRequest big;
  big.headers.add("X-Big", std::string(4096, 'b'));
  ASSERT_TRUE(client.send(server.url("/b"), big).ok());
  server.stop();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].request.method, "POST");
  EXPECT_EQ(seen[0].request.target, "/a");
  EXPECT_EQ(seen[0].request.body, "body");
  EXPECT_EQ(seen[0].response.status, 200);
  EXPECT_EQ(seen[0].response.body, "body");
  EXPECT_EQ(seen[0].connection_id, 1u);
  EXPECT_FALSE(seen[0].error);
  EXPECT_EQ(seen[1].response.status, 431);
  EXPECT_EQ(seen[1].failure, TransportFailure::kHeadersTooLarge);
  ASSERT_TRUE(seen[1].error);
  EXPECT_NE(seen[1].error->what().find("max_header_bytes 2048"), std::string::npos);
}

TEST(HttpServer, ServesOnIpv6Loopback) {
  auto options = quiet_options();
  options.bind_address = "::1";
  HttpServer server(options, echo);
  Status started = server.start();
  if (!started.ok()) GTEST_SKIP() << "no ::1 here: " << started.error().message();
  EXPECT_TRUE(server.url("/x").starts_with("http://[::1]:"));
  HttpClient client;
  auto got = client.send(server.url("/x"), HttpRequest{});
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->headers.get("X-Target"), "/x");
}

TEST(HttpServer, StartReportsBadConfiguration) {
  {
    auto options = quiet_options();
    options.bind_address = "localhost";  // a literal is required
    HttpServer server(options, echo);
    Status s = server.start();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  }
  {
    HttpServer first(quiet_options(), echo);
    ASSERT_TRUE(first.start().ok());
    auto options = quiet_options();
    options.port = first.port();
    HttpServer second(options, echo);
    Status s = second.start();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), ErrorCode::kIo);
    EXPECT_NE(s.error().message().find("cannot listen"), std::string::npos);
  }
  {
    auto options = quiet_options();
    options.tls = HttpServer::TlsFiles{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
    HttpServer server(options, echo);
    Status s = server.start();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().what().find("/nonexistent/cert.pem"), std::string::npos);
  }
  {
    HttpServer server(quiet_options(), nullptr);
    EXPECT_FALSE(server.start().ok());
  }
}

class HttpServerTls : public ::testing::Test {
 protected:
  void SetUp() override {
    server_cert_ = testing::make_self_signed(dir_.path(), "server");
    other_cert_ = testing::make_self_signed(dir_.path(), "other");
    ASSERT_FALSE(server_cert_.cert_file.empty());
    ASSERT_FALSE(other_cert_.cert_file.empty());
  }
  HttpServer::Options tls_options() {
    auto options = quiet_options();
    options.tls = HttpServer::TlsFiles{server_cert_.cert_file, server_cert_.key_file};
    options.log = [this](std::string_view line) {
      std::lock_guard lock(mu_);
      log_.emplace_back(line);
    };
    return options;
  }
  std::vector<std::string> log() {
    std::lock_guard lock(mu_);
    return log_;
  }

  TempDir dir_;
  CertFiles server_cert_;
  CertFiles other_cert_;
  std::mutex mu_;
  std::vector<std::string> log_;
};

TEST_F(HttpServerTls, ClientVerifyingAgainstTheServerCertificateRoundTrips) {
  HttpServer server(tls_options(), echo);
  ASSERT_TRUE(server.start().ok());
  EXPECT_TRUE(server.url().starts_with("https://127.0.0.1:"));
  HttpClient::Options copts;
  copts.ca_file = server_cert_.cert_file;
  HttpClient client(copts);
  const std::string binary = all_bytes();
  for (int i = 0; i < 2; ++i) {
    auto ex = client.exchange(server.url("/tls"), post(binary));
    ASSERT_FALSE(ex.error) << ex.error->message();
    EXPECT_EQ(ex.response.status, 200);
    EXPECT_EQ(ex.response.body, binary);
    EXPECT_EQ(ex.reused_connection, i == 1);
    if (i == 0) {
      EXPECT_TRUE(ex.timings.tls_established.has_value());
    }
  }
  EXPECT_EQ(server.stats().tls_handshake_failures, 0u);
}

TEST_F(HttpServerTls, ClientWithTheWrongCaFailsWithATlsErrorAndTheServerLogsIt) {
  HttpServer server(tls_options(), echo);
  ASSERT_TRUE(server.start().ok());
  HttpClient::Options copts;
  copts.ca_file = other_cert_.cert_file;
  HttpClient client(copts);
  auto ex = client.exchange(server.url("/"), HttpRequest{});
  ASSERT_TRUE(ex.error);
  EXPECT_EQ(ex.failure, TransportFailure::kTls);
  EXPECT_TRUE(ex.error->what().starts_with("TLS handshake failed")) << ex.error->message();
  EXPECT_EQ(ex.request_head, "");  // nothing was sent
  ASSERT_TRUE(eventually([&] { return server.stats().tls_handshake_failures == 1; }));
  auto lines = log();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("TLS handshake with 127.0.0.1:"), std::string::npos) << lines[0];

  // Verification off: the same server is reachable.
  HttpClient::Options insecure;
  insecure.verify_peer = false;
  insecure.verify_host = false;
  HttpClient lax(insecure);
  auto got = lax.send(server.url("/"), HttpRequest{});
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->status, 200);
}

TEST_F(HttpServerTls, PlainHttpToATlsServerIsAHandshakeFailureNotACrash) {
  HttpServer server(tls_options(), echo);
  ASSERT_TRUE(server.start().ok());
  RawConnection raw(server.port());
  ASSERT_TRUE(raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  raw.read_until_close();
  ASSERT_TRUE(eventually([&] { return server.stats().tls_handshake_failures == 1; }));
  HttpClient::Options copts;
  copts.ca_file = server_cert_.cert_file;
  HttpClient client(copts);
  auto got = client.send(server.url("/"), HttpRequest{});
  ASSERT_TRUE(got.ok()) << got.error().message();
}

TEST_F(HttpServerTls, ConnectionOverTheCapGets503OverTls) {
  auto options = tls_options();
  options.max_connections = 1;
  HttpServer server(options, echo);
  ASSERT_TRUE(server.start().ok());
  RawConnection holder(server.port());
  ASSERT_TRUE(eventually([&] { return server.stats().active_connections == 1; }));
  HttpClient::Options copts;
  copts.ca_file = server_cert_.cert_file;
  HttpClient client(copts);
  auto got = client.send(server.url("/"), HttpRequest{});
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->status, 503);
}

}  // namespace
}  // namespace parley::transport
