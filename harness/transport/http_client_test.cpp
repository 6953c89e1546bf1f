// HttpClient against hostile peers (scripted raw sockets) and against HttpServer.
#include "harness/transport/http_client.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "harness/transport/http_server.h"
#include "harness/transport/http_test_support.h"

namespace parley::transport {
namespace {

using namespace std::chrono_literals;
using testing::RawServer;

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Short limits so that each hostile case ends quickly.
HttpClient::Options short_limits() {
  HttpClient::Options o;
  o.connect_timeout = 2000ms;
  o.total_timeout = 10000ms;
  o.low_speed_bytes_per_second = 0;  // off unless a test is about it
  return o;
}

// Announces `length` bytes of body, then sends one byte every `every` until the peer goes.
RawServer::Script trickle(std::string length, std::chrono::milliseconds every) {
  return [length, every](RawServer::Peer& peer, const std::string&) {
    if (!peer.write("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\n")) return;
    while (peer.pause(every) && peer.write("x")) {
    }
  };
}

TEST(HttpClientHostile, HugeContentLengthIsRefusedBeforeTheBody) {
  RawServer peer(trickle("10737418240", 50ms));
  HttpClient client(short_limits());
  auto ex = client.exchange(peer.url("/"), HttpRequest{});
  ASSERT_TRUE(ex.error);
  EXPECT_EQ(ex.failure, TransportFailure::kBodyTooLarge);
  EXPECT_EQ(ex.error->code(), ErrorCode::kLimitExceeded);
  EXPECT_TRUE(contains(ex.error->what(), "response body exceeds max_body_bytes 4194304"))
      << ex.error->message();
  EXPECT_TRUE(contains(ex.error->what(), "10737418240")) << ex.error->message();
}

TEST(HttpClientHostile, HugeContentLengthTrickleEndsAtTheTotalTimeout) {
  RawServer peer(trickle("10737418240", 50ms));
  auto options = short_limits();
  options.max_body_bytes = std::size_t{32} << 30;  // the size cap does not save us here
  options.total_timeout = 500ms;
  HttpClient client(options);
  auto ex = client.exchange(peer.url("/"), HttpRequest{});
  ASSERT_TRUE(ex.error);
  EXPECT_EQ(ex.failure, TransportFailure::kTimeout);
  EXPECT_TRUE(contains(ex.error->what(), "timed out after 500 ms reading the response body ("))
      << ex.error->message();
  EXPECT_TRUE(contains(ex.error->what(), "of 10737418240 bytes received)")) << ex.error->message();
  EXPECT_EQ(ex.response.status, 200);  // evidence: what did arrive
  EXPECT_EQ(ex.response.body.find_first_not_of('x'), std::string::npos);
}

TEST(HttpClientHostile, SlowDripIsCutOffByTheLowSpeedLimit) {
  RawServer peer(trickle("100000", 100ms));
  auto options = short_limits();
  options.low_speed_bytes_per_second = 1000;
  options.low_speed_time = 1s;
  options.total_timeout = 30000ms;
  HttpClient client(options);
  auto ex = client.exchange(peer.url("/"), HttpRequest{});
  ASSERT_TRUE(ex.error);
  EXPECT_EQ(ex.failure, TransportFailure::kTooSlow);
  EXPECT_TRUE(contains(ex.error->what(),
                       "transfer too slow: under 1000 bytes/s for 1 s reading "
                       "the response body"))
      << ex.error->message();
}

TEST(HttpClientHostile, SilentServerTimesOutWaitingForTheResponse) {
  RawServer peer([](RawServer::Peer& p, const std::string&) {
    while (p.pause(50ms)) {
    }
  });
  auto options = short_limits();
  options.total_timeout = 500ms;
  HttpClient client(options);
  auto ex = client.exchange(peer.url("/"), HttpRequest{});
  ASSERT_TRUE(ex.error);
  EXPECT_EQ(ex.failure, TransportFailure::kTimeout);
  EXPECT_EQ(ex.error->what(), "timed out after 500 ms waiting for the response");
  EXPECT_TRUE(ex.request_head.starts_with("GET / HTTP/1.1\r\n")) << ex.request_head;
  EXPECT_EQ(ex.response.status, 0);
}

TEST(HttpClientHostile, EndlessChunkedBodyStopsAtMaxBodyBytes) {
  RawServer peer([](RawServer::Peer& p, const std::string&) {
    if (!p.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) return;
    const std::string chunk = "1000\r\n" + std::string(4096, 'c') + "\r\n";
    while (p.write(chunk)) {
    }
  });
  auto options = short_limits();
  options.max_body_bytes = 65536;
  HttpClient client(options);
  auto ex = client.exchange(peer.url("/"), HttpRequest{});
  ASSERT_TRUE(ex.error);
  EXPECT_EQ(ex.failure, TransportFailure::kBodyTooLarge);
  EXPECT_EQ(ex.error->what(), "response body exceeds max_body_bytes 65536");
  EXPECT_EQ(ex.response.body.size(), 65536u);  // evidence keeps what fits
}

TEST(HttpClientHostile, ResetInTheMiddleOfTheBodyIsNamed) {
  RawServer peer([](RawServer::Peer& p, const std::string&) {
    if (!p.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(100, 'r'))) {
      return;
    }
    p.pause(100ms);
    p.reset_on_close();
  });
  HttpClient client(short_limits());
  auto ex = client.exchange(peer.url("/"), HttpRequest{});
  ASSERT_TRUE(ex.error);
  EXPECT_EQ(ex.failure, TransportFailure::kReset) << ex.error->message();
  EXPECT_TRUE(contains(ex.error->what(), "connection reset by peer reading the response body"))
      << ex.error->message();
}

TEST(HttpClientHostile, CloseInTheMiddleOfTheBodyIsNamed) {
  RawServer peer([](RawServer::Peer& p, const std::string&) {
    p.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(100, 'c'));
  });
  HttpClient client(short_limits());
  auto ex = client.exchange(peer.url("/"), HttpRequest{});
  ASSERT_TRUE(ex.error);
  EXPECT_EQ(ex.failure, TransportFailure::kClosed);
  EXPECT_EQ(ex.error->what(),
            "the server closed the connection reading the response body (100 of 1000 bytes "
            "received)");
  EXPECT_EQ(ex.response.body, std::string(100, 'c'));
}

