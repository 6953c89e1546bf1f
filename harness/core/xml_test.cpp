#include "harness/core/xml.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::xml {
namespace {

constexpr const char* kSoap12 = "http://www.w3.org/2003/05/soap-envelope";
constexpr const char* kWsu =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

// A SOAP 1.2 message with a security header, as parley sends and receives them.
const std::string kEnvelope =
    R"(<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" )"
    R"(xmlns:a="http://www.w3.org/2005/08/addressing" )"
    R"(xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">)"
    R"(<s:Header><a:Action s:mustUnderstand="1">urn:echo</a:Action>)"
    R"(<o:Security xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">)"
    R"(<u:Timestamp u:Id="_0"><u:Created>2024-01-01T00:00:00Z</u:Created>)"
    R"(<u:Expires>2024-01-01T00:05:00Z</u:Expires></u:Timestamp></o:Security></s:Header>)"
    R"(<s:Body u:Id="_1"><e:Echo xmlns:e="urn:example">hi</e:Echo></s:Body></s:Envelope>)";

Document must_parse(const std::string& text, const ParseLimits& limits = {}) {
  Result<Document> doc = parse(text, limits);
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().message());
  return doc.ok() ? std::move(doc).value() : Document();
}

std::string c14n(const Document& doc, xmlNode* node, const C14nOptions& options) {
  Result<std::string> out = canonicalize(doc, node, options);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message());
  return out.ok() ? *out : std::string("<error>");
}

C14nOptions exclusive(std::vector<std::string> prefixes = {}, bool comments = false) {
  C14nOptions options;
  options.method = C14nMethod::kExclusive;
  options.inclusive_prefixes = std::move(prefixes);
  options.with_comments = comments;
  return options;
}

C14nOptions inclusive(bool comments = false) {
  C14nOptions options;
  options.method = C14nMethod::kInclusive;
  options.with_comments = comments;
  return options;
}

// Runs parse() and returns the error; fails the test when parsing succeeds.
Error must_fail(const std::string& text, const ParseLimits& limits = {}) {
  Result<Document> doc = parse(text, limits);
  EXPECT_FALSE(doc.ok());
  return doc.ok() ? Error(ErrorCode::kInternal, "parse unexpectedly succeeded") : doc.error();
}

// ---- parse ----------------------------------------------------------------------------------

TEST(XmlParse, HappyPathBuildsTheTree) {
  Document doc = must_parse(kEnvelope);
  ASSERT_TRUE(doc);
  xmlNode* root = doc.root();
  ASSERT_NE(root, nullptr);
  EXPECT_TRUE(is_element(root, kSoap12, "Envelope"));
  EXPECT_EQ(local_name(root), "Envelope");
  EXPECT_EQ(namespace_uri(root), kSoap12);
  std::vector<xmlNode*> children = child_elements(root);
  ASSERT_EQ(children.size(), 2u);
  EXPECT_TRUE(is_element(children[0], kSoap12, "Header"));
  EXPECT_TRUE(is_element(children[1], kSoap12, "Body"));
  AttributeValue id = attribute(children[1], kWsu, "Id");
  EXPECT_TRUE(id.found);
  EXPECT_EQ(id.value, "_1");
  EXPECT_FALSE(attribute(children[1], "", "Id").found);
  EXPECT_EQ(text_content(children[1]), "hi");
  // Serialization writes the tree back unchanged (no declaration, no reformatting).
  EXPECT_EQ(serialize(doc), kEnvelope + "\n");
  EXPECT_EQ(serialize(child_elements(children[1])[0]),
            R"(<e:Echo xmlns:e="urn:example">hi</e:Echo>)");
}

