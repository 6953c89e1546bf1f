#include "harness/transport/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <mutex>
#include <utility>

namespace parley::transport {
namespace {

// curl_global_init is not thread-safe and must run once per process before any handle exists.
CURLcode global_init() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  return rc;
}

std::string ms_text(std::chrono::milliseconds ms) {
  return std::to_string(ms.count()) + " ms";
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// What the callbacks see of one transfer.
struct Transfer {
  const HttpClient::Options* options = nullptr;

  // Request side, from the debug callback: exactly what curl wrote.
  std::string request_head;
  std::string request_body_sent;

  // Response side: the last response (a 1xx or a followed redirect is replaced by the next).
  bool status_seen = false;
  bool headers_done = false;
  std::size_t header_bytes = 0;
  std::string response_head;
  std::string body;

  // Set when a callback aborted the transfer on a limit.
  std::string abort_reason;
  TransportFailure abort_failure = TransportFailure::kNone;
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new response: an interim 1xx or a redirect that is being followed came before it.
    t.status_seen = true;
    t.headers_done = false;
    t.header_bytes = 0;
    t.response_head.clear();
    t.body.clear();
  } else if (t.headers_done) {
    // Trailer fields after a chunked body: counted against the limit, not kept.
    t.header_bytes += n;
    if (t.header_bytes > t.options->max_header_bytes) {
      t.abort_reason = "response headers and trailers exceed max_header_bytes " +
                       std::to_string(t.options->max_header_bytes);
      t.abort_failure = TransportFailure::kHeadersTooLarge;
      return 0;
    }
    return n;
  }
  t.header_bytes += n;
  if (t.header_bytes > t.options->max_header_bytes) {
    t.abort_reason =
        "response headers exceed max_header_bytes " + std::to_string(t.options->max_header_bytes);
    t.abort_failure = TransportFailure::kHeadersTooLarge;
    return 0;
  }
  t.response_head.append(line);
  if (line == "\r\n" || line == "\n") t.headers_done = true;
  return n;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  const std::size_t room =
      t.options->max_body_bytes - std::min(t.body.size(), t.options->max_body_bytes);
  if (n > room) {
    t.body.append(data, room);  // evidence keeps what fits
    t.abort_reason =
        "response body exceeds max_body_bytes " + std::to_string(t.options->max_body_bytes);
    t.abort_failure = TransportFailure::kBodyTooLarge;
    return CURL_WRITEFUNC_ERROR;
  }
  t.body.append(data, n);
  return n;
}

int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  if (type == CURLINFO_HEADER_OUT) {
    // A new request (after a redirect) starts once the previous head is complete.
    if (t.request_head.ends_with("\r\n\r\n")) {
      t.request_head.clear();
      t.request_body_sent.clear();
    }
    t.request_head.append(data, size);
  } else if (type == CURLINFO_DATA_OUT) {
    t.request_body_sent.append(data, size);
  }
  return 0;
}

// curl_slist owner.
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

Status append(Slist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) return Error(ErrorCode::kInternal, "out of memory building headers");
  (void)list.release();
  list.reset(grown);
  return ok_status();
}

bool is_token(std::string_view s) {
  return !s.empty() && validate_header_field(s, "").ok();
}

// Start line "HTTP/1.1 200 OK" into the response.
void parse_status_line(std::string_view line, HttpResponse& out) {
  std::size_t sp = line.find(' ');
  out.version = std::string(line.substr(0, sp));
  if (sp == std::string_view::npos) return;
  line.remove_prefix(sp + 1);
  std::size_t sp2 = line.find(' ');
  std::string_view code = line.substr(0, sp2);
  int status = 0;
  std::from_chars(code.data(), code.data() + code.size(), status);
  out.status = status;
  out.reason = sp2 == std::string_view::npos ? "" : std::string(line.substr(sp2 + 1));
}

