// parley's WS-SecureConversation wire model (harness/wssc: secure_envelope / open_envelope)
// against Apache WSS4J 1.6 (Debian libwss4j-java), an independent implementation: other
// language, other XML-DSig / XML-Enc engine (Apache Santuario). WSS4J has no STS, so both sides
// share a pre-established context (same wsc:Identifier, same 32-byte secret). For both WS-SC
// namespaces: what parley protects with derived keys verifies and decrypts in WSS4J, what WSS4J
// protects opens in parley, the HTTP service mode answers the echo contract, tampering and
// wrong keys fail on both sides, and every point where WSS4J departs from the specs is pinned
// down as documented behaviour (docs/interop/wss4j.md, findings W1-W7). Real processes:
// scripts/wss4j runs a JVM.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/core/names.h"
#include "harness/core/xml.h"
#include "harness/core/xmlsec.h"
#include "harness/transport/http.h"
#include "harness/transport/http_client.h"
#include "harness/wssc/envelope.h"
#include "harness/wssc/security.h"
#include "harness/wssc/tokens.h"
#include "tests/command.h"

namespace parley::wssc {
namespace {

using names::AddressingVersion;
using names::ScVersion;
using names::SoapVersion;
using names::WssFault;

const std::filesystem::path kRoot = PARLEY_SOURCE_DIR;

// The pre-shared context. The key has a zero byte and bytes with the high bit set on purpose.
constexpr std::string_view kIdentifier = "urn:uuid:6f1c2a9e-3b7d-4e59-9a21-0c8d5e4f7a13";
constexpr std::string_view kKeyHex =
    "00ff102132435465768798a9bacbdcedfe0f1e2d3c4b5a69788796a5b4c3d2e1";
// The echoed payload: a namespaced element with an attribute, a child and an escaped character.
constexpr std::string_view kEcho =
    R"(<e:Echo xmlns:e="urn:example:echo" e:n="1">hello &amp; <e:b>bye</e:b></e:Echo>)";

// --- processes ---------------------------------------------------------------------------------

using test_support::CommandResult;
using test_support::run_command;

std::string quote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::string wss4j(const std::string& args) {
  return (kRoot / "scripts" / "wss4j").string() + " " + args;
}

// The output lines of `verify` that start with `tag` ("SIGN", "DKT", ...).
std::vector<std::string> lines_with(const std::string& output, std::string_view tag) {
  std::vector<std::string> out;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(std::string(tag) + " ", 0) == 0) out.push_back(line);
  }
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// --- the shared context and messages -----------------------------------------------------------

struct Case {
  const char* name;
  Versions versions;
  const char* shim_version;  // the shim's --version
};

// Feb 2005 over SOAP 1.1 / WS-Addressing 2004/08 (a WCF custom binding) and 1.3 over SOAP 1.2 /
// WS-Addressing 1.0 (WS2007HttpBinding): both WS-SC namespaces and both SOAP versions.
const Case kCases[] = {
    {"Feb2005", Versions{SoapVersion::k1_1, AddressingVersion::k2004_08, ScVersion::kFeb2005},
     "05/02"},
    {"WsSc13", Versions{SoapVersion::k1_2, AddressingVersion::k1_0, ScVersion::k1_3}, "05/12"},
};

ContextKey shared_context(ScVersion v) {
  ContextKey c;
  c.sct.version = v;
  c.sct.identifier = std::string(kIdentifier);
  c.key = *hex_decode(kKeyHex);
  return c;
}

std::string canonical(const xmlNode* node) {
  auto c = xml::canonicalize(node);
  EXPECT_TRUE(c.ok()) << c.error().message();
  return c.ok() ? *c : std::string();
}

// The canonical form of the payload as parley writes it, to compare against what arrives.
std::string expected_payload() {
  xml::Document doc = new_envelope(SoapVersion::k1_2);
  auto payload = xml::append_fragment(envelope_body(doc), kEcho);
  EXPECT_TRUE(payload.ok());
  return canonical(*payload);
}

struct Request {
  xml::Document doc;
  std::vector<std::string> addressing_ids;  // Action, MessageID, To
};

// An unsecured request as WCF writes one: the addressing and utility namespaces declared on the
// Envelope (prefixes a and u), Action, MessageID, To (each with a wsu:Id), the Echo payload.
Request unsecured_request(const Versions& v) {
  Request r;
  r.doc = new_envelope(v.soap);
  xmlNewNs(r.doc.root(), xml::to_xml_chars(std::string(names::addressing(v.addressing).ns).c_str()),
           xml::to_xml_chars("a"));
  xmlNewNs(r.doc.root(), xml::to_xml_chars(std::string(names::ns::kWsu).c_str()),
           xml::to_xml_chars("u"));
  AddressingHeaders h{"urn:example:echo/Echo", new_uuid_urn(), "http://127.0.0.1/echo", "", ""};
  r.addressing_ids = add_addressing_headers(envelope_header(r.doc), v.addressing, h);
  EXPECT_TRUE(xml::append_fragment(envelope_body(r.doc), kEcho).ok());
  return r;
}

// What a receiver sees: the bytes, re-parsed.
xml::Document reparse(const std::string& wire) {
  auto doc = xml::parse(wire);
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().message());
  return doc.ok() ? std::move(doc).value() : xml::Document();
}

