#include "harness/report/redaction.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <unordered_map>

#include "harness/core/text.h"

namespace parley::report {
namespace {

using nlohmann::json;

// One stretch of secret text: [begin, end) of the input, what replaces it, and the secret
// value itself (for SecretSet::add_found_in).
struct Span {
  std::size_t begin;
  std::size_t end;
  std::string replacement;
  std::string_view value;
};
using SpanSink = std::function<void(Span)>;

// Calls `line` for each line of `text` with its offset (the '\n' excluded).
void for_each_line(std::string_view text, const std::function<void(std::size_t, std::string_view)>& line) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    line(pos, text.substr(pos, eol - pos));
    pos = eol + 1;
  }
}

// TOML-ish "key = value" lines whose key names a secret (target profiles, oracle configs).
void assignment_spans(std::string_view text, const SpanSink& sink) {
  for_each_line(text, [&](std::size_t offset, std::string_view line) {
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) return;
    const std::string key = core::lower_ascii(core::trim_ows(line.substr(0, eq)));
    if (key != "password" && key != "sct_key" && key != "key" && key != "secret") return;
    std::string_view value = core::trim_ows(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) value = value.substr(1, value.size() - 2);
    std::size_t end = line.size();
    if (end > 0 && line[end - 1] == '\r') --end;
    sink({offset + eq + 1, offset + end, " \"[redacted]\"", value});
  });
}

// The text content of XML elements that carry secrets (any prefix).
void element_spans(std::string_view text, const SpanSink& sink) {
  static const std::string_view kSecretElements[] = {"Password", "BinarySecret", "Nonce", "Cookie"};
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t lt = text.find('<', pos);
    if (lt == std::string_view::npos) return;
    const std::size_t gt = text.find('>', lt);
    if (gt == std::string_view::npos) return;
    pos = gt + 1;
    std::string_view tag = text.substr(lt + 1, gt - lt - 1);
    if (tag.empty() || tag[0] == '/' || tag.back() == '/') continue;
    std::string_view name = tag.substr(0, tag.find_first_of(" \t\r\n"));
    if (auto colon = name.find(':'); colon != std::string_view::npos) name = name.substr(colon + 1);
    if (std::find(std::begin(kSecretElements), std::end(kSecretElements), name) == std::end(kSecretElements)) continue;
    std::size_t next = text.find('<', pos);
    if (next == std::string_view::npos) next = text.size();
    if (next != pos) sink({pos, next, std::string(kRedacted), core::trim_ows(text.substr(pos, next - pos))});
    pos = next;
  }
}

// "Authorization: ...", "Cookie: ...", "Set-Cookie: ..." header lines.
void header_spans(std::string_view text, const SpanSink& sink) {
  static const std::string_view kHeaders[] = {"authorization:", "proxy-authorization:", "cookie:", "set-cookie:"};
  for_each_line(text, [&](std::size_t offset, std::string_view line) {
    const std::string low = core::lower_ascii(line.substr(0, 24));
    for (std::string_view h : kHeaders) {
      if (low.rfind(h, 0) != 0) continue;
      std::size_t end = line.size();
      if (end > 0 && line[end - 1] == '\r') --end;
      sink({offset + h.size(), offset + end, " [redacted]", core::trim_ows(line.substr(h.size(), end - h.size()))});
      return;
    }
  });
}

// user:password@ in URLs ("scheme://userinfo@host").
void userinfo_spans(std::string_view text, const SpanSink& sink) {
  std::size_t pos = 0;
  while ((pos = text.find("://", pos)) != std::string_view::npos) {
    const std::size_t start = pos + 3;
    const std::size_t stop = text.find_first_of("/@ \t\r\n\"'<>?#", start);
    pos = start;
    if (stop == std::string_view::npos || text[stop] != '@' || stop == start) continue;
    sink({start, stop, std::string(kRedacted), text.substr(start, stop - start)});
  }
}

