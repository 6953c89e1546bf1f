#include "harness/capture/record_proxy.h"

namespace parley::capture {

bool is_hop_by_hop(std::string_view name, const transport::HttpHeaders& headers) {
  for (std::string_view h : kHopByHopFields) {
    if (transport::iequals(name, h)) return true;
  }
  // Fields the sender named in Connection (RFC 9110 section 7.6.1).
  for (std::string_view value : headers.get_all("Connection")) {
    while (!value.empty()) {
      std::size_t comma = value.find(',');
      std::string_view token = value.substr(0, comma);
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
      if (!token.empty() && transport::iequals(token, name)) return true;
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return false;
}

RecordingProxy::RecordingProxy(RecordOptions options, CaptureWriter& writer)
    : options_(std::move(options)), writer_(writer) {}

RecordingProxy::~RecordingProxy() { stop(); }

Status RecordingProxy::start() {
  if (options_.upstream.rfind("http://", 0) != 0 && options_.upstream.rfind("https://", 0) != 0) {
    return Error(ErrorCode::kInvalidArgument, "the upstream must be an http:// or https:// URL", options_.upstream);
  }
  while (!options_.upstream.empty() && options_.upstream.back() == '/') options_.upstream.pop_back();
  transport::HttpServer::Options so;
  so.bind_address = options_.listen_host;
  so.port = options_.listen_port;
  so.tls = options_.tls;
  so.max_body_bytes = options_.max_body_bytes;
  so.read_timeout = options_.upstream_timeout;
  so.write_timeout = options_.upstream_timeout;
  so.on_exchange = [this](const transport::Exchange& ex) { record(ex); };
  server_ = std::make_unique<transport::HttpServer>(
      so, [this](const transport::HttpRequest& r, const transport::ConnectionInfo& c) { return forward(r, c); });
  return server_->start();
}

void RecordingProxy::stop() {
  if (server_) server_->stop();
}

std::uint16_t RecordingProxy::port() const { return server_ ? server_->port() : 0; }
std::string RecordingProxy::url(std::string_view path) const { return server_ ? server_->url(path) : ""; }

std::optional<Error> RecordingProxy::write_error() const {
  std::lock_guard lock(mu_);
  return write_error_;
}

std::unique_ptr<transport::HttpClient> RecordingProxy::take_client() {
  {
    std::lock_guard lock(mu_);
    if (!idle_clients_.empty()) {
      auto c = std::move(idle_clients_.back());
      idle_clients_.pop_back();
      return c;
    }
  }
  transport::HttpClient::Options co;
  co.ca_file = options_.ca_file;
  co.verify_peer = !options_.insecure;
  co.verify_host = !options_.insecure;
  co.max_body_bytes = options_.max_body_bytes;
  co.total_timeout = options_.upstream_timeout;
  return std::make_unique<transport::HttpClient>(co);
}

void RecordingProxy::give_back(std::unique_ptr<transport::HttpClient> client) {
  std::lock_guard lock(mu_);
  idle_clients_.push_back(std::move(client));
}

transport::HttpResponse RecordingProxy::forward(const transport::HttpRequest& request,
                                                const transport::ConnectionInfo& info) {
  transport::HttpRequest out;
  out.method = request.method;
  out.target = request.target;  // sent verbatim: the upstream sees the client's own target
  for (const auto& f : request.headers) {
    if (!is_hop_by_hop(f.name, request.headers)) out.headers.add(f.name, f.value);
  }
  out.body = request.body;
  // The upstream URL names the host (and TLS); its path prefix, if any, goes before the target.
  const std::size_t scheme_end = options_.upstream.find("://") + 3;
  const std::size_t path_at = options_.upstream.find('/', scheme_end);
  if (path_at != std::string::npos) out.target = options_.upstream.substr(path_at) + request.target;
  auto client = take_client();
  transport::Exchange ex = client->exchange(options_.upstream + request.target, out);
  give_back(std::move(client));
  transport::HttpResponse response;
  if (ex.error) {
    std::lock_guard lock(mu_);
    upstream_errors_[info.id] = ex.error->message();
    response.status = 502;
    response.headers.add("Content-Type", "text/plain; charset=utf-8");
    response.body = "502 Bad Gateway: parley record could not reach the upstream: " + ex.error->message() + "\n";
    return response;
  }
  response.status = ex.response.status;
  response.reason = ex.response.reason;
  for (const auto& f : ex.response.headers) {
    if (!is_hop_by_hop(f.name, ex.response.headers)) response.headers.add(f.name, f.value);
  }
  response.body = std::move(ex.response.body);
  return response;
}

void RecordingProxy::record(const transport::Exchange& ex) {
  const std::uint64_t seq = exchanges_.fetch_add(1);
  Message rq;
  rq.exchange = seq;
  rq.connection = ex.connection_id;
  rq.direction = Direction::kRequest;
  rq.time = std::chrono::time_point_cast<std::chrono::microseconds>(ex.timings.started);
  rq.start_line = ex.request.method + " " + ex.request.target + " " + ex.request.version;
  rq.headers = ex.request.headers;
  rq.body = ex.request.body;
  Message rs;
  rs.exchange = seq;
  rs.connection = ex.connection_id;
  rs.direction = Direction::kResponse;
  rs.time = rq.time + ex.timings.finished.value_or(std::chrono::microseconds(0));
  rs.start_line = ex.response_head.substr(0, ex.response_head.find("\r\n"));
  rs.headers = ex.response.headers;
  rs.body = ex.response.body;
  if (ex.error) rs.notes.push_back("proxy: " + ex.error->message());
  {
    std::lock_guard lock(mu_);
    if (auto it = upstream_errors_.find(ex.connection_id); it != upstream_errors_.end()) {
      rs.notes.push_back("upstream error (the proxy answered 502): " + it->second);
      upstream_errors_.erase(it);
    }
  }
  Status s = writer_.put_exchange(rq, rs);
  if (!s.ok()) {
    std::lock_guard lock(mu_);
    if (!write_error_) write_error_ = s.error();
  }
}

}  // namespace parley::capture
