// [MC-NBFX] codec. Section numbers in comments and error messages are those of [MC-NBFX]
// (v9.0, 2023) unless another document is named.
#include "harness/wif/nbfx.h"

#include <array>

#include <libxml/tree.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "harness/core/xml.h"

namespace parley::wif::nbfx {
namespace {

constexpr std::size_t kNpos = static_cast<std::size_t>(-1);
constexpr std::uint64_t kTicksPerDay = 864000000000ull;
constexpr std::uint64_t kTicksPerSecond = 10000000ull;

std::string hex_byte(std::uint8_t b) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s = "0x";
  s += kDigits[b >> 4];
  s += kDigits[b & 0x0F];
  return s;
}

bool is_text_record(std::uint8_t t) {
  return t >= 0x80 && t <= 0xBD && t != 0xA5 && t != 0xA7;
}
bool is_element_record(std::uint8_t t) {
  return t >= 0x40 && t <= 0x77;
}
bool is_attribute_record(std::uint8_t t) {
  return t >= 0x04 && t <= 0x3F;
}

// --- UTF-8 / UTF-16 ---------------------------------------------------------------------------

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i, or -1 for an
// ill-formed sequence (overlong, surrogate, > U+10FFFF, truncated).
long next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t n = 0;
  unsigned long cp = 0;
  unsigned long min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 1, cp = b0 & 0x1Fu, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 2, cp = b0 & 0x0Fu, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 3, cp = b0 & 0x07u, min = 0x10000;
  } else {
    return -1;
  }
  if (i + n >= s.size()) return -1;
  for (std::size_t k = 1; k <= n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += n + 1;
  return static_cast<long>(cp);
}

// The offset of the first ill-formed sequence, or npos.
std::size_t first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t at = i;
    if (next_code_point(s, i) < 0) return at;
  }
  return kNpos;
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// UTF-16LE -> UTF-8; false on an odd length or an unpaired surrogate.
bool utf16le_to_utf8(ByteView in, std::string& out) {
  if (in.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < in.size(); i += 2) {
    unsigned long u =
        static_cast<unsigned long>(in[i]) | (static_cast<unsigned long>(in[i + 1]) << 8);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 >= in.size()) return false;
      const unsigned long lo =
          static_cast<unsigned long>(in[i + 2]) | (static_cast<unsigned long>(in[i + 3]) << 8);
      if (lo < 0xDC00 || lo > 0xDFFF) return false;
      u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
      i += 2;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return false;
    }
    append_utf8(out, u);
  }
  return true;
}

// UTF-8 (already valid) -> UTF-16LE.
Bytes utf8_to_utf16le(std::string_view s) {
  Bytes out;
  std::size_t i = 0;
  while (i < s.size()) {
    long cp = next_code_point(s, i);
    if (cp < 0) {
      cp = 0xFFFD;
      ++i;
    }
    auto put = [&out](unsigned long u) {
      out.push_back(static_cast<std::uint8_t>(u & 0xFF));
      out.push_back(static_cast<std::uint8_t>((u >> 8) & 0xFF));
    };
    const auto u = static_cast<unsigned long>(cp);
    if (u >= 0x10000) {
      put(0xD800 + ((u - 0x10000) >> 10));
      put(0xDC00 + ((u - 0x10000) & 0x3FF));
    } else {
      put(u);
    }
  }
  return out;
}

// --- XML names and escaping ---------------------------------------------------------------

