// HTTP/1.1 message types shared by the server (Beast), the client (libcurl) and the evidence
// records the engine keeps. Plain values: no Beast or curl types leak out of harness/transport.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/error.h"

namespace parley::transport {

// ASCII case-insensitive comparison, as HTTP field names compare (RFC 9110 section 5.1).
bool iequals(std::string_view a, std::string_view b);

// Header fields in wire order. Lookup ignores case; duplicates are kept as separate fields,
// because evidence must show exactly what a peer sent (e.g. two Set-Cookie or two
// Content-Length fields).
class HttpHeaders {
 public:
  struct Field {
    std::string name;
    std::string value;
    bool operator==(const Field&) const = default;
  };

  HttpHeaders() = default;
  HttpHeaders(std::initializer_list<Field> fields) : fields_(fields) {}

  // Appends a field, keeping any earlier field of the same name.
  void add(std::string name, std::string value);
  // Replaces every field named `name` by one field at the position of the first (or at the end).
  void set(std::string_view name, std::string value);
  // Removes every field named `name`; returns how many were removed.
  std::size_t remove(std::string_view name);

  // The first field's value, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  std::vector<std::string_view> get_all(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }

  const std::vector<Field>& fields() const { return fields_; }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

  bool operator==(const HttpHeaders&) const = default;

 private:
  std::vector<Field> fields_;
};

// A field name must be an RFC 9110 token and a value must not contain CR, LF or NUL: anything
// else would let a caller (or a hostile recorded message) inject header lines.
Status validate_header_field(std::string_view name, std::string_view value);

struct HttpRequest {
  std::string method = "GET";
  // Server side: the request-target as received. Client side: when non-empty it is sent verbatim
  // as the request-target; when empty the client takes it from the URL.
  std::string target;
  std::string version = "HTTP/1.1";
  HttpHeaders headers;
  std::string body;  // exact bytes, binary-safe (chunked transfer coding already removed)
};

// A deliberately broken answer, for testing clients against hostile servers (the oracle's
// hostile-* faults, harness/oracle/faults.h; docs/design/transport.md). The server writes `head`
// as is (it need not be HTTP), then `chunk` `repeat` times waiting `delay` before each, then
// closes the connection: with a TCP reset when `reset`. A peer that stops reading or closes ends
// it early; every write still has the server's write_timeout.
struct RawResponse {
  std::string head;
  std::string chunk;
  std::uint64_t repeat = 0;
  std::chrono::milliseconds delay{0};
  bool reset = false;
};

struct HttpResponse {
  int status = 200;
  std::string reason;  // empty: the server writes the standard reason phrase
  std::string version = "HTTP/1.1";
  HttpHeaders headers;
  std::string body;  // exact bytes, binary-safe; no content coding is undone
  // Server side only: when set, the server writes this instead of the fields above.
  std::shared_ptr<const RawResponse> raw;
};

// Who is on the other end of a server-side connection.
struct ConnectionInfo {
  std::uint64_t id = 0;  // unique per server, counting from 1
  std::string remote_address;
  std::uint16_t remote_port = 0;
  bool tls = false;
  std::uint64_t request_index = 0;  // 0 for the first request on this connection
};

// What kind of transport failure ended an exchange, for verdict rules that must tell a
// timeout from a reset from a refused TLS handshake without parsing message text.
enum class TransportFailure {
  kNone,
  kInvalidRequest,   // bad URL, bad header, bad option: nothing was sent
  kConnect,          // DNS, refused, unreachable
  kTls,              // handshake failed or the peer certificate did not verify
  kTimeout,          // connect or total timeout
  kTooSlow,          // the low-speed limit
  kReset,            // connection reset by peer
  kClosed,           // the peer closed before the response was complete
  kBodyTooLarge,     // response (client) or request (server) body over the limit
  kHeadersTooLarge,  // response (client) or request (server) header block over the limit
  kMalformed,        // the peer's bytes are not HTTP/1.1
  kTooManyRedirects,
  kOther,
};
std::string_view to_string(TransportFailure failure);

// Offsets from `started`; nullopt when the phase was never reached or is not measured.
struct ExchangeTimings {
  std::chrono::system_clock::time_point started{};
  std::optional<std::chrono::microseconds> connected;        // TCP connect done
  std::optional<std::chrono::microseconds> tls_established;  // TLS handshake done
  std::optional<std::chrono::microseconds> first_byte;       // first response byte
  std::optional<std::chrono::microseconds> finished;         // exchange over (or failed)
};

// One HTTP exchange as evidence: what went on the wire each way, when, on which connection,
// and how it ended.
struct Exchange {
  std::uint64_t connection_id = 0;  // client: per HttpClient, from 1; server: ConnectionInfo::id
  bool reused_connection = false;   // the request went out on a kept-alive connection
  std::string url;                  // client: the URL asked for
  std::string effective_url;        // client: the URL of the last hop (after redirects)
  int redirects = 0;                // client: redirects followed
  std::string local_address;
  std::uint16_t local_port = 0;
  std::string remote_address;
  std::uint16_t remote_port = 0;

  // The request as it went out (client: parsed back from the bytes curl wrote, so headers curl
  // added are included; the caller's request when nothing was sent).
  HttpRequest request;
  // Client: the request line and header block exactly as written, CRLFs included; "" when
  // nothing was sent. Server: not captured (Beast parses in place), "".
  std::string request_head;

  // Whatever response arrived: complete when `error` is empty, otherwise partial (status 0
  // when not even a status line arrived; the body bytes received so far).
  HttpResponse response;
  // The status line and header block exactly as they crossed the wire: client, the last response
  // as received (even a partial one); server, as written.
  std::string response_head;

  ExchangeTimings timings;
  TransportFailure failure = TransportFailure::kNone;
  std::optional<Error> error;
};

// Parses an HTTP/1.x header block ("start line CRLF *(field CRLF) CRLF") leniently, for evidence:
// fields keep their order and spelling; obs-fold continuation lines are joined with one space.
// Returns the start line (without CRLF) and the fields.
struct ParsedHead {
  std::string start_line;
  HttpHeaders headers;
};
ParsedHead parse_head(std::string_view head);

}  // namespace parley::transport
