#include "fuzz/xml_support.h"

#include "harness/core/bytes.h"

namespace parley::fuzz {

wssc::ContextKey fixed_context(names::ScVersion version) {
  wssc::ContextKey c;
  c.sct.version = version;
  c.sct.identifier = "urn:uuid:11111111-2222-4333-8444-555555555555";
  c.sct.wsu_id = "sct-1";
  c.key = hex_decode("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f").value();
  return c;
}

wssc::Clock::time_point fixed_now() {
  return wssc::Clock::time_point(std::chrono::seconds(1767225600));  // 2026-01-01T00:00:00Z
}

std::vector<std::string> secured_envelope_seeds() {
  std::vector<std::string> out;
  for (names::ScVersion sc : {names::ScVersion::kFeb2005, names::ScVersion::k1_3}) {
    for (wssc::SoapVersion soap : names::kAllSoapVersions) {
      for (int variant = 0; variant < 4; ++variant) {
        wssc::ProtectOptions options;
        options.encrypt_body = variant == 1;
        options.derived_keys = variant != 2;
        options.include_sct = variant != 3;
        options.now = fixed_now();
        const wssc::ContextKey ctx = fixed_context(sc);
        xml::Document doc = wssc::new_envelope(soap);
        wssc::AddressingHeaders h{"urn:example:Echo", "urn:uuid:m1", "http://127.0.0.1:9/app", "", ""};
        auto ids = wssc::add_addressing_headers(wssc::envelope_header(doc), names::AddressingVersion::k1_0, h);
        xml::add_element(wssc::envelope_body(doc), "urn:example", "e", "Echo", "hello");
        if (wssc::secure_envelope(doc, ctx, options, ids).ok()) out.push_back(xml::serialize(doc));
      }
    }
  }
  return out;
}

}  // namespace parley::fuzz
