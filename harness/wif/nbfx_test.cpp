// [MC-NBFX] codec tests. Every record type is checked against the example bytes of the
// specification ([MC-NBFX] v9.0, section 3 "Structure Examples" unless another section is
// named), copied verbatim. Where the informative section 3 table renders a value differently
// from the normative rule of section 2, the expectation follows section 2 and says so.
#include "harness/wif/nbfx.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

namespace parley::wif::nbfx {
namespace {

Bytes H(std::string_view spaced) {
  std::string compact;
  for (char c : spaced) {
    if (c != ' ') compact += c;
  }
  auto b = hex_decode(compact);
  EXPECT_TRUE(b.ok()) << spaced;
  return b.ok() ? *b : Bytes{};
}

DecodeOptions placeholders() {
  DecodeOptions o;
  o.unknown_ids = UnknownIds::kPlaceholder;
  return o;
}

std::string decode_xml(std::string_view hex, const DecodeOptions& o = placeholders()) {
  auto d = decode(H(hex), o);
  if (!d.ok()) return "ERROR: " + d.error().message();
  return d->xml;
}

// Dictionaries mapping id N to "strN", as section 3 prints strings outside the document.
struct StrDictionaries {
  Dictionary stat;
  Dictionary session;
  explicit StrDictionaries(std::initializer_list<std::uint32_t> ids) {
    for (auto id : ids) {
      Dictionary& d = (id & 1) != 0 ? session : stat;
      EXPECT_TRUE(d.add(id, "str" + std::to_string(id)).ok());
    }
  }
  EncodeOptions encode_options() const {
    EncodeOptions o;
    o.static_dictionary = &stat;
    o.session_dictionary = &session;
    return o;
  }
};

struct Example {
  const char* record;  // section 3 row
  const char* hex;
  const char* xml;
};

// Section 3, in table order. Expected characters are the table's, except where noted.
const Example kExamples[] = {
    {"EndElement", "40 03 64 6F 63 01", "<doc></doc>"},
    {"Comment", "02 07 63 6F 6D 6D 65 6E 74", "<!--comment-->"},
    {"Array", "03 40 03 61 72 72 01 8B 03 33 33 88 88 DD DD",
     "<arr>13107</arr><arr>-30584</arr><arr>-8739</arr>"},
    {"ShortAttribute", "40 03 64 6F 63 04 04 61 74 74 72 84 01", "<doc attr=\"false\"></doc>"},
    {"Attribute",
     "40 03 64 6F 63 09 03 70 72 65 0A 68 74 74 70 3A 2F 2F 61 62 63 05 03 70 72 65 04 61 74 74 72 "
     "84 01",
     "<doc xmlns:pre=\"http://abc\" pre:attr=\"false\"></doc>"},
    {"ShortDictionaryAttribute", "40 03 64 6F 63 06 08 86 01", "<doc str8=\"true\"></doc>"},
    {"DictionaryAttribute",
     "40 03 64 6F 63 09 03 70 72 65 0A 68 74 74 70 3A 2F 2F 61 62 63 07 03 70 72 65 00 86 01",
     "<doc xmlns:pre=\"http://abc\" pre:str0=\"true\"></doc>"},
    {"ShortXmlnsAttribute", "40 03 64 6F 63 08 0A 68 74 74 70 3A 2F 2F 61 62 63 01",
     "<doc xmlns=\"http://abc\"></doc>"},
    {"XmlnsAttribute", "40 03 64 6F 63 09 01 70 0A 68 74 74 70 3A 2F 2F 61 62 63 01",
     "<doc xmlns:p=\"http://abc\"></doc>"},
    {"ShortDictionaryXmlnsAttribute", "40 03 64 6F 63 0A 04 01", "<doc xmlns=\"str4\"></doc>"},
    {"DictionaryXmlnsAttribute", "40 03 64 6F 63 0B 01 70 04 01", "<doc xmlns:p=\"str4\"></doc>"},
    {"PrefixDictionaryAttributeF",
     "40 03 64 6F 63 09 01 66 0A 68 74 74 70 3A 2F 2F 61 62 63 11 0B 98 05 68 65 6C 6C 6F 01",
     "<doc xmlns:f=\"http://abc\" f:str11=\"hello\"></doc>"},
    {"PrefixDictionaryAttributeX",
     "40 03 64 6F 63 09 01 78 0A 68 74 74 70 3A 2F 2F 61 62 63 23 15 98 05 77 6F 72 6C 64 01",
     "<doc xmlns:x=\"http://abc\" x:str21=\"world\"></doc>"},
    {"PrefixAttributeK",
     "40 03 64 6F 63 09 01 6B 0A 68 74 74 70 3A 2F 2F 61 62 63 30 04 61 74 74 72 86 01",
     "<doc xmlns:k=\"http://abc\" k:attr=\"true\"></doc>"},
    {"PrefixAttributeZ",
     "40 03 64 6F 63 09 01 7A 0A 68 74 74 70 3A 2F 2F 61 62 63 3F 03 61 62 63 98 03 78 79 7A 01",
     "<doc xmlns:z=\"http://abc\" z:abc=\"xyz\"></doc>"},
    {"ShortElement", "40 03 64 6F 63 01", "<doc></doc>"},
    {"Element", "41 03 70 72 65 03 64 6F 63 09 03 70 72 65 0A 68 74 74 70 3A 2F 2F 61 62 63 01",
     "<pre:doc xmlns:pre=\"http://abc\"></pre:doc>"},
    {"ShortDictionaryElement", "42 0E 01", "<str14></str14>"},
    {"DictionaryElement", "43 03 70 72 65 0E 09 03 70 72 65 0A 68 74 74 70 3A 2F 2F 61 62 63 01",
     "<pre:str14 xmlns:pre=\"http://abc\"></pre:str14>"},
    {"PrefixDictionaryElementA", "44 0A 09 01 61 0A 68 74 74 70 3A 2F 2F 61 62 63 01",
     "<a:str10 xmlns:a=\"http://abc\"></a:str10>"},
    {"PrefixDictionaryElementS", "56 26 09 01 73 0A 68 74 74 70 3A 2F 2F 61 62 63 01",
     "<s:str38 xmlns:s=\"http://abc\"></s:str38>"},
    {"PrefixElementA", "5E 05 68 65 6C 6C 6F 09 01 61 0A 68 74 74 70 3A 2F 2F 61 62 63 01",
     "<a:hello xmlns:a=\"http://abc\"></a:hello>"},
    {"PrefixElementS",
     "70 09 4D 79 4D 65 73 73 61 67 65 09 01 73 0A 68 74 74 70 3A 2F 2F 61 62 63 01",
     "<s:MyMessage xmlns:s=\"http://abc\"></s:MyMessage>"},
    {"ZeroText", "40 03 64 6F 63 06 A0 03 80 01", "<doc str416=\"0\"></doc>"},
    {"ZeroTextWithEndElement", "40 03 61 62 63 81", "<abc>0</abc>"},
    {"OneText", "40 03 64 6F 63 06 00 82 01", "<doc str0=\"1\"></doc>"},
    {"OneTextWithEndElement", "40 03 61 62 63 83", "<abc>1</abc>"},
    {"FalseText", "40 03 64 6F 63 06 00 84 01", "<doc str0=\"false\"></doc>"},
    {"FalseTextWithEndElement", "40 03 61 62 63 85", "<abc>false</abc>"},
    {"TrueText", "40 03 64 6F 63 06 00 86 01", "<doc str0=\"true\"></doc>"},
    {"TrueTextWithEndElement", "40 03 61 62 63 87", "<abc>true</abc>"},
    {"Int8Text", "40 03 64 6F 63 06 EC 01 88 DE 01", "<doc str236=\"-34\"></doc>"},
    {"Int8TextWithEndElement", "42 9A 01 89 7F", "<str154>127</str154>"},
    {"Int16Text", "40 03 64 6F 63 06 EC 01 8A 00 80 01", "<doc str236=\"-32768\"></doc>"},
    {"Int16TextWithEndElement", "42 9A 01 8B FF 7F", "<str154>32767</str154>"},
    {"Int32Text", "40 03 64 6F 63 06 EC 01 8C 15 CD 5B 07 01", "<doc str236=\"123456789\"></doc>"},
    {"Int32TextWithEndElement", "42 9A 01 8D FF FF FF 7F", "<str154>2147483647</str154>"},
    {"Int64Text", "40 03 64 6F 63 06 EC 01 8E 00 00 00 80 00 00 00 00 01",
     "<doc str236=\"2147483648\"></doc>"},
    {"Int64TextWithEndElement", "42 9A 01 8F 00 00 00 00 00 01 00 00",
     "<str154>1099511627776</str154>"},
    {"FloatText", "40 03 64 6F 63 04 01 61 90 CD CC 8C 3F 01", "<doc a=\"1.1\"></doc>"},
    {"FloatTextWithEndElement", "40 05 50 72 69 63 65 91 CD CC 01 42", "<Price>32.45</Price>"},
    {"DoubleText", "40 03 64 6F 63 04 01 61 92 74 57 14 8B 0A BF 05 40 01",
     "<doc a=\"2.71828182845905\"></doc>"},
    {"DoubleTextWithEndElement", "40 02 50 49 93 11 2D 44 54 FB 21 09 40",
     "<PI>3.14159265358979</PI>"},
    {"DecimalText",
     "40 03 64 6F 63 04 03 69 6E 74 94 00 00 06 00 00 00 00 00 80 2D 4E 00 00 00 00 00 01",
     "<doc int=\"5.123456\"></doc>"},
    {"DecimalTextWithEndElement",
     "40 08 4D 61 78 56 61 6C 75 65 95 00 00 00 00 FF FF FF FF FF FF FF FF FF FF FF FF",
     "<MaxValue>79228162514264337593543950335</MaxValue>"},
    {"DateTimeText", "40 03 64 6F 63 06 6E 96 FF 3F 37 F4 75 28 CA 2B 01",
     "<doc str110=\"9999-12-31T23:59:59.9999999\"></doc>"},
    // The table shows 2006-05-17T00:00:00; 2.2.3.12 (normative) says a date whose time part is
    // zero "MUST be interpreted as" yyyy-MM-dd.
    {"DateTimeTextWithEndElement", "42 6C 97 00 40 8E F9 5B 47 C8 08",
     "<str108>2006-05-17</str108>"},
    {"Chars8Text", "40 03 64 6F 63 98 05 68 65 6C 6C 6F 01", "<doc>hello</doc>"},
    {"Chars8TextWithEndElement", "40 01 61 99 05 68 65 6C 6C 6F", "<a>hello</a>"},
    {"Chars16Text", "40 03 64 6F 63 9A 05 00 68 65 6C 6C 6F 01", "<doc>hello</doc>"},
    {"Chars16TextWithEndElement", "40 01 61 9B 05 00 68 65 6C 6C 6F", "<a>hello</a>"},
    {"Chars32Text", "40 03 64 6F 63 9C 05 00 00 00 68 65 6C 6C 6F 01", "<doc>hello</doc>"},
    {"Chars32TextWithEndElement", "40 01 61 9D 05 00 00 00 68 65 6C 6C 6F", "<a>hello</a>"},
    {"Bytes8Text", "40 03 64 6F 63 9E 08 00 01 02 03 04 05 06 07 01", "<doc>AAECAwQFBgc=</doc>"},
    {"Bytes8TextWithEndElement", "40 06 42 61 73 65 36 34 9F 08 00 01 02 03 04 05 06 07",
     "<Base64>AAECAwQFBgc=</Base64>"},
    {"Bytes16Text", "40 03 64 6F 63 A0 08 00 00 01 02 03 04 05 06 07 01",
     "<doc>AAECAwQFBgc=</doc>"},
    {"Bytes16TextWithEndElement", "40 06 42 61 73 65 36 34 A1 08 00 00 01 02 03 04 05 06 07",
     "<Base64>AAECAwQFBgc=</Base64>"},
    {"Bytes32Text", "40 03 64 6F 63 A2 08 00 00 00 00 01 02 03 04 05 06 07 01",
     "<doc>AAECAwQFBgc=</doc>"},
    {"Bytes32TextWithEndElement", "40 06 42 61 73 65 36 34 A3 08 00 00 00 00 01 02 03 04 05 06 07",
     "<Base64>AAECAwQFBgc=</Base64>"},
    {"StartListText / EndListText",
     "40 03 64 6F 63 04 01 61 A4 88 7B 98 05 68 65 6C 6C 6F 86 A6 01",
     "<doc a=\"123 hello true\"></doc>"},
    {"EmptyText", "40 03 64 6F 63 04 01 61 A8 01", "<doc a=\"\"></doc>"},
    {"EmptyTextWithEndElement", "40 03 64 6F 63 A9", "<doc></doc>"},
    {"DictionaryText", "40 03 64 6F 63 04 02 6E 73 AA 38 01", "<doc ns=\"str56\"></doc>"},
    {"DictionaryTextWithEndElement", "40 04 54 79 70 65 AB C4 01", "<Type>str196</Type>"},
    {"UniqueIdText", "40 03 64 6F 63 AC 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 01",
     "<doc>urn:uuid:33221100-5544-7766-8899-aabbccddeeff</doc>"},
    {"UniqueIdTextWithEndElement", "42 1A AD 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF",
     "<str26>urn:uuid:33221100-5544-7766-8899-aabbccddeeff</str26>"},
    // The table shows -PT5M44S and PT3H20M (xsd:duration); 2.2.3.23 (normative) prescribes
    // [DDDDDDDD.]HH:mm:ss[.fffffff].
    {"TimeSpanText", "40 03 64 6F 63 AE 00 C4 F5 32 FF FF FF FF 01", "<doc>-00:05:44</doc>"},
    {"TimeSpanTextWithEndElement", "42 94 07 AF 00 B0 8E F0 1B 00 00 00",
     "<str916>03:20:00</str916>"},
    {"UuidText", "40 03 64 6F 63 B0 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 01",
     "<doc>03020100-0504-0706-0809-0a0b0c0d0e0f</doc>"},
    {"UuidTextWithEndElement", "40 02 49 44 B1 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F",
     "<ID>03020100-0504-0706-0809-0a0b0c0d0e0f</ID>"},
    {"UInt64Text", "40 03 64 6F 63 B2 FF FF FF FF FF FF FF FF 01",
     "<doc>18446744073709551615</doc>"},
    {"UInt64TextWithEndElement", "42 9A 01 B3 FE FF FF FF FF FF FF FF",
     "<str154>18446744073709551614</str154>"},
    {"BoolText", "40 03 64 6F 63 B4 01 01", "<doc>true</doc>"},
    {"BoolTextWithEndElement", "03 40 03 61 72 72 01 B5 05 01 00 01 00 01",
     "<arr>true</arr><arr>false</arr><arr>true</arr><arr>false</arr><arr>true</arr>"},
    {"UnicodeChars8Text", "40 03 64 6F 63 04 01 75 B6 06 75 00 6E 00 69 00 01",
     "<doc u=\"uni\"></doc>"},
    {"UnicodeChars8TextWithEndElement", "40 01 55 B7 06 75 00 6E 00 69 00", "<U>uni</U>"},
    {"UnicodeChars16Text", "40 03 64 6F 63 04 03 75 31 36 B8 08 00 75 00 6E 00 69 00 32 00 01",
     "<doc u16=\"uni2\"></doc>"},
    {"UnicodeChars16TextWithEndElement", "40 03 55 31 36 B9 08 00 75 00 6E 00 69 00 32 00",
     "<U16>uni2</U16>"},
    {"UnicodeChars32Text", "40 03 64 6F 63 04 03 75 33 32 BA 04 00 00 00 33 00 32 00 01",
     "<doc u32=\"32\"></doc>"},
    {"UnicodeChars32TextWithEndElement", "40 03 55 33 32 BB 04 00 00 00 33 00 32 00",
     "<U32>32</U32>"},
    {"QNameDictionaryText", "40 03 64 6F 63 06 F0 06 BC 08 8E 07 01",
     "<doc str880=\"i:str910\"></doc>"},
    {"QNameDictionaryTextWithEndElement", "40 04 54 79 70 65 BD 12 90 07", "<Type>s:str912</Type>"},
};

TEST(NbfxSpecExamples, DecodeEverySection3Example) {
  for (const auto& e : kExamples) {
    EXPECT_EQ(decode_xml(e.hex), e.xml) << "[MC-NBFX] 3, " << e.record;
  }
}

TEST(NbfxSpecExamples, RecordListNamesTheRecordType) {
  for (const auto& e : kExamples) {
    auto d = decode(H(e.hex), placeholders());
    ASSERT_TRUE(d.ok()) << e.record;
    std::string names;
    for (const auto& r : d->records) names += record_type_name(r.type) + " " + r.detail + " ";
    std::string want = e.record;
    if (want.find(" / ") != std::string::npos) want = "StartListText";
    EXPECT_NE(names.find(want), std::string::npos) << e.record << ": " << names;
  }
}

// --- encoding: the Writer reproduces each example's bytes -------------------------------------

Bytes write(const std::function<Status(Writer&)>& body, const EncodeOptions& options) {
  Writer w(options);
  Status s = body(w);
  EXPECT_TRUE(s.ok()) << s.error().message();
  auto out = w.finish();
  EXPECT_TRUE(out.ok());
  return out.ok() ? *out : Bytes{};
}

TEST(NbfxSpecExamples, WriterReproducesElementAndAttributeExamples) {
  StrDictionaries d({0, 4, 8, 10, 11, 14, 21, 38});
  const EncodeOptions o = d.encode_options();
  auto doc_with = [&](const std::function<Status(Writer&)>& attrs) {
    return write(
        [&](Writer& w) -> Status {
          PARLEY_TRY(w.start_element("", "doc"));
          PARLEY_TRY(attrs(w));
          return w.end_element();
        },
        o);
  };
  // ShortAttribute (0x04)
  EXPECT_EQ(doc_with([](Writer& w) -> Status {
              return w.attribute("", "attr", TextValue::boolean(false));
            }),
            H("40 03 64 6F 63 04 04 61 74 74 72 84 01"));
  // Attribute (0x05)
  EXPECT_EQ(doc_with([](Writer& w) -> Status {
              PARLEY_TRY(w.xmlns("pre", "http://abc"));
              return w.attribute("pre", "attr", TextValue::boolean(false));
            }),
            H("40 03 64 6F 63 09 03 70 72 65 0A 68 74 74 70 3A 2F 2F 61 62 63 05 03 70 72 65 04 61 "
              "74 74 72 84 01"));
  // ShortDictionaryAttribute (0x06)
  EXPECT_EQ(doc_with([](Writer& w) -> Status {
              return w.attribute("", "str8", TextValue::boolean(true));
            }),
            H("40 03 64 6F 63 06 08 86 01"));
  // DictionaryAttribute (0x07)
  EXPECT_EQ(
      doc_with([](Writer& w) -> Status {
        PARLEY_TRY(w.xmlns("pre", "http://abc"));
        return w.attribute("pre", "str0", TextValue::boolean(true));
      }),
      H("40 03 64 6F 63 09 03 70 72 65 0A 68 74 74 70 3A 2F 2F 61 62 63 07 03 70 72 65 00 86 01"));
  // ShortXmlnsAttribute (0x08), XmlnsAttribute (0x09)
  EXPECT_EQ(doc_with([](Writer& w) -> Status { return w.xmlns("", "http://abc"); }),
            H("40 03 64 6F 63 08 0A 68 74 74 70 3A 2F 2F 61 62 63 01"));
  EXPECT_EQ(doc_with([](Writer& w) -> Status { return w.xmlns("p", "http://abc"); }),
            H("40 03 64 6F 63 09 01 70 0A 68 74 74 70 3A 2F 2F 61 62 63 01"));
  // ShortDictionaryXmlnsAttribute (0x0A), DictionaryXmlnsAttribute (0x0B)
  EXPECT_EQ(doc_with([](Writer& w) -> Status { return w.xmlns("", "str4"); }),
            H("40 03 64 6F 63 0A 04 01"));
  EXPECT_EQ(doc_with([](Writer& w) -> Status { return w.xmlns("p", "str4"); }),
            H("40 03 64 6F 63 0B 01 70 04 01"));
  // PrefixDictionaryAttributeF (0x11), X (0x23): session (odd) ids 11 and 21
  EXPECT_EQ(
      doc_with([](Writer& w) -> Status {
        PARLEY_TRY(w.xmlns("f", "http://abc"));
        return w.attribute("f", "str11", TextValue::chars("hello"));
      }),
      H("40 03 64 6F 63 09 01 66 0A 68 74 74 70 3A 2F 2F 61 62 63 11 0B 98 05 68 65 6C 6C 6F 01"));
  EXPECT_EQ(
      doc_with([](Writer& w) -> Status {
        PARLEY_TRY(w.xmlns("x", "http://abc"));
        return w.attribute("x", "str21", TextValue::chars("world"));
      }),
      H("40 03 64 6F 63 09 01 78 0A 68 74 74 70 3A 2F 2F 61 62 63 23 15 98 05 77 6F 72 6C 64 01"));
  // PrefixAttributeK (0x30), Z (0x3F)
  EXPECT_EQ(doc_with([](Writer& w) -> Status {
              PARLEY_TRY(w.xmlns("k", "http://abc"));
              return w.attribute("k", "attr", TextValue::boolean(true));
            }),
            H("40 03 64 6F 63 09 01 6B 0A 68 74 74 70 3A 2F 2F 61 62 63 30 04 61 74 74 72 86 01"));
  EXPECT_EQ(doc_with([](Writer& w) -> Status {
              PARLEY_TRY(w.xmlns("z", "http://abc"));
              return w.attribute("z", "abc", TextValue::chars("xyz"));
            }),
            H("40 03 64 6F 63 09 01 7A 0A 68 74 74 70 3A 2F 2F 61 62 63 3F 03 61 62 63 98 03 78 79 "
              "7A 01"));

  auto element = [&](std::string_view prefix, std::string_view name, std::string_view ns_prefix) {
    return write(
        [&](Writer& w) -> Status {
          PARLEY_TRY(w.start_element(prefix, name));
          if (!ns_prefix.empty()) PARLEY_TRY(w.xmlns(ns_prefix, "http://abc"));
          return w.end_element();
        },
        o);
  };
  // Element (0x41), ShortDictionaryElement (0x42), DictionaryElement (0x43),
  // PrefixDictionaryElementA (0x44) / S (0x56), PrefixElementA (0x5E) / S (0x70)
  EXPECT_EQ(element("pre", "doc", "pre"),
            H("41 03 70 72 65 03 64 6F 63 09 03 70 72 65 0A 68 74 74 70 3A 2F 2F 61 62 63 01"));
  EXPECT_EQ(element("", "str14", ""), H("42 0E 01"));
  EXPECT_EQ(element("pre", "str14", "pre"),
            H("43 03 70 72 65 0E 09 03 70 72 65 0A 68 74 74 70 3A 2F 2F 61 62 63 01"));
  EXPECT_EQ(element("a", "str10", "a"), H("44 0A 09 01 61 0A 68 74 74 70 3A 2F 2F 61 62 63 01"));
  EXPECT_EQ(element("s", "str38", "s"), H("56 26 09 01 73 0A 68 74 74 70 3A 2F 2F 61 62 63 01"));
  EXPECT_EQ(element("a", "hello", "a"),
            H("5E 05 68 65 6C 6C 6F 09 01 61 0A 68 74 74 70 3A 2F 2F 61 62 63 01"));
  EXPECT_EQ(element("s", "MyMessage", "s"),
            H("70 09 4D 79 4D 65 73 73 61 67 65 09 01 73 0A 68 74 74 70 3A 2F 2F 61 62 63 01"));
  // ShortElement (0x40) and Comment (0x02)
  EXPECT_EQ(element("", "doc", ""), H("40 03 64 6F 63 01"));
  EXPECT_EQ(write([](Writer& w) -> Status { return w.comment("comment"); }, o),
            H("02 07 63 6F 6D 6D 65 6E 74"));
}

TEST(NbfxSpecExamples, WriterReproducesTextExamples) {
  StrDictionaries d({0, 26, 56, 108, 110, 154, 196, 236, 416, 880, 910, 912, 916});
  const EncodeOptions o = d.encode_options();
  // <name>value</name>: the value folds into *TextWithEndElement.
  auto content = [&](std::string_view name, const TextValue& v) {
    return write(
        [&](Writer& w) -> Status {
          PARLEY_TRY(w.start_element("", name));
          PARLEY_TRY(w.text(v));
          return w.end_element();
        },
        o);
  };
  // <doc name="value"></doc>
  auto attr = [&](std::string_view name, const TextValue& v) {
    return write(
        [&](Writer& w) -> Status {
          PARLEY_TRY(w.start_element("", "doc"));
          PARLEY_TRY(w.attribute("", name, v));
          return w.end_element();
        },
        o);
  };
  // <doc>value</doc> written without the fold, as the *Text examples are.
  EncodeOptions no_fold = o;
  no_fold.with_end_element = false;
  auto plain = [&](const TextValue& v) {
    return write(
        [&](Writer& w) -> Status {
          PARLEY_TRY(w.start_element("", "doc"));
          PARLEY_TRY(w.text(v));
          return w.end_element();
        },
        no_fold);
  };
  EXPECT_EQ(attr("str416", TextValue::integer(0)), H("40 03 64 6F 63 06 A0 03 80 01"));
  EXPECT_EQ(content("abc", TextValue::integer(0)), H("40 03 61 62 63 81"));
  EXPECT_EQ(attr("str0", TextValue::integer(1)), H("40 03 64 6F 63 06 00 82 01"));
  EXPECT_EQ(content("abc", TextValue::integer(1)), H("40 03 61 62 63 83"));
  EXPECT_EQ(attr("str0", TextValue::boolean(false)), H("40 03 64 6F 63 06 00 84 01"));
  EXPECT_EQ(content("abc", TextValue::boolean(false)), H("40 03 61 62 63 85"));
  EXPECT_EQ(attr("str0", TextValue::boolean(true)), H("40 03 64 6F 63 06 00 86 01"));
  EXPECT_EQ(content("abc", TextValue::boolean(true)), H("40 03 61 62 63 87"));
  EXPECT_EQ(attr("str236", TextValue::integer(-34)), H("40 03 64 6F 63 06 EC 01 88 DE 01"));
  EXPECT_EQ(content("str154", TextValue::integer(127)), H("42 9A 01 89 7F"));
  EXPECT_EQ(attr("str236", TextValue::integer(-32768)), H("40 03 64 6F 63 06 EC 01 8A 00 80 01"));
  EXPECT_EQ(content("str154", TextValue::integer(32767)), H("42 9A 01 8B FF 7F"));
  EXPECT_EQ(attr("str236", TextValue::integer(123456789)),
            H("40 03 64 6F 63 06 EC 01 8C 15 CD 5B 07 01"));
  EXPECT_EQ(content("str154", TextValue::integer(2147483647)), H("42 9A 01 8D FF FF FF 7F"));
  EXPECT_EQ(attr("str236", TextValue::integer(2147483648LL)),
            H("40 03 64 6F 63 06 EC 01 8E 00 00 00 80 00 00 00 00 01"));
  EXPECT_EQ(content("str154", TextValue::integer(1099511627776LL)),
            H("42 9A 01 8F 00 00 00 00 00 01 00 00"));
  EXPECT_EQ(attr("a", TextValue::float32(1.1f)), H("40 03 64 6F 63 04 01 61 90 CD CC 8C 3F 01"));
  EXPECT_EQ(content("Price", TextValue::float32(32.45f)), H("40 05 50 72 69 63 65 91 CD CC 01 42"));
  EXPECT_EQ(attr("a", TextValue::float64(2.71828182845905)),
            H("40 03 64 6F 63 04 01 61 92 74 57 14 8B 0A BF 05 40 01"));
  EXPECT_EQ(content("PI", TextValue::float64(3.14159265358979)),
            H("40 02 50 49 93 11 2D 44 54 FB 21 09 40"));
  EXPECT_EQ(
      attr("int", TextValue::decimal({6, false, 0, 5123456})),
      H("40 03 64 6F 63 04 03 69 6E 74 94 00 00 06 00 00 00 00 00 80 2D 4E 00 00 00 00 00 01"));
  EXPECT_EQ(content("MaxValue", TextValue::decimal({0, false, 0xFFFFFFFFu, ~0ull})),
            H("40 08 4D 61 78 56 61 6C 75 65 95 00 00 00 00 FF FF FF FF FF FF FF FF FF FF FF FF"));
  auto dt1 = TextValue::date_time(3155378975999999999ull, 0);
  ASSERT_TRUE(dt1.ok());
  EXPECT_EQ(attr("str110", *dt1), H("40 03 64 6F 63 06 6E 96 FF 3F 37 F4 75 28 CA 2B 01"));
  auto dt2 = TextValue::date_time(632834208000000000ull, 0);
  ASSERT_TRUE(dt2.ok());
  EXPECT_EQ(content("str108", *dt2), H("42 6C 97 00 40 8E F9 5B 47 C8 08"));
  EXPECT_EQ(plain(TextValue::chars("hello")), H("40 03 64 6F 63 98 05 68 65 6C 6C 6F 01"));
  EXPECT_EQ(content("a", TextValue::chars("hello")), H("40 01 61 99 05 68 65 6C 6C 6F"));
  const Bytes seven = H("00 01 02 03 04 05 06 07");
  EXPECT_EQ(plain(TextValue::bytes(seven)), H("40 03 64 6F 63 9E 08 00 01 02 03 04 05 06 07 01"));
  EXPECT_EQ(content("Base64", TextValue::bytes(seven)),
            H("40 06 42 61 73 65 36 34 9F 08 00 01 02 03 04 05 06 07"));
  auto list = TextValue::list(
      {TextValue::integer(123), TextValue::chars("hello"), TextValue::boolean(true)});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(attr("a", *list), H("40 03 64 6F 63 04 01 61 A4 88 7B 98 05 68 65 6C 6C 6F 86 A6 01"));
  EXPECT_EQ(attr("a", TextValue::empty()), H("40 03 64 6F 63 04 01 61 A8 01"));
  EXPECT_EQ(content("doc", TextValue::empty()), H("40 03 64 6F 63 A9"));
  EXPECT_EQ(attr("ns", TextValue::dictionary(56)), H("40 03 64 6F 63 04 02 6E 73 AA 38 01"));
  EXPECT_EQ(content("Type", TextValue::dictionary(196)), H("40 04 54 79 70 65 AB C4 01"));
  auto g = parse_guid("urn:uuid:33221100-5544-7766-8899-aabbccddeeff");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(plain(TextValue::unique_id(*g)),
            H("40 03 64 6F 63 AC 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 01"));
  EXPECT_EQ(content("str26", TextValue::unique_id(*g)),
            H("42 1A AD 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF"));
  EXPECT_EQ(plain(TextValue::time_span(-3440000000LL)),
            H("40 03 64 6F 63 AE 00 C4 F5 32 FF FF FF FF 01"));
  EXPECT_EQ(content("str916", TextValue::time_span(120000000000LL)),
            H("42 94 07 AF 00 B0 8E F0 1B 00 00 00"));
  auto u = parse_guid("03020100-0504-0706-0809-0a0b0c0d0e0f");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(plain(TextValue::uuid(*u)),
            H("40 03 64 6F 63 B0 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 01"));
  EXPECT_EQ(content("ID", TextValue::uuid(*u)),
            H("40 02 49 44 B1 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F"));
  EXPECT_EQ(plain(TextValue::uint64(~0ull)), H("40 03 64 6F 63 B2 FF FF FF FF FF FF FF FF 01"));
  EXPECT_EQ(content("str154", TextValue::uint64(~0ull - 1)),
            H("42 9A 01 B3 FE FF FF FF FF FF FF FF"));
  EXPECT_EQ(plain(TextValue::bool_text(true)), H("40 03 64 6F 63 B4 01 01"));
  EXPECT_EQ(attr("u", TextValue::unicode_chars("uni")),
            H("40 03 64 6F 63 04 01 75 B6 06 75 00 6E 00 69 00 01"));
  EXPECT_EQ(content("U", TextValue::unicode_chars("uni")), H("40 01 55 B7 06 75 00 6E 00 69 00"));
  auto q1 = TextValue::qname(8, 910);
  auto q2 = TextValue::qname(18, 912);
  ASSERT_TRUE(q1.ok() && q2.ok());
  EXPECT_EQ(attr("str880", *q1), H("40 03 64 6F 63 06 F0 06 BC 08 8E 07 01"));
  EXPECT_EQ(content("Type", *q2), H("40 04 54 79 70 65 BD 12 90 07"));
}

TEST(NbfxSpecExamples, WriterReproducesArrayExamples) {
  const EncodeOptions o;
  const std::vector<std::pair<std::string, std::string>> none;
  std::vector<TextValue> ints{TextValue::int16(13107), TextValue::int16(-30584),
                              TextValue::int16(-8739)};
  EXPECT_EQ(write([&](Writer& w) -> Status { return w.array("", "arr", none, ints); }, o),
            H("03 40 03 61 72 72 01 8B 03 33 33 88 88 DD DD"));
  std::vector<TextValue> bools{TextValue::bool_text(true), TextValue::bool_text(false),
                               TextValue::bool_text(true), TextValue::bool_text(false),
                               TextValue::bool_text(true)};
  EXPECT_EQ(write([&](Writer& w) -> Status { return w.array("", "arr", none, bools); }, o),
            H("03 40 03 61 72 72 01 B5 05 01 00 01 00 01"));
  // Mixed item types and types the Array table does not list are refused.
  Writer w;
  std::vector<TextValue> mixed{TextValue::int16(1), TextValue::int32(2)};
  EXPECT_FALSE(w.array("", "arr", none, mixed).ok());
  std::vector<TextValue> chars{TextValue::chars("x")};
  EXPECT_FALSE(w.array("", "arr", none, chars).ok());
}

// --- section 2 examples -----------------------------------------------------------------------

TEST(NbfxSection2, MultiByteInt31Examples) {
  // 2.1.2.1 .. 2.1.2.5. The 2.1.2.4 example's bytes 0x80 0x80 0x80 0x01 are 2^21 (= 2097152,
  // the smallest 4-byte value); its decimal label 268435456 repeats 2.1.2.5's (an erratum).
  EXPECT_EQ(*encode_multibyte_int31(17), H("11"));
  EXPECT_EQ(*encode_multibyte_int31(145), H("91 01"));
  EXPECT_EQ(*encode_multibyte_int31(5521), H("91 2B"));
  EXPECT_EQ(*encode_multibyte_int31(16384), H("80 80 01"));
  EXPECT_EQ(*encode_multibyte_int31(2097152), H("80 80 80 01"));
  EXPECT_EQ(*encode_multibyte_int31(268435456), H("80 80 80 80 01"));
  EXPECT_EQ(*encode_multibyte_int31(0x7FFFFFFF), H("FF FF FF FF 07"));
  EXPECT_FALSE(encode_multibyte_int31(0x80000000u).ok());
  // The same values decoded as a DictionaryString.
  for (std::uint32_t v : {17u, 145u, 5521u, 16384u, 2097152u, 268435456u, 0x7FFFFFFFu}) {
    Bytes doc = H("42");
    append_multibyte_int31(doc, v);
    doc.push_back(0x01);
    EXPECT_EQ(decode_xml(hex_encode(doc)),
              "<str" + std::to_string(v) + "></str" + std::to_string(v) + ">");
  }
}

TEST(NbfxSection2, StringExample) {
  // 2.1.3: "abc" is 0x03 0x61 0x62 0x63 (here as a ShortElement name).
  EXPECT_EQ(decode_xml("40 03 61 62 63 01"), "<abc></abc>");
}

TEST(NbfxSection2, TextRecordValueExamples) {
  EXPECT_EQ(decode_xml("40 01 61 89 80"), "<a>-128</a>");                  // 2.2.3.5
  EXPECT_EQ(decode_xml("40 01 61 8B 00 80"), "<a>-32768</a>");             // 2.2.3.6
  EXPECT_EQ(decode_xml("40 01 61 8D 00 00 00 80"), "<a>-2147483648</a>");  // 2.2.3.7
  EXPECT_EQ(decode_xml("40 01 61 8F 00 00 00 00 00 00 00 80"),
            "<a>-9223372036854775808</a>");                        // 2.2.3.8
  EXPECT_EQ(decode_xml("40 01 61 91 CD CC 8C 3F"), "<a>1.1</a>");  // 2.2.3.9
  // 2.2.3.10 prints 2.7182818284590451 for 0x4005BF0A8B145774, but its own rule ("the least
  // number of digits that exactly reproduces the IEEE representation") gives 2.71828182845905,
  // which is also what section 3 shows for the same bytes.
  EXPECT_EQ(decode_xml("40 01 61 93 74 57 14 8B 0A BF 05 40"), "<a>2.71828182845905</a>");
  EXPECT_EQ(decode_xml("40 01 61 95 00 00 06 00 00 00 00 00 80 2D 4E 00 00 00 00 00"),
            "<a>5.123456</a>");  // 2.2.3.11
  EXPECT_EQ(decode_xml("40 01 61 B3 FF FF FF FF FF FF FF FF"),
            "<a>18446744073709551615</a>");                                 // 2.2.3.25
  EXPECT_EQ(decode_xml("40 01 61 9F 03 01 02 03"), "<a>AQID</a>");          // 2.2.3.16
  EXPECT_EQ(decode_xml("40 01 61 9F 01 FF"), "<a>/w==</a>");                // 2.2.3.16
  EXPECT_EQ(decode_xml("40 01 61 99 03 41 42 43"), "<a>ABC</a>");           // 2.2.3.13
  EXPECT_EQ(decode_xml("40 01 61 B7 06 41 00 42 00 43 00"), "<a>ABC</a>");  // 2.2.3.27
  // 2.2.3.19: StartListText TrueText FalseText ZeroText OneText EndListText.
  EXPECT_EQ(decode_xml("40 01 61 A4 86 84 80 82 A6 01"), "<a>true false 0 1</a>");
  // 2.2.3.30: prefix 1 -> "b".
  EXPECT_EQ(decode_xml("40 01 61 BD 01 0A"), "<a>b:str10</a>");
  // 2.2.3.22 / 2.2.3.24.
  EXPECT_EQ(decode_xml("40 01 61 AD 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF"),
            "<a>urn:uuid:33221100-5544-7766-8899-aabbccddeeff</a>");
  EXPECT_EQ(decode_xml("40 01 61 B1 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF"),
            "<a>33221100-5544-7766-8899-aabbccddeeff</a>");
  // 2.2.3.31: ShortElement, Int32Text 1234, FalseText, EndElement.
  EXPECT_EQ(decode_xml("40 07 65 6C 65 6D 65 6E 74 8C D2 04 00 00 84 01"),
            "<element>1234false</element>");
}

TEST(NbfxSection2, CharacterEscapingExample) {
  // 2.2.3.13.1: bytes { 22 26 3C 3E 27 00 } in content and in an attribute.
  EXPECT_EQ(decode_xml("40 01 61 99 06 22 26 3C 3E 27 00"), "<a>\"&amp;&lt;&gt;'&#0;</a>");
  EXPECT_EQ(decode_xml("40 01 61 04 01 62 98 06 22 26 3C 3E 27 00 01"),
            "<a b=\"&quot;&amp;&lt;&gt;'&#0;\"></a>");
}

TEST(NbfxSection2, DateTimeForms) {
  // 2.2.3.12: date only, whole seconds, fraction without trailing zeros, TZ 1 (Z), TZ 2.
  auto dt = [](std::uint64_t ticks, int tz) {
    auto v = TextValue::date_time(ticks, tz);
    EXPECT_TRUE(v.ok());
    Writer w;
    EXPECT_TRUE(w.start_element("", "t").ok());
    EXPECT_TRUE(w.text(*v).ok());
    EXPECT_TRUE(w.end_element().ok());
    return hex_encode(*w.finish());
  };
  // 2024-02-29T12:34:56.5Z: ticks computed from the civil date by ticks_from_civil.
  auto ticks = ticks_from_civil({2024, 2, 29, 12, 34, 56, 5000000});
  ASSERT_TRUE(ticks.ok());
  EXPECT_EQ(*ticks, 638448068965000000ull);
  EXPECT_EQ(decode_xml(dt(*ticks, 1)), "<t>2024-02-29T12:34:56.5Z</t>");
  EXPECT_EQ(decode_xml(dt(*ticks - 5000000, 0)), "<t>2024-02-29T12:34:56</t>");
  EXPECT_EQ(decode_xml(dt(0, 0)), "<t>0001-01-01</t>");
  DecodeOptions local = placeholders();
  local.local_utc_offset_minutes = -330;
  EXPECT_EQ(decode_xml(dt(0, 2), local), "<t>0001-01-01-05:30</t>");
  EXPECT_FALSE(ticks_from_civil({2023, 2, 29, 0, 0, 0, 0}).ok());
  EXPECT_FALSE(TextValue::date_time(kDateTimeTicksLimit, 0).ok());
}

TEST(NbfxSection2, FloatSpecialValuesAndExponents) {
  auto f64 = [](double v) {
    Writer w;
    EXPECT_TRUE(w.start_element("", "d").ok());
    EXPECT_TRUE(w.text(TextValue::float64(v)).ok());
    EXPECT_TRUE(w.end_element().ok());
    return decode_xml(hex_encode(*w.finish()));
  };
  EXPECT_EQ(f64(1.0 / 0.0), "<d>INF</d>");
  EXPECT_EQ(f64(-1.0 / 0.0), "<d>-INF</d>");
  EXPECT_EQ(f64(-0.0), "<d>-0</d>");
  EXPECT_EQ(f64(100.0), "<d>100</d>");
  EXPECT_EQ(f64(0.0001), "<d>0.0001</d>");
  EXPECT_EQ(f64(1e-5), "<d>1E-05</d>");
  EXPECT_EQ(f64(1e15), "<d>1E+15</d>");
  EXPECT_EQ(f64(-1.5e300), "<d>-1.5E+300</d>");
  EXPECT_EQ(decode_xml("40 01 64 93 00 00 00 00 00 00 F8 7F"), "<d>NaN</d>");
}

// --- hostile input ----------------------------------------------------------------------------

TEST(NbfxHostile, EveryTruncationIsAnErrorNamingTheOffset) {
  for (const auto& e : kExamples) {
    const Bytes full = H(e.hex);
    for (std::size_t n = 1; n < full.size(); ++n) {
      auto d = decode(ByteView(full).first(n), placeholders());
      ASSERT_FALSE(d.ok()) << e.record << " cut at " << n;
      EXPECT_NE(d.error().message().find("offset"), std::string::npos) << d.error().message();
    }
  }
}

TEST(NbfxHostile, BogusLengths) {
  // Chars32Text with Length 0x7FFFFFFF.
  auto d = decode(H("40 01 61 9C FF FF FF 7F 41"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(d.error().message().find("Chars32Text (0x9C) at offset 3"), std::string::npos)
      << d.error().message();
  // Under the string limit but past the end.
  DecodeOptions big;
  big.limits.max_string_bytes = std::size_t{1} << 31;
  d = decode(H("40 01 61 9C FF FF FF 7F 41"), big);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), ErrorCode::kParse);
  EXPECT_NE(d.error().message().find("runs past the end"), std::string::npos)
      << d.error().message();
  EXPECT_NE(d.error().message().find("[MC-NBFX 2.2.3.15]"), std::string::npos);
  // Negative Chars32 / Bytes32 lengths.
  d = decode(H("40 01 61 9C FF FF FF FF"));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("not positive"), std::string::npos);
  d = decode(H("40 01 61 A2 00 00 00 80"));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("Bytes32Text (0xA2)"), std::string::npos);
  // A String (MultiByteInt31 length 0x7FFFFFFF) in a ShortElement name.
  d = decode(H("40 FF FF FF FF 07 61"), big);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("ShortElement (0x40) at offset 0"), std::string::npos)
      << d.error().message();
  // An Array claiming 0x7FFFFFFF items.
  d = decode(H("03 40 01 61 01 8D FF FF FF FF 07 00 00 00 00"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(d.error().message().find("Array (0x03)"), std::string::npos);
  // An Array whose data is shorter than Length x size.
  d = decode(H("03 40 01 61 01 8D 04 01 00 00 00"));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("runs past the end"), std::string::npos);
}

