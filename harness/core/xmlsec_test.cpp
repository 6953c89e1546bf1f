#include "harness/core/xmlsec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/core/xml.h"

namespace parley::xmlsec {
namespace {

constexpr const char* kDs = "http://www.w3.org/2000/09/xmldsig#";
constexpr const char* kXenc = "http://www.w3.org/2001/04/xmlenc#";

const std::string kEnvelope =
    R"(<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" )"
    R"(xmlns:a="http://www.w3.org/2005/08/addressing" )"
    R"(xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">)"
    R"(<s:Header><a:Action s:mustUnderstand="1">urn:echo</a:Action>)"
    R"(<o:Security s:mustUnderstand="1" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">)"
    R"(<u:Timestamp u:Id="_0"><u:Created>2024-01-01T00:00:00Z</u:Created>)"
    R"(<u:Expires>2024-01-01T00:05:00Z</u:Expires></u:Timestamp></o:Security></s:Header>)"
    R"(<s:Body u:Id="_1"><e:Echo xmlns:e="urn:example">hi</e:Echo></s:Body></s:Envelope>)";

Bytes key_bytes(std::uint8_t first, std::size_t n = 32) {
  Bytes key(n);
  for (std::size_t i = 0; i < n; ++i) key[i] = static_cast<std::uint8_t>(first + i);
  return key;
}

// K1 and K2 stand for two derived keys (WS-SC section 7) of the same length.
const Bytes kK1 = key_bytes(0x01);
const Bytes kK2 = key_bytes(0x41);

xml::Document parse(const std::string& text) {
  Result<xml::Document> doc = xml::parse(text);
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().message());
  return doc.ok() ? std::move(doc).value() : xml::Document();
}

// What the peer sees: the bytes on the wire, parsed again.
xml::Document wire(const xml::Document& doc) {
  return parse(xml::serialize(doc));
}

xmlNode* one(const xml::Document& doc, const std::string& expr, xmlNode* context = nullptr) {
  Result<xmlNode*> node = xml::xpath_one(doc, expr, context);
  EXPECT_TRUE(node.ok()) << expr << ": " << (node.ok() ? "" : node.error().message());
  return node.ok() ? *node : nullptr;
}

SignOptions hmac_options(SignatureMethod method = SignatureMethod::kHmacSha1,
                         DigestMethod digest = DigestMethod::kSha1) {
  SignOptions options;
  options.method = method;
  options.digest = digest;
  options.reference_ids = {"_0", "_1"};
  return options;
}

// An envelope signed with K1 over the Timestamp and the Body, as sent on the wire.
xml::Document signed_envelope(const SignOptions& options = hmac_options(),
                              const SignatureKey& key = SignatureKey::hmac(kK1)) {
  xml::Document doc = parse(kEnvelope);
  Result<xmlNode*> signature = sign(doc, one(doc, "//wsse:Security"), options, key);
  EXPECT_TRUE(signature.ok()) << (signature.ok() ? "" : signature.error().message());
  return wire(doc);
}

Result<Verification> verify_in(xml::Document& doc, const SignatureKey& key,
                               const VerifyOptions& options = {}) {
  return verify(doc, one(doc, "//ds:Signature"), key, options);
}

std::string c14n(const xml::Document& doc, xmlNode* node) {
  Result<std::string> out = xml::canonicalize(doc, node, xml::C14nOptions{});
  EXPECT_TRUE(out.ok());
  return out.ok() ? *out : std::string();
}

std::string b64(const Result<Bytes>& bytes) {
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? base64_encode(*bytes) : std::string();
}

// One RSA key pair per test binary run (key generation is slow under sanitizers).
const crypto::RsaKey& rsa_key(int which) {
  static const std::vector<crypto::RsaKey> keys = [] {
    std::vector<crypto::RsaKey> generated;
    for (int i = 0; i < 2; ++i) {
      Result<crypto::RsaKey> key = crypto::RsaKey::generate(2048);
      EXPECT_TRUE(key.ok()) << (key.ok() ? "" : key.error().message());
      if (key.ok()) generated.push_back(std::move(key).value());
    }
    return generated;
  }();
  return keys.at(static_cast<std::size_t>(which));
}

crypto::RsaKey public_of(const crypto::RsaKey& key) {
  Result<crypto::RsaKey> pub = key.public_only();
  EXPECT_TRUE(pub.ok());
  return std::move(pub).value();
}

// ---- HMAC signatures ------------------------------------------------------------------------