TEST(XmlAppendCopy, KeepsDefaultNamespacesAndDeclaresInheritedOnes) {
  auto dst = parse("<o:out xmlns:o='urn:o'/>");
  ASSERT_TRUE(dst.ok());
  {
    // p: is bound on the source's root, outside the copied element; the default namespace is
    // declared below it (as in an xmlsec ds:Signature inside a copied assertion).
    auto src = parse("<r xmlns:p='urn:p'><p:a x='1'><Signature xmlns='urn:ds'><v>k</v></Signature></p:a></r>");
    ASSERT_TRUE(src.ok()) << src.error().message();
    ASSERT_EQ(child_elements(src->root()).size(), 1u);
    xmlNode* copy = append_copy(dst->root(), child_elements(src->root())[0]);
    EXPECT_EQ(serialize(copy),
              "<p:a xmlns:p=\"urn:p\" x=\"1\"><Signature xmlns=\"urn:ds\"><v>k</v></Signature></p:a>");
  }
  // The source is gone: the copy is a whole, independent subtree of the destination.
  EXPECT_EQ(serialize(*dst),
            "<o:out xmlns:o=\"urn:o\"><p:a xmlns:p=\"urn:p\" x=\"1\"><Signature xmlns=\"urn:ds\"><v>k</v>"
            "</Signature></p:a></o:out>\n");
}

TEST(XmlParse, CloneIsIndependent) {
  Document doc = must_parse("<a><b>1</b></a>");
  Result<Document> copy = doc.clone();
  ASSERT_TRUE(copy.ok());
  xmlNodeSetContent(child_elements(copy->root())[0], to_xml_chars("2"));
  EXPECT_EQ(text_content(doc.root()), "1");
  EXPECT_EQ(text_content(copy->root()), "2");
}

TEST(XmlParse, MalformedInputNamesTheParserErrorAndPosition) {
  Error e = must_fail("<a>\n<b></a>");
  EXPECT_EQ(e.code(), ErrorCode::kParse);
  EXPECT_EQ(e.message(),
            "xml::parse: not well-formed XML: Opening and ending tag mismatch: b line 2 and a "
            "(line 2, column 8)");
  EXPECT_EQ(must_fail("").message(),
            "xml::parse: not well-formed XML: Document is empty (line 1, column 1)");
}

TEST(XmlParse, UndeclaredPrefixIsRefused) {
  Error e = must_fail("<p:a/>");
  EXPECT_EQ(e.code(), ErrorCode::kParse);
  EXPECT_EQ(
      e.message(),
      "xml::parse: not well-formed XML: Namespace prefix p on a is not defined (line 1, column 5)");
}

TEST(XmlParse, UndefinedEntityReferenceIsRefused) {
  Error e = must_fail("<a>&xxe;</a>");
  EXPECT_EQ(e.code(), ErrorCode::kParse);
  EXPECT_EQ(e.message(),
            "xml::parse: not well-formed XML: Entity 'xxe' not defined (line 1, column 9)");
}

TEST(XmlParse, PredefinedEntitiesAndCharacterReferencesAreKept) {
  Document doc = must_parse("<a>&lt;&amp;&#x41;</a>");
  EXPECT_EQ(text_content(doc.root()), "<&A");
}

// ---- limits -----------------------------------------------------------------------------------

TEST(XmlLimits, TotalBytes) {
  ParseLimits limits;
  limits.max_bytes = 10;
  Error e = must_fail("<a>0123456789</a>", limits);
  EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(e.message(), "xml::parse: document of 17 bytes is larger than max_bytes 10");
  limits.max_bytes = 17;
  EXPECT_TRUE(parse("<a>0123456789</a>", limits).ok());
}

TEST(XmlLimits, Depth) {
  ParseLimits limits;
  limits.max_depth = 3;
  Error e = must_fail("<a><b><c><d/></c></b></a>", limits);
  EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(e.message(),
            "xml::parse: element nesting deeper than max_depth 3 at <d> (line 1, column 12)");
  EXPECT_TRUE(parse("<a><b><c/><c/></b></a>", limits).ok());
}

TEST(XmlLimits, Attributes) {
  ParseLimits limits;
  limits.max_attributes = 2;
  Error e = must_fail(R"(<r><p:a xmlns:p="urn:p" x="1" y="2"/></r>)", limits);
  EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(e.message(),
            "xml::parse: element <p:a> has 3 attributes and namespace declarations, more than "
            "max_attributes 2 (line 1, column 36)");
  EXPECT_TRUE(parse(R"(<a x="1" y="2"/>)", limits).ok());
}