TEST(HttpClientHostile, CloseWithoutAnyResponseIsNamed) {
  RawServer peer([](RawServer::Peer&, const std::string&) {});
  HttpClient client(short_limits());
  auto ex = client.exchange(peer.url("/"), HttpRequest{});
  ASSERT_TRUE(ex.error);
  EXPECT_TRUE(ex.failure == TransportFailure::kClosed || ex.failure == TransportFailure::kReset)
      << ex.error->message();
  EXPECT_TRUE(contains(ex.error->what(), "without sending a response") ||
              contains(ex.error->what(), "reset by peer"))
      << ex.error->message();
}

TEST(HttpClientHostile, NonHttpAnswerIsMalformed) {
  RawServer peer([](RawServer::Peer& p, const std::string&) {
    p.write("SSH-2.0-OpenSSH_9.2\r\n\r\n");
    p.pause(200ms);
  });
  HttpClient client(short_limits());
  auto ex = client.exchange(peer.url("/"), HttpRequest{});
  ASSERT_TRUE(ex.error);
  EXPECT_EQ(ex.failure, TransportFailure::kMalformed) << ex.error->message();
  EXPECT_EQ(ex.error->code(), ErrorCode::kParse);
}

TEST(HttpClientHostile, HugeResponseHeadersStopAtMaxHeaderBytes) {
  RawServer peer([](RawServer::Peer& p, const std::string&) {
    std::string head = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 100; ++i)
      head += "X-Filler-" + std::to_string(i) + ": " + std::string(200, 'f') + "\r\n";
    p.write(head + "Content-Length: 0\r\n\r\n");
    p.pause(200ms);
  });
  auto options = short_limits();
  options.max_header_bytes = 8192;
  HttpClient client(options);
  auto ex = client.exchange(peer.url("/"), HttpRequest{});
  ASSERT_TRUE(ex.error);
  EXPECT_EQ(ex.failure, TransportFailure::kHeadersTooLarge);
  EXPECT_EQ(ex.error->what(), "response headers exceed max_header_bytes 8192");
}

