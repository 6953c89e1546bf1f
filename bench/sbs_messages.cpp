// Generates the side-by-side benchmark messages (bench/sbs_messages.h) with parley's reference
// client (harness/oracle/client.h) under a pre-shared SCT, as `parley client` talks to WSS4J.
#include "bench/sbs_messages.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "harness/capture/capture.h"
#include "harness/core/names.h"
#include "harness/core/xml.h"
#include "harness/oracle/client.h"
#include "harness/wssc/envelope.h"

namespace parley::bench {
namespace {

Error io_error(const std::string& what, const std::filesystem::path& path) {
  return Error(ErrorCode::kIo, what, path.string());
}

Status write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return io_error("cannot write the file", path);
  return ok_status();
}

oracle::Client reference_client() {
  oracle::ClientConfig cc;
  cc.bootstrap = oracle::Bootstrap::kPresharedSct;
  cc.preshared_identifier = std::string(kSbsIdentifier);
  cc.preshared_key = *hex_decode(kSbsKeyHex);
  cc.service_url = "http://127.0.0.1/echo";
  cc.action = "urn:parley:echo";
  // No transport: the client only builds messages here.
  return oracle::Client(cc, [](const std::string&, const oracle::SoapRequest&) -> Result<oracle::SoapResponse> {
    return Error(ErrorCode::kInvalidArgument, "the side-by-side generator sends nothing");
  });
}

// The unsecured form of a protected request: the same envelope without its wsse:Security header.
std::string without_security_header(const xml::Document& protected_doc) {
  auto copy = xml::parse(xml::serialize(protected_doc));
  xmlNode* security = wssc::security_header(*copy, false);
  if (security != nullptr) {
    xmlUnlinkNode(security);
    xmlFreeNode(security);
  }
  return xml::serialize(*copy);
}

capture::Micros now_micros() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(capture::Clock::now());
}

}  // namespace

std::string sbs_body(std::size_t bytes) {
  const std::string head = "<e:Echo xmlns:e=\"urn:example\">";
  const std::string tail = "</e:Echo>";
  const std::size_t fill = bytes > head.size() + tail.size() ? bytes - head.size() - tail.size() : 0;
  return head + std::string(fill, 'x') + tail;
}

wssc::ContextKey sbs_context() {
  wssc::ContextKey c;
  c.sct.version = names::ScVersion::k1_3;
  c.sct.identifier = std::string(kSbsIdentifier);
  c.key = *hex_decode(kSbsKeyHex);
  return c;
}

wssc::ProtectOptions sbs_protect_options(bool encrypt) {
  oracle::Client client = reference_client();
  wssc::ProtectOptions o = client.protect_options();
  o.encrypt_body = encrypt;
  o.timestamp_validity = std::chrono::hours(24);
  return o;
}

std::vector<std::string> header_ids(const xml::Document& unsecured) {
  std::vector<std::string> ids;
  xmlNode* header = wssc::envelope_header(unsecured);
  if (header == nullptr) return ids;
  for (xmlNode* h : xml::child_elements(header)) {
    auto id = xml::attribute(h, names::ns::kWsu, "Id");
    if (id.found) ids.push_back(id.value);
  }
  return ids;
}

