#include "harness/capture/importers.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "harness/core/bytes.h"
#include "harness/core/xml.h"

namespace parley::capture {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

Result<std::string> read_file_capped(const std::string& path, std::size_t cap) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return Error(ErrorCode::kIo, ec.message(), path);
  if (size > cap) {
    return Error(ErrorCode::kLimitExceeded, std::to_string(size) + " bytes, over the limit of " + std::to_string(cap),
                 path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, std::strerror(errno), path);
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uint64_t>(in.gcount()) != size) return Error(ErrorCode::kIo, "short read", path);
  return text;
}

bool record_error(ImportReport& report, const ImportLimits& limits, std::string message) {
  report.errors.push_back(std::move(message));
  return report.errors.size() < limits.max_errors;
}

Status put(MessageSink& sink, ImportReport& report, const Message& m) {
  PARLEY_TRY(sink.put(m));
  ++report.messages;
  return ok_status();
}

// "https://host:8443/a/b?q" -> "/a/b?q" (and the authority "host:8443").
void split_url(std::string_view url, std::string& authority, std::string& target) {
  std::size_t scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  std::size_t slash = rest.find_first_of("/?");
  authority = std::string(rest.substr(0, slash));
  target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!target.empty() && target[0] == '?') target = "/" + target;
  if (std::size_t hash = target.find('#'); hash != std::string::npos) target.resize(hash);
}

// --- HAR ----------------------------------------------------------------------------------------

Result<std::string> har_string(const json& obj, const char* name, bool required) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) {
    if (required) return Error(ErrorCode::kParse, std::string(name) + " missing");
    return std::string();
  }
  if (!it->is_string()) return Error(ErrorCode::kParse, std::string(name) + " is not a string");
  return it->get<std::string>();
}

// HAR 1.2 headers: [{"name", "value"}]. HTTP/2 pseudo-headers (":authority") are not HTTP/1.1
// fields and are left out.
Result<transport::HttpHeaders> har_headers(const json& obj, const char* where, bool& had_pseudo) {
  transport::HttpHeaders headers;
  auto it = obj.find("headers");
  if (it == obj.end()) return Error(ErrorCode::kParse, std::string(where) + ".headers missing");
  if (!it->is_array()) return Error(ErrorCode::kParse, std::string(where) + ".headers is not an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& h = (*it)[i];
    if (!h.is_object() || !h.contains("name") || !h["name"].is_string() || !h.contains("value") ||
        !h["value"].is_string()) {
      return Error(ErrorCode::kParse,
                   std::string(where) + ".headers[" + std::to_string(i) + "] is not a {name, value} pair of strings");
    }
    std::string name = h["name"].get<std::string>();
    if (!name.empty() && name[0] == ':') {
      had_pseudo = true;
      continue;
    }
    headers.add(std::move(name), h["value"].get<std::string>());
  }
  return headers;
}

struct HarCookie {
  std::string name, value, path, domain, expires;
  bool http_only = false, secure = false;
};

std::vector<HarCookie> har_cookies(const json& obj) {
  std::vector<HarCookie> out;
  auto it = obj.find("cookies");
  if (it == obj.end() || !it->is_array()) return out;
  for (const auto& c : *it) {
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string()) continue;
    HarCookie k;
    k.name = c["name"].get<std::string>();
    if (c.contains("value") && c["value"].is_string()) k.value = c["value"].get<std::string>();
    if (c.contains("path") && c["path"].is_string()) k.path = c["path"].get<std::string>();
    if (c.contains("domain") && c["domain"].is_string()) k.domain = c["domain"].get<std::string>();
    if (c.contains("expires") && c["expires"].is_string()) k.expires = c["expires"].get<std::string>();
    if (c.contains("httpOnly") && c["httpOnly"].is_boolean()) k.http_only = c["httpOnly"].get<bool>();
    if (c.contains("secure") && c["secure"].is_boolean()) k.secure = c["secure"].get<bool>();
    out.push_back(std::move(k));
  }
  return out;
}