TEST(HttpClientHostile, ConnectionRefusedIsNamed) {
  std::uint16_t port = 0;
  {
    RawServer gone([](RawServer::Peer&, const std::string&) {});
    port = gone.port();
  }
  HttpClient client(short_limits());
  auto got = client.send("http://127.0.0.1:" + std::to_string(port) + "/", HttpRequest{});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().what(), "connection refused");
  EXPECT_TRUE(contains(got.error().where(), "GET http://127.0.0.1:")) << got.error().message();
}

TEST(HttpClientRedirects, LoopIsCutAtMaxRedirectsAndNotFollowedByDefault) {
  HttpServer::Options so;
  so.log = [](std::string_view) {};
  HttpServer server(so, [](const HttpRequest& req, const ConnectionInfo&) {
    HttpResponse r;
    if (req.target == "/start") {
      r.status = 302;
      r.headers.add("Location", "/end");
    } else if (req.target == "/end") {
      r.body = "arrived";
    } else {
      r.status = 302;
      r.headers.add("Location", req.target);  // to itself, forever
    }
    return r;
  });
  ASSERT_TRUE(server.start().ok());

  HttpClient plain(short_limits());
  auto not_followed = plain.send(server.url("/loop"), HttpRequest{});
  ASSERT_TRUE(not_followed.ok()) << not_followed.error().message();
  EXPECT_EQ(not_followed->status, 302);
  EXPECT_EQ(not_followed->headers.get("Location"), "/loop");

  auto options = short_limits();
  options.follow_redirects = true;
  options.max_redirects = 3;
  HttpClient following(options);
  auto loop = following.exchange(server.url("/loop"), HttpRequest{});
  ASSERT_TRUE(loop.error);
  EXPECT_EQ(loop.failure, TransportFailure::kTooManyRedirects);
  EXPECT_EQ(loop.error->what(), "too many redirects (more than max_redirects 3)");

  auto hop = following.exchange(server.url("/start"), HttpRequest{});
  ASSERT_FALSE(hop.error) << hop.error->message();
  EXPECT_EQ(hop.response.status, 200);
  EXPECT_EQ(hop.response.body, "arrived");
  EXPECT_EQ(hop.redirects, 1);
  EXPECT_TRUE(hop.effective_url.ends_with("/end")) << hop.effective_url;
  EXPECT_TRUE(hop.request_head.starts_with("GET /end HTTP/1.1\r\n")) << hop.request_head;
}

class HttpClientEvidence : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServer::Options so;
    so.log = [](std::string_view) {};
    server_ = std::make_unique<HttpServer>(so, [](const HttpRequest& req, const ConnectionInfo&) {
      HttpResponse r;
      r.headers.add("X-A", "1");
      r.headers.add("X-B", "2");
      r.headers.add("X-A", "3");
      r.headers.add("X-Seen-Target", req.target);
      std::string seen;
      for (const auto& f : req.headers) seen += f.name + "=" + f.value + ";";
      r.headers.add("X-Seen-Headers", seen);
      r.body = req.body;
      return r;
    });
    ASSERT_TRUE(server_->start().ok());
  }
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpClientEvidence, RequestAndResponseAreRecordedExactly) {
  HttpClient client;
  HttpRequest req;
  req.method = "POST";
  req.headers.add("Content-Type", "application/soap+xml; charset=utf-8");
  req.headers.add("X-Empty", "");
  req.headers.add("Content-Length", "12345");  // dropped: framing is the client's
  req.body = std::string("<x>\0</x>", 8);
  auto ex = client.exchange(server_->url("/svc?wsdl"), req);
  ASSERT_FALSE(ex.error) << ex.error->message();

  EXPECT_TRUE(ex.request_head.starts_with("POST /svc?wsdl HTTP/1.1\r\n")) << ex.request_head;
  EXPECT_TRUE(ex.request_head.ends_with("\r\n\r\n"));
  EXPECT_EQ(ex.request.method, "POST");
  EXPECT_EQ(ex.request.target, "/svc?wsdl");
  EXPECT_EQ(ex.request.version, "HTTP/1.1");
  EXPECT_TRUE(ex.request.headers.get("Host").has_value());
  EXPECT_EQ(ex.request.headers.get("Content-Length"), "8");
  EXPECT_EQ(ex.request.headers.get("Content-Type"), "application/soap+xml; charset=utf-8");
  EXPECT_EQ(ex.request.headers.get("X-Empty"), "");
  EXPECT_FALSE(ex.request.headers.contains("Accept"));
  EXPECT_FALSE(ex.request.headers.contains("Expect"));
  EXPECT_FALSE(ex.request.headers.contains("User-Agent"));
  EXPECT_EQ(ex.request.body, req.body);

  EXPECT_TRUE(ex.response_head.starts_with("HTTP/1.1 200 OK\r\n")) << ex.response_head;
  EXPECT_TRUE(ex.response_head.ends_with("\r\n\r\n"));
  EXPECT_EQ(ex.response.status, 200);
  EXPECT_EQ(ex.response.version, "HTTP/1.1");
  ASSERT_GE(ex.response.headers.size(), 3u);
  EXPECT_EQ(ex.response.headers.fields()[0], (HttpHeaders::Field{"X-A", "1"}));
  EXPECT_EQ(ex.response.headers.fields()[1], (HttpHeaders::Field{"X-B", "2"}));
  EXPECT_EQ(ex.response.headers.fields()[2], (HttpHeaders::Field{"X-A", "3"}));
  EXPECT_EQ(ex.response.body, req.body);
  EXPECT_EQ(ex.remote_address, "127.0.0.1");
  EXPECT_EQ(ex.remote_port, server_->port());
  EXPECT_NE(ex.local_port, 0);
  EXPECT_EQ(ex.connection_id, 1u);
  EXPECT_TRUE(ex.timings.finished.has_value());
  EXPECT_FALSE(ex.error);
  EXPECT_EQ(ex.failure, TransportFailure::kNone);

  // What the server saw matches what the client recorded.
  std::string seen(ex.response.headers.get("X-Seen-Headers").value_or(""));
  EXPECT_TRUE(contains(seen, "X-Empty=;")) << seen;
  EXPECT_FALSE(contains(seen, "12345")) << seen;
}