TEST(NbfxHostile, MultiByteInt31Rules) {
  auto d = decode(H("42 FF FF FF FF 08 01"));  // 32 bits
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("more than 31 bits"), std::string::npos);
  d = decode(H("42 80 00 01"));  // 0 in two bytes
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("not minimally encoded"), std::string::npos);
  EXPECT_NE(d.error().message().find("[MC-NBFX 2.1.2]"), std::string::npos);
}

TEST(NbfxHostile, ReservedAndMisplacedRecords) {
  for (const char* hex : {"00", "78", "7F", "A5", "A7", "BE", "FF"}) {
    auto d = decode(H(hex));
    ASSERT_FALSE(d.ok()) << hex;
    EXPECT_NE(d.error().message().find("Reserved"), std::string::npos) << d.error().message();
    EXPECT_NE(d.error().message().find("[MC-NBFX 2.1.1]"), std::string::npos);
  }
  auto d = decode(H("04 01 61 86"));  // attribute with no element
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("[MC-NBFX 2.2.2]"), std::string::npos);
  d = decode(H("40 01 61 01 01"));  // EndElement with nothing open
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("EndElement (0x01) at offset 4: no element is open"),
            std::string::npos);
  d = decode(H("40 01 61 04 01 62 87 01"));  // *WithEndElement inside an attribute
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("[MC-NBFX 2.2.3.31]"), std::string::npos);
  d = decode(H("87"));  // *WithEndElement with no element
  ASSERT_FALSE(d.ok());
  d = decode(H("40 01 61 A6 01"));  // EndListText alone
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("2.2.3.19"), std::string::npos);
  d = decode(H("40 01 61 A4 A4 A6 A6 01"));  // nested list
  ASSERT_FALSE(d.ok());
  d = decode(H("40 01 61 04 01 62 40 01 63 01"));  // attribute value that is an element
  ASSERT_FALSE(d.ok());
  d = decode(H("03 98 01 61"));  // Array whose Element is a text record
  ASSERT_FALSE(d.ok());
  d = decode(H("03 40 01 61 01 99 01 00"));  // Array of a type its table does not allow
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("Chars8TextWithEndElement (0x99)"), std::string::npos);
}