Result<std::string> har_body(const json& holder, const char* where) {
  if (holder.contains("text") && !holder["text"].is_string()) {
    return Error(ErrorCode::kParse, std::string(where) + ".text is not a string");
  }
  const std::string text = holder.contains("text") ? holder["text"].get<std::string>() : "";
  const std::string encoding = holder.contains("encoding") && holder["encoding"].is_string()
                                   ? holder["encoding"].get<std::string>()
                                   : "";
  if (encoding.empty()) return text;
  if (encoding != "base64") return Error(ErrorCode::kUnsupported, std::string(where) + ".encoding \"" + encoding + "\"");
  auto bytes = base64_decode(text);
  if (!bytes.ok()) return std::move(bytes.error()).within(std::string(where) + ".text");
  return std::string(bytes->begin(), bytes->end());
}

bool is_sign_in_post(const Message& request) {
  return request.method() == "POST" && (request.body.find("wresult=") != std::string::npos ||
                                        request.body.find("SAMLResponse=") != std::string::npos);
}

// Converts one entry; the messages get exchange number `seq`.
Status har_entry(const json& e, std::uint64_t seq, Message& request, Message& response, bool& cookies_seen,
                 std::vector<std::string>& notes) {
  if (!e.is_object()) return Error(ErrorCode::kParse, "not an object");
  PARLEY_ASSIGN_OR_RETURN(std::string started, har_string(e, "startedDateTime", true));
  auto t = parse_time(started);
  if (!t.ok()) {
    // HAR allows any ISO 8601 offset; parley keeps UTC only and says so rather than guessing.
    return Error(ErrorCode::kParse, "startedDateTime '" + started + "' is not UTC (Z)");
  }
  double total_ms = e.contains("time") && e["time"].is_number() ? e["time"].get<double>() : 0;
  if (!(total_ms >= 0 && total_ms < 1e10)) total_ms = 0;  // -1 (unknown), NaN or absurd: no duration
  if (!e.contains("request") || !e["request"].is_object()) return Error(ErrorCode::kParse, "request missing");
  if (!e.contains("response") || !e["response"].is_object()) return Error(ErrorCode::kParse, "response missing");
  const json& rq = e["request"];
  const json& rs = e["response"];
  bool pseudo = false;

  PARLEY_ASSIGN_OR_RETURN(std::string method, har_string(rq, "method", true));
  PARLEY_ASSIGN_OR_RETURN(std::string url, har_string(rq, "url", true));
  PARLEY_ASSIGN_OR_RETURN(std::string version, har_string(rq, "httpVersion", false));
  if (method.empty() || method.find(' ') != std::string::npos) return Error(ErrorCode::kParse, "request.method invalid");
  if (url.find("://") == std::string::npos) return Error(ErrorCode::kParse, "request.url '" + url + "' is not absolute");
  if (version.empty() || version == "h2" || version == "h3") version = version.empty() ? "HTTP/1.1" : "HTTP/2";
  std::string authority, target;
  split_url(url, authority, target);
  request = Message{};
  request.exchange = seq;
  request.direction = Direction::kRequest;
  request.time = *t;
  request.start_line = method + " " + target + " " + version;
  request.url = url;
  PARLEY_ASSIGN_OR_RETURN(request.headers, har_headers(rq, "request", pseudo));
  if (pseudo && !request.headers.contains("Host")) {
    request.headers.add("Host", authority);
    request.notes.push_back("HTTP/2 pseudo-headers left out; Host taken from the URL");
  }
  if (rq.contains("postData") && rq["postData"].is_object()) {
    PARLEY_ASSIGN_OR_RETURN(request.body, har_body(rq["postData"], "request.postData"));
    if (!request.headers.contains("Content-Type") && rq["postData"].contains("mimeType") &&
        rq["postData"]["mimeType"].is_string()) {
      request.headers.add("Content-Type", rq["postData"]["mimeType"].get<std::string>());
    }
  }

  response = Message{};
  response.exchange = seq;
  response.direction = Direction::kResponse;
  response.time = *t + std::chrono::microseconds(static_cast<long long>(total_ms * 1000));
  if (!rs.contains("status") || !rs["status"].is_number_integer()) return Error(ErrorCode::kParse, "response.status missing");
  const int status = rs["status"].get<int>();
  PARLEY_ASSIGN_OR_RETURN(std::string reason, har_string(rs, "statusText", false));
  PARLEY_ASSIGN_OR_RETURN(std::string rversion, har_string(rs, "httpVersion", false));
  if (rversion.empty() || rversion == "h2" || rversion == "h3") rversion = rversion.empty() ? "HTTP/1.1" : "HTTP/2";
  if (status == 0) response.notes.push_back("status 0: the browser got no response (blocked or failed)");
  response.start_line = rversion + " " + std::to_string(status) + (reason.empty() ? "" : " " + reason);
  PARLEY_ASSIGN_OR_RETURN(response.headers, har_headers(rs, "response", pseudo));
  if (rs.contains("content") && rs["content"].is_object()) {
    if (!rs["content"].contains("text")) {
      response.notes.push_back("body not saved in the HAR");
    } else {
      PARLEY_ASSIGN_OR_RETURN(response.body, har_body(rs["content"], "response.content"));
    }
  }

  // Cookies: HAR keeps them twice (headers and the cookies arrays). A sanitized export drops the
  // headers, and often the arrays too.
  const auto req_cookies = har_cookies(rq);
  const auto resp_cookies = har_cookies(rs);
  if (request.headers.contains("Cookie") || response.headers.contains("Set-Cookie") || !req_cookies.empty() ||
      !resp_cookies.empty()) {
    cookies_seen = true;
  }
  if (!req_cookies.empty() && !request.headers.contains("Cookie")) {
    std::string header;
    for (const auto& c : req_cookies) header += (header.empty() ? "" : "; ") + c.name + "=" + c.value;
    request.headers.add("Cookie", header);
    request.notes.push_back("Cookie header stripped by the HAR export; rebuilt from request.cookies");
  }
  if (!resp_cookies.empty() && !response.headers.contains("Set-Cookie")) {
    for (const auto& c : resp_cookies) {
      std::string v = c.name + "=" + c.value;
      if (!c.path.empty()) v += "; path=" + c.path;
      if (!c.domain.empty()) v += "; domain=" + c.domain;
      if (!c.expires.empty()) v += "; expires=" + c.expires;
      if (c.secure) v += "; secure";
      if (c.http_only) v += "; HttpOnly";
      response.headers.add("Set-Cookie", v);
    }
    response.notes.push_back("Set-Cookie headers stripped by the HAR export; rebuilt from response.cookies");
  }
  if (is_sign_in_post(request) && !response.headers.contains("Set-Cookie") && resp_cookies.empty() &&
      status >= 200 && status < 400) {
    const std::string note = "the sign-in response (entry " + std::to_string(seq) +
                             ") sets no cookie: the HAR export probably stripped cookies";
    response.notes.push_back("cookies stripped: " + note);
    notes.push_back(note);
  }
  return ok_status();
}

