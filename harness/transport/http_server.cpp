#include "harness/transport/http_server.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <iostream>
#include <limits>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace parley::transport {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

constexpr std::size_t kReadChunk = 4096;
// A refused or closing connection is drained for at most this many bytes (and linger_timeout).
constexpr std::size_t kMaxDrainBytes = 16u << 20;

std::string version_text(unsigned version) {
  return "HTTP/" + std::to_string(version / 10) + "." + std::to_string(version % 10);
}

std::string endpoint_text(const std::string& address, std::uint16_t port) {
  if (address.find(':') != std::string::npos) return "[" + address + "]:" + std::to_string(port);
  return address + ":" + std::to_string(port);
}

HttpResponse plain_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.add("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

// The reason phrase RFC 9110 section 15 gives `status`, or "" for a code it does not define.
std::string standard_reason(int status) {
  beast::string_view text = http::obsolete_reason(static_cast<http::status>(status));
  if (text.starts_with("<")) return "";  // Beast's "<unknown-status>"
  return std::string(text);
}

std::string_view sv(beast::string_view s) {
  return {s.data(), s.size()};
}

std::chrono::microseconds since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               t0);
}

class SessionBase;

}  // namespace

class HttpServer::Impl {
 public:
  Impl(Options options, Handler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        ioc_(static_cast<int>(std::clamp<std::size_t>(options_.worker_threads, 1, 256))),
        acceptor_(net::make_strand(ioc_)),
        accept_retry_(acceptor_.get_executor()) {}

  ~Impl() { stop(); }

  Status start();
  void stop();

  std::uint16_t port() const { return port_; }
  bool v6() const { return v6_; }
  bool tls() const { return options_.tls.has_value(); }
  Stats stats() const;

  // Used by sessions.
  const Options& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  ssl::context& tls_context() { return *tls_context_; }
  bool stopping() const { return stopping_flag_.load(); }
  void log(std::string_view line);
  void session_ended(std::uint64_t id, bool refusing);

  struct Counters {
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> refused{0};
    std::atomic<std::uint64_t> tls_failures{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> bad_requests{0};
    std::atomic<std::uint64_t> headers_too_large{0};
    std::atomic<std::uint64_t> bodies_too_large{0};
    std::atomic<std::uint64_t> handler_failures{0};
    std::atomic<std::uint64_t> read_timeouts{0};
  };
  Counters counters;

 private:
  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);
  void run_worker();

  // Declaration order is destruction order in reverse: sessions still queued in ioc_ when it is
  // destroyed call session_ended() and use the TLS context, so everything they touch comes first.
  Options options_;
  Handler handler_;
  std::mutex log_mu_;
  mutable std::mutex mu_;
  bool started_ = false;
  bool stopping_ = false;
  std::atomic<bool> stopping_flag_{false};
  std::unordered_map<std::uint64_t, std::weak_ptr<SessionBase>> sessions_;
  std::uint64_t next_id_ = 0;
  std::size_t active_ = 0;    // guarded by mu_
  std::size_t refusing_ = 0;  // guarded by mu_
  std::optional<ssl::context> tls_context_;
  std::uint16_t port_ = 0;
  bool v6_ = false;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  std::vector<std::thread> threads_;
};

namespace {

// One accepted connection. Every step runs on the connection's strand.
class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  SessionBase(HttpServer::Impl& server, ConnectionInfo info, bool refusing)
      : server_(server), info_(std::move(info)), refusing_(refusing) {}
  virtual ~SessionBase() { server_.session_ended(info_.id, refusing_); }
  SessionBase(const SessionBase&) = delete;
  SessionBase& operator=(const SessionBase&) = delete;

  virtual void start() = 0;
  // Posted by HttpServer::stop(): closes the socket, which ends every pending operation.
  virtual void close_from_server() = 0;

 protected:
  HttpServer::Impl& server_;
  ConnectionInfo info_;
  const bool refusing_;  // over max_connections: answer 503 and close
};

template <bool kTls>
class Session final : public SessionBase {
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  Session(HttpServer::Impl& server, tcp::socket socket, ConnectionInfo info, bool refusing)
      : SessionBase(server, std::move(info), refusing),
        stream_(make_stream(std::move(socket), server)) {}