bool is_name_start(unsigned long c) {
  return (c >= 'A' && c <= 'Z') || c == '_' || (c >= 'a' && c <= 'z') || (c >= 0xC0 && c <= 0xD6) ||
         (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) || (c >= 0x370 && c <= 0x37D) ||
         (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D) ||
         (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
         (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
         (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}
bool is_name_char(unsigned long c) {
  return is_name_start(c) || c == '-' || c == '.' || (c >= '0' && c <= '9') || c == 0xB7 ||
         (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}
// XML Namespaces NCName (a Name without ':').
bool is_ncname(std::string_view s) {
  if (s.empty()) return false;
  std::size_t i = 0;
  bool first = true;
  while (i < s.size()) {
    const long cp = next_code_point(s, i);
    if (cp < 0) return false;
    const auto c = static_cast<unsigned long>(cp);
    if (first ? !is_name_start(c) : !is_name_char(c)) return false;
    first = false;
  }
  return true;
}

bool is_xml_char(unsigned long c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// 2.2.3.13.1: minimal escaping. In content & < > are escaped; in (double-quoted) attribute
// values also ". Characters outside XML's Char production become &#digits;. CR (and TAB / LF in
// attributes) are written as character references too so that an XML parser reading the text
// gets the same characters back (line-end and attribute-value normalization would change them).
void append_escaped(std::string& out, std::string_view s, bool attribute) {
  std::size_t i = 0;
  while (i < s.size()) {
    const long cp = next_code_point(s, i);
    const auto c = static_cast<unsigned long>(cp < 0 ? 0xFFFD : cp);
    if (cp < 0) ++i;
    switch (c) {
      case '&':
        out += "&amp;";
        continue;
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '"':
        out += attribute ? "&quot;" : "\"";
        continue;
      case '\r':
        out += "&#13;";
        continue;
      case '\t':
      case '\n':
        if (attribute) {
          out += c == '\t' ? "&#9;" : "&#10;";
        } else {
          out += static_cast<char>(c);
        }
        continue;
      default:
        break;
    }
    if (!is_xml_char(c)) {
      out += "&#" + std::to_string(c) + ";";
    } else {
      append_utf8(out, c);
    }
  }
}

// For the record list: quoted, control characters shown as \xNN, long text cut.
std::string quote_for_listing(std::string_view s) {
  std::string out = "\"";
  const std::size_t limit = 80;
  for (std::size_t i = 0; i < s.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      out += "\\x" + hex_byte(c).substr(2);
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > limit) out += "...";
  out += "\" (" + std::to_string(s.size()) + " bytes)";
  return out;
}

// --- numbers, dates, GUIDs as characters ---------------------------------------------------

std::uint64_t read_le(ByteView b, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(b[i]) << (8 * i);
  return v;
}
void write_le(Bytes& out, std::uint64_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xFF));
}

// 2.2.3.9 / 2.2.3.10: the least number of digits that reproduces the value; plain notation
// while the decimal exponent is in [-4, 14], else d.dddE+XX (the .NET "R" convention for where
// the exponent starts and how it is written; the spec leaves both open).
template <class F>
std::string format_ieee(F value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "INF" : "-INF";
  if (value == 0) return std::signbit(value) ? "-0" : "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const std::size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  std::string_view exp_text = sci.substr(e + 1);
  if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (exponent >= -4 && exponent < 15) {
    if (exponent >= 0) {
      const auto int_len = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= int_len) {
        out += digits + std::string(int_len - digits.size(), '0');
      } else {
        out += digits.substr(0, int_len) + "." + digits.substr(int_len);
      }
    } else {
      out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    }
  } else {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += exponent < 0 ? "E-" : "E+";
    const int mag = exponent < 0 ? -exponent : exponent;
    if (mag < 10) out += '0';
    out += std::to_string(mag);
  }
  return out;
}

// 2.2.3.11: the 96-bit integer with `scale` digits after the point, no unnecessary zeros.
std::string format_decimal(const Decimal& d) {
  std::uint32_t limbs[3] = {d.hi32, static_cast<std::uint32_t>(d.lo64 >> 32),
                            static_cast<std::uint32_t>(d.lo64 & 0xFFFFFFFFu)};
  std::string digits;
  auto is_zero = [&limbs] { return limbs[0] == 0 && limbs[1] == 0 && limbs[2] == 0; };
  if (is_zero()) digits = "0";
  while (!is_zero()) {
    std::uint64_t rem = 0;
    for (auto& limb : limbs) {
      const std::uint64_t cur = (rem << 32) | limb;
      limb = static_cast<std::uint32_t>(cur / 10);
      rem = cur % 10;
    }
    digits += static_cast<char>('0' + rem);
  }
  std::reverse(digits.begin(), digits.end());
  const bool zero = digits == "0";
  if (d.scale > 0) {
    if (digits.size() <= d.scale) digits = std::string(d.scale + 1 - digits.size(), '0') + digits;
    digits.insert(digits.size() - d.scale, ".");
    while (digits.back() == '0') digits.pop_back();
    if (digits.back() == '.') digits.pop_back();
  }
  return (d.negative && !zero && digits != "0") ? "-" + digits : digits;
}

std::string two(int v) {
  std::string s = std::to_string(v);
  return s.size() < 2 ? "0" + s : s;
}

// Fraction digits without trailing zeros ("" when zero): "fffffff ... no trailing zeros".
std::string fraction_digits(std::uint32_t fraction) {
  if (fraction == 0) return "";
  std::string s = std::to_string(fraction);
  s = std::string(7 - s.size(), '0') + s;
  while (s.back() == '0') s.pop_back();
  return s;
}

// 2.2.3.12.
std::string format_date_time(std::uint64_t ticks, int tz, int local_offset_minutes) {
  const CivilTime t = civil_from_ticks(ticks);
  std::string y = std::to_string(t.year);
  std::string out = std::string(4 - std::min<std::size_t>(4, y.size()), '0') + y + "-" +
                    two(t.month) + "-" + two(t.day);
  if (t.hour != 0 || t.minute != 0 || t.second != 0 || t.fraction != 0) {
    out += "T" + two(t.hour) + ":" + two(t.minute) + ":" + two(t.second);
    if (t.fraction != 0) out += "." + fraction_digits(t.fraction);
  }
  if (tz == 1) {
    out += "Z";
  } else if (tz == 2) {
    const int mag = local_offset_minutes < 0 ? -local_offset_minutes : local_offset_minutes;
    out += local_offset_minutes < 0 ? "-" : "+";
    out += two(mag / 60) + ":" + two(mag % 60);
  }
  return out;
}

// 2.2.3.23. A negative duration is written with a leading "-" (the spec does not say how;
// this is .NET's TimeSpan convention).
std::string format_time_span(std::int64_t ticks) {
  const bool negative = ticks < 0;
  const std::uint64_t mag =
      negative ? (~static_cast<std::uint64_t>(ticks) + 1) : static_cast<std::uint64_t>(ticks);
  const std::uint64_t days = mag / kTicksPerDay;
  std::uint64_t rem = mag % kTicksPerDay;
  const auto fraction = static_cast<std::uint32_t>(rem % kTicksPerSecond);
  rem /= kTicksPerSecond;
  const int seconds = static_cast<int>(rem % 60);
  rem /= 60;
  const int minutes = static_cast<int>(rem % 60);
  const int hours = static_cast<int>(rem / 60);
  std::string out = negative ? "-" : "";
  if (days != 0) out += std::to_string(days) + ".";
  out += two(hours) + ":" + two(minutes) + ":" + two(seconds);
  if (fraction != 0) out += "." + fraction_digits(fraction);
  return out;
}

// Days since 1970-01-01 -> proleptic Gregorian date (the era-based civil calendar algorithm).
void civil_from_days(std::int64_t z, int& year, int& month, int& day) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<std::uint64_t>(z - era * 146097);
  const std::uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const std::uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::uint64_t mp = (5 * doy + 2) / 153;
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = static_cast<int>(y + (month <= 2 ? 1 : 0));
}

std::int64_t days_from_civil(int year, int month, int day) {
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<std::uint64_t>(y - era * 400);
  const auto m = static_cast<std::uint64_t>(month);
  const std::uint64_t doy =
      (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + static_cast<std::uint64_t>(day) - 1;
  const std::uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr std::int64_t kDaysFrom0001To1970 = 719162;

}  // namespace

CivilTime civil_from_ticks(std::uint64_t ticks) {
  CivilTime t;
  const std::uint64_t days = ticks / kTicksPerDay;
  std::uint64_t rem = ticks % kTicksPerDay;
  civil_from_days(static_cast<std::int64_t>(days) - kDaysFrom0001To1970, t.year, t.month, t.day);
  t.fraction = static_cast<std::uint32_t>(rem % kTicksPerSecond);
  rem /= kTicksPerSecond;
  t.second = static_cast<int>(rem % 60);
  rem /= 60;
  t.minute = static_cast<int>(rem % 60);
  t.hour = static_cast<int>(rem / 60);
  return t;
}

Result<std::uint64_t> ticks_from_civil(const CivilTime& t) {
  static constexpr int kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (t.year < 1 || t.year > 9999 || t.month < 1 || t.month > 12 || t.day < 1 ||
      t.day > kMonthDays[t.month - 1] || t.hour < 0 || t.hour > 23 || t.minute < 0 ||
      t.minute > 59 || t.second < 0 || t.second > 59 || t.fraction > 9999999) {
    return Error(ErrorCode::kInvalidArgument, "date or time field out of range", "date-time");
  }
  const bool leap = (t.year % 4 == 0 && t.year % 100 != 0) || t.year % 400 == 0;
  if (t.month == 2 && t.day == 29 && !leap) {
    return Error(ErrorCode::kInvalidArgument, "February 29 in a year that is not a leap year",
                 "date-time");
  }
  const std::int64_t days = days_from_civil(t.year, t.month, t.day) + kDaysFrom0001To1970;
  return static_cast<std::uint64_t>(days) * kTicksPerDay +
         static_cast<std::uint64_t>((t.hour * 60 + t.minute) * 60 + t.second) * kTicksPerSecond +
         t.fraction;
}

// --- record type names ------------------------------------------------------------------------

std::string record_type_name(std::uint8_t t) {
  static constexpr const char* kFixed[] = {nullptr,
                                           "EndElement",
                                           "Comment",
                                           "Array",
                                           "ShortAttribute",
                                           "Attribute",
                                           "ShortDictionaryAttribute",
                                           "DictionaryAttribute",
                                           "ShortXmlnsAttribute",
                                           "XmlnsAttribute",
                                           "ShortDictionaryXmlnsAttribute",
                                           "DictionaryXmlnsAttribute"};
  static constexpr const char* kText[] = {"ZeroText",           "OneText",
                                          "FalseText",          "TrueText",
                                          "Int8Text",           "Int16Text",
                                          "Int32Text",          "Int64Text",
                                          "FloatText",          "DoubleText",
                                          "DecimalText",        "DateTimeText",
                                          "Chars8Text",         "Chars16Text",
                                          "Chars32Text",        "Bytes8Text",
                                          "Bytes16Text",        "Bytes32Text",
                                          "StartListText",      "EndListText",
                                          "EmptyText",          "DictionaryText",
                                          "UniqueIdText",       "TimeSpanText",
                                          "UuidText",           "UInt64Text",
                                          "BoolText",           "UnicodeChars8Text",
                                          "UnicodeChars16Text", "UnicodeChars32Text",
                                          "QNameDictionaryText"};
  if (t >= 0x01 && t <= 0x0B) return kFixed[t];
  auto letter = [](int i) { return std::string(1, static_cast<char>('A' + i)); };
  if (t >= 0x0C && t <= 0x25) return "PrefixDictionaryAttribute" + letter(t - 0x0C);
  if (t >= 0x26 && t <= 0x3F) return "PrefixAttribute" + letter(t - 0x26);
  if (t == 0x40) return "ShortElement";
  if (t == 0x41) return "Element";
  if (t == 0x42) return "ShortDictionaryElement";
  if (t == 0x43) return "DictionaryElement";
  if (t >= 0x44 && t <= 0x5D) return "PrefixDictionaryElement" + letter(t - 0x44);
  if (t >= 0x5E && t <= 0x77) return "PrefixElement" + letter(t - 0x5E);
  if (is_text_record(t)) {
    std::string name = kText[(t - 0x80) / 2];
    if (t & 1) name += "WithEndElement";
    return name;
  }
  return "Reserved";
}

std::string describe_record_type(std::uint8_t type) {
  return record_type_name(type) + " (" + hex_byte(type) + ")";
}

// --- MultiByteInt31 -------------------------------------------------------------------------

void append_multibyte_int31(Bytes& out, std::uint32_t value) {
  value &= kMaxMultiByteInt31;
  while (value >= 0x80) {
    out.push_back(static_cast<std::uint8_t>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(value));
}

Result<Bytes> encode_multibyte_int31(std::uint32_t value) {
  if (value > kMaxMultiByteInt31) {
    return Error(ErrorCode::kInvalidArgument,
                 std::to_string(value) +
                     " does not fit in a MultiByteInt31 (at most 2147483647) [MC-NBFX 2.1.2]",
                 "nbfx");
  }
  Bytes out;
  append_multibyte_int31(out, value);
  return out;
}

// --- dictionaries ---------------------------------------------------------------------------

Dictionary Dictionary::static_from_list(const std::vector<std::string>& strings) {
  Dictionary d;
  for (std::size_t i = 0; i < strings.size(); ++i)
    (void)d.add(static_cast<std::uint32_t>(2 * i), strings[i]);
  return d;
}

Dictionary Dictionary::session_from_list(const std::vector<std::string>& strings) {
  Dictionary d;
  for (std::size_t i = 0; i < strings.size(); ++i) {
    (void)d.add(static_cast<std::uint32_t>(2 * i + 1), strings[i]);
  }
  return d;
}

Status Dictionary::add(std::uint32_t id, std::string value) {
  if (id > kMaxMultiByteInt31) {
    return Error(ErrorCode::kInvalidArgument, "id " + std::to_string(id) + " is above 2147483647",
                 "dictionary");
  }
  if (by_id_.count(id) != 0) {
    return Error(ErrorCode::kInvalidArgument, "id " + std::to_string(id) + " is defined twice",
                 "dictionary");
  }
  auto it = by_value_.find(value);
  if (it == by_value_.end() || id < it->second) by_value_[value] = id;
  by_id_.emplace(id, std::move(value));
  return ok_status();
}

const std::string* Dictionary::find(std::uint32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

std::optional<std::uint32_t> Dictionary::find_id(std::string_view value) const {
  auto it = by_value_.find(std::string(value));
  if (it == by_value_.end()) return std::nullopt;
  return it->second;
}

Result<Dictionary> parse_dictionary_file(std::string_view text) {
  Dictionary d;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') {
      if (end == text.size()) break;
      continue;
    }
    const std::string where = "dictionary line " + std::to_string(line_no);
    std::size_t sep = line.find_first_of(" \t");
    std::string_view id_text = line.substr(0, sep);
    std::string_view value =
        sep == std::string_view::npos ? std::string_view() : line.substr(sep + 1);
    std::uint64_t id = 0;
    std::from_chars_result r{};
    if (id_text.size() > 2 && (id_text.substr(0, 2) == "0x" || id_text.substr(0, 2) == "0X")) {
      r = std::from_chars(id_text.data() + 2, id_text.data() + id_text.size(), id, 16);
    } else {
      r = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id, 10);
    }
    if (id_text.empty() || r.ec != std::errc() || r.ptr != id_text.data() + id_text.size()) {
      return Error(ErrorCode::kParse,
                   "'" + std::string(id_text) + "' is not a decimal or 0x-hex id", where);
    }
    if (id > kMaxMultiByteInt31) {
      return Error(ErrorCode::kParse, "id " + std::string(id_text) + " is above 2147483647", where);
    }
    if (first_invalid_utf8(value) != kNpos) {
      return Error(ErrorCode::kParse, "the string is not valid UTF-8", where);
    }
    auto added = d.add(static_cast<std::uint32_t>(id), std::string(value));
    if (!added.ok()) return Error(ErrorCode::kParse, added.error().what(), where);
    if (end == text.size()) break;
  }
  return d;
}

Result<std::string> format_dictionary_file(const Dictionary& dictionary) {
  std::string out;
  for (const auto& [id, value] : dictionary.entries()) {
    if (value.find_first_of("\r\n") != std::string::npos) {
      return Error(ErrorCode::kInvalidArgument,
                   "string of id " + std::to_string(id) + " contains a line break", "dictionary");
    }
    out += std::to_string(id);
    if (!value.empty()) out += " " + value;
    out += "\n";
  }
  return out;
}

// --- decoder --------------------------------------------------------------------------------

namespace {

struct TextRead {
  std::uint8_t type = 0;  // as read (WithEndElement bit included)
  std::string chars;
  Bytes bytes;  // Bytes*Text payload
  bool end_element = false;
};

class Decoder {
 public:
  Decoder(ByteView in, const DecodeOptions& options) : in_(in), o_(options), l_(options.limits) {}

  Result<Decoded> run() {
    if (in_.size() > l_.max_input_bytes) {
      return Error(ErrorCode::kLimitExceeded,
                   "input of " + std::to_string(in_.size()) + " bytes is over max_input_bytes " +
                       std::to_string(l_.max_input_bytes),
                   "nbfx");
    }
    while (pos_ < in_.size()) {
      PARLEY_TRY(read_record());
    }
    if (!stack_.empty()) {
      return Error(ErrorCode::kParse,
                   "input ends at offset " + std::to_string(pos_) + " with " +
                       std::to_string(stack_.size()) + " element(s) still open, innermost <" +
                       qname(stack_.back()) +
                       "> [MC-NBFX 2.3.1: every element record needs its EndElement]",
                   "nbfx");
    }
    out_.xml = std::move(xml_);
    return std::move(out_);
  }

 private:
  // An error about the record of type `type` that starts at `offset`.
  Error fail(ErrorCode code, std::size_t offset, std::uint8_t type, const std::string& what,
             std::string_view rule) const {
    std::string msg =
        describe_record_type(type) + " at offset " + std::to_string(offset) + ": " + what;
    if (!rule.empty()) msg += " [" + std::string(rule) + "]";
    return Error(code, std::move(msg), "nbfx");
  }

  Error truncated(std::size_t offset, std::uint8_t type, std::size_t need, std::string_view field,
                  std::string_view rule) const {
    return fail(ErrorCode::kParse, offset, type,
                "truncated: " + std::string(field) + " needs " + std::to_string(need) +
                    " byte(s), " + std::to_string(in_.size() - pos_) + " left",
                rule);
  }

  Status need(std::size_t n, std::size_t offset, std::uint8_t type, std::string_view field,
              std::string_view rule) {
    if (n > in_.size() - pos_) return truncated(offset, type, n, field, rule);
    return ok_status();
  }

  Status count_record(std::size_t offset, std::uint8_t type) {
    if (++records_ > l_.max_records) {
      return fail(ErrorCode::kLimitExceeded, offset, type,
                  "more than max_records " + std::to_string(l_.max_records) + " records", "");
    }
    return ok_status();
  }

  Status emit(std::string_view s, std::size_t offset, std::uint8_t type) {
    if (xml_.size() + s.size() > l_.max_output_bytes) {
      return fail(ErrorCode::kLimitExceeded, offset, type,
                  "XML output would exceed max_output_bytes " + std::to_string(l_.max_output_bytes),
                  "");
    }
    xml_ += s;
    return ok_status();
  }

  void add_record(std::size_t offset, std::uint8_t type, std::string detail) {
    out_.records.push_back(Record{offset, pos_ - offset, type, std::move(detail)});
  }

  Result<std::uint32_t> read_mb31(std::size_t offset, std::uint8_t type, std::string_view field) {
    std::uint32_t value = 0;
    for (int i = 0; i < 5; ++i) {
      if (pos_ >= in_.size()) return truncated(offset, type, 1, field, "MC-NBFX 2.1.2");
      const std::uint8_t b = in_[pos_++];
      if (i == 4 && (b & 0xF8) != 0) {
        return fail(ErrorCode::kParse, offset, type,
                    std::string(field) + ": MultiByteInt31 has more than 31 bits (fifth byte " +
                        hex_byte(b) + ")",
                    "MC-NBFX 2.1.2");
      }
      value |= static_cast<std::uint32_t>(b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (i > 0 && b == 0) {
          return fail(ErrorCode::kParse, offset, type,
                      std::string(field) + ": MultiByteInt31 is not minimally encoded (value " +
                          std::to_string(value) + " in " + std::to_string(i + 1) + " bytes)",
                      "MC-NBFX 2.1.2");
        }
        return value;
      }
    }
    return value;  // unreachable: the fifth byte never has its high bit set here
  }

  // Reads `n` payload bytes after checking them against what is left and the string limit.
  Result<ByteView> take(std::uint64_t n, std::size_t offset, std::uint8_t type,
                        std::string_view field, std::string_view rule) {
    if (n > l_.max_string_bytes) {
      return fail(ErrorCode::kLimitExceeded, offset, type,
                  std::string(field) + " length " + std::to_string(n) +
                      " is over max_string_bytes " + std::to_string(l_.max_string_bytes),
                  rule);
    }
    if (n > in_.size() - pos_) {
      return fail(ErrorCode::kParse, offset, type,
                  std::string(field) + " length " + std::to_string(n) +
                      " runs past the end of the input (" + std::to_string(in_.size() - pos_) +
                      " bytes left)",
                  rule);
    }
    ByteView v = in_.subspan(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return v;
  }

  Result<std::string> checked_utf8(ByteView v, std::size_t offset, std::uint8_t type,
                                   std::string_view field, std::string_view rule) {
    std::string s(v.begin(), v.end());
    const std::size_t bad = first_invalid_utf8(s);
    if (bad != kNpos) {
      return fail(ErrorCode::kParse, offset, type,
                  std::string(field) + " is not well-formed UTF-8 (byte " + std::to_string(bad) +
                      " of the string)",
                  rule);
    }
    return s;
  }

  // 2.1.3 String.
  Result<std::string> read_string(std::size_t offset, std::uint8_t type, std::string_view field) {
    PARLEY_ASSIGN_OR_RETURN(std::uint32_t len, read_mb31(offset, type, field));
    PARLEY_ASSIGN_OR_RETURN(ByteView v, take(len, offset, type, field, "MC-NBFX 2.1.3"));
    return checked_utf8(v, offset, type, field, "MC-NBFX 2.1.3");
  }

  // 2.1.4 DictionaryString.
  Result<std::string> read_dictionary_string(std::size_t offset, std::uint8_t type,
                                             std::string_view field,
                                             std::uint32_t* id_out = nullptr) {
    PARLEY_ASSIGN_OR_RETURN(std::uint32_t id, read_mb31(offset, type, field));
    if (id_out != nullptr) *id_out = id;
    const bool session = (id & 1) != 0;
    const Dictionary* d = session ? o_.session_dictionary : o_.static_dictionary;
    const std::string* s = d == nullptr ? nullptr : d->find(id);
    if (s != nullptr) return *s;
    if (o_.unknown_ids == UnknownIds::kPlaceholder) return "str" + std::to_string(id);
    return fail(ErrorCode::kNotFound, offset, type,
                std::string(field) + ": DictionaryString id " + std::to_string(id) +
                    " is not in the " + (session ? "session (odd ids)" : "static (even ids)") +
                    " dictionary" + (d == nullptr ? " (none given)" : ""),
                "MC-NBFX 2.1.4");
  }

  Status check_name(const std::string& name, std::size_t offset, std::uint8_t type,
                    std::string_view field, std::string_view rule) {
    if (name.empty())
      return fail(ErrorCode::kParse, offset, type, std::string(field) + " is empty", rule);
    if (name == "xmlns")
      return fail(ErrorCode::kParse, offset, type, std::string(field) + " is \"xmlns\"", rule);
    if (!is_ncname(name)) {
      return fail(ErrorCode::kParse, offset, type,
                  std::string(field) + " " + quote_for_listing(name) +
                      " is not an XML NCName (parley refuses names that would change the XML "
                      "text's structure)",
                  rule);
    }
    return ok_status();
  }

  static std::string qname(const Node& n) {
    return n.prefix.empty() ? n.local_name : n.prefix + ":" + n.local_name;
  }

  void append_node(Node node) {
    if (stack_.empty()) {
      out_.nodes.push_back(std::move(node));
    } else {
      stack_.back().children.push_back(std::move(node));
    }
  }

  // One text record at pos_. In attributes the *WithEndElement forms are refused (2.2.3.31).
  Result<TextRead> read_text(bool in_attribute) {
    const std::size_t offset = pos_;
    const std::uint8_t type = in_[pos_++];
    PARLEY_TRY(count_record(offset, type));
    TextRead t;
    t.type = type;
    t.end_element = (type & 1) != 0;
    if (t.end_element && in_attribute) {
      return fail(ErrorCode::kParse, offset, type,
                  "a *TextWithEndElement record inside an attribute", "MC-NBFX 2.2.3.31");
    }
    const std::uint8_t base = static_cast<std::uint8_t>(type & 0xFE);
    std::string detail;
    auto fixed = [&](std::size_t n, std::string_view rule) -> Result<ByteView> {
      PARLEY_TRY(need(n, offset, type, "the value", rule));
      ByteView v = in_.subspan(pos_, n);
      pos_ += n;
      return v;
    };
    // Chars8/16/32 and Bytes8/16/32: a 1-, 2- or 4-byte little-endian length, then the bytes;
    // `step` is 0, 2 or 4 (records come in pairs with their WithEndElement twins).
    auto length_prefixed = [&](int step, const char* what,
                               const std::array<const char*, 3>& rules) -> Result<ByteView> {
      const std::size_t index = static_cast<std::size_t>(step / 2);
      const std::size_t width = std::size_t{1} << index;
      const char* rule = rules[index];
      PARLEY_ASSIGN_OR_RETURN(ByteView lv, fixed(width, rule));
      std::uint64_t len = read_le(lv, width);
      if (width == 4 && static_cast<std::int32_t>(len) <= 0) {
        return fail(ErrorCode::kParse, offset, type,
                    "Length " + std::to_string(static_cast<std::int32_t>(len)) + " is not positive", rule);
      }
      return take(len, offset, type, what, rule);
    };
    switch (base) {
      case rt::kZeroText:
        t.chars = "0";
        break;
      case rt::kOneText:
        t.chars = "1";
        break;
      case rt::kFalseText:
        t.chars = "false";
        break;
      case rt::kTrueText:
        t.chars = "true";
        break;
      case rt::kInt8Text: {
        PARLEY_ASSIGN_OR_RETURN(ByteView v, fixed(1, "MC-NBFX 2.2.3.5"));
        t.chars = std::to_string(static_cast<std::int8_t>(v[0]));
        break;
      }
      case rt::kInt16Text: {
        PARLEY_ASSIGN_OR_RETURN(ByteView v, fixed(2, "MC-NBFX 2.2.3.6"));
        t.chars = std::to_string(static_cast<std::int16_t>(read_le(v, 2)));
        break;
      }
      case rt::kInt32Text: {
        PARLEY_ASSIGN_OR_RETURN(ByteView v, fixed(4, "MC-NBFX 2.2.3.7"));
        t.chars = std::to_string(static_cast<std::int32_t>(read_le(v, 4)));
        break;
      }
      case rt::kInt64Text: {
        PARLEY_ASSIGN_OR_RETURN(ByteView v, fixed(8, "MC-NBFX 2.2.3.8"));
        t.chars = std::to_string(static_cast<std::int64_t>(read_le(v, 8)));
        break;
      }
      case rt::kFloatText: {
        PARLEY_ASSIGN_OR_RETURN(ByteView v, fixed(4, "MC-NBFX 2.2.3.9"));
        const auto bits = static_cast<std::uint32_t>(read_le(v, 4));
        float f = 0;
        std::memcpy(&f, &bits, sizeof f);
        t.chars = format_ieee(f);
        break;
      }
      case rt::kDoubleText: {
        PARLEY_ASSIGN_OR_RETURN(ByteView v, fixed(8, "MC-NBFX 2.2.3.10"));
        const std::uint64_t bits = read_le(v, 8);
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        t.chars = format_ieee(d);
        break;
      }
      case rt::kDecimalText: {
        PARLEY_ASSIGN_OR_RETURN(ByteView v, fixed(16, "MC-NBFX 2.2.3.11"));
        Decimal d;
        d.scale = v[2];
        if (d.scale > 28) {
          return fail(ErrorCode::kParse, offset, type,
                      "scale " + std::to_string(d.scale) + " is above 28",
                      "MC-NBFX 2.2.3.11, MS-OAUT 2.2.26");
        }
        if (v[3] != 0x00 && v[3] != 0x80) {
          return fail(ErrorCode::kParse, offset, type,
                      "sign byte " + hex_byte(v[3]) + " is neither 0x00 nor 0x80",
                      "MC-NBFX 2.2.3.11, MS-OAUT 2.2.26");
        }
        d.negative = v[3] == 0x80;
        d.hi32 = static_cast<std::uint32_t>(read_le(v.subspan(4), 4));
        d.lo64 = read_le(v.subspan(8), 8);
        t.chars = format_decimal(d);
        break;
      }
      case rt::kDateTimeText: {
        PARLEY_ASSIGN_OR_RETURN(ByteView v, fixed(8, "MC-NBFX 2.2.3.12"));
        const std::uint64_t raw = read_le(v, 8);
        const std::uint64_t ticks = raw & 0x3FFFFFFFFFFFFFFFull;
        const int tz = static_cast<int>(raw >> 62);
        if (ticks >= kDateTimeTicksLimit) {
          return fail(ErrorCode::kParse, offset, type,
                      "value " + std::to_string(ticks) + " is not below 3155378976000000000",
                      "MC-NBFX 2.2.3.12");
        }
        if (tz == 3)
          return fail(ErrorCode::kParse, offset, type, "TZ is 3 (must be 0, 1 or 2)",
                      "MC-NBFX 2.2.3.12");
        t.chars = format_date_time(ticks, tz, o_.local_utc_offset_minutes);
        break;
      }
      case rt::kChars8Text:
      case rt::kChars16Text:
      case rt::kChars32Text: {
        PARLEY_ASSIGN_OR_RETURN(
            ByteView v, length_prefixed(base - rt::kChars8Text, "the text",
                                        {"MC-NBFX 2.2.3.13", "MC-NBFX 2.2.3.14", "MC-NBFX 2.2.3.15"}));
        const char* rule = base == rt::kChars8Text    ? "MC-NBFX 2.2.3.13"
                           : base == rt::kChars16Text ? "MC-NBFX 2.2.3.14"
                                                      : "MC-NBFX 2.2.3.15";
        PARLEY_ASSIGN_OR_RETURN(t.chars, checked_utf8(v, offset, type, "the text", rule));
        break;
      }
      case rt::kBytes8Text:
      case rt::kBytes16Text:
      case rt::kBytes32Text: {
        PARLEY_ASSIGN_OR_RETURN(
            ByteView v, length_prefixed(base - rt::kBytes8Text, "the data",
                                        {"MC-NBFX 2.2.3.16", "MC-NBFX 2.2.3.17", "MC-NBFX 2.2.3.18"}));
        t.bytes.assign(v.begin(), v.end());
        t.chars = base64_encode(t.bytes);
        break;
      }
      case rt::kStartListText:
      case rt::kEndListText:
        // Handled by read_text_value; reaching here means a list inside a list or a stray end.
        return fail(ErrorCode::kParse, offset, type,
                    base == rt::kStartListText ? "StartListText inside a list"
                                               : "EndListText without StartListText",
                    "MC-NBFX 2.2.3.19");
      case rt::kEmptyText:
        break;
      case rt::kDictionaryText: {
        std::uint32_t id = 0;
        PARLEY_ASSIGN_OR_RETURN(t.chars, read_dictionary_string(offset, type, "Value", &id));
        detail = "id=" + std::to_string(id) + " ";
        break;
      }
      case rt::kUniqueIdText:
      case rt::kUuidText: {
        PARLEY_ASSIGN_OR_RETURN(
            ByteView v, fixed(16, base == rt::kUuidText ? "MC-NBFX 2.2.3.24" : "MC-NBFX 2.2.3.22"));
        std::array<std::uint8_t, 16> g{};
        std::copy(v.begin(), v.end(), g.begin());
        t.chars = (base == rt::kUniqueIdText ? "urn:uuid:" : "") + format_guid(g);
        break;
      }
      case rt::kTimeSpanText: {
        PARLEY_ASSIGN_OR_RETURN(ByteView v, fixed(8, "MC-NBFX 2.2.3.23"));
        t.chars = format_time_span(static_cast<std::int64_t>(read_le(v, 8)));
        break;
      }
      case rt::kUInt64Text: {
        PARLEY_ASSIGN_OR_RETURN(ByteView v, fixed(8, "MC-NBFX 2.2.3.25"));
        t.chars = std::to_string(read_le(v, 8));
        break;
      }
      case rt::kBoolText: {
        PARLEY_ASSIGN_OR_RETURN(ByteView v, fixed(1, "MC-NBFX 2.2.3.26"));
        if (v[0] > 1) {
          return fail(ErrorCode::kParse, offset, type,
                      "value " + hex_byte(v[0]) + " is neither 0 nor 1", "MC-NBFX 2.2.3.26");
        }
        t.chars = v[0] ? "true" : "false";
        break;
      }
      case rt::kUnicodeChars8Text:
      case rt::kUnicodeChars16Text:
      case rt::kUnicodeChars32Text: {
        // UnicodeChars32Text: 2.2.3.29 calls its Length a MultiByteInt31, but the section 3
        // example (BA 04 00 00 00 ...) and the sibling *32 records use a 4-byte INT32; parley
        // follows the bytes of the example (docs/nbfx.md).
        const std::size_t width = base == rt::kUnicodeChars8Text    ? 1
                                  : base == rt::kUnicodeChars16Text ? 2
                                                                    : 4;
        const char* rule = base == rt::kUnicodeChars8Text    ? "MC-NBFX 2.2.3.27"
                           : base == rt::kUnicodeChars16Text ? "MC-NBFX 2.2.3.28"
                                                             : "MC-NBFX 2.2.3.29";
        PARLEY_ASSIGN_OR_RETURN(ByteView lv, fixed(width, rule));
        std::uint64_t len = read_le(lv, width);
        if (width == 4 && static_cast<std::int32_t>(len) < 0) {
          return fail(ErrorCode::kParse, offset, type,
                      "Length " + std::to_string(static_cast<std::int32_t>(len)) + " is negative",
                      rule);
        }
        PARLEY_ASSIGN_OR_RETURN(ByteView v, take(len, offset, type, "the text", rule));
        if (!utf16le_to_utf8(v, t.chars)) {
          return fail(ErrorCode::kParse, offset, type,
                      "the text is not well-formed UTF-16 (odd length or unpaired surrogate)",
                      rule);
        }
        break;
      }
      case rt::kQNameDictionaryText: {
        PARLEY_ASSIGN_OR_RETURN(ByteView p, fixed(1, "MC-NBFX 2.2.3.30"));
        if (p[0] > 25) {
          return fail(ErrorCode::kParse, offset, type,
                      "Prefix " + std::to_string(p[0]) + " is above 25", "MC-NBFX 2.2.3.30");
        }
        std::uint32_t id = 0;
        PARLEY_ASSIGN_OR_RETURN(std::string name,
                                read_dictionary_string(offset, type, "Name", &id));
        t.chars = std::string(1, static_cast<char>('a' + p[0])) + ":" + name;
        detail = "id=" + std::to_string(id) + " ";
        break;
      }
      default:
        return fail(ErrorCode::kParse, offset, type, "not a text record", "MC-NBFX 2.2.3");
    }
    add_record(offset, type, detail + quote_for_listing(t.chars));
    return t;
  }

  // A text value: one text record, or StartListText items EndListText (2.2.3.19).
  Result<TextRead> read_text_value(bool in_attribute) {
    const std::size_t offset = pos_;
    const std::uint8_t type = in_[pos_];
    if (type != rt::kStartListText) return read_text(in_attribute);
    ++pos_;
    PARLEY_TRY(count_record(offset, type));
    add_record(offset, type, "");
    TextRead list;
    list.type = type;
    std::size_t items = 0;
    while (true) {
      if (pos_ >= in_.size()) return truncated(offset, type, 1, "EndListText", "MC-NBFX 2.2.3.19");
      const std::size_t item_offset = pos_;
      const std::uint8_t t = in_[pos_];
      if (t == rt::kEndListText) {
        ++pos_;
        PARLEY_TRY(count_record(item_offset, t));
        add_record(item_offset, t, "");
        return list;
      }
      if (!is_text_record(t)) {
        return fail(ErrorCode::kParse, item_offset, t,
                    "inside StartListText .. EndListText, only text records may appear",
                    "MC-NBFX 2.2.3.19");
      }
      if (t & 1) {
        return fail(ErrorCode::kParse, item_offset, t, "a *TextWithEndElement record inside a list",
                    "MC-NBFX 2.2.3.19");
      }
      if (++items > l_.max_list_items) {
        return fail(ErrorCode::kLimitExceeded, offset, type,
                    "more than max_list_items " + std::to_string(l_.max_list_items) + " items", "");
      }
      PARLEY_ASSIGN_OR_RETURN(TextRead item, read_text(in_attribute));
      if (items > 1) list.chars += ' ';
      list.chars += item.chars;
      if (list.chars.size() > l_.max_string_bytes) {
        return fail(ErrorCode::kLimitExceeded, offset, type,
                    "list text over max_string_bytes " + std::to_string(l_.max_string_bytes), "");
      }
    }
  }

  // An element record and its attribute records; fills `node` and its start tag text.
  Status read_element_header(Node& node, std::string& start_tag) {
    const std::size_t offset = pos_;
    const std::uint8_t type = in_[pos_++];
    PARLEY_TRY(count_record(offset, type));
    node.kind = Node::Kind::kElement;
    node.offset = offset;
    node.record = type;
    std::string detail;
    if (type == rt::kShortElement || type == rt::kShortDictionaryElement ||
        type >= rt::kPrefixDictionaryElementA) {
      if (type >= rt::kPrefixElementA) {
        node.prefix = std::string(1, static_cast<char>('a' + (type - rt::kPrefixElementA)));
      } else if (type >= rt::kPrefixDictionaryElementA) {
        node.prefix =
            std::string(1, static_cast<char>('a' + (type - rt::kPrefixDictionaryElementA)));
      }
    } else {
      PARLEY_ASSIGN_OR_RETURN(node.prefix, read_string(offset, type, "Prefix"));
      PARLEY_TRY(check_name(node.prefix, offset, type, "Prefix", "MC-NBFX 2.2.1"));
    }
    const bool dictionary_name =
        type == rt::kShortDictionaryElement || type == rt::kDictionaryElement ||
        (type >= rt::kPrefixDictionaryElementA && type < rt::kPrefixElementA);
    if (dictionary_name) {
      std::uint32_t id = 0;
      PARLEY_ASSIGN_OR_RETURN(node.local_name, read_dictionary_string(offset, type, "Name", &id));
      detail = "name id=" + std::to_string(id) + " ";
    } else {
      PARLEY_ASSIGN_OR_RETURN(node.local_name, read_string(offset, type, "Name"));
    }
    PARLEY_TRY(check_name(node.local_name, offset, type, "Name", "MC-NBFX 2.2.1"));
    add_record(offset, type, detail + "<" + qname(node) + ">");
    start_tag = "<" + qname(node);
    std::size_t count = 0;
    while (pos_ < in_.size() && is_attribute_record(in_[pos_])) {
      if (++count > l_.max_attributes) {
        return fail(ErrorCode::kLimitExceeded, pos_, in_[pos_],
                    "more than max_attributes " + std::to_string(l_.max_attributes) + " on <" +
                        qname(node) + ">",
                    "");
      }
      Attribute a;
      PARLEY_TRY(read_attribute(a));
      start_tag += " ";
      if (a.is_xmlns) {
        start_tag += a.prefix.empty() ? "xmlns" : "xmlns:" + a.prefix;
      } else {
        start_tag += a.prefix.empty() ? a.local_name : a.prefix + ":" + a.local_name;
      }
      start_tag += "=\"";
      append_escaped(start_tag, a.value, true);
      start_tag += "\"";
      if (start_tag.size() > l_.max_output_bytes) {
        return fail(ErrorCode::kLimitExceeded, offset, type,
                    "start tag longer than max_output_bytes " + std::to_string(l_.max_output_bytes),
                    "");
      }
      node.attributes.push_back(std::move(a));
    }
    start_tag += ">";
    return ok_status();
  }

  Status read_attribute(Attribute& a) {
    const std::size_t offset = pos_;
    const std::uint8_t type = in_[pos_++];
    PARLEY_TRY(count_record(offset, type));
    const char* rule = "MC-NBFX 2.2.2";
    std::string detail;
    if (type >= rt::kShortXmlnsAttribute && type <= rt::kDictionaryXmlnsAttribute) {
      a.is_xmlns = true;
      a.value_record = type;
      if (type == rt::kXmlnsAttribute || type == rt::kDictionaryXmlnsAttribute) {
        PARLEY_ASSIGN_OR_RETURN(a.prefix, read_string(offset, type, "Prefix"));
        PARLEY_TRY(check_name(a.prefix, offset, type, "Prefix", rule));
      }
      if (type == rt::kShortXmlnsAttribute || type == rt::kXmlnsAttribute) {
        PARLEY_ASSIGN_OR_RETURN(a.value, read_string(offset, type, "Value"));
      } else {
        std::uint32_t id = 0;
        PARLEY_ASSIGN_OR_RETURN(a.value, read_dictionary_string(offset, type, "Value", &id));
        detail = "value id=" + std::to_string(id) + " ";
      }
      add_record(offset, type,
                 detail + (a.prefix.empty() ? "xmlns" : "xmlns:" + a.prefix) + "=" +
                     quote_for_listing(a.value));
      return ok_status();
    }
    bool dictionary_name = false;
    if (type == rt::kShortAttribute || type == rt::kShortDictionaryAttribute) {
      dictionary_name = type == rt::kShortDictionaryAttribute;
    } else if (type == rt::kAttribute || type == rt::kDictionaryAttribute) {
      dictionary_name = type == rt::kDictionaryAttribute;
      PARLEY_ASSIGN_OR_RETURN(a.prefix, read_string(offset, type, "Prefix"));
      PARLEY_TRY(check_name(a.prefix, offset, type, "Prefix", rule));
    } else if (type >= rt::kPrefixDictionaryAttributeA && type < rt::kPrefixAttributeA) {
      dictionary_name = true;
      a.prefix = std::string(1, static_cast<char>('a' + (type - rt::kPrefixDictionaryAttributeA)));
    } else {
      a.prefix = std::string(1, static_cast<char>('a' + (type - rt::kPrefixAttributeA)));
    }
    if (dictionary_name) {
      std::uint32_t id = 0;
      PARLEY_ASSIGN_OR_RETURN(a.local_name, read_dictionary_string(offset, type, "Name", &id));
      detail = "name id=" + std::to_string(id) + " ";
    } else {
      PARLEY_ASSIGN_OR_RETURN(a.local_name, read_string(offset, type, "Name"));
    }
    PARLEY_TRY(check_name(a.local_name, offset, type, "Name", rule));
    add_record(offset, type,
               detail + (a.prefix.empty() ? a.local_name : a.prefix + ":" + a.local_name));
    if (pos_ >= in_.size()) return truncated(offset, type, 1, "Value (a text record)", rule);
    if (!is_text_record(in_[pos_])) {
      return fail(ErrorCode::kParse, pos_, in_[pos_], "an attribute's Value must be a text record",
                  rule);
    }
    PARLEY_ASSIGN_OR_RETURN(TextRead value, read_text_value(true));
    a.value = std::move(value.chars);
    a.value_record = value.type;
    return ok_status();
  }

  Status read_record() {
    const std::size_t offset = pos_;
    const std::uint8_t type = in_[pos_];
    if (type == rt::kEndElement) {
      ++pos_;
      PARLEY_TRY(count_record(offset, type));
      if (stack_.empty()) {
        return fail(ErrorCode::kParse, offset, type, "no element is open", "MC-NBFX 2.3.1");
      }
      add_record(offset, type, "</" + qname(stack_.back()) + ">");
      return close_element(offset, type);
    }
    if (type == rt::kComment) {
      ++pos_;
      PARLEY_TRY(count_record(offset, type));
      PARLEY_ASSIGN_OR_RETURN(std::string text, read_string(offset, type, "Value"));
      // XML 1.0 [15]: "--" may not occur in a comment; written as is it would end the comment.
      if (text.find("--") != std::string::npos || (!text.empty() && text.back() == '-')) {
        return fail(
            ErrorCode::kParse, offset, type,
            "comment text contains \"--\" or ends with \"-\": not representable as an XML comment",
            "XML 1.0 production [15]");
      }
      add_record(offset, type, quote_for_listing(text));
      PARLEY_TRY(emit("<!--" + text + "-->", offset, type));
      Node n;
      n.kind = Node::Kind::kComment;
      n.offset = offset;
      n.record = type;
      n.text = std::move(text);
      append_node(std::move(n));
      return ok_status();
    }
    if (type == rt::kArray) return read_array();
    if (is_attribute_record(type)) {
      return fail(ErrorCode::kParse, offset, type,
                  "an attribute record must follow an element or attribute record",
                  "MC-NBFX 2.2.2");
    }
    if (is_element_record(type)) {
      if (stack_.size() >= l_.max_depth) {
        return fail(ErrorCode::kLimitExceeded, offset, type,
                    "element nesting deeper than max_depth " + std::to_string(l_.max_depth), "");
      }
      Node node;
      std::string start_tag;
      PARLEY_TRY(read_element_header(node, start_tag));
      PARLEY_TRY(emit(start_tag, offset, type));
      stack_.push_back(std::move(node));
      return ok_status();
    }
    if (is_text_record(type)) {
      PARLEY_ASSIGN_OR_RETURN(TextRead t, read_text_value(false));
      std::string escaped;
      append_escaped(escaped, t.chars, false);
      PARLEY_TRY(emit(escaped, offset, type));
      Node n;
      n.kind = Node::Kind::kText;
      n.offset = offset;
      n.record = t.type;
      n.text = std::move(t.chars);
      n.bytes = std::move(t.bytes);
      append_node(std::move(n));
      if (t.end_element) {
        if (stack_.empty()) {
          return fail(ErrorCode::kParse, offset, type,
                      "no element is open for the implied EndElement", "MC-NBFX 2.2.3.31, 2.3.1");
        }
        return close_element(offset, type);
      }
      return ok_status();
    }
    ++pos_;
    return fail(ErrorCode::kParse, offset, type, "reserved record type", "MC-NBFX 2.1.1");
  }

  Status close_element(std::size_t offset, std::uint8_t type) {
    Node node = std::move(stack_.back());
    stack_.pop_back();
    PARLEY_TRY(emit("</" + qname(node) + ">", offset, type));
    append_node(std::move(node));
    return ok_status();
  }

  // 2.3.3 Array: Element record (+ attributes), EndElement, RecordType, Length, Data.
  Status read_array() {
    const std::size_t offset = pos_++;
    const std::uint8_t type = rt::kArray;
    PARLEY_TRY(count_record(offset, type));
    const char* rule = "MC-NBFX 2.3.3";
    if (pos_ >= in_.size()) return truncated(offset, type, 1, "Element", rule);
    if (!is_element_record(in_[pos_])) {
      return fail(ErrorCode::kParse, offset, type,
                  "Element is " + describe_record_type(in_[pos_]) + ", not an element record",
                  rule);
    }
    if (stack_.size() >= l_.max_depth) {
      return fail(ErrorCode::kLimitExceeded, offset, type,
                  "element nesting deeper than max_depth " + std::to_string(l_.max_depth), "");
    }
    Node prototype;
    std::string start_tag;
    PARLEY_TRY(read_element_header(prototype, start_tag));
    if (pos_ >= in_.size()) return truncated(offset, type, 1, "End Element", rule);
    if (in_[pos_] != rt::kEndElement) {
      return fail(ErrorCode::kParse, offset, type,
                  "End Element is " + describe_record_type(in_[pos_]) + ", not EndElement (0x01)",
                  rule);
    }
    ++pos_;
    PARLEY_TRY(need(1, offset, type, "Record Type", rule));
    const std::uint8_t item_type = in_[pos_++];
    std::size_t size = 0;
    switch (item_type) {
      case 0xB5:
        size = 1;
        break;  // BoolTextWithEndElement
      case 0x8B:
        size = 2;
        break;  // Int16TextWithEndElement
      case 0x8D:
        size = 4;
        break;  // Int32TextWithEndElement
      case 0x8F:
        size = 8;
        break;  // Int64TextWithEndElement
      case 0x91:
        size = 4;
        break;  // FloatTextWithEndElement
      case 0x93:
        size = 8;
        break;  // DoubleTextWithEndElement
      case 0x95:
        size = 16;
        break;  // DecimalTextWithEndElement
      case 0x97:
        size = 8;
        break;  // DateTimeTextWithEndElement
      case 0xAF:
        size = 8;
        break;  // TimeSpanTextWithEndElement
      case 0xB1:
        size = 16;
        break;  // UuidTextWithEndElement
      default:
        return fail(
            ErrorCode::kParse, offset, type,
            "Record Type " + describe_record_type(item_type) + " is not one the Array table allows",
            rule);
    }
    PARLEY_ASSIGN_OR_RETURN(std::uint32_t length, read_mb31(offset, type, "Length"));
    if (length == 0) return fail(ErrorCode::kParse, offset, type, "Length is zero", rule);
    if (length > l_.max_array_items) {
      return fail(ErrorCode::kLimitExceeded, offset, type,
                  "Length " + std::to_string(length) + " is over max_array_items " +
                      std::to_string(l_.max_array_items),
                  rule);
    }
    const std::uint64_t data_size = static_cast<std::uint64_t>(length) * size;
    if (data_size > in_.size() - pos_) {
      return fail(ErrorCode::kParse, offset, type,
                  "Data of " + std::to_string(length) + " x " + std::to_string(size) +
                      " bytes runs past the end (" + std::to_string(in_.size() - pos_) +
                      " bytes left)",
                  rule);
    }
    const std::size_t data_start = pos_;
    // Each item is read as the record it stands for: a synthetic view of (type, data).
    std::vector<Node> items;
    std::string xml;
    for (std::uint32_t i = 0; i < length; ++i) {
      PARLEY_TRY(count_record(offset, type));
      Bytes one;
      one.push_back(item_type);
      one.insert(one.end(), in_.begin() + static_cast<std::ptrdiff_t>(data_start + i * size),
                 in_.begin() + static_cast<std::ptrdiff_t>(data_start + (i + 1) * size));
      Decoder item_decoder(one, o_);
      auto item = item_decoder.read_text(false);
      if (!item.ok()) {
        return fail(item.error().code(), offset, type,
                    "item " + std::to_string(i) + ": " + item.error().what(), rule);
      }
      const TextRead& t = *item;
      Node element = prototype;
      Node text;
      text.kind = Node::Kind::kText;
      text.offset = offset;
      text.record = item_type;
      text.text = t.chars;
      element.children.push_back(std::move(text));
      std::string piece = start_tag;
      append_escaped(piece, t.chars, false);
      piece += "</" + qname(prototype) + ">";
      PARLEY_TRY(emit(piece, offset, type));
      append_node(std::move(element));
    }
    pos_ = data_start + static_cast<std::size_t>(data_size);
    add_record(
        offset, type,
        std::to_string(length) + " x <" + qname(prototype) + "> " + record_type_name(item_type));
    return ok_status();
  }

  ByteView in_;
  const DecodeOptions& o_;
  const DecodeLimits& l_;
  std::size_t pos_ = 0;
  std::size_t records_ = 0;
  std::vector<Node> stack_;
  std::string xml_;
  Decoded out_;
};

}  // namespace

Result<Decoded> decode(ByteView bytes, const DecodeOptions& options) {
  Decoder decoder(bytes, options);
  return decoder.run();
}

std::string format_records(const std::vector<Record>& records) {
  std::string out;
  for (const auto& r : records) {
    std::string off = std::to_string(r.offset);
    out += std::string(off.size() < 6 ? 6 - off.size() : 0, '0') + off + "  " +
           hex_byte(r.type).substr(2) + " " + record_type_name(r.type);
    if (!r.detail.empty()) out += "  " + r.detail;
    out += "\n";
  }
  return out;
}

// --- GUIDs ----------------------------------------------------------------------------------

std::string format_guid(const std::array<std::uint8_t, 16>& g) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Data1 (4 bytes LE), Data2 (2 LE), Data3 (2 LE), Data4 (8 bytes as is): 2.2.3.22.
  static constexpr int kOrder[] = {3,  2, 1, 0,  -1, 5,  4,  -1, 7,  6,
                                   -1, 8, 9, -1, 10, 11, 12, 13, 14, 15};
  std::string s;
  for (int i : kOrder) {
    if (i < 0) {
      s += '-';
    } else {
      s += kHex[g[static_cast<std::size_t>(i)] >> 4];
      s += kHex[g[static_cast<std::size_t>(i)] & 0x0F];
    }
  }
  return s;
}

Result<std::array<std::uint8_t, 16>> parse_guid(std::string_view text) {
  if (text.size() > 9 && text.substr(0, 9) == "urn:uuid:") text.remove_prefix(9);
  static constexpr int kOrder[] = {3,  2, 1, 0,  -1, 5,  4,  -1, 7,  6,
                                   -1, 8, 9, -1, 10, 11, 12, 13, 14, 15};
  const Error bad(ErrorCode::kParse,
                  "'" + std::string(text) + "' is not a GUID (8-4-4-4-12 hex digits)", "guid");
  if (text.size() != 36) return bad;
  std::array<std::uint8_t, 16> g{};
  std::size_t p = 0;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (int i : kOrder) {
    if (i < 0) {
      if (text[p] != '-') return bad;
      ++p;
      continue;
    }
    const int hi = nibble(text[p]);
    const int lo = nibble(text[p + 1]);
    if (hi < 0 || lo < 0) return bad;
    g[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(hi * 16 + lo);
    p += 2;
  }
  return g;
}

// --- TextValue --------------------------------------------------------------------------------

TextValue TextValue::chars(std::string_view utf8) {
  TextValue v;
  const std::size_t n = utf8.size();
  if (n <= 0xFF) {
    v.record_ = rt::kChars8Text;
    write_le(v.payload_, n, 1);
  } else if (n <= 0xFFFF) {
    v.record_ = rt::kChars16Text;
    write_le(v.payload_, n, 2);
  } else {
    v.record_ = rt::kChars32Text;
    write_le(v.payload_, n, 4);
  }
  v.payload_.insert(v.payload_.end(), utf8.begin(), utf8.end());
  return v;
}

TextValue TextValue::unicode_chars(std::string_view utf8) {
  TextValue v;
  const Bytes u16 = utf8_to_utf16le(utf8);
  const std::size_t n = u16.size();
  if (n <= 0xFF) {
    v.record_ = rt::kUnicodeChars8Text;
    write_le(v.payload_, n, 1);
  } else if (n <= 0xFFFF) {
    v.record_ = rt::kUnicodeChars16Text;
    write_le(v.payload_, n, 2);
  } else {
    v.record_ = rt::kUnicodeChars32Text;
    write_le(v.payload_, n, 4);
  }
  v.payload_.insert(v.payload_.end(), u16.begin(), u16.end());
  return v;
}

TextValue TextValue::bytes(ByteView data) {
  TextValue v;
  const std::size_t n = data.size();
  if (n <= 0xFF) {
    v.record_ = rt::kBytes8Text;
    write_le(v.payload_, n, 1);
  } else if (n <= 0xFFFF) {
    v.record_ = rt::kBytes16Text;
    write_le(v.payload_, n, 2);
  } else {
    v.record_ = rt::kBytes32Text;
    write_le(v.payload_, n, 4);
  }
  v.payload_.insert(v.payload_.end(), data.begin(), data.end());
  return v;
}

TextValue TextValue::empty() {
  TextValue v;
  v.record_ = rt::kEmptyText;
  return v;
}

TextValue TextValue::boolean(bool value) {
  TextValue v;
  v.record_ = value ? rt::kTrueText : rt::kFalseText;
  return v;
}

TextValue TextValue::bool_text(bool value) {
  TextValue v;
  v.record_ = rt::kBoolText;
  v.payload_.push_back(value ? 1 : 0);
  return v;
}

TextValue TextValue::integer(std::int64_t value) {
  if (value == 0) {
    TextValue v;
    v.record_ = rt::kZeroText;
    return v;
  }
  if (value == 1) {
    TextValue v;
    v.record_ = rt::kOneText;
    return v;
  }
  if (value >= std::numeric_limits<std::int8_t>::min() &&
      value <= std::numeric_limits<std::int8_t>::max()) {
    return int8(static_cast<std::int8_t>(value));
  }
  if (value >= std::numeric_limits<std::int16_t>::min() &&
      value <= std::numeric_limits<std::int16_t>::max()) {
    return int16(static_cast<std::int16_t>(value));
  }
  if (value >= std::numeric_limits<std::int32_t>::min() &&
      value <= std::numeric_limits<std::int32_t>::max()) {
    return int32(static_cast<std::int32_t>(value));
  }
  return int64(value);
}

TextValue TextValue::int8(std::int8_t value) {
  TextValue v;
  v.record_ = rt::kInt8Text;
  write_le(v.payload_, static_cast<std::uint8_t>(value), 1);
  return v;
}
TextValue TextValue::int16(std::int16_t value) {
  TextValue v;
  v.record_ = rt::kInt16Text;
  write_le(v.payload_, static_cast<std::uint16_t>(value), 2);
  return v;
}
TextValue TextValue::int32(std::int32_t value) {
  TextValue v;
  v.record_ = rt::kInt32Text;
  write_le(v.payload_, static_cast<std::uint32_t>(value), 4);
  return v;
}
TextValue TextValue::int64(std::int64_t value) {
  TextValue v;
  v.record_ = rt::kInt64Text;
  write_le(v.payload_, static_cast<std::uint64_t>(value), 8);
  return v;
}
TextValue TextValue::uint64(std::uint64_t value) {
  TextValue v;
  v.record_ = rt::kUInt64Text;
  write_le(v.payload_, value, 8);
  return v;
}
TextValue TextValue::float32(float value) {
  TextValue v;
  v.record_ = rt::kFloatText;
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  write_le(v.payload_, bits, 4);
  return v;
}
TextValue TextValue::float64(double value) {
  TextValue v;
  v.record_ = rt::kDoubleText;
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  write_le(v.payload_, bits, 8);
  return v;
}
TextValue TextValue::decimal(const Decimal& d) {
  TextValue v;
  v.record_ = rt::kDecimalText;
  write_le(v.payload_, 0, 2);
  v.payload_.push_back(d.scale);
  v.payload_.push_back(d.negative ? 0x80 : 0x00);
  write_le(v.payload_, d.hi32, 4);
  write_le(v.payload_, d.lo64, 8);
  return v;
}
Result<TextValue> TextValue::date_time(std::uint64_t ticks, int tz) {
  if (ticks >= kDateTimeTicksLimit || tz < 0 || tz > 2) {
    return Error(ErrorCode::kInvalidArgument,
                 "ticks must be below 3155378976000000000 and TZ 0, 1 or 2 [MC-NBFX 2.2.3.12]",
                 "nbfx");
  }
  TextValue v;
  v.record_ = rt::kDateTimeText;
  write_le(v.payload_, ticks | (static_cast<std::uint64_t>(tz) << 62), 8);
  return v;
}
TextValue TextValue::time_span(std::int64_t ticks) {
  TextValue v;
  v.record_ = rt::kTimeSpanText;
  write_le(v.payload_, static_cast<std::uint64_t>(ticks), 8);
  return v;
}
TextValue TextValue::unique_id(const std::array<std::uint8_t, 16>& g) {
  TextValue v;
  v.record_ = rt::kUniqueIdText;
  v.payload_.assign(g.begin(), g.end());
  return v;
}
TextValue TextValue::uuid(const std::array<std::uint8_t, 16>& g) {
  TextValue v;
  v.record_ = rt::kUuidText;
  v.payload_.assign(g.begin(), g.end());
  return v;
}
TextValue TextValue::dictionary(std::uint32_t id) {
  TextValue v;
  v.record_ = rt::kDictionaryText;
  append_multibyte_int31(v.payload_, id);
  return v;
}
Result<TextValue> TextValue::qname(std::uint8_t prefix_index, std::uint32_t id) {
  if (prefix_index > 25 || id > kMaxMultiByteInt31) {
    return Error(ErrorCode::kInvalidArgument,
                 "QName prefix must be 0..25 and id at most 2147483647 [MC-NBFX 2.2.3.30]", "nbfx");
  }
  TextValue v;
  v.record_ = rt::kQNameDictionaryText;
  v.payload_.push_back(prefix_index);
  append_multibyte_int31(v.payload_, id);
  return v;
}
Result<TextValue> TextValue::list(std::vector<TextValue> items) {
  for (const auto& item : items) {
    if (item.record_ == rt::kStartListText) {
      return Error(ErrorCode::kInvalidArgument, "a list cannot contain a list [MC-NBFX 2.2.3.19]",
                   "nbfx");
    }
  }
  TextValue v;
  v.record_ = rt::kStartListText;
  v.items_ = std::move(items);
  return v;
}

// --- Writer -----------------------------------------------------------------------------------

namespace {
Status append_string(Bytes& out, std::string_view s) {
  if (s.size() > kMaxMultiByteInt31) {
    return Error(ErrorCode::kInvalidArgument, "string longer than 2147483647 bytes [MC-NBFX 2.1.3]",
                 "nbfx");
  }
  append_multibyte_int31(out, static_cast<std::uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
  return ok_status();
}

Status check_writer_name(std::string_view name, std::string_view what) {
  if (name.empty() || name == "xmlns" || !is_ncname(name)) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(what) + " '" + std::string(name) +
                     "' is empty, \"xmlns\" or not an XML NCName [MC-NBFX 2.2.1, 2.2.2]",
                 "nbfx writer");
  }
  return ok_status();
}

bool single_letter(std::string_view prefix) {
  return prefix.size() == 1 && prefix[0] >= 'a' && prefix[0] <= 'z';
}
}  // namespace

Writer::Writer(EncodeOptions options) : options_(options) {}

std::optional<std::uint32_t> Writer::lookup(std::string_view value) const {
  if (!options_.use_dictionary) return std::nullopt;
  if (options_.static_dictionary != nullptr) {
    if (auto id = options_.static_dictionary->find_id(value)) return id;
  }
  if (options_.session_dictionary != nullptr) {
    if (auto id = options_.session_dictionary->find_id(value)) return id;
  }
  return std::nullopt;
}

Status Writer::close_start_tag() {
  in_start_tag_ = false;
  return ok_status();
}

Status Writer::write_name_record(bool element, std::string_view prefix,
                                 std::string_view local_name) {
  PARLEY_TRY(check_writer_name(local_name, element ? "element name" : "attribute name"));
  if (!prefix.empty()) PARLEY_TRY(check_writer_name(prefix, "prefix"));
  const std::optional<std::uint32_t> id = lookup(local_name);
  if (prefix.empty()) {
    out_.push_back(element ? (id ? rt::kShortDictionaryElement : rt::kShortElement)
                           : (id ? rt::kShortDictionaryAttribute : rt::kShortAttribute));
  } else if (single_letter(prefix)) {
    const auto letter = static_cast<std::uint8_t>(prefix[0] - 'a');
    out_.push_back(static_cast<std::uint8_t>(
        (element ? (id ? rt::kPrefixDictionaryElementA : rt::kPrefixElementA)
                 : (id ? rt::kPrefixDictionaryAttributeA : rt::kPrefixAttributeA)) +
        letter));
  } else {
    out_.push_back(element ? (id ? rt::kDictionaryElement : rt::kElement)
                           : (id ? rt::kDictionaryAttribute : rt::kAttribute));
    PARLEY_TRY(append_string(out_, prefix));
  }
  if (id) {
    append_multibyte_int31(out_, *id);
  } else {
    PARLEY_TRY(append_string(out_, local_name));
  }
  return ok_status();
}

Status Writer::start_element(std::string_view prefix, std::string_view local_name) {
  PARLEY_TRY(close_start_tag());
  if (depth_ >= options_.max_depth) {
    return Error(ErrorCode::kLimitExceeded,
                 "element nesting deeper than max_depth " + std::to_string(options_.max_depth),
                 "nbfx writer");
  }
  PARLEY_TRY(write_name_record(true, prefix, local_name));
  ++depth_;
  in_start_tag_ = true;
  last_text_offset_ = kNpos;
  return ok_status();
}

Status Writer::xmlns(std::string_view prefix, std::string_view uri) {
  if (!in_start_tag_) {
    return Error(ErrorCode::kInvalidArgument, "xmlns outside a start tag [MC-NBFX 2.2.2]",
                 "nbfx writer");
  }
  if (!prefix.empty()) PARLEY_TRY(check_writer_name(prefix, "xmlns prefix"));
  const std::optional<std::uint32_t> id = lookup(uri);
  if (prefix.empty()) {
    out_.push_back(id ? rt::kShortDictionaryXmlnsAttribute : rt::kShortXmlnsAttribute);
  } else {
    out_.push_back(id ? rt::kDictionaryXmlnsAttribute : rt::kXmlnsAttribute);
    PARLEY_TRY(append_string(out_, prefix));
  }
  if (id) {
    append_multibyte_int31(out_, *id);
  } else {
    PARLEY_TRY(append_string(out_, uri));
  }
  return ok_status();
}

void Writer::write_text(const TextValue& value, bool in_attribute) {
  (void)in_attribute;
  if (value.record_ == rt::kStartListText) {
    out_.push_back(rt::kStartListText);
    for (const auto& item : value.items_) write_text(item, in_attribute);
    out_.push_back(rt::kEndListText);
    return;
  }
  out_.push_back(value.record_);
  out_.insert(out_.end(), value.payload_.begin(), value.payload_.end());
}

Status Writer::attribute(std::string_view prefix, std::string_view local_name,
                         const TextValue& value) {
  if (!in_start_tag_) {
    return Error(ErrorCode::kInvalidArgument,
                 "attribute '" + std::string(local_name) + "' outside a start tag [MC-NBFX 2.2.2]",
                 "nbfx writer");
  }
  if (prefix == "xmlns") {
    return Error(ErrorCode::kInvalidArgument, "use xmlns() for namespace declarations",
                 "nbfx writer");
  }
  PARLEY_TRY(write_name_record(false, prefix, local_name));
  write_text(value, true);
  return ok_status();
}

Status Writer::text(const TextValue& value) {
  PARLEY_TRY(close_start_tag());
  const std::size_t offset = out_.size();
  write_text(value, false);
  last_text_offset_ = (depth_ > 0 && value.record_ != rt::kStartListText) ? offset : kNpos;
  return ok_status();
}

Status Writer::comment(std::string_view text) {
  PARLEY_TRY(close_start_tag());
  if (text.find("--") != std::string_view::npos || (!text.empty() && text.back() == '-')) {
    return Error(ErrorCode::kInvalidArgument,
                 "comment text contains \"--\" or ends with \"-\" [XML 1.0 production 15]",
                 "nbfx writer");
  }
  out_.push_back(rt::kComment);
  PARLEY_TRY(append_string(out_, text));
  last_text_offset_ = kNpos;
  return ok_status();
}

Status Writer::end_element() {
  if (depth_ == 0) {
    return Error(ErrorCode::kInvalidArgument, "end_element with no open element [MC-NBFX 2.3.1]",
                 "nbfx writer");
  }
  if (options_.with_end_element && last_text_offset_ != kNpos) {
    out_[last_text_offset_] = static_cast<std::uint8_t>(out_[last_text_offset_] + 1);
  } else {
    out_.push_back(rt::kEndElement);
  }
  --depth_;
  in_start_tag_ = false;
  last_text_offset_ = kNpos;
  return ok_status();
}

Status Writer::array(std::string_view prefix, std::string_view local_name,
                     std::span<const std::pair<std::string, std::string>> xmlns_declarations,
                     std::span<const TextValue> values) {
  PARLEY_TRY(close_start_tag());
  if (values.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "an Array record needs at least one value [MC-NBFX 2.3.3]", "nbfx writer");
  }
  const std::uint8_t record = values.front().record_;
  static constexpr std::uint8_t kAllowed[] = {
      rt::kBoolText,   rt::kInt16Text,   rt::kInt32Text,    rt::kInt64Text,    rt::kFloatText,
      rt::kDoubleText, rt::kDecimalText, rt::kDateTimeText, rt::kTimeSpanText, rt::kUuidText};
  if (std::find(std::begin(kAllowed), std::end(kAllowed), record) == std::end(kAllowed)) {
    return Error(ErrorCode::kInvalidArgument,
                 describe_record_type(record) + " cannot be an Array item [MC-NBFX 2.3.3]",
                 "nbfx writer");
  }
  for (const auto& v : values) {
    if (v.record_ != record) {
      return Error(ErrorCode::kInvalidArgument,
                   "Array items must all have the same record type [MC-NBFX 2.3.3]", "nbfx writer");
    }
  }
  if (values.size() > kMaxMultiByteInt31) {
    return Error(ErrorCode::kInvalidArgument, "too many Array items", "nbfx writer");
  }
  out_.push_back(rt::kArray);
  PARLEY_TRY(write_name_record(true, prefix, local_name));
  in_start_tag_ = true;
  for (const auto& [p, uri] : xmlns_declarations) PARLEY_TRY(xmlns(p, uri));
  in_start_tag_ = false;
  out_.push_back(rt::kEndElement);
  out_.push_back(static_cast<std::uint8_t>(record + 1));
  append_multibyte_int31(out_, static_cast<std::uint32_t>(values.size()));
  for (const auto& v : values) out_.insert(out_.end(), v.payload_.begin(), v.payload_.end());
  last_text_offset_ = kNpos;
  return ok_status();
}