// Start line "POST /x HTTP/1.1" into the request.
void parse_request_line(std::string_view line, HttpRequest& out) {
  std::size_t sp = line.find(' ');
  out.method = std::string(line.substr(0, sp));
  if (sp == std::string_view::npos) return;
  line.remove_prefix(sp + 1);
  std::size_t sp2 = line.rfind(' ');
  out.target = std::string(line.substr(0, sp2));
  out.version = sp2 == std::string_view::npos ? "" : std::string(line.substr(sp2 + 1));
}

// The Content-Length of the response being read, as the peer wrote it.
std::optional<std::string> announced_length(const Transfer& t) {
  ParsedHead head = parse_head(t.response_head);
  auto value = head.headers.get("Content-Length");
  if (!value) return std::nullopt;
  return std::string(*value);
}

std::optional<std::chrono::microseconds> timing(CURL* curl, CURLINFO info) {
  curl_off_t us = 0;
  if (curl_easy_getinfo(curl, info, &us) != CURLE_OK || us <= 0) return std::nullopt;
  return std::chrono::microseconds(us);
}

}  // namespace

class HttpClient::Impl {
 public:
  explicit Impl(Options options) : options_(std::move(options)) {
    if (global_init() == CURLE_OK) curl_ = curl_easy_init();
  }
  ~Impl() {
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Exchange exchange(std::string_view url, const HttpRequest& request);
  void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
    std::lock_guard lock(mu_);
    deadline_ = deadline;
  }

 private:
  Status configure(const std::string& url, const HttpRequest& request, Transfer& transfer,
                   Slist& headers);
  void fail(Exchange& ex, TransportFailure failure, ErrorCode code, std::string what) const {
    ex.failure = failure;
    ex.error = Error(code, std::move(what), where_);
  }
  void describe_failure(CURLcode rc, const Transfer& t, const HttpRequest& request,
                        Exchange& ex) const;
  std::string phase(const Transfer& t, const HttpRequest& request, bool tls) const;

  Options options_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::mutex mu_;
  CURL* curl_ = nullptr;
  std::uint64_t connections_ = 0;
  char errbuf_[CURL_ERROR_SIZE] = {};
  std::string where_;
};

