#include "harness/capture/capture.h"

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "harness/core/bytes.h"

namespace parley::capture {
namespace {

using nlohmann::json;

bool parse_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::string_view to_string(Direction d) { return d == Direction::kRequest ? "request" : "response"; }
std::string_view to_string(Level l) { return l == Level::kTransport ? "transport" : "service"; }

std::string format_time(Micros t) {
  using namespace std::chrono;
  const auto days = floor<std::chrono::days>(t);
  const year_month_day ymd{days};
  const auto in_day = t - days;
  const auto h = duration_cast<hours>(in_day);
  const auto m = duration_cast<minutes>(in_day - h);
  const auto s = duration_cast<seconds>(in_day - h - m);
  const auto us = duration_cast<microseconds>(in_day - h - m - s);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(h.count()),
                static_cast<int>(m.count()), static_cast<int>(s.count()), static_cast<long long>(us.count()));
  return buf;
}

Result<Micros> parse_time(std::string_view text) {
  using namespace std::chrono;
  int y, mo, d, h, mi, s;
  auto bad = [&] { return Error(ErrorCode::kParse, "'" + std::string(text.substr(0, 64)) + "' is not an RFC 3339 UTC time"); };
  if (!parse_digits(text, 0, 4, y) || text.size() < 20 || text[4] != '-' || !parse_digits(text, 5, 2, mo) ||
      text[7] != '-' || !parse_digits(text, 8, 2, d) || (text[10] != 'T' && text[10] != 't') ||
      !parse_digits(text, 11, 2, h) || text[13] != ':' || !parse_digits(text, 14, 2, mi) || text[16] != ':' ||
      !parse_digits(text, 17, 2, s)) {
    return bad();
  }
  std::size_t pos = 19;
  long long frac = 0;
  int digits = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) {
        frac = frac * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return bad();
  }
  for (int i = digits; i < 6; ++i) frac *= 10;
  const std::string_view zone = text.substr(pos);
  if (zone != "Z" && zone != "z" && zone != "+00:00") return bad();
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad();
  return Micros{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{s} + microseconds{frac};
}

std::string Message::method() const {
  if (direction != Direction::kRequest) return "";
  return start_line.substr(0, start_line.find(' '));
}

std::string Message::target() const {
  if (direction != Direction::kRequest) return "";
  const std::size_t a = start_line.find(' ');
  if (a == std::string::npos) return "";
  const std::size_t b = start_line.find(' ', a + 1);
  return start_line.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
}

int Message::status() const {
  if (direction != Direction::kResponse) return 0;
  const std::size_t a = start_line.find(' ');
  int code = 0;
  if (a == std::string::npos || !parse_digits(start_line, a + 1, 3, code)) return 0;
  return code;
}

std::string encode(const Message& m) {
  json headers = json::array();
  for (const auto& f : m.headers) headers.push_back(json::array({f.name, f.value}));
  json j = {{"type", "message"},
            {"exchange", m.exchange},
            {"connection", m.connection},
            {"direction", std::string(to_string(m.direction))},
            {"time", format_time(m.time)},
            {"start", m.start_line},
            {"headers", std::move(headers)},
            {"body", base64_encode(as_bytes(m.body))}};
  if (m.level != Level::kTransport) j["level"] = std::string(to_string(m.level));
  if (!m.url.empty()) j["url"] = m.url;
  if (!m.origin.empty()) j["origin"] = m.origin;
  if (!m.notes.empty()) j["notes"] = m.notes;
  // Header values from hostile peers may hold any byte; invalid UTF-8 is replaced in the JSON
  // text (bodies are base64 and stay exact).
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string encode(const Header& h) {
  json j = {{"type", "header"}, {"format", h.format}, {"created", h.created}, {"origin", h.origin}};
  if (!h.client.empty()) j["client"] = h.client;
  if (!h.server.empty()) j["server"] = h.server;
  if (!h.notes.empty()) j["notes"] = h.notes;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// --- writer -------------------------------------------------------------------------------------

Result<std::unique_ptr<CaptureWriter>> CaptureWriter::create(const std::string& path, const Header& header) {
  std::unique_ptr<CaptureWriter> w(new CaptureWriter());
  w->path_ = path;
  w->file_ = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (w->file_ == nullptr) return Error(ErrorCode::kIo, std::strerror(errno), path);
  PARLEY_TRY(w->write_line(encode(header)));
  return w;
}

CaptureWriter::~CaptureWriter() { (void)close(); }

Status CaptureWriter::write_line(const std::string& line) {
  if (file_ == nullptr) return Error(ErrorCode::kIo, "capture already closed", path_);
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fputc('\n', file_) == EOF ||
      std::fflush(file_) != 0) {
    return Error(ErrorCode::kIo, std::string("write failed: ") + std::strerror(errno), path_);
  }
  return ok_status();
}

Status CaptureWriter::put(const Message& m) {
  const std::string line = encode(m);
  std::lock_guard lock(mu_);
  PARLEY_TRY(write_line(line));
  ++messages_;
  return ok_status();
}

Status CaptureWriter::put_exchange(const Message& request, const Message& response) {
  std::string lines = encode(request) + "\n" + encode(response);
  std::lock_guard lock(mu_);
  PARLEY_TRY(write_line(lines));
  messages_ += 2;
  return ok_status();
}

Status CaptureWriter::close() {
  std::lock_guard lock(mu_);
  if (file_ == nullptr) return ok_status();
  const bool failed = file_ == stdout ? std::fflush(file_) != 0 : std::fclose(file_) != 0;
  file_ = nullptr;
  if (failed) return Error(ErrorCode::kIo, std::string("close failed: ") + std::strerror(errno), path_);
  return ok_status();
}

std::uint64_t CaptureWriter::messages() const {
  std::lock_guard lock(mu_);
  return messages_;
}

// --- reader -------------------------------------------------------------------------------------

namespace {

Result<std::string> string_field(const json& j, const char* name, bool required) {
  auto it = j.find(name);
  if (it == j.end()) {
    if (required) return Error(ErrorCode::kParse, std::string("missing \"") + name + "\"");
    return std::string();
  }
  if (!it->is_string()) return Error(ErrorCode::kParse, std::string("\"") + name + "\" is not a string");
  return it->get<std::string>();
}

Result<std::uint64_t> uint_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return std::uint64_t{0};
  if (!it->is_number_unsigned()) return Error(ErrorCode::kParse, std::string("\"") + name + "\" is not an unsigned integer");
  return it->get<std::uint64_t>();
}

Result<json> parse_json_line(std::string_view line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) return Error(ErrorCode::kParse, "not a JSON object");
  if (!j.is_object()) return Error(ErrorCode::kParse, "not a JSON object");
  return j;
}

}  // namespace