  void start() override {
    net::dispatch(stream_.get_executor(), [self = self()] { self->on_start(); });
  }

  void close_from_server() override {
    net::post(stream_.get_executor(), [self = self()] {
      if (self->raw_timer_) self->raw_timer_->cancel();
      self->lowest().close();
    });
  }

 private:
  static Stream make_stream(tcp::socket&& socket, HttpServer::Impl& server) {
    if constexpr (kTls) {
      return Stream(std::move(socket), server.tls_context());
    } else {
      return Stream(std::move(socket));
    }
  }

  std::shared_ptr<Session> self() { return std::static_pointer_cast<Session>(shared_from_this()); }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  const HttpServer::Options& options() const { return server_.options(); }

  void on_start() {
    if constexpr (kTls) {
      lowest().expires_after(options().read_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = self()](error_code ec) { self->on_handshake(ec); });
    } else {
      next_request();
    }
  }

  void on_handshake(error_code ec) {
    if (ec) {
      server_.log("TLS handshake with " + endpoint_text(info_.remote_address, info_.remote_port) +
                  " (connection " + std::to_string(info_.id) + ") failed: " + ec.message());
      ++server_.counters.tls_failures;  // after the log line: a reader of the count sees both
      return;                           // the session ends; the socket closes
    }
    next_request();
  }

