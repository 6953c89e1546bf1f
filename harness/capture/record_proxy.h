// RecordingProxy: `parley record`, a reverse proxy between a client and a service that writes every
// exchange to a capture and changes nothing in transit: method, target, version, header fields
// (names, values, order, duplicates) and bodies pass byte-identical, except the hop-by-hop fields
// listed in kHopByHopFields, which belong to each connection (docs/capture-format.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/capture/capture.h"
#include "harness/transport/http_client.h"
#include "harness/transport/http_server.h"

namespace parley::capture {

// RFC 9110 section 7.6.1 plus the framing fields each connection redoes: not forwarded (the server
// side and curl write their own Content-Length and Connection). Fields named in Connection are
// hop-by-hop too.
inline constexpr std::string_view kHopByHopFields[] = {"Connection", "Keep-Alive", "Proxy-Connection", "TE",
                                                       "Trailer",    "Transfer-Encoding", "Upgrade",
                                                       "Content-Length", "Expect"};
bool is_hop_by_hop(std::string_view name, const transport::HttpHeaders& headers);

struct RecordOptions {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;
  std::optional<transport::HttpServer::TlsFiles> tls;  // listen with TLS
  std::string upstream;     // "http://host:port[/prefix]" or "https://..."; the request target is appended
  std::string ca_file;      // for an HTTPS upstream (empty: the system store)
  bool insecure = false;    // do not verify the upstream's certificate
  std::size_t max_body_bytes = std::size_t{16} << 20;
  std::chrono::milliseconds upstream_timeout{60000};
};

class RecordingProxy {
 public:
  // `writer` must outlive the proxy.
  RecordingProxy(RecordOptions options, CaptureWriter& writer);
  ~RecordingProxy();
  Status start();
  void stop();
  std::uint16_t port() const;
  std::string url(std::string_view path = "/") const;
  std::uint64_t exchanges() const { return exchanges_.load(); }
  // The first capture write error, if any (recording goes on; the count says what was lost).
  std::optional<Error> write_error() const;

 private:
  transport::HttpResponse forward(const transport::HttpRequest& request, const transport::ConnectionInfo& info);
  void record(const transport::Exchange& ex);
  std::unique_ptr<transport::HttpClient> take_client();
  void give_back(std::unique_ptr<transport::HttpClient> client);

  RecordOptions options_;
  CaptureWriter& writer_;
  std::unique_ptr<transport::HttpServer> server_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<transport::HttpClient>> idle_clients_;
  std::map<std::uint64_t, std::string> upstream_errors_;  // by connection: set by forward(), read by record()
  std::optional<Error> write_error_;
  std::atomic<std::uint64_t> exchanges_{0};
};

}  // namespace parley::capture