// GoogleTest's name for printing a parameter.
void PrintTo(const Case& c, std::ostream* os) {  // NOLINT(readability-identifier-naming)
  *os << c.name;
}

class Wss4jInterop : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(xmlsec::initialize().ok());
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "parley-wss4j-" + std::to_string(getpid()) + "-" + info->name();
    for (char& c : name) {
      if (c == '/') c = '-';
    }
    dir_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  const Versions& versions() const { return GetParam().versions; }
  ScVersion sc() const { return GetParam().versions.sc; }
  std::string sc_ns() const { return std::string(names::sc(sc()).ns); }

  std::string write(const std::string& name, std::string_view text) {
    auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  std::string read(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // parley protects a request; returns the wire bytes.
  std::string parley_protected(const ProtectOptions& options, const ContextKey& context) {
    Request r = unsecured_request(versions());
    auto info = secure_envelope(r.doc, context, options, r.addressing_ids);
    EXPECT_TRUE(info.ok()) << info.error().message();
    return xml::serialize(r.doc);
  }
  std::string parley_protected(bool encrypt) {
    ProtectOptions o;
    o.encrypt_body = encrypt;
    return parley_protected(o, shared_context(sc()));
  }

  CommandResult verify_in_wss4j(const std::string& wire, std::string_view identifier = kIdentifier,
                                std::string_view key_hex = kKeyHex) {
    const std::string file = write("to-wss4j.xml", wire);
    return run_command(wss4j("verify --sct-id " + quote(identifier) + " --key " + std::string(key_hex) +
                     " " + file));
  }

  // WSS4J protects an unsecured request; returns the wire bytes ("" when the shim failed).
  std::string wss4j_protected(const std::string& extra_args) {
    Request r = unsecured_request(versions());
    const std::string in = write("unsecured.xml", xml::serialize(r.doc));
    auto result = run_command(wss4j("protect --sct-id " + quote(kIdentifier) + " --key " +
                            std::string(kKeyHex) + " --version " + GetParam().shim_version + " " +
                            extra_args + " " + in + " " + path("from-wss4j.xml")));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result.exit_code == 0 ? read("from-wss4j.xml") : std::string();
  }

  std::filesystem::path dir_;
};

// --- a) parley protects, WSS4J verifies and decrypts -------------------------------------------

TEST_P(Wss4jInterop, ParleyProtectedMessagesVerifyAndDecryptInWss4j) {
  const std::string payload = expected_payload();
  for (bool encrypt : {false, true}) {
    SCOPED_TRACE(encrypt ? "signed and encrypted" : "signed");
    const std::string wire = parley_protected(encrypt);
    EXPECT_EQ(contains(wire, "hello"), !encrypt);  // the Body travels encrypted when asked
    auto result = verify_in_wss4j(wire);
    ASSERT_EQ(result.exit_code, 0) << result.output;

    // WSS4J resolved the SCT (by the callback for its Identifier) in the right namespace...
    auto scts = lines_with(result.output, "SCT");
    ASSERT_EQ(scts.size(), 1u) << result.output;
    EXPECT_TRUE(contains(scts[0], "ns=" + sc_ns() + " ")) << scts[0];
    EXPECT_TRUE(contains(scts[0], "identifier=" + std::string(kIdentifier))) << scts[0];
    // ...derived the keys parley's DKTs describe (24-byte signing key, 32-byte encryption key,
    // default label, 16-byte nonce)...
    auto dkts = lines_with(result.output, "DKT");
    ASSERT_EQ(dkts.size(), encrypt ? 2u : 1u) << result.output;
    EXPECT_TRUE(contains(dkts[0], "ns=" + sc_ns() + " ")) << dkts[0];
    EXPECT_TRUE(contains(dkts[0], "offset=0 length=24 label=(default) nonce-bytes=16")) << dkts[0];
    if (encrypt) {
      EXPECT_TRUE(contains(dkts[1], "offset=0 length=32 label=(default) nonce-bytes=16"))
          << dkts[1];
    }
    // ...verified an HMAC-SHA1 signature over the Timestamp, the Body and the addressing headers...
    auto signs = lines_with(result.output, "SIGN");
    ASSERT_EQ(signs.size(), 1u) << result.output;
    EXPECT_TRUE(contains(signs[0], "http://www.w3.org/2000/09/xmldsig#hmac-sha1")) << signs[0];
    for (const char* part : {"=Timestamp", "=Body", "=Action", "=MessageID", "=To"}) {
      EXPECT_TRUE(contains(signs[0], part)) << part << " not signed: " << signs[0];
    }
    // ...decrypted the Body content with the encryption DKT's key...
    auto encs = lines_with(result.output, "ENCR");
    ASSERT_EQ(encs.size(), encrypt ? 1u : 0u) << result.output;
    if (encrypt) {
      EXPECT_TRUE(contains(encs[0], "=Body(content) http://www.w3.org/2001/04/xmlenc#aes256-cbc"))
          << encs[0];
    }
    // ...and the Body it ends up with is the payload parley sent, byte for byte in C14N.
    auto body = lines_with(result.output, "BODY");
    ASSERT_EQ(body.size(), 1u) << result.output;
    EXPECT_EQ(body[0], "BODY " + payload);
  }
}

// The SCT referenced by Identifier instead of carried in the header (how a WCF service answers).
TEST_P(Wss4jInterop, ParleyIdentifierReferenceVerifiesInWss4j) {
  ProtectOptions o;
  o.include_sct = false;
  o.encrypt_body = true;
  auto result = verify_in_wss4j(parley_protected(o, shared_context(sc())));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(lines_with(result.output, "SCT").empty()) << result.output;
  EXPECT_EQ(lines_with(result.output, "DKT").size(), 2u) << result.output;
  EXPECT_EQ(lines_with(result.output, "BODY"),
            std::vector<std::string>{"BODY " + expected_payload()});
}

// --- b) WSS4J protects, parley opens -----------------------------------------------------------

TEST_P(Wss4jInterop, Wss4jProtectedMessagesOpenInParley) {
  const std::string payload = expected_payload();
  struct Variant {
    const char* name;
    const char* args;
    bool encrypted;
    bool embedded_sct;
    std::size_t encryption_key_bytes;
  } variants[] = {
      {"signed, SCT embedded", "", false, true, 0},
      {"signed and encrypted (AES-256), SCT embedded", "--encrypt", true, true, 32},
      {"signed and encrypted (AES-128), SCT by Identifier",
       "--encrypt --enc-alg aes128 --reference identifier", true, false, 16},
  };
  for (const Variant& variant : variants) {
    SCOPED_TRACE(variant.name);
    const std::string wire = wss4j_protected(variant.args);
    ASSERT_FALSE(wire.empty());
    EXPECT_EQ(contains(wire, "hello"), !variant.encrypted);
    xml::Document doc = reparse(wire);
    SingleContextResolver resolver(shared_context(sc()));
    auto opened = open_envelope(doc, resolver);
    ASSERT_TRUE(opened.ok()) << opened.error().message() << "\n" << wire;

    EXPECT_TRUE(opened->signed_with_derived_key);
    EXPECT_EQ(opened->context.sct.identifier, kIdentifier);
    EXPECT_EQ(opened->body_was_encrypted, variant.encrypted);
    // The DKTs parsed (schema order, limits) and describe what WSS4J derived: signing key 24
    // bytes, Offset 0 written before Length (SC-7-01), no Label (the default), a 16-byte nonce.
    ASSERT_EQ(opened->dkts.size(), variant.encrypted ? 2u : 1u);
    for (const DerivedKeyToken& dkt : opened->dkts) {
      EXPECT_EQ(dkt.version, sc());
      EXPECT_EQ(dkt.offset, std::optional<std::uint64_t>(0));
      EXPECT_FALSE(dkt.generation.has_value());
      EXPECT_FALSE(dkt.label.has_value());
      ASSERT_TRUE(dkt.nonce.has_value());
      EXPECT_EQ(dkt.nonce->size(), 16u);
      EXPECT_TRUE(dkt.algorithm.empty());
      ASSERT_TRUE(dkt.str.has_value());
      if (variant.embedded_sct) {
        EXPECT_TRUE(dkt.str->local_id().has_value()) << dkt.str->uri;
      } else {
        EXPECT_EQ(dkt.str->uri, kIdentifier);
      }
      EXPECT_EQ(dkt.str->value_type, names::sc(sc()).sct_token_type);
    }
    // open_envelope records the DKTs in the order it used them: decryption (ReferenceList
    // first), then the signature.
    const DerivedKeyToken& signing = opened->dkts.back();
    EXPECT_EQ(signing.length, std::optional<std::uint64_t>(24));
    if (variant.encrypted) {
      EXPECT_EQ(opened->dkts.front().length,
                std::optional<std::uint64_t>(variant.encryption_key_bytes));
    }
    // The signature covered the Timestamp, the Body and the three addressing headers.
    ASSERT_TRUE(opened->timestamp.has_value());
    const auto& covered = opened->covered_ids;
    EXPECT_EQ(covered.size(), 5u);
    EXPECT_NE(std::find(covered.begin(), covered.end(), opened->timestamp->wsu_id), covered.end());
    EXPECT_NE(std::find(covered.begin(), covered.end(), wsu_id(opened->envelope.body)),
              covered.end());
    // The Body is the payload that went in.
    ASSERT_NE(opened->envelope.body_child, nullptr);
    EXPECT_EQ(canonical(opened->envelope.body_child), payload);
  }
}

// --- c) negative controls, both ways -----------------------------------------------------------

TEST_P(Wss4jInterop, Wss4jRefusesTamperedParleyMessagesAndWrongKeys) {
  const std::string fault_check = "{" + std::string(names::ns::kWsse) + "}FailedCheck";
  // A changed Body after signing.
  std::string wire = parley_protected(false);
  const auto at = wire.find("hello");
  ASSERT_NE(at, std::string::npos);
  std::string tampered = wire;
  tampered.replace(at, 5, "HELLO");
  auto result = verify_in_wss4j(tampered);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "REFUSED " + fault_check)) << result.output;
  // The untampered message still verifies (the control itself is sound).
  EXPECT_EQ(verify_in_wss4j(wire).exit_code, 0);

  // Another secret for the same Identifier: the signature fails (and decryption, when encrypted).
  std::string wrong_key(kKeyHex);
  wrong_key[0] = '1';
  for (bool encrypt : {false, true}) {
    auto wrong = verify_in_wss4j(parley_protected(encrypt), kIdentifier, wrong_key);
    EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
    EXPECT_TRUE(contains(wrong.output, "REFUSED " + fault_check)) << wrong.output;
  }
  // A context WSS4J has no key for.
  auto unknown = verify_in_wss4j(wire, "urn:uuid:00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_TRUE(contains(unknown.output, "REFUSED ")) << unknown.output;
}

