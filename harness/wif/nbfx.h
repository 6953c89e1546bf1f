// [MC-NBFX] .NET Binary Format: XML Data Structure, both ways (docs/nbfx.md).
//
// decode(): bytes -> XML text (the characters the records represent, [MC-NBFX] 2 and 3), a
//   structured record list for debugging, and a small node tree that format parsers above
//   (the WIF session token) walk. Hostile input is the normal case: every length is checked
//   against the bytes that remain before anything is allocated ([MC-NBFX] 4), nesting, counts,
//   sizes and the total output are bounded (DecodeLimits), and every failure is an Error naming
//   the record type, the offset and the rule (the spec section).
// Writer / encode(): records <- calls / XML text (parsed by xml::parse). Names, namespace URIs
//   and (optionally) text become DictionaryStrings when a dictionary has them.
//
// Dictionaries ([MC-NBFX] 1.7, 2.1.4): a DictionaryString is an integer the producer and
// consumer agree on. parley follows .NET's convention, which [MC-NBFS] and [MC-NBFSE] write
// down: even ids name strings of a static dictionary, odd ids strings of a session (dynamic)
// dictionary. A Dictionary maps those wire ids to strings.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/error.h"

namespace parley::wif::nbfx {

// --- record types ([MC-NBFX] 2.1.1 table) -----------------------------------------------------

namespace rt {
inline constexpr std::uint8_t kEndElement = 0x01;
inline constexpr std::uint8_t kComment = 0x02;
inline constexpr std::uint8_t kArray = 0x03;
inline constexpr std::uint8_t kShortAttribute = 0x04;
inline constexpr std::uint8_t kAttribute = 0x05;
inline constexpr std::uint8_t kShortDictionaryAttribute = 0x06;
inline constexpr std::uint8_t kDictionaryAttribute = 0x07;
inline constexpr std::uint8_t kShortXmlnsAttribute = 0x08;
inline constexpr std::uint8_t kXmlnsAttribute = 0x09;
inline constexpr std::uint8_t kShortDictionaryXmlnsAttribute = 0x0A;
inline constexpr std::uint8_t kDictionaryXmlnsAttribute = 0x0B;
inline constexpr std::uint8_t kPrefixDictionaryAttributeA = 0x0C;  // .. 0x25 (Z)
inline constexpr std::uint8_t kPrefixAttributeA = 0x26;            // .. 0x3F (Z)
inline constexpr std::uint8_t kShortElement = 0x40;
inline constexpr std::uint8_t kElement = 0x41;
inline constexpr std::uint8_t kShortDictionaryElement = 0x42;
inline constexpr std::uint8_t kDictionaryElement = 0x43;
inline constexpr std::uint8_t kPrefixDictionaryElementA = 0x44;  // .. 0x5D (Z)
inline constexpr std::uint8_t kPrefixElementA = 0x5E;            // .. 0x77 (Z)
// Text records: the even type; type + 1 is the *TextWithEndElement form (2.2.3.31).
inline constexpr std::uint8_t kZeroText = 0x80;
inline constexpr std::uint8_t kOneText = 0x82;
inline constexpr std::uint8_t kFalseText = 0x84;
inline constexpr std::uint8_t kTrueText = 0x86;
inline constexpr std::uint8_t kInt8Text = 0x88;
inline constexpr std::uint8_t kInt16Text = 0x8A;
inline constexpr std::uint8_t kInt32Text = 0x8C;
inline constexpr std::uint8_t kInt64Text = 0x8E;
inline constexpr std::uint8_t kFloatText = 0x90;
inline constexpr std::uint8_t kDoubleText = 0x92;
inline constexpr std::uint8_t kDecimalText = 0x94;
inline constexpr std::uint8_t kDateTimeText = 0x96;
inline constexpr std::uint8_t kChars8Text = 0x98;
inline constexpr std::uint8_t kChars16Text = 0x9A;
inline constexpr std::uint8_t kChars32Text = 0x9C;
inline constexpr std::uint8_t kBytes8Text = 0x9E;
inline constexpr std::uint8_t kBytes16Text = 0xA0;
inline constexpr std::uint8_t kBytes32Text = 0xA2;
inline constexpr std::uint8_t kStartListText = 0xA4;  // no WithEndElement form (0xA5 reserved)
inline constexpr std::uint8_t kEndListText = 0xA6;    // no WithEndElement form (0xA7 reserved)
inline constexpr std::uint8_t kEmptyText = 0xA8;
inline constexpr std::uint8_t kDictionaryText = 0xAA;
inline constexpr std::uint8_t kUniqueIdText = 0xAC;
inline constexpr std::uint8_t kTimeSpanText = 0xAE;
inline constexpr std::uint8_t kUuidText = 0xB0;
inline constexpr std::uint8_t kUInt64Text = 0xB2;
inline constexpr std::uint8_t kBoolText = 0xB4;
inline constexpr std::uint8_t kUnicodeChars8Text = 0xB6;
inline constexpr std::uint8_t kUnicodeChars16Text = 0xB8;
inline constexpr std::uint8_t kUnicodeChars32Text = 0xBA;
inline constexpr std::uint8_t kQNameDictionaryText = 0xBC;
}  // namespace rt

// The spec's name of a record type ("PrefixDictionaryElementS", "Chars8TextWithEndElement"),
// or "Reserved" for 0x00, 0x78-0x7F, 0xA5, 0xA7, 0xBE-0xFF.
std::string record_type_name(std::uint8_t type);
// "Chars8Text (0x98)": how errors and the record list name a record.
std::string describe_record_type(std::uint8_t type);

// --- MultiByteInt31 ([MC-NBFX] 2.1.2) ---------------------------------------------------------

inline constexpr std::uint32_t kMaxMultiByteInt31 = 0x7FFFFFFF;
// Minimal encoding, 1..5 bytes. Values above kMaxMultiByteInt31 are an error.
Result<Bytes> encode_multibyte_int31(std::uint32_t value);
void append_multibyte_int31(Bytes& out, std::uint32_t value);  // value <= kMaxMultiByteInt31

// --- dates ([MC-NBFX] 2.2.3.12: 100 ns ticks since 0001-01-01T00:00:00, proleptic Gregorian) ----

inline constexpr std::uint64_t kDateTimeTicksLimit = 3155378976000000000ull;  // exclusive
struct CivilTime {
  int year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::uint32_t fraction = 0;  // 100 ns units, 0..9999999
};
CivilTime civil_from_ticks(std::uint64_t ticks);  // ticks < kDateTimeTicksLimit
// Errors when a field is out of range (including day-of-month and years outside 1..9999).
Result<std::uint64_t> ticks_from_civil(const CivilTime& time);

// --- dictionaries -----------------------------------------------------------------------------

class Dictionary {
 public:
  Dictionary() = default;