TEST(XmlLimits, TextLength) {
  ParseLimits limits;
  limits.max_text_length = 5;
  Error e = must_fail("<a>123456</a>", limits);
  EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(e.message(),
            "xml::parse: text node longer than max_text_length 5 bytes (line 1, column 10)");
  // The limit is on the whole text node, however libxml2 delivers it (here in three pieces).
  Error pieces = must_fail("<a>12&amp;345</a>", limits);
  EXPECT_EQ(pieces.message(),
            "xml::parse: text node longer than max_text_length 5 bytes (line 1, column 14)");
  EXPECT_TRUE(parse("<a>12345<b/>12345</a>", limits).ok());
  EXPECT_EQ(must_fail("<a><![CDATA[123456]]></a>", limits).message(),
            "xml::parse: CDATA section longer than max_text_length 5 bytes (line 1, column 22)");
  EXPECT_EQ(must_fail(R"(<a b="123456"/>)", limits).message(),
            "xml::parse: value of attribute b on <a> longer than max_text_length 5 bytes (line 1, "
            "column 14)");
  EXPECT_EQ(must_fail("<a><!--123456--></a>", limits).message(),
            "xml::parse: comment longer than max_text_length 5 bytes (line 1, column 17)");
}

TEST(XmlLimits, NodeCount) {
  ParseLimits limits;
  limits.max_nodes = 3;
  Error e = must_fail("<r><a/><b/><c/></r>", limits);
  EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(e.message(), "xml::parse: more elements than max_nodes 3 at <c> (line 1, column 14)");
  EXPECT_TRUE(parse("<r><a/><b/></r>", limits).ok());
}

// ---- hostile XML ------------------------------------------------------------------------------