TEST(NbfxHostile, ValueRules) {
  EXPECT_FALSE(decode(H("40 01 61 B5 02")).ok());                       // BoolText 2
  EXPECT_FALSE(decode(H("40 01 61 97 00 00 00 00 00 00 00 C0")).ok());  // DateTime TZ 3
  EXPECT_FALSE(decode(H("40 01 61 97 00 40 37 F4 75 28 CA 2B")).ok());  // DateTime = limit
  EXPECT_FALSE(
      decode(H("40 01 61 95 00 00 1D 00 00 00 00 00 00 00 00 00 00 00 00 00")).ok());  // scale 29
  EXPECT_FALSE(
      decode(H("40 01 61 95 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00")).ok());  // sign 0x01
  EXPECT_FALSE(decode(H("40 01 61 BD 1A 00")).ok());        // QName prefix 26
  EXPECT_FALSE(decode(H("40 01 61 99 02 C3 28")).ok());     // ill-formed UTF-8
  EXPECT_FALSE(decode(H("40 01 61 99 03 ED A0 80")).ok());  // UTF-8 surrogate
  EXPECT_FALSE(decode(H("40 01 61 B7 03 41 00 42")).ok());  // odd UTF-16
  EXPECT_FALSE(decode(H("40 01 61 B7 02 00 DC")).ok());     // lone low surrogate
  auto d = decode(H("40 03 61 20 62 01"));                  // name "a b"
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("NCName"), std::string::npos);
  EXPECT_FALSE(decode(H("40 05 78 6D 6C 6E 73 01")).ok());  // name "xmlns"
  EXPECT_FALSE(decode(H("40 00 01")).ok());                 // empty name
  EXPECT_FALSE(decode(H("02 02 2D 2D")).ok());              // comment "--"
  // The UTF-16 surrogate pair for U+1F600 is fine.
  EXPECT_EQ(decode_xml("40 01 61 B7 04 3D D8 00 DE"), "<a>\xF0\x9F\x98\x80</a>");
}