// --- svclog -------------------------------------------------------------------------------------

constexpr std::string_view kE2E = "http://schemas.microsoft.com/2004/06/E2ETraceEvent";
constexpr std::string_view kMessageTrace = "http://schemas.microsoft.com/2004/06/ServiceModel/Management/MessageTrace";
constexpr std::string_view kSoap11 = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr std::string_view kSoap12 = "http://www.w3.org/2003/05/soap-envelope";

xmlNode* find_descendant(xmlNode* node, std::string_view ns, std::string_view local, int depth = 0) {
  if (node == nullptr || depth > 16) return nullptr;
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (xml::local_name(c) == local && (ns.empty() || xml::namespace_uri(c) == ns)) return c;
    if (xmlNode* found = find_descendant(c, ns, local, depth + 1)) return found;
  }
  return nullptr;
}

xmlNode* find_child(xmlNode* node, std::string_view local) {
  for (xmlNode* c : xml::child_elements(node)) {
    if (xml::local_name(c) == local) return c;
  }
  return nullptr;
}

// The text of an addressing header (any WS-Addressing version) in the envelope's Header.
std::string envelope_header_text(xmlNode* envelope, std::string_view local) {
  xmlNode* header = find_child(envelope, "Header");
  if (header == nullptr) return "";
  xmlNode* h = find_child(header, local);
  return h == nullptr ? "" : xml::text_content(h);
}