Result<Bytes> Writer::finish() const {
  if (depth_ != 0) {
    return Error(ErrorCode::kInvalidArgument, std::to_string(depth_) + " element(s) still open",
                 "nbfx writer");
  }
  return out_;
}

// --- XML -> NBFX ------------------------------------------------------------------------------

namespace {

// "0", "1", true/false, canonical integers and urn:uuid GUIDs (EncodeOptions::infer_text_types).
std::optional<TextValue> infer(std::string_view s) {
  if (s == "true") return TextValue::boolean(true);
  if (s == "false") return TextValue::boolean(false);
  if (!s.empty() && s.size() <= 20) {
    std::string_view digits = s.front() == '-' ? s.substr(1) : s;
    const bool canonical = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
      return c >= '0' && c <= '9';
    }) && (digits == "0" ? s.front() != '-' : digits.front() != '0');
    if (canonical) {
      std::int64_t v = 0;
      auto r = std::from_chars(s.data(), s.data() + s.size(), v);
      if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return TextValue::integer(v);
    }
  }
  if (s.size() == 45 && s.substr(0, 9) == "urn:uuid:") {
    auto g = parse_guid(s);
    if (g.ok() && format_guid(*g) == s.substr(9)) return TextValue::unique_id(*g);
  }
  return std::nullopt;
}