TEST(XmlsecSign, HmacSha1RoundTripCoversExactlyTimestampAndBody) {
  xml::Document doc = signed_envelope();
  xmlNode* signature = one(doc, "/s12:Envelope/s12:Header/wsse:Security/ds:Signature");
  ASSERT_NE(signature, nullptr);
  EXPECT_EQ(xml::attribute(one(doc, "ds:SignedInfo/ds:CanonicalizationMethod", signature), "",
                           "Algorithm")
                .value,
            "http://www.w3.org/2001/10/xml-exc-c14n#");
  EXPECT_EQ(xml::attribute(one(doc, "ds:SignedInfo/ds:SignatureMethod", signature), "", "Algorithm")
                .value,
            "http://www.w3.org/2000/09/xmldsig#hmac-sha1");
  Result<std::vector<xmlNode*>> uris =
      xml::xpath(doc, "ds:SignedInfo/ds:Reference/@URI", signature);
  ASSERT_TRUE(uris.ok());
  ASSERT_EQ(uris->size(), 2u);
  EXPECT_EQ(xml::text_content((*uris)[0]), "#_0");
  EXPECT_EQ(xml::text_content((*uris)[1]), "#_1");
  Result<std::vector<xmlNode*>> transforms = xml::xpath(
      doc, "ds:SignedInfo/ds:Reference/ds:Transforms/ds:Transform/@Algorithm", signature);
  ASSERT_TRUE(transforms.ok());
  ASSERT_EQ(transforms->size(), 2u);
  EXPECT_EQ(xml::text_content((*transforms)[0]), "http://www.w3.org/2001/10/xml-exc-c14n#");
  EXPECT_EQ(xml::text_content(one(doc, "ds:SignatureValue", signature)).size(), 28u);  // 20 bytes

  Result<Verification> verification = verify(doc, signature, SignatureKey::hmac(kK1));
  ASSERT_TRUE(verification.ok()) << verification.error().message();
  EXPECT_EQ(verification->method, SignatureMethod::kHmacSha1);
  ASSERT_EQ(verification->references.size(), 2u);
  EXPECT_EQ(verification->references[0].uri, "#_0");
  EXPECT_EQ(verification->references[0].element, one(doc, "//wsu:Timestamp"));
  EXPECT_EQ(verification->references[1].uri, "#_1");
  EXPECT_EQ(verification->references[1].element, one(doc, "/s12:Envelope/s12:Body"));
}

TEST(XmlsecSign, ValuesAreDigestsAndHmacOverExclusiveC14n) {
  xml::Document doc = signed_envelope();
  xmlNode* signature = one(doc, "//ds:Signature");
  // Recomputed independently: DigestValue = SHA-1(exc-c14n(element)),
  // SignatureValue = HMAC-SHA1(K1, exc-c14n(SignedInfo)) (XML-DSig 3.1.1, 3.1.2).
  EXPECT_EQ(xml::text_content(
                one(doc, "ds:SignedInfo/ds:Reference[@URI='#_0']/ds:DigestValue", signature)),
            b64(crypto::sha1(as_bytes(c14n(doc, one(doc, "//wsu:Timestamp"))))));
  EXPECT_EQ(xml::text_content(
                one(doc, "ds:SignedInfo/ds:Reference[@URI='#_1']/ds:DigestValue", signature)),
            b64(crypto::sha1(as_bytes(c14n(doc, one(doc, "//s12:Body"))))));
  EXPECT_EQ(xml::text_content(one(doc, "ds:SignatureValue", signature)),
            b64(crypto::hmac(crypto::HashAlgorithm::kSha1, kK1,
                             as_bytes(c14n(doc, one(doc, "ds:SignedInfo", signature))))));
  // The Body digest in exact terms: exc-c14n renders only the namespaces the Body uses.
  EXPECT_EQ(
      c14n(doc, one(doc, "//s12:Body")),
      R"(<s:Body xmlns:s="http://www.w3.org/2003/05/soap-envelope" )"
      R"(xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" )"
      R"(u:Id="_1"><e:Echo xmlns:e="urn:example">hi</e:Echo></s:Body>)");
}

TEST(XmlsecSign, HmacSha256WithInclusiveNamespacesRoundTrip) {
  SignOptions options = hmac_options(SignatureMethod::kHmacSha256, DigestMethod::kSha256);
  options.inclusive_prefixes = {"s", "#default"};
  xml::Document doc = signed_envelope(options);
  xmlNode* signature = one(doc, "//ds:Signature");
  EXPECT_EQ(xml::attribute(
                one(doc, "ds:SignedInfo/ds:Reference[1]/ds:Transforms/ds:Transform/*", signature),
                "", "PrefixList")
                .value,
            "s #default");
  EXPECT_EQ(xml::text_content(one(doc, "ds:SignatureValue", signature)).size(), 44u);  // 32 bytes
  Result<Verification> verification = verify(doc, signature, SignatureKey::hmac(kK1));
  ASSERT_TRUE(verification.ok()) << verification.error().message();
  EXPECT_EQ(verification->method, SignatureMethod::kHmacSha256);
  EXPECT_EQ(verification->references.size(), 2u);
}

TEST(XmlsecVerify, OneByteChangeInTheBodyFails) {
  std::string text = xml::serialize(signed_envelope());
  const std::size_t at = text.find(">hi<");
  ASSERT_NE(at, std::string::npos);
  text[at + 2] = 'j';
  xml::Document doc = parse(text);
  Result<Verification> verification = verify_in(doc, SignatureKey::hmac(kK1));
  ASSERT_FALSE(verification.ok());
  EXPECT_EQ(verification.error().code(), ErrorCode::kVerification);
  EXPECT_EQ(verification.error().message(),
            "xmlsec::verify: Reference '#_1': DigestValue does not match: the referenced element "
            "is not what was signed");
}

TEST(XmlsecVerify, WrongKeyFails) {
  xml::Document doc = signed_envelope();
  Result<Verification> verification = verify_in(doc, SignatureKey::hmac(kK2));
  ASSERT_FALSE(verification.ok());
  EXPECT_EQ(verification.error().code(), ErrorCode::kVerification);
  EXPECT_EQ(verification.error().message(),
            "xmlsec::verify: SignatureValue does not match SignedInfo under the given key");
  // A prefix of the right key is a different key too.
  Result<Verification> shorter =
      verify_in(doc, SignatureKey::hmac(Bytes(kK1.begin(), kK1.begin() + 16)));
  ASSERT_FALSE(shorter.ok());
  EXPECT_EQ(shorter.error().code(), ErrorCode::kVerification);
}