TEST(XmlHostile, BillionLaughsIsRefusedAtTheDoctype) {
  const std::string bomb =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE lolz [\n"
      " <!ENTITY lol \"lol\">\n"
      " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
      " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
      " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
      " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
      " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
      " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
      " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
      " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
      " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
      "]>\n"
      "<lolz>&lol9;</lolz>\n";
  Error e = must_fail(bomb);
  EXPECT_EQ(e.code(), ErrorCode::kParse);
  EXPECT_EQ(e.message(),
            "xml::parse: document type declaration <!DOCTYPE lolz> refused: parley never processes "
            "DTDs (line 2, column 16)");
}

TEST(XmlHostile, ExternalEntityFileIsRefused) {
  Error e =
      must_fail("<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><foo>&xxe;</foo>");
  EXPECT_EQ(e.code(), ErrorCode::kParse);
  EXPECT_EQ(e.message(),
            "xml::parse: document type declaration <!DOCTYPE foo> refused: parley never processes "
            "DTDs (line 1, column 15)");
  EXPECT_EQ(e.message().find("root:"), std::string::npos);
}

TEST(XmlHostile, ExternalEntityHttpIsRefused) {
  Error e =
      must_fail("<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"http://127.0.0.1:1/\">]><foo>&xxe;</foo>");
  EXPECT_EQ(e.code(), ErrorCode::kParse);
  EXPECT_EQ(e.message(),
            "xml::parse: document type declaration <!DOCTYPE foo> refused: parley never processes "
            "DTDs (line 1, column 15)");
  // Parameter entities (the out-of-band exfiltration form) never get that far either.
  Error pe =
      must_fail("<!DOCTYPE foo [<!ENTITY % pe SYSTEM \"http://127.0.0.1:1/x\"> %pe;]><foo/>");
  EXPECT_EQ(pe.code(), ErrorCode::kParse);
}

TEST(XmlHostile, ExternalDtdIsRefused) {
  Error e = must_fail("<!DOCTYPE foo SYSTEM \"http://127.0.0.1:1/evil.dtd\"><foo/>");
  EXPECT_EQ(e.code(), ErrorCode::kParse);
  EXPECT_EQ(
      e.message(),
      "xml::parse: document type declaration <!DOCTYPE foo SYSTEM "
      "\"http://127.0.0.1:1/evil.dtd\"> refused: parley never processes DTDs (line 1, column 51)");
  Error pub = must_fail("<!DOCTYPE foo PUBLIC \"-//X//Y//EN\" \"file:///etc/passwd\"><foo/>");
  EXPECT_EQ(pub.message(),
            "xml::parse: document type declaration <!DOCTYPE foo PUBLIC \"-//X//Y//EN\" "
            "\"file:///etc/passwd\"> refused: parley never processes DTDs (line 1, column 56)");
}

TEST(XmlHostile, DeepNestingStopsAtTheDepthLimit) {
  std::string deep;
  deep.reserve(100000 * 7 + 10);
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  for (int i = 0; i < 100000; ++i) deep += "</a>";
  Error e = must_fail(deep);
  EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(e.message(),
            "xml::parse: element nesting deeper than max_depth 128 at <a> (line 1, column 387)");
}

TEST(XmlHostile, FiftyMegabyteTextNode) {
  const std::string text = "<a>" + std::string(50u << 20, 'x') + "</a>";
  // Defaults: the whole-document cap refuses it before libxml2 sees a byte.
  Error by_size = must_fail(text);
  EXPECT_EQ(by_size.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(by_size.message(),
            "xml::parse: document of 52428807 bytes is larger than max_bytes 16777216");
  // With the size cap raised, the text cap refuses it before the text node is built.
  ParseLimits limits;
  limits.max_bytes = 64u << 20;
  Error by_text = must_fail(text, limits);
  EXPECT_EQ(by_text.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(
      by_text.message(),
      "xml::parse: text node longer than max_text_length 4194304 bytes (line 1, column 52428804)");
}

TEST(XmlHostile, TenThousandAttributes) {
  std::string element = "<a";
  for (int i = 0; i < 10000; ++i) element += " a" + std::to_string(i) + "=\"v\"";
  element += "/>";
  Error e = must_fail(element);
  EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(e.message(),
            "xml::parse: element <a> has 10000 attributes and namespace declarations, more than "
            "max_attributes 256 (line 1, column 98893)");
}

// ---- exclusive C14N ---------------------------------------------------------------------------

TEST(XmlExcC14n, UnusedAncestorNamespacesDroppedVisiblyUsedOnesEmitted) {
  Document doc = must_parse(
      R"(<s:Envelope xmlns:s="urn:s" xmlns:u="urn:unused" xmlns:a="urn:a">)"
      R"(<s:Body xmlns:b="urn:b"><a:Item b:attr="1">text</a:Item></s:Body></s:Envelope>)");
  xmlNode* body = child_elements(doc.root())[0];
  xmlNode* item = child_elements(body)[0];
  // a is used by the element name, b by an attribute; s and u are not used by a:Item.
  EXPECT_EQ(c14n(doc, item, exclusive()),
            R"(<a:Item xmlns:a="urn:a" xmlns:b="urn:b" b:attr="1">text</a:Item>)");
  // xmlns:b sits on s:Body but is first used by a:Item, so that is where it is rendered.
  EXPECT_EQ(
      c14n(doc, body, exclusive()),
      R"(<s:Body xmlns:s="urn:s"><a:Item xmlns:a="urn:a" xmlns:b="urn:b" b:attr="1">text</a:Item></s:Body>)");
}

TEST(XmlExcC14n, DefaultNamespaceIsEmittedWhereUsed) {
  Document doc = must_parse(R"(<root xmlns="urn:d" xmlns:p="urn:p"><child><p:x/></child></root>)");
  xmlNode* child = child_elements(doc.root())[0];
  EXPECT_EQ(c14n(doc, child, exclusive()),
            R"(<child xmlns="urn:d"><p:x xmlns:p="urn:p"></p:x></child>)");
}

TEST(XmlExcC14n, InclusiveNamespacesPrefixListPullsInUnusedPrefixes) {
  Document doc = must_parse(
      R"(<root xmlns="urn:default" xmlns:u="urn:unused" xmlns:p="urn:p"><p:child>v</p:child></root>)");
  xmlNode* child = child_elements(doc.root())[0];
  EXPECT_EQ(c14n(doc, child, exclusive()), R"(<p:child xmlns:p="urn:p">v</p:child>)");
  EXPECT_EQ(c14n(doc, child, exclusive({"u"})),
            R"(<p:child xmlns:p="urn:p" xmlns:u="urn:unused">v</p:child>)");
  EXPECT_EQ(c14n(doc, child, exclusive({"#default", "u"})),
            R"(<p:child xmlns="urn:default" xmlns:p="urn:p" xmlns:u="urn:unused">v</p:child>)");
  // A listed prefix that is not in scope renders nothing.
  EXPECT_EQ(c14n(doc, child, exclusive({"nope"})), R"(<p:child xmlns:p="urn:p">v</p:child>)");
}

TEST(XmlExcC14n, CommentsWithAndWithout) {
  Document doc = must_parse("<!--before--><a><!-- inside --><b/></a><!--after-->");
  EXPECT_EQ(c14n(doc, doc.root(), exclusive({}, true)), "<a><!-- inside --><b></b></a>");
  EXPECT_EQ(c14n(doc, doc.root(), exclusive({}, false)), "<a><b></b></a>");
  // The whole document: comments outside the document element sit on lines of their own.
  EXPECT_EQ(c14n(doc, nullptr, exclusive({}, true)),
            "<!--before-->\n<a><!-- inside --><b></b></a>\n<!--after-->");
  EXPECT_EQ(c14n(doc, nullptr, exclusive({}, false)), "<a><b></b></a>");
}

TEST(XmlExcC14n, AttributesOrderedByNamespaceUriThenLocalName) {
  Document doc =
      must_parse(R"(<e xmlns:z="urn:a" xmlns:a="urn:z" b="1" a="2" z:y="3" a:x="4" z:b="5"/>)");
  // Declarations by prefix; then unqualified attributes; then by namespace URI (urn:a is z:).
  EXPECT_EQ(c14n(doc, doc.root(), exclusive()),
            R"(<e xmlns:a="urn:z" xmlns:z="urn:a" a="2" b="1" z:b="5" z:y="3" a:x="4"></e>)");
}

TEST(XmlExcC14n, EmptyElementsExpandedAndDeclarationDropped) {
  Document doc = must_parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b/><c x='1' /></a>");
  EXPECT_EQ(c14n(doc, nullptr, exclusive()), R"(<a><b></b><c x="1"></c></a>)");
}

TEST(XmlExcC14n, AttributeAndTextEscapingFollowC14n) {
  Document doc = must_parse(
      "<e a=\"  x&#9;y&#10;z&#13;  \" b=\"1 2\t3\n4\" c=\"&lt;&amp;&gt;&quot;'\">"
      "a&gt;b&lt;c&amp;d\"e'&#13;f\r\ng</e>");
  // Literal tab and newline in an attribute were normalized to spaces by the parser; the
  // ones written as character references survive and are written as &#x9; &#xA; &#xD;.
  EXPECT_EQ(c14n(doc, doc.root(), exclusive()),
            "<e a=\"  x&#x9;y&#xA;z&#xD;  \" b=\"1 2 3 4\" c=\"&lt;&amp;>&quot;'\">"
            "a&gt;b&lt;c&amp;d\"e'&#xD;f\ng</e>");
}

TEST(XmlExcC14n, CdataBecomesEscapedText) {
  Document doc = must_parse("<a><![CDATA[<x> & y]]></a>");
  EXPECT_EQ(c14n(doc, doc.root(), exclusive()), "<a>&lt;x&gt; &amp; y</a>");
}

// ---- inclusive C14N ---------------------------------------------------------------------------

TEST(XmlIncC14n, AncestorNamespacesAndXmlAttributesAreInherited) {
  Document doc = must_parse(
      R"(<s:Envelope xmlns:s="urn:s" xmlns:u="urn:unused" xml:lang="en" xml:space="preserve">)"
      R"(<s:Body xmlns="urn:d"><Item a="1"/></s:Body></s:Envelope>)");
  xmlNode* item = child_elements(child_elements(doc.root())[0])[0];
  EXPECT_EQ(
      c14n(doc, item, inclusive()),
      R"(<Item xmlns="urn:d" xmlns:s="urn:s" xmlns:u="urn:unused" a="1" xml:lang="en" xml:space="preserve"></Item>)");
  // Exclusive C14N inherits neither.
  EXPECT_EQ(c14n(doc, item, exclusive()), R"(<Item xmlns="urn:d" a="1"></Item>)");
}

TEST(XmlIncC14n, NearestXmlAttributeWins) {
  Document doc = must_parse(R"(<a xml:lang="en"><b xml:lang="fr"><c/></b></a>)");
  xmlNode* c = child_elements(child_elements(doc.root())[0])[0];
  EXPECT_EQ(c14n(doc, c, inclusive()), R"(<c xml:lang="fr"></c>)");
}

TEST(XmlIncC14n, WholeDocumentWithComments) {
  Document doc = must_parse("<a xmlns:p=\"urn:p\"><!--c--><p:b/></a>");
  EXPECT_EQ(c14n(doc, nullptr, inclusive(true)), R"(<a xmlns:p="urn:p"><!--c--><p:b></p:b></a>)");
  EXPECT_EQ(c14n(doc, nullptr, inclusive(false)), R"(<a xmlns:p="urn:p"><p:b></p:b></a>)");
}

TEST(XmlIncC14n, PrefixListIsRefusedForInclusive) {
  Document doc = must_parse("<a/>");
  C14nOptions options = inclusive();
  options.inclusive_prefixes = {"p"};
  Result<std::string> out = canonicalize(doc, doc.root(), options);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      out.error().message(),
      "xml::canonicalize <a>: an InclusiveNamespaces PrefixList applies to exclusive C14N only");
}

TEST(XmlIncC14n, RelativeNamespaceUriIsAnError) {
  Document doc = must_parse(R"(<a xmlns:p="relative/uri"><p:b/></a>)");
  Result<std::string> out = canonicalize(doc, doc.root(), inclusive());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::kParse);
  // libxml2's own words: C14N 1.0 section 2.3 forbids relative namespace URIs.
  EXPECT_EQ(out.error().message(),
            "xml::canonicalize <a>: canonicalization failed: Relative namespace UR is invalid here "
            ": (null)");
}

// ---- IDs --------------------------------------------------------------------------------------

const std::string kIds =
    R"(<r xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" xmlns:p="urn:other">)"
    R"(<a wsu:Id="w1"/><b Id="i1"/><c ID="u1"/><d xml:id="x1"/>)"
    R"(<e wsu:Id="dup"/><f><g Id="dup"/></f><h p:Id="other"/><k id="lower"/></r>)";

TEST(XmlIds, EachAttributeForm) {
  Document doc = must_parse(kIds);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"w1", "a"}, {"i1", "b"}, {"u1", "c"}, {"x1", "d"}};
  for (const auto& [id, element] : cases) {
    Result<xmlNode*> found = find_by_id(doc, id);
    ASSERT_TRUE(found.ok()) << id;
    EXPECT_EQ(local_name(*found), element) << id;
  }
}