Result<SbsSet> write_sbs_messages(const std::filesystem::path& dir, const SbsOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("cannot create the directory: " + ec.message(), dir);
  SbsSet set;
  set.dir = dir;
  oracle::Client client = reference_client();
  PARLEY_TRY(client.issue());
  const wssc::ContextKey& context = *client.context();
  nlohmann::json manifest = {{"identifier", std::string(kSbsIdentifier)},
                             {"key_hex", std::string(kSbsKeyHex)},
                             {"shim_version", std::string(kSbsShimVersion)},
                             {"messages", nlohmann::json::array()}};
  for (std::size_t size : options.body_sizes) {
    SbsMessage m;
    m.size_name = size % 1024 == 0 ? std::to_string(size / 1024) + "k" : std::to_string(size);
    m.body_bytes = size;
    const std::string body = sbs_body(size);
    PARLEY_ASSIGN_OR_RETURN(xml::Document signed_doc,
                            client.application_request(body, context, sbs_protect_options(false)));
    PARLEY_ASSIGN_OR_RETURN(xml::Document encrypted_doc,
                            client.application_request(body, context, sbs_protect_options(true)));
    m.unsecured = dir / ("unsecured-" + m.size_name + ".xml");
    m.signed_only = dir / ("signed-" + m.size_name + ".xml");
    m.encrypted = dir / ("encrypted-" + m.size_name + ".xml");
    PARLEY_TRY(write_file(m.unsecured, without_security_header(signed_doc)));
    PARLEY_TRY(write_file(m.signed_only, xml::serialize(signed_doc)));
    PARLEY_TRY(write_file(m.encrypted, xml::serialize(encrypted_doc)));
    manifest["messages"].push_back({{"size", m.size_name},
                                    {"body_bytes", size},
                                    {"unsecured", m.unsecured.filename().string()},
                                    {"signed", m.signed_only.filename().string()},
                                    {"encrypted", m.encrypted.filename().string()}});
    set.messages.push_back(std::move(m));
  }

  if (options.cold_messages > 0) {
    const std::filesystem::path cold = dir / "cold";
    std::filesystem::create_directories(cold, ec);
    if (ec) return io_error("cannot create the directory: " + ec.message(), cold);
    set.cold_capture = cold / "capture.jsonl";
    capture::Header header;
    header.created = capture::format_time(now_micros());
    header.origin = "generated";
    header.notes = {"bench/sbs_messages.cpp: cold-start set, one signed 1 KB request per exchange"};
    PARLEY_ASSIGN_OR_RETURN(auto writer, capture::CaptureWriter::create(set.cold_capture.string(), header));
    const std::string body = sbs_body(1u << 10);
    for (std::size_t i = 0; i < options.cold_messages; ++i) {
      // Each message fresh (its own MessageID, nonces, Timestamp): nothing can be cached.
      PARLEY_ASSIGN_OR_RETURN(xml::Document doc, client.application_request(body, context, sbs_protect_options(false)));
      const std::string wire = xml::serialize(doc);
      char name[32];
      std::snprintf(name, sizeof name, "%04zu.xml", i);
      set.cold.push_back(cold / name);
      PARLEY_TRY(write_file(set.cold.back(), wire));
      capture::Message request;
      request.exchange = i;
      request.connection = 1;
      request.direction = capture::Direction::kRequest;
      request.time = now_micros();
      request.start_line = "POST /echo HTTP/1.1";
      request.headers = {{"Host", "127.0.0.1"},
                         {"Content-Type", "application/soap+xml; charset=utf-8"},
                         {"Content-Length", std::to_string(wire.size())}};
      request.body = wire;
      request.url = "http://127.0.0.1/echo";
      capture::Message response;
      response.exchange = i;
      response.connection = 1;
      response.direction = capture::Direction::kResponse;
      response.time = request.time;
      response.start_line = "HTTP/1.1 202 Accepted";
      response.headers = {{"Content-Length", "0"}};
      PARLEY_TRY(writer->put_exchange(request, response));
    }
    PARLEY_TRY(writer->close());
    manifest["cold"] = {{"dir", "cold"}, {"count", options.cold_messages}, {"capture", "cold/capture.jsonl"}};
  }

  set.keys_toml = dir / "keys.toml";
  PARLEY_TRY(write_file(set.keys_toml, "# The side-by-side set's pre-shared context (bench/sbs_messages.h)\n[[context]]\n"
                                       "identifier = \"" + std::string(kSbsIdentifier) + "\"\nkey = \"" +
                                           std::string(kSbsKeyHex) + "\"\n"));
  set.context_json = dir / "manifest.json";
  PARLEY_TRY(write_file(set.context_json, manifest.dump(2) + "\n"));
  return set;
}

}  // namespace parley::bench