TEST_P(Wss4jInterop, ParleyRefusesTamperedWss4jMessagesAndWrongKeys) {
  const std::string failed_check = clark(names::wss_fault(WssFault::kFailedCheck));
  const std::string wire = wss4j_protected("");
  ASSERT_FALSE(wire.empty());
  {
    std::string tampered = wire;
    const auto at = tampered.find("hello");
    ASSERT_NE(at, std::string::npos);
    tampered.replace(at, 5, "HELLO");
    xml::Document doc = reparse(tampered);
    SingleContextResolver resolver(shared_context(sc()));
    auto opened = open_envelope(doc, resolver);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().fault(), failed_check) << opened.error().message();
  }
  {
    ContextKey wrong = shared_context(sc());
    wrong.key[5] ^= 0x80;
    xml::Document doc = reparse(wire);
    SingleContextResolver resolver(wrong);
    auto opened = open_envelope(doc, resolver);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().fault(), failed_check) << opened.error().message();
  }
  {
    ContextKey other = shared_context(sc());
    other.sct.identifier = "urn:uuid:00000000-0000-4000-8000-000000000000";
    xml::Document doc = reparse(wire);
    SingleContextResolver resolver(other);
    auto opened = open_envelope(doc, resolver);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().fault(),
              clark(names::sc_fault(sc(), names::ScFault::kBadContextToken)));
  }
  {
    // Encrypted: a wrong key fails at decryption already.
    const std::string encrypted = wss4j_protected("--encrypt");
    ASSERT_FALSE(encrypted.empty());
    ContextKey wrong = shared_context(sc());
    wrong.key[31] ^= 0x01;
    xml::Document doc = reparse(encrypted);
    SingleContextResolver resolver(wrong);
    auto opened = open_envelope(doc, resolver);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().fault(), failed_check) << opened.error().message();
  }
  // The untampered message opens (the controls above fail for the reason given).
  xml::Document doc = reparse(wire);
  SingleContextResolver resolver(shared_context(sc()));
  EXPECT_TRUE(open_envelope(doc, resolver).ok());
}