  void next_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        options().max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(static_cast<std::uint64_t>(options().max_body_bytes));
    if (info_.request_index == 0 || buffer_.size() > 0) {
      read_header();
      return;
    }
    // Between requests on a kept-alive connection: idle_timeout until the next request starts.
    lowest().expires_after(options().idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = self()](error_code ec, std::size_t n) { self->on_idle_read(ec, n); });
  }

  void on_idle_read(error_code ec, std::size_t n) {
    if (ec) return;  // idle timeout, peer closed, or stop(): just close
    buffer_.commit(n);
    read_header();
  }

  void read_header() {
    // read_timeout runs from here to the last body byte (reset only around a 100 Continue).
    lowest().expires_after(options().read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = self()](error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (ec) {
      on_read_error(ec);
      return;
    }
    head_done_ = std::chrono::steady_clock::now();
    started_ = std::chrono::system_clock::now();
    if (refusing_) {
      respond(plain_response(503,
                             "503 Service Unavailable: the server is at its connection "
                             "limit (max_connections " +
                                 std::to_string(options().max_connections) + ")\n"),
              false, "refused: over max_connections", TransportFailure::kOther);
      return;
    }
    const auto& req = parser_->get();
    if (!parser_->is_done() && req.version() >= 11 &&
        iequals(sv(req[http::field::expect]), "100-continue")) {
      // RFC 9110 section 10.1.1: the client waits for 100 before sending the body.
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      lowest().expires_after(options().write_timeout);
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = self()](error_code wec, std::size_t) {
                         if (wec) return;
                         self->lowest().expires_after(self->options().read_timeout);
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) {
      handle_request();
      return;
    }
    http::async_read(stream_, buffer_, *parser_, [self = self()](error_code ec, std::size_t) {
      if (ec) {
        self->on_read_error(ec);
        return;
      }
      self->handle_request();
    });
  }

  void on_read_error(error_code ec) {
    if (ec == http::error::end_of_stream) return;  // clean close between requests
    if (ec == beast::error::timeout) {
      if (parser_->got_some() || buffer_.size() > 0) ++server_.counters.read_timeouts;
      return;  // the stream is already closed
    }
    if (refusing_) return;
    started_ = std::chrono::system_clock::now();
    head_done_ = std::chrono::steady_clock::now();
    if (ec == http::error::header_limit) {
      ++server_.counters.headers_too_large;
      std::string what = "request header block exceeds max_header_bytes " +
                         std::to_string(options().max_header_bytes);
      respond(plain_response(431, "431 Request Header Fields Too Large: " + what + "\n"), false,
              what, TransportFailure::kHeadersTooLarge);
      return;
    }
    if (ec == http::error::body_limit) {
      ++server_.counters.bodies_too_large;
      std::string what =
          "request body exceeds max_body_bytes " + std::to_string(options().max_body_bytes);
      respond(plain_response(413, "413 Content Too Large: " + what + "\n"), false, what,
              TransportFailure::kBodyTooLarge);
      return;
    }
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::partial_message && ec != http::error::short_read) {
      ++server_.counters.bad_requests;
      std::string what = "malformed request: " + ec.message();
      respond(plain_response(400, "400 Bad Request: " + what + "\n"), false, what,
              TransportFailure::kMalformed);
      return;
    }
    // A reset, an EOF in the middle of a message, stop(): nobody to answer.
  }

  static HttpRequest to_request(http::request<http::string_body>&& req) {
    HttpRequest out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    out.version = version_text(req.version());
    for (const auto& field : req) {
      out.headers.add(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(req.body());
    return out;
  }

  HttpResponse call_handler(const HttpRequest& request) {
    try {
      return server_.handler()(request, info_);
    } catch (const std::exception& e) {
      server_.log("handler threw on " + request.method + " " + request.target + " (connection " +
                  std::to_string(info_.id) + "): " + e.what());
    } catch (...) {
      server_.log("handler threw a non-standard exception on " + request.method + " " +
                  request.target + " (connection " + std::to_string(info_.id) + ")");
    }
    ++server_.counters.handler_failures;
    return plain_response(500, "500 Internal Server Error: the request handler failed\n");
  }

  void handle_request() {
    ++server_.counters.requests;
    HttpRequest request = to_request(parser_->release());
    bool keep_alive = request.version == "HTTP/1.1"
                          ? !connection_has_close(request.headers)
                          : iequals(request.headers.get("Connection").value_or(""), "keep-alive");
    HttpResponse response = call_handler(request);
    head_request_ = request.method == "HEAD";
    http10_request_ = request.version == "HTTP/1.0";
    request_.emplace(std::move(request));
    if (connection_has_close(response.headers)) keep_alive = false;
    respond(std::move(response), keep_alive && !server_.stopping(), "", TransportFailure::kNone);
  }

  static bool connection_has_close(const HttpHeaders& headers) {
    for (std::string_view value : headers.get_all("Connection")) {
      // Connection is a comma-separated token list (RFC 9110 section 7.6.1).
      while (!value.empty()) {
        std::size_t comma = value.find(',');
        std::string_view token = value.substr(0, comma);
        while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) {
          token.remove_prefix(1);
        }
        while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) {
          token.remove_suffix(1);
        }
        if (iequals(token, "close")) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
      }
    }
    return false;
  }

  // Checks what the handler produced; a response that cannot be written correctly becomes 500.
  Status validate(const HttpResponse& response) {
    if (response.status < 200 || response.status > 999) {
      return Error(ErrorCode::kInvalidArgument, "status " + std::to_string(response.status) +
                                                    " is not a final status code (200..999)");
    }
    for (char c : response.reason) {
      if (c == '\r' || c == '\n' || c == '\0') {
        return Error(ErrorCode::kInvalidArgument, "reason phrase contains CR, LF or NUL");
      }
    }
    for (const auto& field : response.headers) {
      PARLEY_TRY(validate_header_field(field.name, field.value));
    }
    return ok_status();
  }

  // Writes `response` (and then reads the next request or closes). `what` and `failure` describe
  // a request the server refused, for the exchange record.
  void respond(HttpResponse response, bool keep_alive, std::string what, TransportFailure failure) {
    if (response.raw) {
      write_raw(std::move(response.raw));
      return;
    }
    if (Status valid = validate(response); !valid.ok()) {
      ++server_.counters.handler_failures;
      server_.log("handler returned an invalid response (connection " + std::to_string(info_.id) +
                  "): " + valid.error().what());
      response = plain_response(500,
                                "500 Internal Server Error: the request handler returned "
                                "an invalid response\n");
    }
    // The server serializes the head itself: fields go out in the handler's order, duplicates
    // where the handler put them, and the record holds exactly the bytes written.
    HttpResponse& sent = sent_.emplace();
    sent.status = response.status;
    sent.reason = response.reason.empty() ? standard_reason(response.status) : response.reason;
    sent.version = "HTTP/1.1";
    for (auto& field : response.headers) {
      // Framing and connection management belong to the server.
      if (iequals(field.name, "Content-Length") || iequals(field.name, "Transfer-Encoding") ||
          iequals(field.name, "Connection")) {
        continue;
      }
      sent.headers.add(field.name, field.value);
    }
    // RFC 9110 sections 15.3.5 and 15.4.5: 204 and 304 have no content.
    const bool bodiless = response.status == 204 || response.status == 304;
    if (!bodiless) sent.headers.add("Content-Length", std::to_string(response.body.size()));
    if (!keep_alive) {
      sent.headers.add("Connection", "close");
    } else if (http10_request_) {
      sent.headers.add("Connection", "keep-alive");
    }
    // A response to HEAD announces the length it would have had (RFC 9110 section 9.3.2).
    if (!bodiless && !head_request_) sent.body = std::move(response.body);
    out_head_ = sent.version + " " + std::to_string(sent.status) + " " + sent.reason + "\r\n";
    for (const auto& field : sent.headers) out_head_ += field.name + ": " + field.value + "\r\n";
    out_head_ += "\r\n";
    keep_alive_ = keep_alive;
    pending_what_ = std::move(what);
    pending_failure_ = failure;
    lowest().expires_after(options().write_timeout);
    std::array<net::const_buffer, 2> buffers{net::buffer(out_head_), net::buffer(sent.body)};
    net::async_write(stream_, buffers,
                     [self = self()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    record(ec);
    if (ec) return;
    sent_.reset();
    request_.reset();
    head_request_ = false;
    http10_request_ = false;
    if (!keep_alive_) {
      linger();
      return;
    }
    ++info_.request_index;
    next_request();
  }

  void record(error_code write_error) {
    const auto& observer = options().on_exchange;
    if (!observer) return;
    Exchange ex;
    ex.connection_id = info_.id;
    ex.reused_connection = info_.request_index > 0;
    ex.remote_address = info_.remote_address;
    ex.remote_port = info_.remote_port;
    error_code ignored;
    auto local = lowest().socket().local_endpoint(ignored);
    ex.local_address = local.address().to_string();
    ex.local_port = local.port();
    if (request_) {
      ex.request = *request_;
    } else if (parser_ && parser_->is_header_done()) {
      const auto& req = parser_->get();
      ex.request.method = std::string(req.method_string());
      ex.request.target = std::string(req.target());
      ex.request.version = version_text(req.version());
      for (const auto& field : req) {
        ex.request.headers.add(std::string(field.name_string()), std::string(field.value()));
      }
    } else {
      ex.request.method.clear();
      ex.request.version.clear();
    }
    ex.response = *sent_;
    ex.response_head = out_head_;
    ex.timings.started = started_;
    ex.timings.finished = since(head_done_);
    if (write_error) {
      ex.failure = TransportFailure::kOther;
      ex.error = Error(ErrorCode::kIo, "writing the response failed: " + write_error.message(),
                       "http server connection " + std::to_string(info_.id));
    } else if (!pending_what_.empty()) {
      ex.failure = pending_failure_;
      ex.error = Error(pending_failure_ == TransportFailure::kMalformed ? ErrorCode::kParse
                                                                        : ErrorCode::kLimitExceeded,
                       pending_what_, "http server connection " + std::to_string(info_.id));
    }
    try {
      observer(ex);
    } catch (...) {
      server_.log("on_exchange observer threw; record dropped");
    }
  }

  // After a response with Connection: close. Closing with unread input makes the kernel send a
  // reset, which can destroy the response before the peer reads it (RFC 9112 section 9.6), so
  // first stop sending, then read and discard until the peer closes or linger_timeout passes.
  void linger() {
    lowest().expires_after(options().linger_timeout);
    if constexpr (kTls) {
      // close_notify; OpenSSL discards application data that arrives after it.
      stream_.async_shutdown([self = self()](error_code) {});
    } else {
      error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      drain();
    }
  }

  // A hostile answer (HttpResponse::raw): head, then the chunks, then close or reset. Not
  // recorded as an exchange: it is not an HTTP response the server stands behind.
  void write_raw(std::shared_ptr<const RawResponse> raw) {
    raw_ = std::move(raw);
    raw_left_ = raw_->repeat;
    lowest().expires_after(options().write_timeout);
    net::async_write(stream_, net::buffer(raw_->head),
                     [self = self()](error_code ec, std::size_t) { self->on_raw_write(ec); });
  }

  void on_raw_write(error_code ec) {
    if (ec) return;  // the peer gave up (or stop()): the session ends, the socket closes
    if (raw_left_ == 0) {
      end_raw();
      return;
    }
    --raw_left_;
    if (raw_->delay.count() <= 0) {
      write_raw_chunk();
      return;
    }
    if (!raw_timer_) raw_timer_.emplace(stream_.get_executor());
    raw_timer_->expires_after(raw_->delay);
    raw_timer_->async_wait([self = self()](error_code wait_ec) {
      // The socket may have been closed meanwhile (stop()): the write then fails and ends it.
      if (!wait_ec) self->write_raw_chunk();
    });
  }

  void write_raw_chunk() {
    lowest().expires_after(options().write_timeout);
    net::async_write(stream_, net::buffer(raw_->chunk),
                     [self = self()](error_code ec, std::size_t) { self->on_raw_write(ec); });
  }

  void end_raw() {
    error_code ignored;
    auto& socket = lowest().socket();
    // SO_LINGER with a zero timeout: close() sends RST instead of FIN.
    if (raw_->reset) socket.set_option(net::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
  }

  void drain() {
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = self()](error_code ec, std::size_t n) {
                              if (ec) return;
                              self->drained_ += n;
                              if (self->drained_ > kMaxDrainBytes) return;
                              self->drain();
                            });
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<HttpResponse> sent_;  // the response being written, as written
  std::string out_head_;
  std::optional<HttpRequest> request_;  // kept for the exchange record
  bool head_request_ = false;
  bool http10_request_ = false;
  bool keep_alive_ = false;
  std::string pending_what_;
  TransportFailure pending_failure_ = TransportFailure::kNone;
  std::chrono::system_clock::time_point started_{};
  std::chrono::steady_clock::time_point head_done_{};
  std::array<char, kReadChunk> drain_buffer_{};
  std::size_t drained_ = 0;
  std::shared_ptr<const RawResponse> raw_;
  std::uint64_t raw_left_ = 0;
  std::optional<net::steady_timer> raw_timer_;
};

}  // namespace