Result<Message> decode_message(std::string_view line, const ReaderLimits& limits) {
  PARLEY_ASSIGN_OR_RETURN(json j, parse_json_line(line));
  PARLEY_ASSIGN_OR_RETURN(std::string type, string_field(j, "type", true));
  if (type != "message") return Error(ErrorCode::kParse, "record type \"" + type + "\" where a message was expected");
  Message m;
  PARLEY_ASSIGN_OR_RETURN(m.exchange, uint_field(j, "exchange"));
  PARLEY_ASSIGN_OR_RETURN(m.connection, uint_field(j, "connection"));
  PARLEY_ASSIGN_OR_RETURN(std::string direction, string_field(j, "direction", true));
  if (direction == "request") {
    m.direction = Direction::kRequest;
  } else if (direction == "response") {
    m.direction = Direction::kResponse;
  } else {
    return Error(ErrorCode::kParse, "\"direction\" is \"" + direction + "\", not request or response");
  }
  PARLEY_ASSIGN_OR_RETURN(std::string time, string_field(j, "time", false));
  if (!time.empty()) {
    auto t = parse_time(time);
    if (!t.ok()) return std::move(t.error()).within("\"time\"");
    m.time = *t;
  }
  PARLEY_ASSIGN_OR_RETURN(m.start_line, string_field(j, "start", true));
  auto headers = j.find("headers");
  if (headers != j.end()) {
    if (!headers->is_array()) return Error(ErrorCode::kParse, "\"headers\" is not an array");
    if (headers->size() > limits.max_headers) {
      return Error(ErrorCode::kLimitExceeded, "more than " + std::to_string(limits.max_headers) + " header fields");
    }
    for (const auto& f : *headers) {
      if (!f.is_array() || f.size() != 2 || !f[0].is_string() || !f[1].is_string()) {
        return Error(ErrorCode::kParse, "a header field is not a [name, value] pair of strings");
      }
      m.headers.add(f[0].get<std::string>(), f[1].get<std::string>());
    }
  }
  PARLEY_ASSIGN_OR_RETURN(std::string body64, string_field(j, "body", false));
  auto body = base64_decode(body64);
  if (!body.ok()) return std::move(body.error()).within("\"body\"");
  m.body.assign(body->begin(), body->end());
  PARLEY_ASSIGN_OR_RETURN(std::string level, string_field(j, "level", false));
  if (level.empty() || level == "transport") {
    m.level = Level::kTransport;
  } else if (level == "service") {
    m.level = Level::kService;
  } else {
    return Error(ErrorCode::kParse, "\"level\" is \"" + level + "\", not transport or service");
  }
  PARLEY_ASSIGN_OR_RETURN(m.url, string_field(j, "url", false));
  PARLEY_ASSIGN_OR_RETURN(m.origin, string_field(j, "origin", false));
  if (auto notes = j.find("notes"); notes != j.end()) {
    if (!notes->is_array()) return Error(ErrorCode::kParse, "\"notes\" is not an array");
    for (const auto& n : *notes) {
      if (n.is_string()) m.notes.push_back(n.get<std::string>());
    }
  }
  return m;
}