TEST(XmlsecVerify, KeyCarriedInKeyInfoIsNeverUsed) {
  // KeyInfo embeds K1 twice over: as an xmlsec HMACKeyValue and as a KeyName.
  xml::Document key_value =
      parse(std::string(R"(<ds:KeyValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#">)") +
            R"(<HMACKeyValue xmlns="http://www.aleksey.com/xmlsec/2002">)" + base64_encode(kK1) +
            "</HMACKeyValue></ds:KeyValue>");
  xml::Document doc = parse(kEnvelope);
  SignOptions options = hmac_options();
  options.key_info_content = key_value.root();
  Result<xmlNode*> signature =
      sign(doc, one(doc, "//wsse:Security"), options, SignatureKey::hmac(kK1));
  ASSERT_TRUE(signature.ok()) << signature.error().message();
  xmlNode* key_info = one(doc, "ds:KeyInfo", *signature);
  ASSERT_NE(key_info, nullptr);
  xmlNode* key_name =
      xmlNewChild(key_info, key_info->ns, xml::to_xml_chars("KeyName"), xml::to_xml_chars("K1"));
  ASSERT_NE(key_name, nullptr);
  // A RetrievalMethod would make a key lookup fetch a URI; it must not even be looked at.
  xmlNode* retrieval =
      xmlNewChild(key_info, key_info->ns, xml::to_xml_chars("RetrievalMethod"), nullptr);
  ASSERT_NE(retrieval, nullptr);
  xmlNewProp(retrieval, xml::to_xml_chars("URI"), xml::to_xml_chars("http://127.0.0.1:1/key"));
  xml::Document received = wire(doc);
  EXPECT_EQ(xml::text_content(one(received, "//ds:KeyInfo/ds:KeyValue")), base64_encode(kK1));

  // The caller resolved K2 from the token chain: the embedded K1 must not rescue the signature.
  Result<Verification> with_k2 = verify_in(received, SignatureKey::hmac(kK2));
  ASSERT_FALSE(with_k2.ok());
  EXPECT_EQ(with_k2.error().code(), ErrorCode::kVerification);
  EXPECT_EQ(with_k2.error().message(),
            "xmlsec::verify: SignatureValue does not match SignedInfo under the given key");
  EXPECT_TRUE(verify_in(received, SignatureKey::hmac(kK1)).ok());
}

TEST(XmlsecSign, KeyInfoContentIsCopiedAsGivenNeverFilledIn) {
  // An empty ds:KeyValue would be filled with the signing key if xmlsec wrote KeyInfo.
  xml::Document content = parse(R"(<ds:KeyValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>)");
  xml::Document doc = parse(kEnvelope);
  SignOptions options = hmac_options();
  options.key_info_content = content.root();
  Result<xmlNode*> signature =
      sign(doc, one(doc, "//wsse:Security"), options, SignatureKey::hmac(kK1));
  ASSERT_TRUE(signature.ok()) << signature.error().message();
  EXPECT_EQ(xml::serialize(one(doc, "ds:KeyInfo", *signature)),
            R"(<KeyInfo><ds:KeyValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/></KeyInfo>)");
}

// Adds <HMACOutputLength>bits</HMACOutputLength> and recomputes a SignatureValue truncated to
// `bits`, so that only the truncation rule can refuse the signature.
void truncate_hmac(xml::Document& doc, std::size_t bits) {
  xmlNode* signature = one(doc, "//ds:Signature");
  xmlNode* method = one(doc, "ds:SignedInfo/ds:SignatureMethod", signature);
  ASSERT_NE(xmlNewChild(method, method->ns, xml::to_xml_chars("HMACOutputLength"),
                        xml::to_xml_chars(std::to_string(bits).c_str())),
            nullptr);
  Result<Bytes> mac = crypto::hmac(crypto::HashAlgorithm::kSha1, kK1,
                                   as_bytes(c14n(doc, one(doc, "ds:SignedInfo", signature))));
  ASSERT_TRUE(mac.ok());
  mac->resize(bits / 8);
  xmlNodeSetContent(one(doc, "ds:SignatureValue", signature),
                    xml::to_xml_chars(base64_encode(*mac).c_str()));
}

TEST(XmlsecVerify, HmacOutputLengthTruncationIsRefused) {
  for (std::size_t bits : {80u, 128u}) {
    xml::Document doc = signed_envelope();
    truncate_hmac(doc, bits);
    xml::Document received = wire(doc);
    Result<Verification> verification = verify_in(received, SignatureKey::hmac(kK1));
    ASSERT_FALSE(verification.ok()) << bits;
    EXPECT_EQ(verification.error().code(), ErrorCode::kVerification);
    EXPECT_EQ(verification.error().message(),
              "xmlsec::verify: HMACOutputLength " + std::to_string(bits) +
                  " differs from the 160 bits of hmac-sha1; truncated HMACs are refused");
  }
}

TEST(XmlsecVerify, FullHmacOutputLengthIsAccepted) {
  xml::Document doc = signed_envelope();
  truncate_hmac(doc, 160);
  xml::Document received = wire(doc);
  Result<Verification> verification = verify_in(received, SignatureKey::hmac(kK1));
  ASSERT_TRUE(verification.ok()) << verification.error().message();
}