Status HttpServer::Impl::start() {
  const std::string where = "http server";
  {
    std::lock_guard lock(mu_);
    if (started_) return Error(ErrorCode::kInvalidArgument, "start() was already called", where);
    started_ = true;
  }
  if (!handler_) return Error(ErrorCode::kInvalidArgument, "no request handler", where);
  if (options_.max_connections == 0 || options_.worker_threads == 0 ||
      options_.max_header_bytes == 0 || options_.max_body_bytes == 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "max_connections, worker_threads, max_header_bytes and max_body_bytes must be "
                 "positive",
                 where);
  }
  try {
    error_code ec;
    if (options_.tls) {
      auto& ctx = tls_context_.emplace(ssl::context::tls_server);
      // TLS 1.2 and later only.
      ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                      ec);
      ctx.use_certificate_chain_file(options_.tls->cert_file, ec);
      if (ec) {
        return Error(ErrorCode::kInvalidArgument,
                     "cannot load the TLS certificate chain from " + options_.tls->cert_file +
                         ": " + ec.message(),
                     where);
      }
      ctx.use_private_key_file(options_.tls->key_file, ssl::context::pem, ec);
      if (ec) {
        return Error(
            ErrorCode::kInvalidArgument,
            "cannot load the TLS private key from " + options_.tls->key_file + ": " + ec.message(),
            where);
      }
      if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
        return Error(ErrorCode::kInvalidArgument,
                     "the TLS private key in " + options_.tls->key_file +
                         " does not match the certificate in " + options_.tls->cert_file,
                     where);
      }
    }
    auto address = net::ip::make_address(options_.bind_address, ec);
    if (ec) {
      return Error(ErrorCode::kInvalidArgument,
                   "bind address \"" + options_.bind_address + "\" is not an IP address literal",
                   where);
    }
    v6_ = address.is_v6();
    tcp::endpoint endpoint(address, options_.port);
    std::string listen_where = where + " " + endpoint_text(options_.bind_address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      error_code ignored;
      acceptor_.close(ignored);
      return Error(ErrorCode::kIo, "cannot listen: " + ec.message(), listen_where);
    }
    port_ = acceptor_.local_endpoint(ec).port();
    do_accept();
    for (std::size_t i = 0; i < options_.worker_threads; ++i) {
      threads_.emplace_back([this] { run_worker(); });
    }
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternal, std::string("unexpected exception: ") + e.what(), where);
  }
  return ok_status();
}