  // Strings of a static dictionary in .NET XmlDictionary order: the n-th is id 2n.
  static Dictionary static_from_list(const std::vector<std::string>& strings);
  // Strings of a session dictionary in the order they were added: the n-th is id 2n+1.
  static Dictionary session_from_list(const std::vector<std::string>& strings);

  // Adds one wire id; errors on a duplicate id or an id above kMaxMultiByteInt31.
  Status add(std::uint32_t id, std::string value);

  const std::string* find(std::uint32_t id) const;
  // The smallest id mapped to `value`, if any.
  std::optional<std::uint32_t> find_id(std::string_view value) const;

  std::size_t size() const { return by_id_.size(); }
  bool empty() const { return by_id_.empty(); }
  const std::map<std::uint32_t, std::string>& entries() const { return by_id_; }

 private:
  std::map<std::uint32_t, std::string> by_id_;
  std::unordered_map<std::string, std::uint32_t> by_value_;
};

// The dictionary file format (docs/nbfx.md): UTF-8 text, one entry per line, "ID STRING" where
// ID is decimal or 0x-hex and exactly one space or tab separates it from the string (the rest of
// the line, taken verbatim; a line holding only ID maps ID to ""). Lines that are empty or start
// with '#' are skipped. A trailing CR is dropped. Errors name the line.
Result<Dictionary> parse_dictionary_file(std::string_view text);
// The inverse of parse_dictionary_file (strings containing CR or LF cannot be written: error).
Result<std::string> format_dictionary_file(const Dictionary& dictionary);

// --- decoding ---------------------------------------------------------------------------------

struct DecodeLimits {
  std::size_t max_input_bytes = 16u << 20;
  std::size_t max_depth = 64;                // open elements at once
  std::size_t max_records = 1u << 20;        // records read (an Array counts its items)
  std::size_t max_attributes = 256;          // attribute records on one element
  std::size_t max_string_bytes = 4u << 20;   // one String / text / bytes payload
  std::size_t max_array_items = 1u << 16;    // Length of one Array record
  std::size_t max_list_items = 4096;         // text records in one StartList..EndList
  std::size_t max_output_bytes = 32u << 20;  // characters of the XML text
};

// What a DictionaryString that no dictionary has becomes.
enum class UnknownIds {
  kError,        // an Error naming the id (default: a parser above must not guess)
  kPlaceholder,  // "strNNN", as [MC-NBFX] section 3 shows strings outside the document
};

struct DecodeOptions {
  const Dictionary* static_dictionary = nullptr;   // even ids
  const Dictionary* session_dictionary = nullptr;  // odd ids
  UnknownIds unknown_ids = UnknownIds::kError;
  // The UTC offset, in minutes, written for DateTimeText with TZ = 2 (local time): "the time
  // zone offset in which the document is being decoded" ([MC-NBFX] 2.2.3.12). Fixed, so output
  // does not depend on the machine.
  int local_utc_offset_minutes = 0;
  DecodeLimits limits;
};

// One record as read, for debugging (`parley nbfx decode --records`).
struct Record {
  std::size_t offset = 0;  // of the RecordType byte
  std::size_t length = 0;  // bytes, RecordType included (an Array: the whole record)
  std::uint8_t type = 0;
  std::string detail;  // e.g. `name="doc"`, `id=14 "str14"`, `"hello"`, `-34`
};
// One line per record: "000012  98 Chars8Text  \"hello\"".
std::string format_records(const std::vector<Record>& records);

struct Attribute {
  std::string prefix;      // "" = none; for xmlns: the declared prefix ("" = default namespace)
  std::string local_name;  // "" for xmlns
  bool is_xmlns = false;
  std::string value;              // the characters represented (unescaped)
  std::uint8_t value_record = 0;  // the text record (xmlns: the attribute record itself)
};

struct Node {
  enum class Kind { kElement, kText, kComment };
  Kind kind = Kind::kElement;
  std::size_t offset = 0;             // of the record that produced this node
  std::uint8_t record = 0;            // that record's type
  std::string prefix;                 // element
  std::string local_name;             // element
  std::vector<Attribute> attributes;  // element, in record order (xmlns included)
  std::vector<Node> children;         // element
  std::string text;                   // text (unescaped characters) or comment
  // For text from Bytes*Text records, the raw bytes (text holds their base64).
  Bytes bytes;
};

struct Decoded {
  std::string xml;              // the XML text ([MC-NBFX] 2, minimally escaped: 2.2.3.13.1)
  std::vector<Record> records;  // every record, in order
  std::vector<Node> nodes;      // top-level nodes (normally one element)
};

// Errors: kParse for bytes that break a rule ("Chars8Text (0x98) at offset 7: length 5 runs
// past the end of the input (2 bytes left) [MC-NBFX 2.2.3.13]"), kLimitExceeded for a limit,
// kNotFound for an unknown dictionary id with UnknownIds::kError. A truncated document (open
// elements at the end) is an error.
Result<Decoded> decode(ByteView bytes, const DecodeOptions& options = {});

// --- encoding ---------------------------------------------------------------------------------

struct Decimal {           // [MS-OAUT] 2.2.26 DECIMAL
  std::uint8_t scale = 0;  // 0..28
  bool negative = false;
  std::uint32_t hi32 = 0;
  std::uint64_t lo64 = 0;
};

// A value for a text record, with the record chosen when the value is made.
class TextValue {
 public:
  static TextValue chars(std::string_view utf8);          // Chars8/16/32Text by UTF-8 length
  static TextValue unicode_chars(std::string_view utf8);  // UnicodeChars8/16/32Text (UTF-16LE)
  static TextValue bytes(ByteView data);                  // Bytes8/16/32Text by length
  static TextValue empty();                               // EmptyText
  static TextValue boolean(bool value);                   // TrueText / FalseText
  static TextValue bool_text(bool value);                 // BoolText (0xB4)
  // The smallest of ZeroText, OneText, Int8/16/32/64Text that holds the value (what .NET writes).
  static TextValue integer(std::int64_t value);
  static TextValue int8(std::int8_t value);      // always Int8Text
  static TextValue int16(std::int16_t value);    // always Int16Text
  static TextValue int32(std::int32_t value);    // always Int32Text
  static TextValue int64(std::int64_t value);    // always Int64Text
  static TextValue uint64(std::uint64_t value);  // UInt64Text
  static TextValue float32(float value);
  static TextValue float64(double value);
  static TextValue decimal(const Decimal& value);
  // ticks: 100 ns since 0001-01-01 (< 3155378976000000000); tz: 0 unspecified, 1 UTC, 2 local.
  static Result<TextValue> date_time(std::uint64_t ticks, int tz);
  static TextValue time_span(std::int64_t ticks);
  // 16 bytes in the record's byte order (Data1..Data3 little-endian, as .NET Guid.ToByteArray).
  static TextValue unique_id(const std::array<std::uint8_t, 16>& guid_bytes);
  static TextValue uuid(const std::array<std::uint8_t, 16>& guid_bytes);
  static TextValue dictionary(std::uint32_t id);  // DictionaryText
  // QNameDictionaryText: prefix_index 0..25 ('a'..'z').
  static Result<TextValue> qname(std::uint8_t prefix_index, std::uint32_t id);
  static Result<TextValue> list(std::vector<TextValue> items);  // StartListText .. EndListText

