#include "harness/transport/http.h"

#include <algorithm>

namespace parley::transport {
namespace {

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// tchar, RFC 9110 section 5.6.2.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

void HttpHeaders::add(std::string name, std::string value) {
  fields_.push_back(Field{std::move(name), std::move(value)});
}

void HttpHeaders::set(std::string_view name, std::string value) {
  auto first = std::find_if(fields_.begin(), fields_.end(),
                            [&](const Field& f) { return iequals(f.name, name); });
  if (first == fields_.end()) {
    fields_.push_back(Field{std::string(name), std::move(value)});
    return;
  }
  first->value = std::move(value);
  auto next = std::next(first);
  fields_.erase(
      std::remove_if(next, fields_.end(), [&](const Field& f) { return iequals(f.name, name); }),
      fields_.end());
}

std::size_t HttpHeaders::remove(std::string_view name) {
  auto before = fields_.size();
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const Field& f) { return iequals(f.name, name); }),
                fields_.end());
  return before - fields_.size();
}

std::optional<std::string_view> HttpHeaders::get(std::string_view name) const {
  for (const Field& f : fields_) {
    if (iequals(f.name, name)) return std::string_view(f.value);
  }
  return std::nullopt;
}

std::vector<std::string_view> HttpHeaders::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const Field& f : fields_) {
    if (iequals(f.name, name)) out.emplace_back(f.value);
  }
  return out;
}

Status validate_header_field(std::string_view name, std::string_view value) {
  if (name.empty()) {
    return Error(ErrorCode::kInvalidArgument, "empty header field name");
  }
  for (char c : name) {
    if (!is_tchar(c)) {
      return Error(ErrorCode::kInvalidArgument,
                   "header field name \"" + std::string(name) +
                       "\" contains a character that is "
                       "not a token character (RFC 9110 section 5.6.2)");
    }
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return Error(ErrorCode::kInvalidArgument,
                   "value of header field \"" + std::string(name) +
                       "\" contains CR, LF or NUL (RFC 9110 section 5.5)");
    }
  }
  return ok_status();
}

std::string_view to_string(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::kNone:
      return "none";
    case TransportFailure::kInvalidRequest:
      return "invalid request";
    case TransportFailure::kConnect:
      return "connect";
    case TransportFailure::kTls:
      return "tls";
    case TransportFailure::kTimeout:
      return "timeout";
    case TransportFailure::kTooSlow:
      return "too slow";
    case TransportFailure::kReset:
      return "reset";
    case TransportFailure::kClosed:
      return "closed";
    case TransportFailure::kBodyTooLarge:
      return "body too large";
    case TransportFailure::kHeadersTooLarge:
      return "headers too large";
    case TransportFailure::kMalformed:
      return "malformed";
    case TransportFailure::kTooManyRedirects:
      return "too many redirects";
    case TransportFailure::kOther:
      return "other";
  }
  return "other";
}

ParsedHead parse_head(std::string_view head) {
  ParsedHead out;
  std::vector<HttpHeaders::Field> fields;
  bool first = true;
  while (!head.empty()) {
    std::size_t eol = head.find('\n');
    std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first) {
      out.start_line = std::string(line);
      first = false;
      continue;
    }
    if (line.empty()) break;  // end of the header block
    if ((line.front() == ' ' || line.front() == '\t') && !fields.empty()) {
      // obs-fold (RFC 9112 section 5.2): the continuation belongs to the previous field.
      std::string_view more = trim_ows(line);
      if (!more.empty()) {
        if (!fields.back().value.empty()) fields.back().value += ' ';
        fields.back().value += more;
      }
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      fields.push_back({std::string(line), ""});
      continue;
    }
    fields.push_back(
        {std::string(line.substr(0, colon)), std::string(trim_ows(line.substr(colon + 1)))});
  }
  for (auto& f : fields) out.headers.add(std::move(f.name), std::move(f.value));
  return out;
}

}  // namespace parley::transport