TEST(XmlIds, DuplicateIsAmbiguous) {
  Document doc = must_parse(kIds);
  std::vector<xmlNode*> all = find_all_by_id(doc, "dup");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(local_name(all[0]), "e");
  EXPECT_EQ(local_name(all[1]), "g");
  Result<xmlNode*> found = find_by_id(doc, "dup");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code(), ErrorCode::kAmbiguous);
  EXPECT_EQ(found.error().message(),
            "xml::find_by_id 'dup': 2 elements carry this id (an id collision is a signature "
            "wrapping attack)");
}

TEST(XmlIds, MissingIsNotFound) {
  Document doc = must_parse(kIds);
  for (const char* id : {"missing", "other", "lower", ""}) {
    Result<xmlNode*> found = find_by_id(doc, id);
    ASSERT_FALSE(found.ok()) << id;
    EXPECT_EQ(found.error().code(), ErrorCode::kNotFound) << id;
  }
  EXPECT_EQ(find_by_id(doc, "missing").error().message(),
            "xml::find_by_id 'missing': no element carries this wsu:Id, Id, ID or xml:id");
}

TEST(XmlIds, RootElementCanCarryTheId) {
  Document doc = must_parse(R"(<r Id="top"><c/></r>)");
  Result<xmlNode*> found = find_by_id(doc, "top");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, doc.root());
}