  std::uint8_t record() const { return record_; }  // the even (non-WithEndElement) type

 private:
  friend class Writer;
  std::uint8_t record_ = rt::kEmptyText;
  Bytes payload_;                 // the record's bytes after the RecordType
  std::vector<TextValue> items_;  // StartList only
};

// Parses "urn:uuid:<guid>" (UniqueIdText form) or "<guid>" (UuidText form) into record byte
// order. Lower- or upper-case hex.
Result<std::array<std::uint8_t, 16>> parse_guid(std::string_view text);
// The characters of a GUID in record byte order (lower-case, no "urn:uuid:").
std::string format_guid(const std::array<std::uint8_t, 16>& guid_bytes);

struct EncodeOptions {
  const Dictionary* static_dictionary = nullptr;
  const Dictionary* session_dictionary = nullptr;
  // Element and attribute local names and xmlns values found in a dictionary are written as
  // DictionaryStrings (static first, then session).
  bool use_dictionary = true;
  // encode(): text (element content and attribute values) equal to a dictionary string is written
  // as DictionaryText.
  bool dictionary_text = false;
  // A text record directly followed by its element's end is written as *TextWithEndElement.
  bool with_end_element = true;
  // encode(): text whose characters a typed record represents exactly is written as that record:
  // "0" ZeroText, "1" OneText, "false"/"true", canonical decimal integers (smallest IntNText),
  // "urn:uuid:<lower-case guid>" UniqueIdText. Off by default: the output stays Chars text.
  bool infer_text_types = false;
  std::size_t max_depth = 256;
};

// Writes records in document order. Misuse (an attribute after content, an end without a start,
// an empty name, the name "xmlns", a prefix that is not a valid XML NCName) is an Error.
class Writer {
 public:
  explicit Writer(EncodeOptions options = {});