TEST(NbfxHostile, UnknownDictionaryIds) {
  auto d = decode(H("42 0E 01"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(d.error().message().find("id 14 is not in the static (even ids) dictionary"),
            std::string::npos)
      << d.error().message();
  d = decode(H("42 0F 01"));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("session (odd ids)"), std::string::npos);
  // Session strings come from the session dictionary, static ones from the static one.
  Dictionary stat = Dictionary::static_from_list({"Envelope", "Body"});
  Dictionary session = Dictionary::session_from_list({"Hello"});
  DecodeOptions o;
  o.static_dictionary = &stat;
  o.session_dictionary = &session;
  EXPECT_EQ(decode_xml("42 00 42 02 42 01 01 01 01", o),
            "<Envelope><Body><Hello></Hello></Body></Envelope>");
}

TEST(NbfxHostile, LimitsAreEnforced) {
  // Deep nesting: 10000 open elements against max_depth 64.
  Bytes deep;
  for (int i = 0; i < 10000; ++i) {
    deep.push_back(0x40);
    deep.push_back(0x01);
    deep.push_back('a');
  }
  auto d = decode(deep);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(d.error().message().find("max_depth 64"), std::string::npos);
  // 64 levels are fine.
  Bytes ok_depth(deep.begin(), deep.begin() + 64 * 3);
  ok_depth.insert(ok_depth.end(), 64, 0x01);
  EXPECT_TRUE(decode(ok_depth).ok());

  DecodeOptions o;
  o.limits.max_output_bytes = 10;
  d = decode(H("40 03 64 6F 63 98 05 68 65 6C 6C 6F 01"), o);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("max_output_bytes"), std::string::npos);

  o = {};
  o.limits.max_records = 3;
  d = decode(H("40 01 61 82 82 82 01"), o);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("max_records"), std::string::npos);

  o = {};
  o.limits.max_attributes = 2;
  d = decode(H("40 01 61 04 01 62 86 04 01 63 86 04 01 64 86 01"), o);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("max_attributes"), std::string::npos);

  o = {};
  o.limits.max_input_bytes = 4;
  EXPECT_EQ(decode(H("40 01 61 82 01"), o).error().code(), ErrorCode::kLimitExceeded);

  o = {};
  o.limits.max_list_items = 2;
  EXPECT_FALSE(decode(H("40 01 61 A4 86 84 80 A6 01"), o).ok());

  o = {};
  o.limits.max_array_items = 2;
  EXPECT_FALSE(decode(H("03 40 03 61 72 72 01 B5 05 01 00 01 00 01"), o).ok());

  // An Array that expands a long element name many times is stopped by the output limit.
  Bytes bomb = H("03 40");
  append_multibyte_int31(bomb, 200);
  bomb.insert(bomb.end(), 200, 'x');
  bomb.push_back(0x01);
  bomb.push_back(0xB5);
  append_multibyte_int31(bomb, 60000);
  bomb.insert(bomb.end(), 60000, 0x01);
  o = {};
  o.limits.max_output_bytes = 1u << 20;
  d = decode(bomb, o);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("max_output_bytes"), std::string::npos);
}