Result<std::unique_ptr<CaptureReader>> CaptureReader::open(const std::string& path, const ReaderLimits& limits) {
  std::unique_ptr<CaptureReader> r(new CaptureReader());
  r->path_ = path;
  r->limits_ = limits;
  r->file_ = std::fopen(path.c_str(), "rb");
  if (r->file_ == nullptr) return Error(ErrorCode::kIo, std::strerror(errno), path);
  r->buffer_.resize(std::min<std::size_t>(std::size_t{1} << 20, limits.max_line_bytes + 1));
  std::string line;
  auto got = r->read_line(line);
  if (!got.ok()) return std::move(got.error());
  if (!*got) return Error(ErrorCode::kParse, "empty file: no capture header", path);
  auto j = parse_json_line(line);
  if (!j.ok()) return std::move(j.error()).within(path + " line 1 (header)");
  auto type = string_field(*j, "type", true);
  auto format = string_field(*j, "format", true);
  if (!type.ok() || *type != "header" || !format.ok()) {
    return Error(ErrorCode::kParse, "the first record is not a parley capture header", path + " line 1");
  }
  if (*format != kFormat) {
    return Error(ErrorCode::kUnsupported, "format \"" + *format + "\" (this parley reads " + std::string(kFormat) + ")",
                 path + " line 1");
  }
  Header& h = r->header_;
  h.format = *format;
  // Metadata of another type than string is ignored, not an error: the messages are what matter.
  for (auto [name, field] : {std::pair{"created", &h.created}, std::pair{"origin", &h.origin},
                             std::pair{"client", &h.client}, std::pair{"server", &h.server}}) {
    if (auto it = j->find(name); it != j->end() && it->is_string()) *field = it->get<std::string>();
  }
  if ((*j).contains("notes") && (*j)["notes"].is_array()) {
    for (const auto& n : (*j)["notes"]) {
      if (n.is_string()) h.notes.push_back(n.get<std::string>());
    }
  }
  return r;
}

CaptureReader::~CaptureReader() {
  if (file_ != nullptr) std::fclose(file_);
}