TEST(XmlsecVerify, TruncationOnlyWhenExplicitlyAllowed) {
  xml::Document doc = signed_envelope();
  truncate_hmac(doc, 128);
  xml::Document received = wire(doc);
  VerifyOptions options;
  options.allow_hmac_truncation = true;
  Result<Verification> verification = verify_in(received, SignatureKey::hmac(kK1), options);
  ASSERT_TRUE(verification.ok()) << verification.error().message();
  EXPECT_FALSE(verify_in(received, SignatureKey::hmac(kK1)).ok());
}

TEST(XmlsecVerify, DuplicatedWsuIdIsAmbiguous) {
  // Signature wrapping: the signed Body moves into a header wrapper, an attacker's Body with
  // the same wsu:Id takes its place.
  xml::Document doc = signed_envelope();
  xmlNode* body = one(doc, "/s12:Envelope/s12:Body");
  xmlNode* header = one(doc, "/s12:Envelope/s12:Header");
  xmlNode* evil = xmlDocCopyNode(body, doc.get(), 1);
  ASSERT_NE(evil, nullptr);
  xmlNodeSetContent(xml::child_elements(evil)[0], xml::to_xml_chars("evil"));
  xmlNode* wrapper = xmlNewChild(header, nullptr, xml::to_xml_chars("Wrapper"), nullptr);
  xmlUnlinkNode(body);
  xmlAddChild(wrapper, body);
  xmlAddChild(xmlDocGetRootElement(doc.get()), evil);
  xml::Document received = wire(doc);
  Result<Verification> verification = verify_in(received, SignatureKey::hmac(kK1));
  ASSERT_FALSE(verification.ok());
  EXPECT_EQ(verification.error().code(), ErrorCode::kAmbiguous);
  EXPECT_EQ(
      verification.error().message(),
      "xmlsec::verify: Reference '#_1': 2 elements carry the referenced id (signature wrapping: "
      "the digest and the application could see different elements)");

  // Signing refuses an ambiguous id as well.
  Result<xmlNode*> signature =
      sign(received, one(received, "//wsse:Security"), hmac_options(), SignatureKey::hmac(kK1));
  ASSERT_FALSE(signature.ok());
  EXPECT_EQ(signature.error().code(), ErrorCode::kAmbiguous);
}

TEST(XmlsecVerify, IdInAnotherAttributeFormCollidesToo) {
  xml::Document doc = signed_envelope();
  xmlNode* header = one(doc, "/s12:Envelope/s12:Header");
  xmlNode* decoy = xmlNewChild(header, nullptr, xml::to_xml_chars("Decoy"), nullptr);
  xmlNewProp(decoy, xml::to_xml_chars("Id"), xml::to_xml_chars("_0"));
  xml::Document received = wire(doc);
  Result<Verification> verification = verify_in(received, SignatureKey::hmac(kK1));
  ASSERT_FALSE(verification.ok());
  EXPECT_EQ(verification.error().code(), ErrorCode::kAmbiguous);
}

// ---- RSA signatures ---------------------------------------------------------------------------

TEST(XmlsecSign, RsaSha256RoundTrip) {
  SignOptions options = hmac_options(SignatureMethod::kRsaSha256, DigestMethod::kSha256);
  xml::Document doc = signed_envelope(options, SignatureKey::rsa(rsa_key(0)));
  xmlNode* signature = one(doc, "//ds:Signature");
  EXPECT_EQ(xml::attribute(one(doc, "ds:SignedInfo/ds:SignatureMethod", signature), "", "Algorithm")
                .value,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
  Result<Bytes> signature_value =
      base64_decode(xml::text_content(one(doc, "ds:SignatureValue", signature)));
  ASSERT_TRUE(signature_value.ok());
  EXPECT_EQ(signature_value->size(), 256u);
  // The verifier holds only the public key.
  Result<Verification> verification =
      verify(doc, signature, SignatureKey::rsa(public_of(rsa_key(0))));
  ASSERT_TRUE(verification.ok()) << verification.error().message();
  EXPECT_EQ(verification->method, SignatureMethod::kRsaSha256);
  ASSERT_EQ(verification->references.size(), 2u);
  EXPECT_EQ(verification->references[0].element, one(doc, "//wsu:Timestamp"));
  EXPECT_EQ(verification->references[1].element, one(doc, "//s12:Body"));
  // Cross-check with crypto: RSASSA-PKCS1-v1_5 SHA-256 over exc-c14n(SignedInfo).
  Result<Bytes> value = base64_decode(xml::text_content(one(doc, "ds:SignatureValue", signature)));
  ASSERT_TRUE(value.ok());
  EXPECT_TRUE(crypto::rsa_pkcs1_sha256_verify(
                  rsa_key(0), as_bytes(c14n(doc, one(doc, "ds:SignedInfo", signature))), *value)
                  .ok());

  Result<Verification> other = verify(doc, signature, SignatureKey::rsa(public_of(rsa_key(1))));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kVerification);
}