void HttpServer::Impl::run_worker() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      log(std::string("worker caught an exception and continues: ") + e.what());
    } catch (...) {
      log("worker caught a non-standard exception and continues");
    }
  }
}

void HttpServer::Impl::do_accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void HttpServer::Impl::on_accept(error_code ec, tcp::socket socket) {
  if (ec) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open() || stopping()) return;
    // E.g. EMFILE: back off instead of spinning on the error.
    log("accept failed: " + ec.message());
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([this](error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) do_accept();
    });
    return;
  }
  ++counters.accepted;
  error_code ignored;
  auto remote = socket.remote_endpoint(ignored);
  std::shared_ptr<SessionBase> session;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      socket.close(ignored);
      return;
    }
    bool refusing = active_ >= options_.max_connections;
    if (refusing) ++counters.refused;
    if (refusing && refusing_ >= options_.max_connections) {
      socket.close(ignored);  // too many refusals in flight: no answer at all
    } else {
      ConnectionInfo info;
      info.id = ++next_id_;
      info.remote_address = remote.address().to_string();
      info.remote_port = remote.port();
      info.tls = tls();
      if (refusing) {
        ++refusing_;
      } else {
        ++active_;
      }
      if (tls()) {
        session = std::make_shared<Session<true>>(*this, std::move(socket), info, refusing);
      } else {
        session = std::make_shared<Session<false>>(*this, std::move(socket), info, refusing);
      }
      sessions_[info.id] = session;
    }
  }
  if (session) session->start();
  do_accept();
}