int status_from_name(std::string_view name, bool fault) {
  static const std::pair<std::string_view, int> kCodes[] = {
      {"OK", 200}, {"Accepted", 202}, {"NoContent", 204}, {"BadRequest", 400}, {"Unauthorized", 401},
      {"Forbidden", 403}, {"NotFound", 404}, {"InternalServerError", 500}, {"ServiceUnavailable", 503}};
  for (const auto& [n, c] : kCodes) {
    if (name == n) return c;
  }
  if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      name.size() == 3) {
    return std::stoi(std::string(name));
  }
  return fault ? 500 : 200;
}

struct SvclogState {
  std::uint64_t next_exchange = 0;
  std::map<std::string, std::uint64_t> by_message_id;  // bounded (requests awaiting their reply)
  std::deque<std::string> order;
  std::uint64_t service_level = 0;
};

Status svclog_record(std::string_view fragment, std::uint64_t number, const ImportLimits& limits, SvclogState& state,
                     MessageSink& sink, ImportReport& report) {
  // The log has no root element: each fragment is parsed under a synthetic one.
  std::string wrapped = "<parley-svclog>";
  wrapped.append(fragment);
  wrapped += "</parley-svclog>";
  xml::ParseLimits xl;
  xl.max_bytes = limits.max_record_bytes + 64;
  PARLEY_ASSIGN_OR_RETURN(xml::Document doc, xml::parse(wrapped, xl));
  xmlNode* event = xml::child_elements(doc.root()).empty() ? nullptr : xml::child_elements(doc.root()).front();
  if (event == nullptr || !xml::is_element(event, kE2E, "E2ETraceEvent")) {
    return Error(ErrorCode::kParse, "not an E2ETraceEvent of namespace " + std::string(kE2E));
  }
  xmlNode* record = find_descendant(event, kMessageTrace, "MessageLogTraceRecord");
  if (record == nullptr) return Error(ErrorCode::kNotFound, "no MessageLogTraceRecord (not a message log event)");
  const std::string source = xml::attribute(record, "", "Source").value;
  Level level = Level::kTransport;
  if (source.rfind("ServiceLevel", 0) == 0) {
    level = Level::kService;
  } else if (source != "TransportSend" && source != "TransportReceive" && source != "Malformed") {
    return Error(ErrorCode::kParse, "MessageLogTraceRecord Source '" + source + "' is not a WCF message log source");
  }
  xmlNode* envelope = nullptr;
  for (xmlNode* c : xml::child_elements(record)) {
    if (xml::local_name(c) == "Envelope" && (xml::namespace_uri(c) == kSoap11 || xml::namespace_uri(c) == kSoap12)) {
      envelope = c;
    }
  }
  if (envelope == nullptr) return Error(ErrorCode::kNotFound, "MessageLogTraceRecord holds no SOAP Envelope");

  Message m;
  m.level = level;
  m.origin = "E2ETraceEvent " + std::to_string(number) + " (" + source + ")";
  std::string time = xml::attribute(record, "", "Time").value;
  if (time.empty()) {
    if (xmlNode* tc = find_descendant(event, kE2E, "TimeCreated")) time = xml::attribute(tc, "", "SystemTime").value;
  }
  // WCF writes local times with an offset and 7 fraction digits; parley keeps UTC only.
  if (auto t = parse_time(time); t.ok()) {
    m.time = *t;
  } else if (!time.empty()) {
    m.notes.push_back("time '" + time + "' is not UTC; left unset");
  }
  xmlNode* http_request = find_child(record, "HttpRequest");
  xmlNode* http_response = find_child(record, "HttpResponse");
  const std::string relates_to = envelope_header_text(envelope, "RelatesTo");
  xmlNode* body = find_child(envelope, "Body");
  const bool fault = body != nullptr && find_child(body, "Fault") != nullptr;
  m.direction = http_request != nullptr    ? Direction::kRequest
                : http_response != nullptr ? Direction::kResponse
                : !relates_to.empty()       ? Direction::kResponse
                                            : Direction::kRequest;
  // The envelope is re-serialized from the log (these are not wire bytes anyway): inclusive
  // canonical form keeps every namespace declaration in scope, so QName values still resolve.
  xml::C14nOptions c14n;
  c14n.method = xml::C14nMethod::kInclusive;
  PARLEY_ASSIGN_OR_RETURN(m.body, xml::canonicalize(envelope, c14n));
  const bool soap12 = xml::namespace_uri(envelope) == kSoap12;
  const std::string action = envelope_header_text(envelope, "Action");
  xmlNode* http = m.direction == Direction::kRequest ? http_request : http_response;
  if (http != nullptr) {
    if (xmlNode* headers = find_child(http, "WebHeaders")) {
      for (xmlNode* h : xml::child_elements(headers)) m.headers.add(std::string(xml::local_name(h)), xml::text_content(h));
    }
  }
  if (!m.headers.contains("Content-Type")) {
    m.headers.add("Content-Type", soap12 ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8");
    if (!soap12 && m.direction == Direction::kRequest) m.headers.add("SOAPAction", "\"" + action + "\"");
    m.notes.push_back("Content-Type not in the log; set from the SOAP version");
  }
  if (m.direction == Direction::kRequest) {
    std::string method = "POST";
    if (http != nullptr) {
      if (xmlNode* mt = find_child(http, "Method")) method = xml::text_content(mt);
    }
    std::string to = envelope_header_text(envelope, "To");
    if (to.empty()) {
      if (xmlNode* addressing = find_child(record, "Addressing")) {
        if (xmlNode* t = find_child(addressing, "To")) to = xml::text_content(t);
      }
    }
    std::string authority, target = "/";
    if (!to.empty()) split_url(to, authority, target);
    m.url = to;
    m.start_line = method + " " + target + " HTTP/1.1";
    const std::string message_id = envelope_header_text(envelope, "MessageID");
    m.exchange = state.next_exchange++;
    if (!message_id.empty()) {
      state.by_message_id[message_id] = m.exchange;
      state.order.push_back(message_id);
      while (state.order.size() > 4096) {
        state.by_message_id.erase(state.order.front());
        state.order.pop_front();
      }
    }
  } else {
    int status = fault ? 500 : 200;
    if (http != nullptr) {
      if (xmlNode* sc = find_child(http, "StatusCode")) status = status_from_name(xml::text_content(sc), fault);
    }
    m.start_line = "HTTP/1.1 " + std::to_string(status);
    auto it = state.by_message_id.find(relates_to);
    if (it != state.by_message_id.end()) {
      m.exchange = it->second;
      state.by_message_id.erase(it);
    } else {
      m.exchange = state.next_exchange++;
      m.notes.push_back("no logged request with MessageID '" + relates_to + "'");
    }
  }
  if (level == Level::kService) {
    ++state.service_level;
    m.notes.push_back("service-level message: logged after security processing, signatures cannot be checked");
  }
  return put(sink, report, m);
}

// --- raw HTTP files -----------------------------------------------------------------------------

Result<std::string> decode_chunked(std::string_view data) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t eol = data.find("\r\n", pos);
    if (eol == std::string_view::npos) return Error(ErrorCode::kParse, "chunked body: chunk size line without CRLF");
    std::string_view size_text = data.substr(pos, eol - pos);
    if (std::size_t semi = size_text.find(';'); semi != std::string_view::npos) size_text = size_text.substr(0, semi);
    std::uint64_t size = 0;
    if (size_text.empty() || size_text.size() > 15) return Error(ErrorCode::kParse, "chunked body: bad chunk size");
    for (char c : size_text) {
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (v < 0) return Error(ErrorCode::kParse, "chunked body: bad chunk size '" + std::string(size_text) + "'");
      size = size * 16 + static_cast<std::uint64_t>(v);
    }
    pos = eol + 2;
    if (size == 0) return out;  // trailers, if any, are ignored
    if (data.size() - pos < size + 2) return Error(ErrorCode::kParse, "chunked body: truncated chunk");
    out.append(data.substr(pos, size));
    pos += size;
    if (data.substr(pos, 2) != "\r\n") return Error(ErrorCode::kParse, "chunked body: chunk not followed by CRLF");
    pos += 2;
  }
}

}  // namespace