Result<bool> CaptureReader::read_line(std::string& out) {
  out.clear();
  bool too_long = false;
  for (;;) {
    // Look for the newline in what is buffered.
    const char* start = buffer_.data() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl != nullptr) {
      const std::size_t n = static_cast<const char*>(nl) - start;
      if (!too_long && out.size() + n <= limits_.max_line_bytes) {
        out.append(start, n);
      } else {
        too_long = true;
      }
      begin_ += n + 1;
      bytes_read_ += n + 1;
      ++line_;
      if (too_long) {
        out.clear();
        return Error(ErrorCode::kLimitExceeded,
                     "record longer than max_line_bytes " + std::to_string(limits_.max_line_bytes) + " (skipped)",
                     path_ + " line " + std::to_string(line_));
      }
      if (!out.empty() && out.back() == '\r') out.pop_back();
      return true;
    }
    // No newline yet: keep what there is (unless over the limit) and read more.
    const std::size_t n = end_ - begin_;
    if (!too_long && out.size() + n <= limits_.max_line_bytes) {
      out.append(start, n);
    } else {
      too_long = true;
      out.clear();
    }
    bytes_read_ += n;
    begin_ = end_ = 0;
    if (eof_) {
      if (out.empty() && !too_long) return false;
      ++line_;
      if (too_long) {
        return Error(ErrorCode::kLimitExceeded,
                     "record longer than max_line_bytes " + std::to_string(limits_.max_line_bytes),
                     path_ + " line " + std::to_string(line_));
      }
      // The writer ends every record with a newline: a last line without one was cut short,
      // unless it is still a complete record (a hand-edited file).
      if (!parse_json_line(out).ok()) {
        out.clear();
        return Error(ErrorCode::kParse, "truncated record: the file ends in the middle of it",
                     path_ + " line " + std::to_string(line_));
      }
      return true;
    }
    const std::size_t got = std::fread(buffer_.data(), 1, buffer_.size(), file_);
    if (got < buffer_.size()) {
      if (std::ferror(file_)) return Error(ErrorCode::kIo, std::strerror(errno), path_);
      eof_ = true;
    }
    end_ = got;
  }
}

Result<std::optional<Message>> CaptureReader::next() {
  std::string line;
  for (;;) {
    PARLEY_ASSIGN_OR_RETURN(bool got, read_line(line));
    if (!got) return std::optional<Message>();
    if (line.empty()) continue;  // blank lines are allowed between records
    auto m = decode_message(line, limits_);
    if (!m.ok()) return std::move(m.error()).within(path_ + " line " + std::to_string(line_));
    return std::optional<Message>(std::move(*m));
  }
}

// --- assembler ----------------------------------------------------------------------------------

Status ExchangeAssembler::put(const Message& m) { return put(Message(m)); }

Status ExchangeAssembler::put(Message&& m) {
  if (m.direction == Direction::kRequest) {
    if (auto it = pending_.find(m.exchange); it != pending_.end()) {
      // A second request under the same number: the first is over, unanswered.
      Exchange done = std::move(it->second);
      pending_.erase(it);
      std::erase(order_, m.exchange);
      emit_(std::move(done));
    }
    const std::uint64_t key = m.exchange;
    Exchange& e = pending_[key];
    e.index = key;
    e.request.emplace(std::move(m));
    order_.push_back(key);
    while (pending_.size() > max_pending_) {
      const std::uint64_t oldest = order_.front();
      order_.pop_front();
      auto old = pending_.find(oldest);
      if (old == pending_.end()) continue;
      Exchange done = std::move(old->second);
      pending_.erase(old);
      emit_(std::move(done));
    }
    return ok_status();
  }
  auto it = pending_.find(m.exchange);
  if (it == pending_.end()) {
    Exchange e;
    e.index = m.exchange;
    e.response.emplace(std::move(m));
    emit_(std::move(e));
    return ok_status();
  }
  Exchange done = std::move(it->second);
  pending_.erase(it);
  std::erase(order_, done.index);
  done.response.emplace(std::move(m));
  emit_(std::move(done));
  return ok_status();
}

void ExchangeAssembler::finish() {
  for (std::uint64_t key : order_) {
    auto it = pending_.find(key);
    if (it == pending_.end()) continue;
    emit_(std::move(it->second));
    pending_.erase(it);
  }
  order_.clear();
}

}  // namespace parley::capture