  Status start_element(std::string_view prefix, std::string_view local_name);
  // xmlns / xmlns:prefix on the element just started.
  Status xmlns(std::string_view prefix, std::string_view uri);
  Status attribute(std::string_view prefix, std::string_view local_name, const TextValue& value);
  Status text(const TextValue& value);
  Status comment(std::string_view text);
  Status end_element();
  // An Array record ([MC-NBFX] 2.3.3): `count` elements named prefix:local_name (with the
  // given xmlns declarations), each holding one value. Every value must have the same record
  // type, one of Bool/Int16/Int32/Int64/Float/Double/Decimal/DateTime/TimeSpan/Uuid Text.
  Status array(std::string_view prefix, std::string_view local_name,
               std::span<const std::pair<std::string, std::string>> xmlns_declarations,
               std::span<const TextValue> values);

  // The bytes so far; an error while elements are still open.
  Result<Bytes> finish() const;

 private:
  Status write_name_record(bool element, std::string_view prefix, std::string_view local_name);
  Status close_start_tag();
  std::optional<std::uint32_t> lookup(std::string_view value) const;
  void write_text(const TextValue& value, bool in_attribute);

  EncodeOptions options_;
  Bytes out_;
  std::size_t depth_ = 0;
  bool in_start_tag_ = false;
  // Offset of the last text record written as direct element content, for the
  // *TextWithEndElement fold; npos when the last thing written was not such a record.
  std::size_t last_text_offset_ = static_cast<std::size_t>(-1);
};

// XML text (through xml::parse and its limits) -> NBFX. Comments become Comment records,
// CDATA becomes text; a processing instruction cannot be represented ([MC-NBFX] 1.5): error.
// Namespace declarations are written before the element's other attributes.
Result<Bytes> encode(std::string_view xml, const EncodeOptions& options = {});

}  // namespace parley::wif::nbfx