TEST(NbfxHostile, RandomMutationsNeverCrash) {
  std::mt19937 rng(20240229);  // fixed seed: the test is deterministic
  std::vector<Bytes> seeds;
  for (const auto& e : kExamples) seeds.push_back(H(e.hex));
  std::size_t decoded_ok = 0;
  for (int i = 0; i < 20000; ++i) {
    Bytes b = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits && !b.empty(); ++k) {
      const std::size_t at = rng() % b.size();
      switch (rng() % 3) {
        case 0:
          b[at] = static_cast<std::uint8_t>(rng());
          break;
        case 1:
          b.erase(b.begin() + static_cast<std::ptrdiff_t>(at));
          break;
        default:
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(rng()));
          break;
      }
    }
    auto d = decode(b, placeholders());
    if (d.ok()) {
      ++decoded_ok;
    } else {
      EXPECT_FALSE(d.error().message().empty());
    }
  }
  EXPECT_GT(decoded_ok, 0u);
}

// --- XML encoding -----------------------------------------------------------------------------

TEST(NbfxEncode, XmlToRecordsReproducesSpecBytes) {
  StrDictionaries d({0, 4, 8, 14, 154, 196});
  EncodeOptions o = d.encode_options();
  o.infer_text_types = true;
  EXPECT_EQ(*encode("<doc></doc>", o), H("40 03 64 6F 63 01"));
  EXPECT_EQ(*encode("<doc attr=\"false\"/>", o), H("40 03 64 6F 63 04 04 61 74 74 72 84 01"));
  EXPECT_EQ(*encode("<doc str8=\"true\"></doc>", o), H("40 03 64 6F 63 06 08 86 01"));
  EXPECT_EQ(*encode("<doc xmlns=\"str4\"></doc>", o), H("40 03 64 6F 63 0A 04 01"));
  EXPECT_EQ(*encode("<doc xmlns:pre=\"http://abc\" pre:attr=\"false\"></doc>", o),
            H("40 03 64 6F 63 09 03 70 72 65 0A 68 74 74 70 3A 2F 2F 61 62 63 05 03 70 72 65 04 61 "
              "74 74 72 84 01"));
  EXPECT_EQ(*encode("<str14></str14>", o), H("42 0E 01"));
  EXPECT_EQ(*encode("<str154>127</str154>", o), H("42 9A 01 89 7F"));
  EXPECT_EQ(*encode("<abc>0</abc>", o), H("40 03 61 62 63 81"));
  EXPECT_EQ(*encode("<a>hello</a>", o), H("40 01 61 99 05 68 65 6C 6C 6F"));
  EXPECT_EQ(*encode("<doc>urn:uuid:33221100-5544-7766-8899-aabbccddeeff</doc>", o),
            H("40 03 64 6F 63 AD 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF"));
  EXPECT_EQ(*encode("<!--comment--><doc/>", o), H("02 07 63 6F 6D 6D 65 6E 74 40 03 64 6F 63 01"));
  o.dictionary_text = true;
  EXPECT_EQ(*encode("<Type>str196</Type>", o), H("40 04 54 79 70 65 AB C4 01"));
  // Without type inference the same text stays Chars8Text.
  EncodeOptions plain = d.encode_options();
  EXPECT_EQ(*encode("<abc>0</abc>", plain), H("40 03 61 62 63 99 01 30"));
  // Without the fold, EndElement is its own record.
  plain.with_end_element = false;
  EXPECT_EQ(*encode("<abc>0</abc>", plain), H("40 03 61 62 63 98 01 30 01"));
}