// --- d) the HTTP service mode ------------------------------------------------------------------

// `scripts/wss4j serve` as a child process on a kernel-chosen loopback port. The child exits
// when its stdin closes, so it never outlives the test, even when the test dies.
class ShimService {
 public:
  explicit ShimService(const std::string& shim_version) {
    int in[2];
    int out[2];
    if (pipe(in) != 0) return;
    if (pipe(out) != 0) {
      close(in[0]);
      close(in[1]);
      return;
    }
    const std::string script = (kRoot / "scripts" / "wss4j").string();
    const std::string key(kKeyHex);
    const std::string id(kIdentifier);
    pid_ = fork();
    if (pid_ < 0) {
      for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
      return;
    }
    if (pid_ == 0) {
      dup2(in[0], STDIN_FILENO);
      dup2(out[1], STDOUT_FILENO);
      close(in[0]);
      close(in[1]);
      close(out[0]);
      close(out[1]);
      execl(script.c_str(), script.c_str(), "serve", "--port", "0", "--sct-id", id.c_str(), "--key",
            key.c_str(), "--version", shim_version.c_str(), "--exit-on-stdin-eof",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    // Wait for "listening on http://127.0.0.1:PORT/" (a safety bound, not a timing check).
    std::string seen;
    const std::string marker = "listening on http://127.0.0.1:";
    auto complete = [&] {
      const auto at = seen.find(marker);
      return at != std::string::npos && seen.find('\n', at) != std::string::npos;
    };
    while (!complete()) {
      pollfd p{stdout_, POLLIN, 0};
      if (poll(&p, 1, 120000) <= 0) break;
      char buf[256];
      const ssize_t n = ::read(stdout_, buf, sizeof(buf));
      if (n <= 0) break;
      seen.append(buf, static_cast<std::size_t>(n));
    }
    banner_ = seen;
    const auto at = seen.find(marker);
    if (at != std::string::npos) {
      const char* digits = seen.c_str() + at + marker.size();
      std::from_chars(digits, seen.c_str() + seen.size(), port_);
    }
  }

  ~ShimService() {
    if (pid_ > 0 && !stopped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdin_ >= 0) close(stdin_);
    if (stdout_ >= 0) close(stdout_);
  }
  ShimService(const ShimService&) = delete;
  ShimService& operator=(const ShimService&) = delete;

  int port() const { return port_; }
  const std::string& banner() const { return banner_; }

  // Closes the child's stdin and returns its exit status (-1 if it had to be killed).
  int stop() {
    if (pid_ <= 0) return -1;
    if (stdin_ >= 0) close(stdin_);
    stdin_ = -1;
    stopped_ = true;
    int status = 0;
    for (int i = 0; i < 1200; ++i) {  // safety bound: 120 s
      const pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  int port_ = 0;
  bool stopped_ = false;
  std::string banner_;
};

// POSTs a SOAP message with harness/transport's client (bounded in time and size).
Result<transport::HttpResponse> http_post(int port, const std::string& content_type,
                                          const std::string& body) {
  transport::HttpClient client;
  transport::HttpRequest request;
  request.method = "POST";
  request.headers.add("Content-Type", content_type);
  request.body = body;
  return client.send("http://127.0.0.1:" + std::to_string(port) + "/echo", request);
}

TEST_P(Wss4jInterop, Wss4jServiceAnswersTheEchoContract) {
  ShimService service(GetParam().shim_version);
  ASSERT_GT(service.port(), 0) << "no 'listening on' line: " << service.banner();
  const std::string content_type = versions().soap == SoapVersion::k1_2
                                       ? "application/soap+xml; charset=utf-8"
                                       : "text/xml; charset=utf-8";
  const std::string payload = expected_payload();
  const ContextKey context = shared_context(sc());

  for (bool encrypt : {false, true}) {
    SCOPED_TRACE(encrypt ? "signed and encrypted request" : "signed request");
    Request r = unsecured_request(versions());
    ProtectOptions o;
    o.encrypt_body = encrypt;
    ASSERT_TRUE(secure_envelope(r.doc, context, o, r.addressing_ids).ok());
    auto request_view = parse_envelope(r.doc);
    ASSERT_TRUE(request_view.ok());
    const AddressingHeaders sent = request_view->headers;

    auto reply = http_post(service.port(), content_type, xml::serialize(r.doc));
    ASSERT_TRUE(reply.ok()) << reply.error().message();
    ASSERT_EQ(reply->status, 200) << reply->body;
    EXPECT_EQ(reply->headers.get("Content-Type"), std::optional<std::string_view>(content_type));
    EXPECT_EQ(contains(reply->body, "hello"), !encrypt);  // encrypted back when sent encrypted

    xml::Document response = reparse(reply->body);
    SingleContextResolver resolver(context);
    auto opened = open_envelope(response, resolver);
    ASSERT_TRUE(opened.ok()) << opened.error().message() << "\n" << reply->body;
    EXPECT_EQ(opened->envelope.soap, versions().soap);
    EXPECT_EQ(opened->envelope.addressing, std::optional<AddressingVersion>(versions().addressing));
    EXPECT_EQ(opened->envelope.headers.action, sent.action + "Response");
    EXPECT_EQ(opened->envelope.headers.relates_to, sent.message_id);
    EXPECT_TRUE(opened->signed_with_derived_key);
    EXPECT_EQ(opened->body_was_encrypted, encrypt);
    // The service names the context by its Identifier (SC-8-01), in the configured namespace.
    ASSERT_FALSE(opened->dkts.empty());
    ASSERT_TRUE(opened->dkts.back().str.has_value());
    EXPECT_EQ(opened->dkts.back().str->uri, kIdentifier);
    EXPECT_EQ(opened->dkts.back().version, sc());
    ASSERT_NE(opened->envelope.body_child, nullptr);
    EXPECT_EQ(canonical(opened->envelope.body_child), payload);
  }

  // A tampered request: HTTP 500 and a SOAP fault naming wsse:FailedCheck (SC-9-06 shape:
  // SOAP 1.2 Sender + Subcode, SOAP 1.1 faultcode).
  {
    Request r = unsecured_request(versions());
    ASSERT_TRUE(secure_envelope(r.doc, context, ProtectOptions{}, r.addressing_ids).ok());
    std::string wire = xml::serialize(r.doc);
    wire.replace(wire.find("hello"), 5, "HELLO");
    auto reply = http_post(service.port(), content_type, wire);
    ASSERT_TRUE(reply.ok()) << reply.error().message();
    EXPECT_EQ(reply->status, 500);
    xml::Document fault_doc = reparse(reply->body);
    auto view = parse_envelope(fault_doc);
    ASSERT_TRUE(view.ok()) << reply->body;
    auto fault = parse_fault(*view);
    ASSERT_TRUE(fault.ok()) << reply->body;
    EXPECT_TRUE(fault->specific() == names::wss_fault(WssFault::kFailedCheck)) << reply->body;
    if (versions().soap == SoapVersion::k1_2) {
      EXPECT_TRUE(fault->code == names::soap(SoapVersion::k1_2).sender);
    }
  }
  // A message keyed by another context: refused too.
  {
    ContextKey other = shared_context(sc());
    other.sct.identifier = "urn:uuid:00000000-0000-4000-8000-000000000000";
    Request r = unsecured_request(versions());
    ASSERT_TRUE(secure_envelope(r.doc, other, ProtectOptions{}, r.addressing_ids).ok());
    auto reply = http_post(service.port(), content_type, xml::serialize(r.doc));
    ASSERT_TRUE(reply.ok()) << reply.error().message();
    EXPECT_EQ(reply->status, 500) << reply->body;
  }
  EXPECT_EQ(service.stop(), 0);
}

// --- documented disagreements (docs/interop/wss4j.md) ------------------------------------------

// W1: WSS4J 1.6 signs a wsu:Timestamp whose DOM lacks the xmlns:wsu declaration when the
// envelope already binds the utility namespace to another prefix ("u", as WCF and parley
// write): the digest covers a canonical form no serialization reproduces. Without the shim's
// fix, nobody (WSS4J included) verifies WSS4J's own message. parley is right to refuse it.
TEST_P(Wss4jInterop, W1_Wss4jTimestampDigestWithoutNamespaceFixIsRefusedByEveryone) {
  const std::string wire = wss4j_protected("--keep-wss4j-timestamp-namespaces");
  ASSERT_FALSE(wire.empty());
  auto self = verify_in_wss4j(wire);
  EXPECT_EQ(self.exit_code, 1) << self.output;
  EXPECT_TRUE(contains(self.output, "FailedCheck")) << self.output;
  xml::Document doc = reparse(wire);
  SingleContextResolver resolver(shared_context(sc()));
  auto opened = open_envelope(doc, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().fault(), clark(names::wss_fault(WssFault::kFailedCheck)));
  EXPECT_TRUE(contains(opened.error().message(), "DigestValue")) << opened.error().message();
}

// A message signed by a DKT with Generation 1 (and Length 24): WS-SC section 7 puts the key at
// offset Generation x Length = 24. `key_offset` is where the signing key is actually taken.
std::string generation_message(const Versions& v, const ContextKey& context,
                               std::uint64_t key_offset) {
  Request r = unsecured_request(v);
  xmlNode* security = security_header(r.doc, true);
  const Timestamp ts = make_timestamp(Clock::now(), std::chrono::seconds(300));
  append_timestamp(security, ts);
  SecurityContextToken sct = context.sct;
  sct.wsu_id = new_wsu_id();
  EXPECT_TRUE(append_sct(security, sct).ok());
  DerivedKeyToken dkt;
  dkt.version = context.sct.version;
  dkt.wsu_id = new_wsu_id();
  dkt.str = SecurityTokenReference::to_id(sct.wsu_id, names::sc(dkt.version).sct_token_type);
  dkt.generation = 1;
  dkt.length = 24;
  dkt.nonce = *crypto::random_bytes(16);
  append_dkt(security, dkt);
  DerivedKeyToken at_offset = dkt;  // the same derivation, at an explicit offset
  at_offset.generation.reset();
  at_offset.offset = key_offset;
  auto key = at_offset.derive(context.key);
  EXPECT_TRUE(key.ok());
  xmlNode* body = envelope_body(r.doc);
  set_wsu_id(body, "_1");
  xmlsec::SignOptions sign;
  sign.reference_ids = {ts.wsu_id, "_1"};
  sign.reference_ids.insert(sign.reference_ids.end(), r.addressing_ids.begin(),
                            r.addressing_ids.end());
  xml::Document scratch = xml::new_document("urn:parley:scratch", "p", "KeyInfo");
  sign.key_info_content =
      append_str(scratch.root(),
                 SecurityTokenReference::to_id(dkt.wsu_id, names::sc(dkt.version).dk_token_type));
  EXPECT_TRUE(xmlsec::sign(r.doc, security, sign, xmlsec::SignatureKey::hmac(*key)).ok());
  return xml::serialize(r.doc);
}

// W2: WSS4J ignores wsc:Generation and derives at wsc:Offset (absent: 0). The spec (WS-SC 1.3
// section 7, SC-7-07) puts Generation g at offset g x Length; parley follows it. So a correct
// Generation message is refused by WSS4J, and a message keyed at offset 0 under Generation 1 is
// accepted by WSS4J and refused by parley.
TEST_P(Wss4jInterop, W2_Wss4jIgnoresGeneration) {
  const ContextKey context = shared_context(sc());
  const std::string spec = generation_message(versions(), context, 24);
  {
    xml::Document doc = reparse(spec);
    SingleContextResolver resolver(context);
    auto opened = open_envelope(doc, resolver);
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    ASSERT_EQ(opened->dkts.size(), 1u);
    EXPECT_EQ(opened->dkts[0].generation, std::optional<std::uint64_t>(1));
  }
  auto wss4j_on_spec = verify_in_wss4j(spec);
  EXPECT_EQ(wss4j_on_spec.exit_code, 1) << wss4j_on_spec.output;
  EXPECT_TRUE(contains(wss4j_on_spec.output, "FailedCheck")) << wss4j_on_spec.output;

  const std::string offset_zero = generation_message(versions(), context, 0);
  auto wss4j_on_zero = verify_in_wss4j(offset_zero);
  EXPECT_EQ(wss4j_on_zero.exit_code, 0) << wss4j_on_zero.output;
  xml::Document doc = reparse(offset_zero);
  SingleContextResolver resolver(context);
  auto opened = open_envelope(doc, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().fault(), clark(names::wss_fault(WssFault::kFailedCheck)));
}

// W3: the XSD declares DerivedKeyToken/@Algorithm unqualified; WSS4J reads it only in the wsc
// namespace, so an unqualified unknown algorithm is silently taken as P_SHA1. parley refuses
// it (SC-7-04, wsse:UnsupportedAlgorithm).
TEST_P(Wss4jInterop, W3_Wss4jIgnoresAnUnqualifiedUnknownAlgorithm) {
  ProtectOptions o;
  o.deviations.dkt.algorithm = "urn:example:p_md5";
  const std::string wire = parley_protected(o, shared_context(sc()));
  ASSERT_TRUE(contains(wire, R"(Algorithm="urn:example:p_md5")"));
  auto result = verify_in_wss4j(wire);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  xml::Document doc = reparse(wire);
  SingleContextResolver resolver(shared_context(sc()));
  auto opened = open_envelope(doc, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().fault(), clark(names::wss_fault(WssFault::kUnsupportedAlgorithm)));
  EXPECT_EQ(opened.error().requirement(), "SC-7-04");
}

// W4: WSS4J does not check the DKT child order; Length before Offset (against the XSD sequence,
// SC-7-01) is accepted. parley refuses it. WSS4J itself writes Offset before Length.
TEST_P(Wss4jInterop, W4_Wss4jAcceptsLengthBeforeOffset) {
  ProtectOptions o;
  o.deviations.dkt.length_before_offset = true;
  const std::string wire = parley_protected(o, shared_context(sc()));
  auto result = verify_in_wss4j(wire);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  xml::Document doc = reparse(wire);
  SingleContextResolver resolver(shared_context(sc()));
  auto opened = open_envelope(doc, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().requirement(), "SC-7-01");
}

// W5: a DKT without wsc:Nonce (the XSD makes it optional) is refused by WSS4J as by WCF and
// parley (SC-7-08, WCF-03): the three agree.
TEST_P(Wss4jInterop, W5_NonceIsMandatoryInWss4jToo) {
  ProtectOptions o;
  o.deviations.dkt.omit_nonce = true;
  auto result = verify_in_wss4j(parley_protected(o, shared_context(sc())));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "Missing wsc:Nonce")) << result.output;
}

// W6: WSS4J passes only the wsc:Identifier to its key callback; wsc:Instance (SC-2-04, SC-8-03)
// is ignored, so keys of two instances of one context cannot be told apart. The shim reports
// the Instance it saw, and WSS4J verifies with the key the Identifier maps to.
TEST_P(Wss4jInterop, W6_Wss4jIgnoresInstance) {
  ContextKey renewed = shared_context(sc());
  renewed.sct.instance = "urn:uuid:0a0b0c0d-0000-4000-8000-000000000002";
  auto result = verify_in_wss4j(parley_protected(ProtectOptions{}, renewed));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  auto scts = lines_with(result.output, "SCT");
  ASSERT_EQ(scts.size(), 1u) << result.output;
  EXPECT_TRUE(contains(scts[0], "instance-ignored=" + renewed.sct.instance)) << scts[0];
}

// W7: when the callback has no key for an SCT's Identifier, WSS4J asks again under the SCT's
// wsu:Id, a message-local name the sender picks. A context is named by its Identifier (SC-8-02,
// SC-8-04); parley resolves only that. Shown by telling the shim that the context is called
// like the SCT's wsu:Id: WSS4J then accepts a message whose SCT names another context.
TEST_P(Wss4jInterop, W7_Wss4jFallsBackToTheSctWsuIdAsAKeyName) {
  const std::string wire = parley_protected(false);
  xml::Document doc = reparse(wire);
  auto sct = xml::xpath_one(doc, "//wsse:Security/*[local-name()='SecurityContextToken']");
  ASSERT_TRUE(sct.ok()) << sct.error().message();
  const std::string local_name = wsu_id(*sct);
  ASSERT_FALSE(local_name.empty());

  auto unknown = verify_in_wss4j(wire, "urn:uuid:00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_EQ(lines_with(unknown.output, "KEY"),
            (std::vector<std::string>{"KEY " + std::string(kIdentifier), "KEY " + local_name}))
      << unknown.output;

  auto by_wsu_id = verify_in_wss4j(wire, local_name);
  EXPECT_EQ(by_wsu_id.exit_code, 0) << by_wsu_id.output;

  ContextKey misnamed = shared_context(sc());
  misnamed.sct.identifier = local_name;
  SingleContextResolver resolver(misnamed);
  auto opened = open_envelope(doc, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().fault(), clark(names::sc_fault(sc(), names::ScFault::kBadContextToken)));
}

INSTANTIATE_TEST_SUITE_P(BothNamespaces, Wss4jInterop, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           return std::string(param.param.name);
                         });

}  // namespace
}  // namespace parley::wssc