std::string apply(std::string text, void (*scan)(std::string_view, const SpanSink&)) {
  std::vector<Span> spans;
  scan(text, [&](Span s) { spans.push_back(std::move(s)); });
  if (spans.empty()) return text;
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  for (const Span& s : spans) {
    if (s.begin < pos) continue;
    out.append(text, pos, s.begin - pos);
    out += s.replacement;
    pos = s.end;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

bool is_hex(std::string_view s) {
  return !s.empty() && s.size() % 2 == 0 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

void walk_strings(json& node, const std::function<void(std::string&)>& f) {
  if (node.is_string()) {
    f(node.get_ref<std::string&>());
  } else if (node.is_array() || node.is_object()) {
    for (auto& child : node) walk_strings(child, f);
  }
}

}  // namespace

std::string redact(std::string text) {
  text = apply(std::move(text), assignment_spans);
  text = apply(std::move(text), element_spans);
  text = apply(std::move(text), header_spans);
  return apply(std::move(text), userinfo_spans);
}

std::string redact(std::string text, const SecretSet& secrets) { return secrets.scrub(redact(std::move(text))); }

void SecretSet::add(std::string_view value) {
  if (value.size() < kMinSecretLength || value == kRedacted) return;
  std::string v(value);
  if (std::find(values_.begin(), values_.end(), v) == values_.end()) values_.push_back(std::move(v));
}

void SecretSet::add_key(ByteView key) {
  const std::string hex = hex_encode(key);
  add(hex);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  add(upper);
  add(base64_encode(key));
}

void SecretSet::add_key_hex(std::string_view hex) {
  auto bytes = hex_decode(hex);
  if (bytes.ok()) {
    add_key(*bytes);
  } else {
    add(hex);
  }
}

void SecretSet::add_base64(std::string_view text) {
  add(text);
  auto bytes = base64_decode(text);
  if (bytes.ok() && !bytes->empty()) add_key(*bytes);
}

void SecretSet::add_found_in(std::string_view text) {
  auto sink = [this](const Span& s) {
    if (s.value.empty() || s.value == kRedacted || s.value == "\"[redacted]\"") return;
    if (is_hex(s.value)) {
      add_key_hex(s.value);
    } else {
      add_base64(s.value);  // falls back to the text itself when it is not base64
    }
  };
  assignment_spans(text, sink);
  element_spans(text, sink);
  header_spans(text, sink);
  userinfo_spans(text, sink);
}

std::string SecretSet::scrub(std::string text) const {
  if (values_.empty() || text.size() < kMinSecretLength) return text;
  // One pass over the text: candidates by their first kMinSecretLength characters, longest first
  // so that a secret containing another is masked whole.
  std::unordered_map<std::string_view, std::vector<const std::string*>> by_prefix;
  for (const auto& v : values_) by_prefix[std::string_view(v).substr(0, kMinSecretLength)].push_back(&v);
  for (auto& [prefix, list] : by_prefix) {
    std::sort(list.begin(), list.end(), [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  }
  std::string out;
  std::size_t copied = 0;
  for (std::size_t pos = 0; pos + kMinSecretLength <= text.size();) {
    auto it = by_prefix.find(std::string_view(text).substr(pos, kMinSecretLength));
    const std::string* hit = nullptr;
    if (it != by_prefix.end()) {
      for (const std::string* v : it->second) {
        if (text.compare(pos, v->size(), *v) == 0) {
          hit = v;
          break;
        }
      }
    }
    if (hit == nullptr) {
      ++pos;
      continue;
    }
    out.append(text, copied, pos - copied);
    out += kRedacted;
    pos += hit->size();
    copied = pos;
  }
  if (copied == 0) return text;
  out.append(text, copied, std::string::npos);
  return out;
}

void redact_report(json& report, const SecretSet& extra) {
  SecretSet secrets = extra;
  if (auto t = report.find("target"); t != report.end() && t->is_object() && t->contains("profile") &&
                                      (*t)["profile"].is_string()) {
    secrets.add_found_in((*t)["profile"].get_ref<const std::string&>());
  }
  if (auto cases = report.find("cases"); cases != report.end() && cases->is_array()) {
    for (auto& c : *cases) {
      if (!c.is_object() || !c.contains("evidence") || !c["evidence"].is_object()) continue;
      auto& ev = c["evidence"];
      if (ev.contains("keys") && ev["keys"].is_array()) {
        for (auto& k : ev["keys"]) {
          if (k.is_object() && k.contains("key") && k["key"].is_string()) {
            secrets.add_key_hex(k["key"].get_ref<const std::string&>());
            k["key"] = std::string(kRedacted);
          }
        }
      }
      walk_strings(ev, [&](std::string& s) { secrets.add_found_in(s); });
    }
  }
  walk_strings(report, [&](std::string& s) {
    if (s.find_first_of("<=:@") != std::string::npos) s = redact(std::move(s));
    s = secrets.scrub(std::move(s));
  });
  report["redacted"] = true;
}

}  // namespace parley::report