class XmlEncoder {
 public:
  explicit XmlEncoder(const EncodeOptions& o) : o_(o), w_(o) {}

  TextValue text_value(std::string_view s) {
    if (s.empty()) return TextValue::empty();
    if (o_.infer_text_types) {
      if (auto v = infer(s)) return *v;
    }
    if (o_.dictionary_text && o_.use_dictionary) {
      std::optional<std::uint32_t> id;
      if (o_.static_dictionary != nullptr) id = o_.static_dictionary->find_id(s);
      if (!id && o_.session_dictionary != nullptr) id = o_.session_dictionary->find_id(s);
      if (id) return TextValue::dictionary(*id);
    }
    return TextValue::chars(s);
  }

  Status node(xmlNode* n) {
    switch (n->type) {
      case XML_ELEMENT_NODE:
        return element(n);
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        return w_.text(text_value(xml::view(n->content)));
      case XML_COMMENT_NODE:
        return w_.comment(xml::view(n->content));
      case XML_PI_NODE:
        return Error(ErrorCode::kUnsupported,
                     "processing instruction <?" + std::string(xml::view(n->name)) +
                         "?> cannot be represented [MC-NBFX 1.5]",
                     "nbfx encode");
      default:
        return Error(ErrorCode::kUnsupported,
                     "XML node type " + std::to_string(static_cast<int>(n->type)) +
                         " cannot be represented [MC-NBFX 1.5]",
                     "nbfx encode");
    }
  }