// ---- XPath ------------------------------------------------------------------------------------

TEST(XmlXPath, RegisteredPrefixesOnASoap12Envelope) {
  Document doc = must_parse(kEnvelope);
  // The document uses prefixes s, a, u, o, e; the expressions use the registry's own.
  Result<std::vector<xmlNode*>> timestamp =
      xpath(doc, "/s12:Envelope/s12:Header/wsse:Security/wsu:Timestamp");
  ASSERT_TRUE(timestamp.ok()) << timestamp.error().message();
  ASSERT_EQ(timestamp->size(), 1u);
  EXPECT_EQ(attribute((*timestamp)[0], kWsu, "Id").value, "_0");

  Result<xmlNode*> action = xpath_one(doc, "//wsa:Action");
  ASSERT_TRUE(action.ok());
  EXPECT_EQ(text_content(*action), "urn:echo");

  Result<std::vector<xmlNode*>> ids = xpath(doc, "//@wsu:Id");
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 2u);  // document order: Timestamp, then Body
  EXPECT_EQ((*ids)[0]->type, XML_ATTRIBUTE_NODE);
  EXPECT_EQ(text_content((*ids)[0]), "_0");
  EXPECT_EQ(text_content((*ids)[1]), "_1");

  Result<xmlNode*> body = xpath_one(doc, "/s12:Envelope/s12:Body");
  ASSERT_TRUE(body.ok());
  Result<std::vector<xmlNode*>> relative = xpath(doc, "*", *body);
  ASSERT_TRUE(relative.ok());
  ASSERT_EQ(relative->size(), 1u);
  EXPECT_EQ(local_name((*relative)[0]), "Echo");

  Result<std::vector<xmlNode*>> none = xpath(doc, "//ds:Signature");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(XmlXPath, ErrorsNameTheExpression) {
  Document doc = must_parse(kEnvelope);
  Result<xmlNode*> missing = xpath_one(doc, "//ds:Signature");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message(), "xml::xpath_one '//ds:Signature': no node matches");

  Result<xmlNode*> two = xpath_one(doc, "//@wsu:Id");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().code(), ErrorCode::kAmbiguous);
  EXPECT_EQ(two.error().message(),
            "xml::xpath_one '//@wsu:Id': 2 nodes match where exactly one must");

  Result<std::vector<xmlNode*>> bad = xpath(doc, "//s12:Body[");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      bad.error().message(),
      "xml::xpath '//s12:Body[': invalid XPath expression: Invalid expression at character 12");

  Result<std::vector<xmlNode*>> unknown = xpath(doc, "//nope:Body");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(unknown.error().message(),
            "xml::xpath '//nope:Body': invalid XPath expression: Undefined namespace prefix at "
            "character 12");

  Result<std::vector<xmlNode*>> number = xpath(doc, "count(//*)");
  ASSERT_FALSE(number.ok());
  EXPECT_EQ(number.error().message(),
            "xml::xpath 'count(//*)': expression does not select nodes (it yields a value)");

  Result<std::vector<xmlNode*>> ns = xpath(doc, "/*/namespace::*");
  ASSERT_FALSE(ns.ok());
  EXPECT_EQ(ns.error().code(), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace parley::xml
