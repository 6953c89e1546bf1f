// HttpServer: an HTTP/1.1 server (plain or TLS) on Boost.Beast / Asio for `parley serve` (the
// oracle), the client-role harness and the recording proxy. It is built to survive slow and
// hostile peers: every read and write has a deadline, header and body sizes are capped before
// memory is spent, and the number of connections is capped. Limits and behaviours:
// docs/design/transport.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "harness/core/error.h"
#include "harness/transport/http.h"

namespace parley::transport {

class HttpServer {
 public:
  struct TlsFiles {
    std::string cert_file;  // PEM: the server certificate, then any intermediates
    std::string key_file;   // PEM: the private key (unencrypted)
  };

  struct Options {
    std::string bind_address = "127.0.0.1";  // an IPv4 or IPv6 literal, e.g. "::1"
    std::uint16_t port = 0;                  // 0: an ephemeral port; see HttpServer::port()
    std::optional<TlsFiles> tls;             // nullopt: plain HTTP
    std::size_t max_header_bytes = std::size_t{16} << 10;  // request line + fields; over: 431
    std::size_t max_body_bytes = std::size_t{4} << 20;     // request body; over: 413
    // From the first byte of a request to its last body byte; a slow-drip peer is cut off here.
    // Also bounds the TLS handshake.
    std::chrono::milliseconds read_timeout{30000};
    // How long a kept-alive connection may sit without a new request.
    std::chrono::milliseconds idle_timeout{15000};
    // Writing one response; a peer that never reads is cut off here.
    std::chrono::milliseconds write_timeout{30000};
    // After a response with Connection: close, how long to keep reading (and discarding) what
    // the peer still sends, so that closing does not reset the connection before the peer has
    // read the response (e.g. a 413 sent while the client is still uploading).
    std::chrono::milliseconds linger_timeout{2000};
    // Connections being served at once. Connection N+1 is accepted, its request head is read and
    // it is answered 503 with Connection: close; beyond another max_connections such refusals in
    // flight, further connections are closed at once without an answer.
    std::size_t max_connections = 128;
    std::size_t worker_threads = 2;
    // Receives one line per notable event (TLS handshake failure, handler exception, accept
    // error). Empty: the line goes to stderr. Called from worker threads.
    std::function<void(std::string_view)> log;
    // Called on a worker thread after each response is written (or fails to be), with the
    // request as parsed and the response as sent. Empty: no records.
    std::function<void(const Exchange&)> on_exchange;
  };

  // Called on a worker thread, concurrently for different connections; must be thread-safe.
  // It should not throw: an exception becomes a 500 with a plain-text body and a log line.
  // The server sets Content-Length (and removes any Content-Length / Transfer-Encoding the
  // handler set) and Connection; "Connection: close" from the handler closes the connection.
  using Handler = std::function<HttpResponse(const HttpRequest&, const ConnectionInfo&)>;

  struct Stats {
    std::uint64_t connections_accepted = 0;  // every accepted TCP connection
    std::uint64_t connections_refused = 0;   // over max_connections (503 or closed)
    std::uint64_t active_connections = 0;    // being served now (refusals not included)
    std::uint64_t tls_handshake_failures = 0;
    std::uint64_t requests = 0;           // complete requests handed to the handler
    std::uint64_t bad_requests = 0;       // 400
    std::uint64_t headers_too_large = 0;  // 431
    std::uint64_t bodies_too_large = 0;   // 413
    std::uint64_t handler_failures = 0;   // 500 from an exception or an invalid response
    std::uint64_t read_timeouts = 0;      // read_timeout hit mid-request
  };

  HttpServer(Options options, Handler handler);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads TLS files, binds, listens and starts the worker threads. Once per object.
  Status start();
  // Closes the listener and every connection (requests in the handler finish first), joins the
  // workers. Idempotent. Never call it from the handler.
  void stop();

  // The bound port (the ephemeral one when Options::port was 0); 0 before start().
  std::uint16_t port() const;
  // "http://127.0.0.1:PORT" or "https://[::1]:PORT" followed by `path`.
  std::string url(std::string_view path = "/") const;
  Stats stats() const;

  class Impl;  // http_server.cpp only (its connection sessions use it); not part of the API

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::transport