  Status element(xmlNode* e) {
    const std::string_view prefix =
        e->ns != nullptr ? xml::view(e->ns->prefix) : std::string_view();
    PARLEY_TRY(w_.start_element(prefix, xml::view(e->name)));
    for (xmlNs* ns = e->nsDef; ns != nullptr; ns = ns->next) {
      PARLEY_TRY(w_.xmlns(xml::view(ns->prefix), xml::view(ns->href)));
    }
    for (xmlAttr* a = e->properties; a != nullptr; a = a->next) {
      xmlChar* raw = xmlNodeGetContent(reinterpret_cast<xmlNode*>(a));
      std::string value(xml::view(raw));
      xmlFree(raw);
      const std::string_view aprefix =
          a->ns != nullptr ? xml::view(a->ns->prefix) : std::string_view();
      PARLEY_TRY(w_.attribute(aprefix, xml::view(a->name), text_value(value)));
    }
    for (xmlNode* c = e->children; c != nullptr; c = c->next) PARLEY_TRY(node(c));
    return w_.end_element();
  }

  Result<Bytes> run(const xml::Document& doc) {
    for (xmlNode* n = doc.get()->children; n != nullptr; n = n->next) {
      if (n->type == XML_DTD_NODE) continue;
      PARLEY_TRY(node(n));
    }
    return w_.finish();
  }

 private:
  const EncodeOptions& o_;
  Writer w_;
};

}  // namespace

Result<Bytes> encode(std::string_view xml_text, const EncodeOptions& options) {
  auto doc = xml::parse(xml_text);
  if (!doc.ok()) return std::move(doc.error().within("nbfx encode"));
  XmlEncoder encoder(options);
  return encoder.run(*doc);
}

}  // namespace parley::wif::nbfx