void HttpServer::Impl::session_ended(std::uint64_t id, bool refusing) {
  std::lock_guard lock(mu_);
  sessions_.erase(id);
  if (refusing) {
    --refusing_;
  } else {
    --active_;
  }
}

void HttpServer::Impl::stop() {
  std::vector<std::weak_ptr<SessionBase>> sessions;
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
    stopping_flag_ = true;
    sessions.reserve(sessions_.size());
    for (const auto& entry : sessions_) sessions.push_back(entry.second);
  }
  net::post(acceptor_.get_executor(), [this] {
    error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
  });
  for (const auto& weak : sessions) {
    if (auto session = weak.lock()) session->close_from_server();
  }
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

HttpServer::Stats HttpServer::Impl::stats() const {
  Stats s;
  s.connections_accepted = counters.accepted.load();
  s.connections_refused = counters.refused.load();
  {
    std::lock_guard lock(mu_);
    s.active_connections = active_;
  }
  s.tls_handshake_failures = counters.tls_failures.load();
  s.requests = counters.requests.load();
  s.bad_requests = counters.bad_requests.load();
  s.headers_too_large = counters.headers_too_large.load();
  s.bodies_too_large = counters.bodies_too_large.load();
  s.handler_failures = counters.handler_failures.load();
  s.read_timeouts = counters.read_timeouts.load();
  return s;
}

void HttpServer::Impl::log(std::string_view line) {
  if (options_.log) {
    try {
      options_.log(line);
    } catch (...) {
      // a logging sink must not take the server down
    }
    return;
  }
  std::lock_guard lock(log_mu_);
  std::cerr << "parley http server: " << line << '\n';
}

HttpServer::HttpServer(Options options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() = default;

Status HttpServer::start() {
  return impl_->start();
}
void HttpServer::stop() {
  impl_->stop();
}
std::uint16_t HttpServer::port() const {
  return impl_->port();
}
HttpServer::Stats HttpServer::stats() const {
  return impl_->stats();
}

std::string HttpServer::url(std::string_view path) const {
  std::string out = impl_->tls() ? "https://" : "http://";
  out += impl_->v6() ? "[" + impl_->options().bind_address + "]" : impl_->options().bind_address;
  out += ":" + std::to_string(impl_->port());
  if (path.empty() || path.front() != '/') out += '/';
  out += path;
  return out;
}

}  // namespace parley::transport