TEST(NbfxEncode, RoundTripsThroughXmlText) {
  const char* docs[] = {
      "<doc></doc>",
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><p:x "
      "xmlns:p=\"urn:p\" "
      "p:a=\"1\" b=\"two\">t&amp;&lt;&gt;\"'</p:x></s:Body></s:Envelope>",
      "<a>x<b>y</b>z<!--c--><c></c></a>",
      ("<prefix:e xmlns:prefix=\"urn:x\" "
       "prefix:at=\"&quot;q&quot;\">\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80</prefix:e>"),
      "<a t=\"tab&#9;lf&#10;cr&#13;\">cr&#13;lf\n</a>",
  };
  Dictionary stat = Dictionary::static_from_list(
      {"Envelope", "Body", "http://www.w3.org/2003/05/soap-envelope", "x"});
  for (bool with_dictionary : {false, true}) {
    for (bool infer : {false, true}) {
      for (const char* xml : docs) {
        EncodeOptions eo;
        eo.infer_text_types = infer;
        if (with_dictionary) eo.static_dictionary = &stat;
        auto bytes = encode(xml, eo);
        ASSERT_TRUE(bytes.ok()) << bytes.error().message();
        DecodeOptions dopt;
        dopt.static_dictionary = &stat;
        auto back = decode(*bytes, dopt);
        ASSERT_TRUE(back.ok()) << back.error().message();
        // Re-encoding the decoded text gives the same bytes.
        auto again = encode(back->xml, eo);
        ASSERT_TRUE(again.ok()) << back->xml;
        EXPECT_EQ(*again, *bytes) << xml;
      }
    }
  }
}