TEST_F(HttpClientEvidence, RequestTargetIsSentVerbatimWhenGiven) {
  HttpClient client;
  HttpRequest req;
  req.target = "/a%2Fb/../c?x=%20";
  auto ex = client.exchange(server_->url("/ignored"), req);
  ASSERT_FALSE(ex.error) << ex.error->message();
  EXPECT_EQ(ex.response.headers.get("X-Seen-Target"), req.target);
  EXPECT_EQ(ex.request.target, req.target);
}

TEST_F(HttpClientEvidence, InvalidRequestsAreRefusedBeforeAnythingIsSent) {
  HttpClient client;
  HttpRequest injected;
  injected.headers.add("X-A", "1\r\nX-Injected: 2");
  HttpRequest bad_method;
  bad_method.method = "GET /evil";
  HttpRequest bad_target;
  bad_target.target = "/a b";
  for (const auto& [url, req] :
       {std::pair{server_->url("/"), injected}, std::pair{server_->url("/"), bad_method},
        std::pair{server_->url("/"), bad_target},
        std::pair{std::string("ftp://127.0.0.1/"), HttpRequest{}},
        std::pair{std::string("http://127.0.0.1:notaport/"), HttpRequest{}}}) {
    auto ex = client.exchange(url, req);
    ASSERT_TRUE(ex.error) << url;
    EXPECT_EQ(ex.failure, TransportFailure::kInvalidRequest) << ex.error->message();
    EXPECT_EQ(ex.request_head, "");
  }
  EXPECT_EQ(server_->stats().requests, 0u);
}

TEST_F(HttpClientEvidence, ProxyEnvironmentVariablesAreIgnored) {
  const char* saved = std::getenv("http_proxy");
  std::string saved_value = saved != nullptr ? saved : "";
  ::setenv("http_proxy", "http://127.0.0.1:1", 1);
  HttpClient client;
  auto got = client.send(server_->url("/"), HttpRequest{});
  if (saved != nullptr) {
    ::setenv("http_proxy", saved_value.c_str(), 1);
  } else {
    ::unsetenv("http_proxy");
  }
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->status, 200);
}

TEST_F(HttpClientEvidence, HeadRequestReadsNoBody) {
  HttpClient client;
  HttpRequest req;
  req.method = "HEAD";
  auto ex = client.exchange(server_->url("/"), req);
  ASSERT_FALSE(ex.error) << ex.error->message();
  EXPECT_TRUE(ex.request_head.starts_with("HEAD / HTTP/1.1\r\n"));
  EXPECT_EQ(ex.response.body, "");
}

}  // namespace
}  // namespace parley::transport
