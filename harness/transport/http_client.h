// HttpClient: HTTP/1.1 over libcurl's easy interface, for the conformance engine driving live
// exchanges against targets that may be hostile (endless bodies, huge Content-Length, slow drip,
// resets, redirect loops, bad TLS). Every transfer is bounded in time and size, every failure
// says what happened and in which phase, and every exchange is kept exactly as evidence.
// Limits and behaviours: docs/design/transport.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "harness/core/error.h"
#include "harness/transport/http.h"

namespace parley::transport {

class HttpClient {
 public:
  struct Options {
    std::chrono::milliseconds connect_timeout{10000};  // TCP connect + TLS handshake
    std::chrono::milliseconds total_timeout{60000};    // the whole exchange, redirects included
    // Abort when fewer than low_speed_bytes_per_second arrive for low_speed_time (curl's
    // low-speed limit; whole seconds). 0 bytes/s disables it.
    std::size_t low_speed_bytes_per_second = 100;
    std::chrono::seconds low_speed_time{30};
    std::size_t max_body_bytes = std::size_t{4} << 20;     // response body; must be positive
    std::size_t max_header_bytes = std::size_t{64} << 10;  // response status line + fields
    bool follow_redirects = false;
    int max_redirects = 5;  // when following
    // TLS. verify_peer checks the chain against ca_file (or the system store when empty);
    // verify_host checks the name or IP in the certificate against the URL.
    bool verify_peer = true;
    bool verify_host = true;
    std::string ca_file;
    std::string client_cert_file;  // PEM
    std::string client_key_file;   // PEM
    // Proxy. Empty: direct, whatever http_proxy / https_proxy / no_proxy say; otherwise e.g.
    // "http://host:3128". use_environment_proxy lets curl read those variables instead (only
    // when `proxy` is empty).
    std::string proxy;
    bool use_environment_proxy = false;
    std::string user_agent;  // empty: no User-Agent field unless the request has one
  };

  explicit HttpClient(Options options);
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Sends `request` to `url` ("http://..." or "https://..."; no other scheme). The method,
  // fields and body come from `request`; its target, when non-empty, replaces the URL's path
  // and query on the request line; its version is ignored (always HTTP/1.1). Content-Length and
  // Transfer-Encoding are the client's business and are dropped from `request`; curl adds
  // Host (unless given) and Content-Length, and nothing else (no Accept, no Expect, no
  // Content-Type unless given). Any HTTP status is a response; errors are transport failures.
  Result<HttpResponse> send(std::string_view url, const HttpRequest& request);

  // The same, returning the whole evidence record whatever happened: `error` is set on failure
  // and the response holds whatever arrived.
  Exchange exchange(std::string_view url, const HttpRequest& request);

  // Caps every later exchange at `deadline` (on top of total_timeout): a caller with a time
  // budget (a conformance case) never waits past it. nullopt removes the cap.
  void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline);

  // Kept-alive connections are reused across calls on one HttpClient; calls are serialized
  // (one transfer at a time). Use one HttpClient per worker for concurrency.

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::transport