Result<Message> parse_http_message(std::string_view bytes, Direction direction) {
  std::size_t head_end = bytes.find("\r\n\r\n");
  std::size_t sep = 4;
  if (std::size_t lf = bytes.find("\n\n"); lf != std::string_view::npos && (head_end == std::string_view::npos || lf < head_end)) {
    head_end = lf;
    sep = 2;
  }
  if (head_end == std::string_view::npos) {
    return Error(ErrorCode::kParse, "no end of the header block (empty line) found");
  }
  transport::ParsedHead head = transport::parse_head(bytes.substr(0, head_end + sep));
  Message m;
  m.direction = direction;
  m.start_line = head.start_line;
  m.headers = std::move(head.headers);
  if (direction == Direction::kRequest) {
    const std::size_t a = m.start_line.find(' ');
    const std::size_t b = a == std::string::npos ? a : m.start_line.find(' ', a + 1);
    if (a == 0 || b == std::string::npos || m.start_line.compare(b + 1, 5, "HTTP/") != 0) {
      return Error(ErrorCode::kParse, "'" + m.start_line.substr(0, 80) + "' is not an HTTP request line");
    }
  } else if (m.start_line.rfind("HTTP/", 0) != 0 || m.status() < 100) {
    return Error(ErrorCode::kParse, "'" + m.start_line.substr(0, 80) + "' is not an HTTP status line");
  }
  std::string_view body = bytes.substr(head_end + sep);
  const auto te = m.headers.get("Transfer-Encoding");
  if (te && transport::iequals(*te, "chunked")) {
    PARLEY_ASSIGN_OR_RETURN(m.body, decode_chunked(body));
  } else if (auto cl = m.headers.get("Content-Length")) {
    std::uint64_t n = 0;
    if (cl->empty() || cl->size() > 15 || !std::all_of(cl->begin(), cl->end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Error(ErrorCode::kParse, "Content-Length '" + std::string(*cl) + "' is not a number");
    }
    n = std::stoull(std::string(*cl));
    if (body.size() < n) {
      return Error(ErrorCode::kParse, "body truncated: Content-Length " + std::to_string(n) + ", " +
                                          std::to_string(body.size()) + " bytes present");
    }
    if (body.size() > n) {
      return Error(ErrorCode::kParse, std::to_string(body.size() - n) + " bytes after the Content-Length " +
                                          std::to_string(n) + " body");
    }
    m.body = std::string(body);
  } else {
    m.body = std::string(body);
  }
  return m;
}

Status import_har(const std::string& path, MessageSink& sink, ImportReport& report, const ImportLimits& limits) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, read_file_capped(path, limits.max_input_bytes));
  json doc = json::parse(text, nullptr, false);
  text.clear();
  text.shrink_to_fit();
  if (doc.is_discarded()) return Error(ErrorCode::kParse, "not JSON", path);
  if (!doc.is_object() || !doc.contains("log") || !doc["log"].is_object()) {
    return Error(ErrorCode::kParse, "no \"log\" object: not a HAR file", path);
  }
  const json& log = doc["log"];
  if (!log.contains("entries") || !log["entries"].is_array()) return Error(ErrorCode::kParse, "log.entries missing", path);
  if (log.contains("version") && log["version"].is_string() && log["version"] != "1.2" && log["version"] != "1.1") {
    report.notes.push_back("HAR version " + log["version"].get<std::string>() + " (parley reads 1.2)");
  }
  bool cookies_seen = false;
  const json& entries = log["entries"];
  for (std::size_t i = 0; i < entries.size(); ++i) {
    Message request, response;
    const std::string name = "entries[" + std::to_string(i) + "]";
    Status s = har_entry(entries[i], i, request, response, cookies_seen, report.notes);
    if (!s.ok()) {
      if (!record_error(report, limits, path + " " + name + ": " + s.error().message())) break;
      continue;
    }
    request.origin = response.origin = name;
    PARLEY_TRY(put(sink, report, request));
    PARLEY_TRY(put(sink, report, response));
  }
  if (!cookies_seen && !entries.empty()) {
    report.notes.push_back(
        "cookies stripped: no entry has a Cookie or Set-Cookie header or a cookies list; browsers' default "
        "(sanitized) HAR export removes them, so cookie checks cannot run on this file");
  }
  return ok_status();
}