TEST(XmlsecVerify, KeyKindMustMatchTheSignatureMethod) {
  SignOptions rsa_options = hmac_options(SignatureMethod::kRsaSha256, DigestMethod::kSha256);
  xml::Document rsa_signed = signed_envelope(rsa_options, SignatureKey::rsa(rsa_key(0)));
  Result<Verification> hmac_for_rsa = verify_in(rsa_signed, SignatureKey::hmac(kK1));
  ASSERT_FALSE(hmac_for_rsa.ok());
  EXPECT_EQ(hmac_for_rsa.error().code(), ErrorCode::kVerification);
  EXPECT_EQ(
      hmac_for_rsa.error().message(),
      "xmlsec::verify: the signature uses rsa-sha256 but the key resolved for it is an HMAC key");

  xml::Document hmac_signed = signed_envelope();
  Result<Verification> rsa_for_hmac = verify_in(hmac_signed, SignatureKey::rsa(rsa_key(0)));
  ASSERT_FALSE(rsa_for_hmac.ok());
  EXPECT_EQ(
      rsa_for_hmac.error().message(),
      "xmlsec::verify: the signature uses hmac-sha1 but the key resolved for it is an RSA key");

  xml::Document doc = parse(kEnvelope);
  Result<xmlNode*> mismatch =
      sign(doc, one(doc, "//wsse:Security"), rsa_options, SignatureKey::hmac(kK1));
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(mismatch.error().message(),
            "xmlsec::sign: rsa-sha256 needs an RSA key, but the key given is an HMAC key");
  Result<xmlNode*> public_only =
      sign(doc, one(doc, "//wsse:Security"), rsa_options, SignatureKey::rsa(public_of(rsa_key(0))));
  ASSERT_FALSE(public_only.ok());
  EXPECT_EQ(public_only.error().message(), "xmlsec::sign: RSA signing needs a private key");
  EXPECT_EQ(xml::xpath(doc, "//ds:Signature")->size(), 0u);  // nothing left behind
}

// ---- sign errors ------------------------------------------------------------------------------

TEST(XmlsecSign, ReferencesMustResolve) {
  xml::Document doc = parse(kEnvelope);
  SignOptions options = hmac_options();
  options.reference_ids = {"_0", "missing"};
  Result<xmlNode*> signature =
      sign(doc, one(doc, "//wsse:Security"), options, SignatureKey::hmac(kK1));
  ASSERT_FALSE(signature.ok());
  EXPECT_EQ(signature.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(
      signature.error().message(),
      "xmlsec::sign: xml::find_by_id 'missing': no element carries this wsu:Id, Id, ID or xml:id");
  options.reference_ids = {};
  EXPECT_EQ(sign(doc, one(doc, "//wsse:Security"), options, SignatureKey::hmac(kK1)).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(xml::xpath(doc, "//ds:Signature")->size(), 0u);
}

TEST(XmlsecSign, EnvelopedSignatureWhenSigningAnAncestor) {
  xml::Document doc = parse(R"(<r Id="root"><data>x</data></r>)");
  SignOptions options = hmac_options();
  options.reference_ids = {"root"};
  Result<xmlNode*> signature = sign(doc, doc.root(), options, SignatureKey::hmac(kK1));
  ASSERT_TRUE(signature.ok()) << signature.error().message();
  xml::Document received = wire(doc);
  Result<std::vector<xmlNode*>> transforms =
      xml::xpath(received, "//ds:Reference/ds:Transforms/ds:Transform/@Algorithm");
  ASSERT_TRUE(transforms.ok());
  ASSERT_EQ(transforms->size(), 2u);
  EXPECT_EQ(xml::text_content((*transforms)[0]),
            "http://www.w3.org/2000/09/xmldsig#enveloped-signature");
  Result<Verification> verification = verify_in(received, SignatureKey::hmac(kK1));
  ASSERT_TRUE(verification.ok()) << verification.error().message();
  EXPECT_EQ(verification->references[0].element, received.root());
}

// ---- garbage --------------------------------------------------------------------------------

// An envelope whose Security header holds `signature` verbatim.
xml::Document with_signature(const std::string& signature) {
  std::string text = kEnvelope;
  const std::string anchor = "</o:Security>";
  text.insert(text.find(anchor), signature);
  return parse(text);
}

std::string signed_info(const std::string& c14n, const std::string& method,
                        const std::string& references) {
  return R"(<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>)"
         R"(<ds:CanonicalizationMethod Algorithm=")" +
         c14n +
         R"("/>)"
         R"(<ds:SignatureMethod Algorithm=")" +
         method + R"("/>)" + references +
         R"(</ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>)";
}

std::string reference(const std::string& uri_attribute,
                      const std::string& transform = "http://www.w3.org/2001/10/xml-exc-c14n#",
                      const std::string& digest = "http://www.w3.org/2000/09/xmldsig#sha1") {
  return "<ds:Reference " + uri_attribute + "><ds:Transforms><ds:Transform Algorithm=\"" +
         transform + "\"/></ds:Transforms><ds:DigestMethod Algorithm=\"" + digest +
         "\"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>";
}