#define PARLEY_CURL_SET(handle, option, value)                                              \
  do {                                                                                      \
    CURLcode parley_curl_rc_ = curl_easy_setopt(handle, option, value);                     \
    if (parley_curl_rc_ != CURLE_OK) {                                                      \
      return Error(ErrorCode::kInvalidArgument, std::string("curl refused " #option ": ") + \
                                                    curl_easy_strerror(parley_curl_rc_));   \
    }                                                                                       \
  } while (false)

Status HttpClient::Impl::configure(const std::string& url, const HttpRequest& request,
                                   Transfer& transfer, Slist& headers) {
  CURL* c = curl_;
  PARLEY_CURL_SET(c, CURLOPT_URL, url.c_str());
  PARLEY_CURL_SET(c, CURLOPT_PROTOCOLS_STR, "http,https");
  PARLEY_CURL_SET(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  PARLEY_CURL_SET(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  PARLEY_CURL_SET(c, CURLOPT_NOSIGNAL, 1L);
  PARLEY_CURL_SET(c, CURLOPT_ERRORBUFFER, errbuf_);
  // Proxies only when asked: an empty CURLOPT_PROXY plus NOPROXY "*" ignores http_proxy and
  // friends, so tests and runs do not depend on the caller's environment.
  if (!options_.proxy.empty()) {
    PARLEY_CURL_SET(c, CURLOPT_PROXY, options_.proxy.c_str());
    PARLEY_CURL_SET(c, CURLOPT_NOPROXY, "");
  } else if (!options_.use_environment_proxy) {
    PARLEY_CURL_SET(c, CURLOPT_PROXY, "");
    PARLEY_CURL_SET(c, CURLOPT_NOPROXY, "*");
  }

  std::chrono::milliseconds total = options_.total_timeout;
  std::chrono::milliseconds connect = options_.connect_timeout;
  if (deadline_) {
    // At least 1 ms: curl reads 0 as "no timeout".
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - std::chrono::steady_clock::now());
    left = std::max(left, std::chrono::milliseconds(1));
    total = std::min(total, left);
    connect = std::min(connect, left);
  }
  PARLEY_CURL_SET(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect.count()));
  PARLEY_CURL_SET(c, CURLOPT_TIMEOUT_MS, static_cast<long>(total.count()));
  PARLEY_CURL_SET(c, CURLOPT_LOW_SPEED_LIMIT,
                  static_cast<long>(options_.low_speed_bytes_per_second));
  PARLEY_CURL_SET(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time.count()));
  PARLEY_CURL_SET(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_body_bytes));

  PARLEY_CURL_SET(c, CURLOPT_FOLLOWLOCATION, options_.follow_redirects ? 1L : 0L);
  PARLEY_CURL_SET(c, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));

  PARLEY_CURL_SET(c, CURLOPT_SSL_VERIFYPEER, options_.verify_peer ? 1L : 0L);
  PARLEY_CURL_SET(c, CURLOPT_SSL_VERIFYHOST, options_.verify_host ? 2L : 0L);
  if (!options_.ca_file.empty()) PARLEY_CURL_SET(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.client_cert_file.empty()) {
    PARLEY_CURL_SET(c, CURLOPT_SSLCERT, options_.client_cert_file.c_str());
  }
  if (!options_.client_key_file.empty()) {
    PARLEY_CURL_SET(c, CURLOPT_SSLKEY, options_.client_key_file.c_str());
  }
  if (!options_.user_agent.empty()) {
    PARLEY_CURL_SET(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  }

  PARLEY_CURL_SET(c, CURLOPT_HEADERFUNCTION, &on_header);
  PARLEY_CURL_SET(c, CURLOPT_HEADERDATA, &transfer);
  PARLEY_CURL_SET(c, CURLOPT_WRITEFUNCTION, &on_body);
  PARLEY_CURL_SET(c, CURLOPT_WRITEDATA, &transfer);
  PARLEY_CURL_SET(c, CURLOPT_DEBUGFUNCTION, &on_debug);
  PARLEY_CURL_SET(c, CURLOPT_DEBUGDATA, &transfer);
  PARLEY_CURL_SET(c, CURLOPT_VERBOSE, 1L);  // feeds on_debug only, never stderr

  const std::string& method = request.method;
  const bool has_body =
      !request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (method == "HEAD") {
    PARLEY_CURL_SET(c, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    PARLEY_CURL_SET(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    PARLEY_CURL_SET(c, CURLOPT_POSTFIELDS, request.body.data());
    if (method != "POST") PARLEY_CURL_SET(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  } else if (method == "GET") {
    PARLEY_CURL_SET(c, CURLOPT_HTTPGET, 1L);
  } else {
    PARLEY_CURL_SET(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (!request.target.empty()) {
    PARLEY_CURL_SET(c, CURLOPT_REQUEST_TARGET, request.target.c_str());
  }

  for (const auto& field : request.headers) {
    if (iequals(field.name, "Content-Length") || iequals(field.name, "Transfer-Encoding")) {
      continue;  // framing is the client's
    }
    // "Name;" is curl's spelling of a field with an empty value ("Name:" would remove it).
    PARLEY_TRY(
        append(headers, field.value.empty() ? field.name + ";" : field.name + ": " + field.value));
  }
  // Remove what curl would add on its own, so the request is what the caller wrote.
  for (const char* name : {"Accept", "Expect", "Content-Type"}) {
    if (!request.headers.contains(name)) PARLEY_TRY(append(headers, std::string(name) + ":"));
  }
  PARLEY_CURL_SET(c, CURLOPT_HTTPHEADER, headers.get());
  return ok_status();
}

#undef PARLEY_CURL_SET

std::string HttpClient::Impl::phase(const Transfer& t, const HttpRequest& request, bool tls) const {
  if (t.request_head.empty()) {
    curl_off_t connected = 0;
    curl_easy_getinfo(curl_, CURLINFO_CONNECT_TIME_T, &connected);
    if (connected <= 0) return "connecting";
    curl_off_t tls_done = 0;
    curl_easy_getinfo(curl_, CURLINFO_APPCONNECT_TIME_T, &tls_done);
    if (tls && tls_done <= 0) return "in the TLS handshake";
    return "sending the request";
  }
  if (!t.status_seen) {
    if (t.request_body_sent.size() < request.body.size()) {
      return "sending the request body (" + std::to_string(t.request_body_sent.size()) + " of " +
             std::to_string(request.body.size()) + " bytes sent)";
    }
    return "waiting for the response";
  }
  if (!t.headers_done) return "reading the response headers";
  std::string out = "reading the response body (" + std::to_string(t.body.size());
  if (auto length = announced_length(t)) out += " of " + *length;
  return out + " bytes received)";
}

void HttpClient::Impl::describe_failure(CURLcode rc, const Transfer& t, const HttpRequest& request,
                                        Exchange& ex) const {
  const std::string detail = errbuf_[0] != '\0' ? std::string(errbuf_) : curl_easy_strerror(rc);
  const bool tls = starts_with_ci(ex.url, "https://");
  long os_errno = 0;
  curl_easy_getinfo(curl_, CURLINFO_OS_ERRNO, &os_errno);
  const bool reset = os_errno == ECONNRESET || detail.find("reset by peer") != std::string::npos;

  if (!t.abort_reason.empty()) {
    fail(ex, t.abort_failure, ErrorCode::kLimitExceeded, t.abort_reason);
    return;
  }
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: {
      if (detail.starts_with("Operation too slow")) {
        fail(ex, TransportFailure::kTooSlow, ErrorCode::kIo,
             "transfer too slow: under " + std::to_string(options_.low_speed_bytes_per_second) +
                 " bytes/s for " + std::to_string(options_.low_speed_time.count()) + " s " +
                 phase(t, request, tls));
        return;
      }
      std::string where_in = phase(t, request, tls);
      auto limit = options_.total_timeout;
      if (t.request_head.empty() && options_.connect_timeout < options_.total_timeout) {
        limit = options_.connect_timeout;
      }
      fail(ex, TransportFailure::kTimeout, ErrorCode::kIo,
           "timed out after " + ms_text(limit) + " " + where_in);
      return;
    }
    case CURLE_FILESIZE_EXCEEDED: {
      std::string what =
          "response body exceeds max_body_bytes " + std::to_string(options_.max_body_bytes);
      if (auto length = announced_length(t)) what += " (Content-Length " + *length + ")";
      fail(ex, TransportFailure::kBodyTooLarge, ErrorCode::kLimitExceeded, what);
      return;
    }
    case CURLE_COULDNT_RESOLVE_HOST:
      fail(ex, TransportFailure::kConnect, ErrorCode::kIo, "could not resolve host: " + detail);
      return;
    case CURLE_COULDNT_CONNECT:
      fail(ex, TransportFailure::kConnect, ErrorCode::kIo,
           os_errno == ECONNREFUSED ? "connection refused" : "could not connect: " + detail);
      return;
    case CURLE_SSL_CONNECT_ERROR:
      fail(ex, TransportFailure::kTls, ErrorCode::kIo,
           reset ? "TLS handshake failed: connection reset by peer"
                 : "TLS handshake failed: " + detail);
      return;
    case CURLE_PEER_FAILED_VERIFICATION:
      fail(ex, TransportFailure::kTls, ErrorCode::kVerification,
           "TLS handshake failed: the server certificate did not verify: " + detail);
      return;
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
      fail(ex, TransportFailure::kInvalidRequest, ErrorCode::kInvalidArgument,
           "TLS configuration: " + detail);
      return;
    case CURLE_GOT_NOTHING:
      fail(ex, reset ? TransportFailure::kReset : TransportFailure::kClosed, ErrorCode::kIo,
           reset ? "connection reset by peer before any response"
                 : "the server closed the connection without sending a response");
      return;
    case CURLE_PARTIAL_FILE:
      fail(ex, TransportFailure::kClosed, ErrorCode::kIo,
           "the server closed the connection " + phase(t, request, tls));
      return;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      if (reset) {
        fail(ex, TransportFailure::kReset, ErrorCode::kIo,
             "connection reset by peer " + phase(t, request, tls));
      } else {
        fail(ex, TransportFailure::kOther, ErrorCode::kIo,
             "network error " + phase(t, request, tls) + ": " + detail);
      }
      return;
    case CURLE_WEIRD_SERVER_REPLY:
      fail(ex, TransportFailure::kMalformed, ErrorCode::kParse, "malformed response: " + detail);
      return;
    case CURLE_UNSUPPORTED_PROTOCOL:
      if (!t.request_head.empty() && !t.status_seen) {
        fail(ex, TransportFailure::kMalformed, ErrorCode::kParse,
             "the response is not HTTP/1.x: " + detail);
      } else {
        fail(ex, TransportFailure::kInvalidRequest, ErrorCode::kUnsupported, detail);
      }
      return;
    case CURLE_URL_MALFORMAT:
      fail(ex, TransportFailure::kInvalidRequest, ErrorCode::kInvalidArgument,
           "malformed URL: " + detail);
      return;
    case CURLE_TOO_MANY_REDIRECTS:
      fail(ex, TransportFailure::kTooManyRedirects, ErrorCode::kLimitExceeded,
           "too many redirects (more than max_redirects " + std::to_string(options_.max_redirects) +
               ")");
      return;
    default:
      fail(ex, reset ? TransportFailure::kReset : TransportFailure::kOther, ErrorCode::kIo,
           std::string(curl_easy_strerror(rc)) + " " + phase(t, request, tls) + ": " + detail);
      return;
  }
}

Exchange HttpClient::Impl::exchange(std::string_view url_view, const HttpRequest& request_in) {
  std::lock_guard lock(mu_);
  Exchange ex;
  ex.url = std::string(url_view);
  ex.timings.started = std::chrono::system_clock::now();
  ex.request = request_in;
  if (ex.request.method.empty()) ex.request.method = "GET";
  ex.request.version = "HTTP/1.1";
  ex.response.status = 0;
  ex.response.version.clear();
  const HttpRequest& request = ex.request;
  where_ = "http client " + request.method + " " + ex.url;

  if (curl_ == nullptr) {
    fail(ex, TransportFailure::kOther, ErrorCode::kInternal, "libcurl could not be initialized");
    return ex;
  }
  if (!starts_with_ci(ex.url, "http://") && !starts_with_ci(ex.url, "https://")) {
    fail(ex, TransportFailure::kInvalidRequest, ErrorCode::kInvalidArgument,
         "the URL must start with http:// or https://");
    return ex;
  }
  if (!is_token(request.method)) {
    fail(ex, TransportFailure::kInvalidRequest, ErrorCode::kInvalidArgument,
         "method \"" + request.method + "\" is not a token (RFC 9110 section 9.1)");
    return ex;
  }
  for (char c : request.target) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0') {
      fail(ex, TransportFailure::kInvalidRequest, ErrorCode::kInvalidArgument,
           "request target contains whitespace, CR, LF or NUL");
      return ex;
    }
  }
  for (const auto& field : request.headers) {
    if (Status valid = validate_header_field(field.name, field.value); !valid.ok()) {
      fail(ex, TransportFailure::kInvalidRequest, ErrorCode::kInvalidArgument,
           valid.error().what());
      return ex;
    }
  }
  if (options_.max_body_bytes == 0) {
    fail(ex, TransportFailure::kInvalidRequest, ErrorCode::kInvalidArgument,
         "max_body_bytes must be positive");
    return ex;
  }

  curl_easy_reset(curl_);  // options only: kept-alive connections stay in the handle's cache
  errbuf_[0] = '\0';
  Transfer transfer;
  transfer.options = &options_;
  Slist headers;
  if (Status configured = configure(ex.url, request, transfer, headers); !configured.ok()) {
    fail(ex, TransportFailure::kInvalidRequest, configured.error().code(),
         configured.error().what());
    return ex;
  }

  const CURLcode rc = curl_easy_perform(curl_);

  long connects = 0;
  curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &connects);
  if (connects > 0) connections_ += static_cast<std::uint64_t>(connects);
  if (!transfer.request_head.empty()) {
    ex.connection_id = connections_;
    ex.reused_connection = connects == 0;
  }
  long redirects = 0;
  curl_easy_getinfo(curl_, CURLINFO_REDIRECT_COUNT, &redirects);
  ex.redirects = static_cast<int>(redirects);
  char* effective = nullptr;
  if (curl_easy_getinfo(curl_, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK &&
      effective != nullptr) {
    ex.effective_url = effective;
  }
  char* ip = nullptr;
  long port = 0;
  if (curl_easy_getinfo(curl_, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != nullptr) {
    ex.remote_address = ip;
  }
  if (curl_easy_getinfo(curl_, CURLINFO_PRIMARY_PORT, &port) == CURLE_OK) {
    ex.remote_port = static_cast<std::uint16_t>(port);
  }
  if (curl_easy_getinfo(curl_, CURLINFO_LOCAL_IP, &ip) == CURLE_OK && ip != nullptr) {
    ex.local_address = ip;
  }
  if (curl_easy_getinfo(curl_, CURLINFO_LOCAL_PORT, &port) == CURLE_OK) {
    ex.local_port = static_cast<std::uint16_t>(port);
  }
  ex.timings.connected = timing(curl_, CURLINFO_CONNECT_TIME_T);
  ex.timings.tls_established = timing(curl_, CURLINFO_APPCONNECT_TIME_T);
  ex.timings.first_byte = timing(curl_, CURLINFO_STARTTRANSFER_TIME_T);
  ex.timings.finished = timing(curl_, CURLINFO_TOTAL_TIME_T);

  if (!transfer.request_head.empty()) {
    ParsedHead head = parse_head(transfer.request_head);
    HttpRequest sent;
    parse_request_line(head.start_line, sent);
    sent.headers = std::move(head.headers);
    sent.body = transfer.request_body_sent;
    ex.request_head = transfer.request_head;
    if (rc != CURLE_OK) describe_failure(rc, transfer, request, ex);
    ex.request = std::move(sent);
  } else if (rc != CURLE_OK) {
    describe_failure(rc, transfer, request, ex);
  }
  if (transfer.status_seen) {
    ParsedHead head = parse_head(transfer.response_head);
    parse_status_line(head.start_line, ex.response);
    ex.response.headers = std::move(head.headers);
  }
  ex.response.body = std::move(transfer.body);
  ex.response_head = std::move(transfer.response_head);
  // Clear pointers into this call's buffers before they go away.
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
  return ex;
}

HttpClient::HttpClient(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::HttpClient() : HttpClient(Options{}) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

Exchange HttpClient::exchange(std::string_view url, const HttpRequest& request) {
  return impl_->exchange(url, request);
}

void HttpClient::set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
  impl_->set_deadline(deadline);
}

Result<HttpResponse> HttpClient::send(std::string_view url, const HttpRequest& request) {
  Exchange ex = impl_->exchange(url, request);
  if (ex.error) return std::move(*ex.error);
  return std::move(ex.response);
}

}  // namespace parley::transport
