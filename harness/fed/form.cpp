#include "harness/fed/form.h"

#include <cstdint>

#include "harness/core/names.h"

namespace parley::fed {

namespace {

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char c : text) {
    if (is_unreserved(c)) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  return out;
}

Result<std::string> url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) {
        return Error(ErrorCode::kParse, "truncated % escape", "offset " + std::to_string(i));
      }
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) {
        return Error(ErrorCode::kParse, "bad % escape", "offset " + std::to_string(i));
      }
      out += static_cast<char>((hi << 4) | lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Result<FormFields> parse_form(std::string_view text, const FormLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "form data of " + std::to_string(text.size()) + " bytes is over max_bytes " +
                     std::to_string(limits.max_bytes));
  }
  FormFields fields;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view pair = text.substr(start, end - start);
    if (!pair.empty()) {
      if (fields.size() == limits.max_fields) {
        return Error(ErrorCode::kLimitExceeded,
                     "more than max_fields " + std::to_string(limits.max_fields) + " form fields");
      }
      const std::size_t eq = pair.find('=');
      const std::string_view raw_name = pair.substr(0, eq);
      const std::string_view raw_value =
          eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      Result<std::string> name = url_decode(raw_name);
      if (!name.ok()) return std::move(name.error().within("form field name"));
      if (name->size() > limits.max_name_bytes) {
        return Error(ErrorCode::kLimitExceeded,
                     "form field name over max_name_bytes " + std::to_string(limits.max_name_bytes));
      }
      Result<std::string> value = url_decode(raw_value);
      if (!value.ok()) return std::move(value.error().within("form field " + *name));
      if (value->size() > limits.max_value_bytes) {
        return Error(ErrorCode::kLimitExceeded,
                     "value of " + std::to_string(value->size()) + " bytes is over max_value_bytes " +
                         std::to_string(limits.max_value_bytes),
                     "form field " + *name);
      }
      fields.emplace_back(std::move(*name), std::move(*value));
    }
    start = end + 1;
  }
  return fields;
}

Result<std::optional<std::string>> form_value(const FormFields& fields, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [field_name, value] : fields) {
    if (field_name != name) continue;
    if (found.has_value()) {
      return Error(ErrorCode::kAmbiguous, "field given more than once", "form field " + std::string(name));
    }
    found = value;
  }
  return found;
}

std::string write_form(const FormFields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += url_encode(name);
    out += '=';
    out += url_encode(value);
  }
  return out;
}

std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
  // A fragment never reaches a server, but a hostile client may send one: it is not the query.
  if (const std::size_t hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string auto_post_form(std::string_view action, const FormFields& fields, std::string_view title) {
  std::string page =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
      "</title></head>\n<body onload=\"document.forms[0].submit()\">\n<form method=\"POST\" "
      "name=\"hiddenform\" action=\"" +
      html_escape(action) + "\">\n";
  for (const auto& [name, value] : fields) {
    page += "<input type=\"hidden\" name=\"" + html_escape(name) + "\" value=\"" + html_escape(value) +
            "\">\n";
  }
  page +=
      "<noscript><p>Script is disabled. Click Submit to continue.</p>"
      "<input type=\"submit\" value=\"Submit\"></noscript>\n</form>\n</body></html>\n";
  return page;
}

namespace {

std::string with_query(std::string_view url, const FormFields& fields) {
  std::string out(url);
  out += url.find('?') == std::string_view::npos ? '?' : '&';
  out += write_form(fields);
  return out;
}

}  // namespace

std::string wsfed_signin_url(std::string_view sts_url, std::string_view realm, std::string_view reply,
                             std::string_view context) {
  FormFields fields{{"wa", std::string(names::fed::kWaSignIn)}, {"wtrealm", std::string(realm)}};
  if (!reply.empty()) fields.emplace_back("wreply", std::string(reply));
  if (!context.empty()) fields.emplace_back("wctx", std::string(context));
  return with_query(sts_url, fields);
}

std::string wsfed_signout_url(std::string_view sts_url, std::string_view reply) {
  FormFields fields{{"wa", std::string(names::fed::kWaSignOut)}};
  if (!reply.empty()) fields.emplace_back("wreply", std::string(reply));
  return with_query(sts_url, fields);
}

}  // namespace parley::fed