TEST(XmlsecVerify, GarbageSignaturesAreErrorsNeverCrashes) {
  const std::string exc = "http://www.w3.org/2001/10/xml-exc-c14n#";
  const std::string hmac = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
  struct Case {
    std::string signature;
    ErrorCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"(<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>)", ErrorCode::kParse,
       "xmlsec::verify: ds:Signature does not start with ds:SignedInfo"},
      {R"(<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>)",
       ErrorCode::kParse, "xmlsec::verify: ds:Signature does not start with ds:SignedInfo"},
      {signed_info(exc, hmac, ""), ErrorCode::kParse,
       "xmlsec::verify: ds:SignedInfo has no ds:Reference"},
      {signed_info("urn:unknown-c14n", hmac, reference("URI=\"#_1\"")), ErrorCode::kUnsupported,
       "xmlsec::verify: CanonicalizationMethod 'urn:unknown-c14n' is not supported (exclusive or "
       "inclusive C14N 1.0 only)"},
      {signed_info(exc, "urn:unknown-signature", reference("URI=\"#_1\"")), ErrorCode::kUnsupported,
       "xmlsec::verify: SignatureMethod 'urn:unknown-signature' is not supported"},
      {signed_info(exc, "http://www.w3.org/2000/09/xmldsig#dsa-sha1", reference("URI=\"#_1\"")),
       ErrorCode::kUnsupported,
       "xmlsec::verify: SignatureMethod 'http://www.w3.org/2000/09/xmldsig#dsa-sha1' is not "
       "supported"},
      {signed_info(exc, hmac,
                   reference("URI=\"#_1\"", exc, "http://www.w3.org/2001/04/xmldsig-more#md5")),
       ErrorCode::kUnsupported,
       "xmlsec::verify: Reference '#_1': DigestMethod 'http://www.w3.org/2001/04/xmldsig-more#md5' "
       "is not "
       "supported (sha1, sha256 only)"},
      {signed_info(exc, hmac,
                   reference("URI=\"#_1\"", "http://www.w3.org/TR/1999/REC-xslt-19991116")),
       ErrorCode::kUnsupported,
       "xmlsec::verify: Reference '#_1': Transform 'http://www.w3.org/TR/1999/REC-xslt-19991116' "
       "is not "
       "supported (exc-c14n, c14n and enveloped-signature only)"},
      {signed_info(exc, hmac, reference("URI=\"http://127.0.0.1:1/x\"")), ErrorCode::kUnsupported,
       "xmlsec::verify: Reference 'http://127.0.0.1:1/x': only same-document \"#id\" references "
       "are accepted "
       "(no external URIs, no XPointer)"},
      {signed_info(exc, hmac, reference("URI=\"file:///etc/passwd\"")), ErrorCode::kUnsupported,
       "xmlsec::verify: Reference 'file:///etc/passwd': only same-document \"#id\" references are "
       "accepted "
       "(no external URIs, no XPointer)"},
      {signed_info(exc, hmac, reference("URI=\"#xpointer(/)\"")), ErrorCode::kUnsupported,
       "xmlsec::verify: Reference '#xpointer(/)': only same-document \"#id\" references are "
       "accepted "
       "(no external URIs, no XPointer)"},
      {signed_info(exc, hmac, reference("URI=\"#xpointer(id('_1'))\"")), ErrorCode::kUnsupported,
       "xmlsec::verify: Reference '#xpointer(id('_1'))': only same-document \"#id\" references are "
       "accepted "
       "(no external URIs, no XPointer)"},
      {signed_info(exc, hmac, reference("URI=\"\"")), ErrorCode::kUnsupported,
       "xmlsec::verify: Reference 1: a Reference without a URI (the whole document) is refused; "
       "only "
       "same-document \"#id\" references are accepted"},
      {signed_info(exc, hmac, reference("")), ErrorCode::kUnsupported,
       "xmlsec::verify: Reference 1: a Reference without a URI (the whole document) is refused; "
       "only "
       "same-document \"#id\" references are accepted"},
      {signed_info(exc, hmac, reference("URI=\"#nope\"")), ErrorCode::kNotFound,
       "xmlsec::verify: Reference '#nope': no element carries the referenced id"},
      // Structurally fine, so xmlsec runs: "AAAA" is neither the digest nor the HMAC.
      {signed_info(exc, hmac, reference("URI=\"#_1\"")), ErrorCode::kVerification,
       "xmlsec::verify: Reference '#_1': DigestValue does not match: the referenced element is not "
       "what was signed"},
  };
  testing::internal::CaptureStderr();
  for (const Case& c : cases) {
    xml::Document doc = with_signature(c.signature);
    Result<Verification> verification = verify_in(doc, SignatureKey::hmac(kK1));
    ASSERT_FALSE(verification.ok()) << c.signature;
    EXPECT_EQ(verification.error().code(), c.code) << c.signature;
    EXPECT_EQ(verification.error().message(), c.message) << c.signature;
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");  // libraries never print
}

TEST(XmlsecVerify, CorruptSignatureValueIsAnError) {
  for (const char* value : {"!!!not base64!!!", "", "AAAA"}) {
    xml::Document doc = signed_envelope();
    xmlNodeSetContent(one(doc, "//ds:SignatureValue"), xml::to_xml_chars(value));
    Result<Verification> verification = verify_in(doc, SignatureKey::hmac(kK1));
    ASSERT_FALSE(verification.ok()) << value;
    EXPECT_EQ(verification.error().code(), ErrorCode::kVerification) << value;
  }
}