TEST(NbfxEncode, RefusesWhatNbfxCannotRepresent) {
  auto r = encode("<?pi x?><a/>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(r.error().message().find("[MC-NBFX 1.5]"), std::string::npos);
  EXPECT_FALSE(encode("<a").ok());
  Writer w;
  EXPECT_FALSE(w.attribute("", "a", TextValue::empty()).ok());  // no start tag
  EXPECT_FALSE(w.end_element().ok());
  EXPECT_TRUE(w.start_element("", "a").ok());
  EXPECT_FALSE(w.start_element("", "xmlns").ok());
  EXPECT_FALSE(w.start_element("", "a b").ok());
  EXPECT_FALSE(w.attribute("xmlns", "p", TextValue::empty()).ok());
  EXPECT_FALSE(w.finish().ok());  // <a> still open
}

TEST(NbfxEncode, TextValueSizesPickTheRecord) {
  EXPECT_EQ(TextValue::chars(std::string(255, 'x')).record(), rt::kChars8Text);
  EXPECT_EQ(TextValue::chars(std::string(256, 'x')).record(), rt::kChars16Text);
  EXPECT_EQ(TextValue::chars(std::string(65536, 'x')).record(), rt::kChars32Text);
  EXPECT_EQ(TextValue::bytes(Bytes(256)).record(), rt::kBytes16Text);
  EXPECT_EQ(TextValue::bytes(Bytes(65536)).record(), rt::kBytes32Text);
  EXPECT_EQ(TextValue::unicode_chars(std::string(128, 'x')).record(), rt::kUnicodeChars16Text);
  EXPECT_EQ(TextValue::integer(-129).record(), rt::kInt16Text);
  // A 70000-byte Chars32 and Bytes32 text decode back.
  Writer w;
  ASSERT_TRUE(w.start_element("", "a").ok());
  ASSERT_TRUE(w.text(TextValue::chars(std::string(70000, 'y'))).ok());
  ASSERT_TRUE(w.end_element().ok());
  auto d = decode(*w.finish());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->xml, "<a>" + std::string(70000, 'y') + "</a>");
}