Status import_svclog(const std::string& path, MessageSink& sink, ImportReport& report, const ImportLimits& limits) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Error(ErrorCode::kIo, std::strerror(errno), path);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, &std::fclose);
  constexpr std::string_view kOpen = "<E2ETraceEvent";
  constexpr std::string_view kClose = "</E2ETraceEvent>";
  std::string buf;
  std::vector<char> chunk(1u << 20);
  bool eof = false;
  std::uint64_t number = 0;
  SvclogState state;
  std::size_t pos = 0;
  auto fill = [&]() -> bool {
    if (eof) return false;
    const std::size_t got = std::fread(chunk.data(), 1, chunk.size(), f);
    if (got < chunk.size()) eof = true;
    buf.append(chunk.data(), got);
    return got > 0;
  };
  for (;;) {
    std::size_t start = buf.find(kOpen, pos);
    if (start == std::string::npos) {
      // Keep a tail that could be the beginning of a start tag.
      buf.erase(0, buf.size() > kOpen.size() ? buf.size() - kOpen.size() : 0);
      pos = 0;
      if (!fill()) break;
      continue;
    }
    std::size_t end = buf.find(kClose, start);
    if (end == std::string::npos) {
      if (buf.size() - start > limits.max_record_bytes) {
        ++number;
        if (!record_error(report, limits,
                          path + " E2ETraceEvent " + std::to_string(number) + ": longer than " +
                              std::to_string(limits.max_record_bytes) + " bytes (skipped)")) {
          break;
        }
        pos = start + 1;
        continue;
      }
      buf.erase(0, start);
      pos = 0;
      if (!fill()) {
        ++number;
        record_error(report, limits, path + " E2ETraceEvent " + std::to_string(number) +
                                         ": truncated (the file ends before </E2ETraceEvent>)");
        break;
      }
      continue;
    }
    ++number;
    std::string_view fragment(buf.data() + start, end + kClose.size() - start);
    Status s = svclog_record(fragment, number, limits, state, sink, report);
    if (!s.ok() && !record_error(report, limits, path + " E2ETraceEvent " + std::to_string(number) + ": " +
                                                     s.error().message())) {
      break;
    }
    pos = end + kClose.size();
    if (pos > (8u << 20)) {
      buf.erase(0, pos);
      pos = 0;
    }
  }
  if (number == 0) return Error(ErrorCode::kParse, "no E2ETraceEvent record: not a WCF .svclog", path);
  if (state.service_level > 0) {
    report.notes.push_back(std::to_string(state.service_level) +
                           " service-level message(s): logged after decryption and re-serialization; signature "
                           "checks on them are NOT_APPLICABLE");
  }
  report.notes.push_back("WCF message log: envelopes are the log's re-serialization, not wire bytes");
  return ok_status();
}