TEST(XmlsecVerify, NotASignatureElement) {
  xml::Document doc = parse(kEnvelope);
  Result<Verification> verification = verify(doc, one(doc, "//s12:Body"), SignatureKey::hmac(kK1));
  ASSERT_FALSE(verification.ok());
  EXPECT_EQ(verification.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(verification.error().message(), "xmlsec::verify: <Body> is not a ds:Signature");
}

// ---- encryption -------------------------------------------------------------------------------

struct CipherCase {
  BlockCipher cipher;
  std::size_t key_size;
  const char* uri;
};

TEST(XmlsecEncrypt, AesCbcContentRoundTrip) {
  const std::vector<CipherCase> cases = {
      {BlockCipher::kAes128Cbc, 16, "http://www.w3.org/2001/04/xmlenc#aes128-cbc"},
      {BlockCipher::kAes192Cbc, 24, "http://www.w3.org/2001/04/xmlenc#aes192-cbc"},
      {BlockCipher::kAes256Cbc, 32, "http://www.w3.org/2001/04/xmlenc#aes256-cbc"},
  };
  for (const CipherCase& c : cases) {
    SCOPED_TRACE(c.uri);
    xml::Document doc = parse(kEnvelope);
    const std::string original = xml::serialize(doc);
    const Bytes key = key_bytes(0x10, c.key_size);
    xmlNode* body = one(doc, "//s12:Body");
    Result<xmlNode*> encrypted = encrypt_content(doc, body, c.cipher, key);
    ASSERT_TRUE(encrypted.ok()) << encrypted.error().message();
    std::vector<xmlNode*> children = xml::child_elements(body);
    ASSERT_EQ(children.size(), 1u);
    EXPECT_EQ(children[0], *encrypted);
    EXPECT_TRUE(xml::is_element(children[0], kXenc, "EncryptedData"));
    EXPECT_EQ(xml::attribute(children[0], "", "Type").value,
              "http://www.w3.org/2001/04/xmlenc#Content");
    EXPECT_EQ(xml::attribute(one(doc, "xenc:EncryptionMethod", children[0]), "", "Algorithm").value,
              c.uri);
    const std::string sent = xml::serialize(doc);
    EXPECT_EQ(sent.find("Echo"), std::string::npos);

    xml::Document received = parse(sent);
    xmlNode* encrypted_data = one(received, "//xenc:EncryptedData");
    Result<xmlNode*> decrypted = decrypt(received, encrypted_data, key);
    ASSERT_TRUE(decrypted.ok()) << decrypted.error().message();
    EXPECT_TRUE(xml::is_element(*decrypted, "urn:example", "Echo"));
    EXPECT_EQ(xml::serialize(received), original);
  }
}

TEST(XmlsecEncrypt, KeyInfoContentAndKeySizeChecks) {
  xml::Document doc = parse(kEnvelope);
  xml::Document reference = parse(
      R"(<o:SecurityTokenReference xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">)"
      R"(<o:Reference URI="#dk"/></o:SecurityTokenReference>)");
  const Bytes key = key_bytes(0x20, 16);
  Result<xmlNode*> encrypted =
      encrypt_content(doc, one(doc, "//s12:Body"), BlockCipher::kAes128Cbc, key, reference.root());
  ASSERT_TRUE(encrypted.ok()) << encrypted.error().message();
  std::vector<xmlNode*> parts = xml::child_elements(*encrypted);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(xml::is_element(parts[0], kXenc, "EncryptionMethod"));
  EXPECT_TRUE(xml::is_element(parts[1], kDs, "KeyInfo"));
  EXPECT_EQ(xml::local_name(xml::child_elements(parts[1])[0]), "SecurityTokenReference");
  EXPECT_TRUE(xml::is_element(parts[2], kXenc, "CipherData"));

  xml::Document other = parse(kEnvelope);
  Result<xmlNode*> wrong_size =
      encrypt_content(other, one(other, "//s12:Body"), BlockCipher::kAes128Cbc, kK1);
  ASSERT_FALSE(wrong_size.ok());
  EXPECT_EQ(wrong_size.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(wrong_size.error().message(),
            "xmlsec::encrypt_content: aes128-cbc needs a 16-byte key, got 32");

  Result<xmlNode*> decrypt_wrong_size = decrypt(doc, *encrypted, kK1);
  ASSERT_FALSE(decrypt_wrong_size.ok());
  EXPECT_EQ(decrypt_wrong_size.error().message(),
            "xmlsec::decrypt: aes128-cbc needs a 16-byte key, got 32");
  Result<xmlNode*> decrypt_wrong_key = decrypt(doc, *encrypted, key_bytes(0x99, 16));
  ASSERT_FALSE(decrypt_wrong_key.ok());
  EXPECT_EQ(decrypt_wrong_key.error().code(), ErrorCode::kCrypto);
  EXPECT_TRUE(
      xml::is_element(xml::child_elements(one(doc, "//s12:Body"))[0], kXenc, "EncryptedData"));
}

TEST(XmlsecEncrypt, CipherReferenceIsRefused) {
  xml::Document doc = parse(
      R"(<r><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Content">)"
      R"(<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>)"
      R"(<xenc:CipherData><xenc:CipherReference URI="http://127.0.0.1:1/x"/></xenc:CipherData>)"
      R"(</xenc:EncryptedData></r>)");
  Result<xmlNode*> decrypted = decrypt(doc, xml::child_elements(doc.root())[0], key_bytes(0, 16));
  ASSERT_FALSE(decrypted.ok());
  EXPECT_EQ(decrypted.error().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(decrypted.error().message(),
            "xmlsec::decrypt: xenc:CipherData must hold one xenc:CipherValue (no CipherReference)");
}

TEST(XmlsecEncrypt, EncryptedKeyRsaOaepRoundTrip) {
  xml::Document doc = parse(kEnvelope);
  const Bytes symmetric = key_bytes(0x55, 32);
  Result<xmlNode*> encrypted_key =
      encrypt_key(doc, one(doc, "//wsse:Security"), symmetric, public_of(rsa_key(0)));
  ASSERT_TRUE(encrypted_key.ok()) << encrypted_key.error().message();
  xml::Document received = wire(doc);
  xmlNode* node = one(received, "/s12:Envelope/s12:Header/wsse:Security/xenc:EncryptedKey");
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(xml::attribute(one(received, "xenc:EncryptionMethod", node), "", "Algorithm").value,
            "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p");
  EXPECT_EQ(
      xml::attribute(one(received, "xenc:EncryptionMethod/ds:DigestMethod", node), "", "Algorithm")
          .value,
      "http://www.w3.org/2000/09/xmldsig#sha1");

  Result<Bytes> decrypted = decrypt_key(received, node, rsa_key(0));
  ASSERT_TRUE(decrypted.ok()) << decrypted.error().message();
  EXPECT_EQ(*decrypted, symmetric);
  // Cross-check with crypto: the CipherValue is plain RSA-OAEP (SHA-1, MGF1-SHA1).
  Result<Bytes> cipher =
      base64_decode(xml::text_content(one(received, "xenc:CipherData/xenc:CipherValue", node)));
  ASSERT_TRUE(cipher.ok());
  EXPECT_EQ(cipher->size(), 256u);
  Result<Bytes> direct = crypto::rsa_oaep_sha1_decrypt(rsa_key(0), *cipher);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(*direct, symmetric);

  Result<Bytes> public_only = decrypt_key(received, node, public_of(rsa_key(0)));
  ASSERT_FALSE(public_only.ok());
  EXPECT_EQ(public_only.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(public_only.error().message(),
            "xmlsec::decrypt_key: decrypting an EncryptedKey needs the private key");
  Result<Bytes> wrong = decrypt_key(received, node, rsa_key(1));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kCrypto);
}

TEST(XmlsecEncrypt, EncryptedKeyWithRsa15IsRefused) {
  xml::Document doc = parse(
      R"(<xenc:EncryptedKey xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">)"
      R"(<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-1_5"/>)"
      R"(<xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>)");
  Result<Bytes> decrypted = decrypt_key(doc, doc.root(), rsa_key(0));
  ASSERT_FALSE(decrypted.ok());
  EXPECT_EQ(decrypted.error().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(decrypted.error().message(),
            "xmlsec::decrypt_key: EncryptionMethod 'http://www.w3.org/2001/04/xmlenc#rsa-1_5' is "
            "not supported");
}

TEST(XmlsecEncrypt, ElementEncryptionReplacesTheElementAndRoundTrips) {
  xml::Document doc = parse(kEnvelope);
  const std::string original = xml::serialize(doc);
  const Bytes key = key_bytes(0x30, 32);
  xmlNode* timestamp = one(doc, "//wsu:Timestamp");
  xmlNode* security = timestamp->parent;
  Result<xmlNode*> encrypted = encrypt_element(doc, timestamp, BlockCipher::kAes256Cbc, key);
  ASSERT_TRUE(encrypted.ok()) << encrypted.error().message();
  std::vector<xmlNode*> children = xml::child_elements(security);
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0], *encrypted);
  EXPECT_EQ(xml::attribute(*encrypted, "", "Type").value, "http://www.w3.org/2001/04/xmlenc#Element");
  const std::string sent = xml::serialize(doc);
  EXPECT_EQ(sent.find("Timestamp"), std::string::npos);
  EXPECT_EQ(sent.find("2024-01-01"), std::string::npos);

  xml::Document received = parse(sent);
  Result<xmlNode*> decrypted = decrypt(received, one(received, "//xenc:EncryptedData"), key);
  ASSERT_TRUE(decrypted.ok()) << decrypted.error().message();
  EXPECT_TRUE(xml::is_element(*decrypted, "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
                              "Timestamp"));
  EXPECT_EQ(xml::serialize(received), original);

  xml::Document lone = parse("<r/>");
  Result<xmlNode*> root = encrypt_element(lone, lone.root(), BlockCipher::kAes256Cbc, key);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.error().message(), "xmlsec::encrypt_element: the element to encrypt must have a parent element");
}