// --- dictionaries -----------------------------------------------------------------------------

TEST(NbfxDictionary, FileFormat) {
  auto d = parse_dictionary_file(
      "# comment\n0 mustUnderstand\r\n0x02 Envelope\n4\n6 two words\n\n9 session\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->size(), 5u);
  EXPECT_EQ(*d->find(0), "mustUnderstand");
  EXPECT_EQ(*d->find(2), "Envelope");
  EXPECT_EQ(*d->find(4), "");
  EXPECT_EQ(*d->find(6), "two words");
  EXPECT_EQ(*d->find(9), "session");
  EXPECT_EQ(d->find_id("Envelope"), 2u);
  auto text = format_dictionary_file(*d);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "0 mustUnderstand\n2 Envelope\n4\n6 two words\n9 session\n");
  auto dup = parse_dictionary_file("1 a\n1 b\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().where(), "dictionary line 2");
  EXPECT_FALSE(parse_dictionary_file("x a\n").ok());
  EXPECT_FALSE(parse_dictionary_file("2147483648 a\n").ok());
  EXPECT_FALSE(parse_dictionary_file("1 \xC3\x28\n").ok());
}

TEST(NbfxDictionary, ListConstructorsUseEvenAndOddIds) {
  Dictionary s = Dictionary::static_from_list({"a", "b", "c"});
  EXPECT_EQ(*s.find(4), "c");
  EXPECT_EQ(s.find(1), nullptr);
  Dictionary d = Dictionary::session_from_list({"a", "b"});
  EXPECT_EQ(*d.find(3), "b");
  EXPECT_EQ(d.find_id("a"), 1u);
}

TEST(NbfxRecords, FormatListsOffsetsTypesAndDetails) {
  auto d = decode(H("40 03 64 6F 63 04 01 61 A8 99 01 78"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(format_records(d->records),
            "000000  40 ShortElement  <doc>\n"
            "000005  04 ShortAttribute  a\n"
            "000008  A8 EmptyText  \"\" (0 bytes)\n"
            "000009  99 Chars8TextWithEndElement  \"x\" (1 bytes)\n");
  ASSERT_EQ(d->nodes.size(), 1u);
  EXPECT_EQ(d->nodes[0].local_name, "doc");
  ASSERT_EQ(d->nodes[0].attributes.size(), 1u);
  EXPECT_EQ(d->nodes[0].attributes[0].value_record, rt::kEmptyText);
  ASSERT_EQ(d->nodes[0].children.size(), 1u);
  EXPECT_EQ(d->nodes[0].children[0].text, "x");
  EXPECT_EQ(describe_record_type(0x5D), "PrefixDictionaryElementZ (0x5D)");
  EXPECT_EQ(record_type_name(0x77), "PrefixElementZ");
  EXPECT_EQ(record_type_name(0x25), "PrefixDictionaryAttributeZ");
  EXPECT_EQ(record_type_name(0xBD), "QNameDictionaryTextWithEndElement");
}

}  // namespace
}  // namespace parley::wif::nbfx