Status import_raw_directory(const std::string& path, MessageSink& sink, ImportReport& report,
                            const ImportLimits& limits) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return Error(ErrorCode::kIo, "not a directory", path);
  struct Pair {
    std::string request, response;
  };
  std::map<std::string, Pair> pairs;  // sorted by name
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    if (!entry.is_regular_file()) continue;
    const std::string file = entry.path().filename().string();
    for (const std::string_view kind : {".request.", ".response."}) {
      const std::size_t at = file.rfind(kind);
      if (at == std::string::npos || at == 0 || file.find('.', at + kind.size()) != std::string::npos ||
          at + kind.size() >= file.size()) {
        continue;
      }
      Pair& p = pairs[file.substr(0, at)];
      std::string& slot = kind == ".request." ? p.request : p.response;
      if (!slot.empty()) {
        record_error(report, limits, path + "/" + file + ": a second " + std::string(kind.substr(1, kind.size() - 2)) +
                                         " file for '" + file.substr(0, at) + "' (also " + slot + "); ignored");
        continue;
      }
      slot = file;
    }
  }
  if (ec) return Error(ErrorCode::kIo, ec.message(), path);
  if (pairs.empty()) return Error(ErrorCode::kNotFound, "no <name>.request.<ext> / <name>.response.<ext> files", path);
  std::uint64_t seq = 0;
  for (const auto& [name, p] : pairs) {
    const std::uint64_t exchange = seq++;
    for (const auto& [file, direction] : {std::pair{p.request, Direction::kRequest}, std::pair{p.response, Direction::kResponse}}) {
      if (file.empty()) {
        if (direction == Direction::kResponse) continue;  // a request never answered is fine
        if (!record_error(report, limits, path + "/" + name + ": response file without a request file")) return ok_status();
        continue;
      }
      const std::string full = path + "/" + file;
      auto bytes = read_file_capped(full, limits.max_record_bytes);
      if (!bytes.ok()) {
        if (!record_error(report, limits, bytes.error().message())) return ok_status();
        continue;
      }
      auto m = parse_http_message(*bytes, direction);
      if (!m.ok()) {
        if (!record_error(report, limits, full + ": " + m.error().message())) return ok_status();
        continue;
      }
      m->exchange = exchange;
      m->origin = file;
      auto mtime = fs::last_write_time(full, ec);
      if (!ec) {
        m->time = std::chrono::time_point_cast<std::chrono::microseconds>(
            std::chrono::file_clock::to_sys(mtime));
      }
      PARLEY_TRY(put(sink, report, *m));
    }
  }
  return ok_status();
}