TEST(XmlsecEncrypt, EncryptedKeyCarriesKeyInfoInSchemaOrder) {
  xml::Document doc = parse(kEnvelope);
  xml::Document reference = parse(
      R"(<o:SecurityTokenReference xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">)"
      R"(<o:KeyIdentifier ValueType="urn:thumbprint">AAAA</o:KeyIdentifier></o:SecurityTokenReference>)");
  const Bytes symmetric = key_bytes(0x66, 32);
  Result<xmlNode*> encrypted_key = encrypt_key(doc, one(doc, "//wsse:Security"), symmetric,
                                               public_of(rsa_key(0)), reference.root());
  ASSERT_TRUE(encrypted_key.ok()) << encrypted_key.error().message();
  std::vector<xmlNode*> parts = xml::child_elements(*encrypted_key);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(xml::is_element(parts[0], kXenc, "EncryptionMethod"));
  EXPECT_TRUE(xml::is_element(parts[1], kDs, "KeyInfo"));
  EXPECT_EQ(xml::text_content(xml::child_elements(xml::child_elements(parts[1])[0])[0]), "AAAA");
  EXPECT_TRUE(xml::is_element(parts[2], kXenc, "CipherData"));
  xml::Document received = wire(doc);
  Result<Bytes> decrypted = decrypt_key(received, one(received, "//xenc:EncryptedKey"), rsa_key(0));
  ASSERT_TRUE(decrypted.ok()) << decrypted.error().message();
  EXPECT_EQ(*decrypted, symmetric);
}

}  // namespace
}  // namespace parley::xmlsec