Result<std::string> detect_input_kind(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return std::string("raw");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, std::strerror(errno), path);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  std::size_t i = head.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  while (i < head.size() && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) ++i;
  if (i < head.size() && head[i] == '{') {
    if (head.find("\"parley-capture/") != std::string::npos) return std::string("capture");
    return std::string("har");
  }
  if (i < head.size() && head[i] == '<' && head.find("E2ETraceEvent") != std::string::npos) return std::string("svclog");
  return Error(ErrorCode::kUnsupported, "not a parley capture, HAR file, WCF .svclog or raw HTTP directory", path);
}

Status import_any(const std::string& path, MessageSink& sink, ImportReport& report, Header* header,
                  const ImportLimits& limits) {
  PARLEY_ASSIGN_OR_RETURN(std::string kind, detect_input_kind(path));
  if (header != nullptr) header->origin = kind;
  if (kind == "har") return import_har(path, sink, report, limits);
  if (kind == "svclog") return import_svclog(path, sink, report, limits);
  if (kind == "raw") return import_raw_directory(path, sink, report, limits);
  PARLEY_ASSIGN_OR_RETURN(auto reader, CaptureReader::open(path));
  if (header != nullptr) *header = reader->header();
  report.notes.insert(report.notes.end(), reader->header().notes.begin(), reader->header().notes.end());
  for (;;) {
    auto m = reader->next();
    if (!m.ok()) {
      if (!record_error(report, limits, m.error().message())) return ok_status();
      continue;
    }
    if (!m->has_value()) break;
    PARLEY_TRY(put(sink, report, **m));
  }
  return ok_status();
}

}  // namespace parley::capture
