// [MC-NBFX] decoder (harness/wif/nbfx.h), without and with the WIF session dictionary; also the
// dictionary file format, and the encoder on XML text: what it writes must decode again.
#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_target.h"
#include "harness/core/bytes.h"
#include "harness/wif/nbfx.h"
#include "harness/wif/session_token.h"

namespace parley::fuzz {
namespace {

namespace nbfx = wif::nbfx;

void run(Input data) {
  nbfx::DecodeOptions plain;
  if (auto decoded = nbfx::decode(data, plain); decoded.ok()) (void)nbfx::format_records(decoded->records);
  nbfx::DecodeOptions with_dictionary;
  with_dictionary.static_dictionary = &wif::session_dictionary();
  with_dictionary.unknown_ids = nbfx::UnknownIds::kPlaceholder;
  with_dictionary.local_utc_offset_minutes = -300;
  (void)nbfx::decode(data, with_dictionary);

  const std::string_view text = as_text(data);
  if (auto dictionary = nbfx::parse_dictionary_file(text); dictionary.ok()) {
    (void)nbfx::format_dictionary_file(*dictionary);
  }
  nbfx::EncodeOptions encode_options;
  encode_options.static_dictionary = &wif::session_dictionary();
  encode_options.infer_text_types = !data.empty() && (data[0] & 1) != 0;
  encode_options.dictionary_text = true;
  if (auto encoded = nbfx::encode(text, encode_options); encoded.ok()) {
    Result<nbfx::Decoded> back = nbfx::decode(*encoded, with_dictionary);
    if (!back.ok() && back.error().code() != ErrorCode::kLimitExceeded) {
      std::fprintf(stderr, "nbfx::encode wrote records decode refuses: %s\n", back.error().message().c_str());
      std::abort();
    }
  }
}

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  const char* documents[] = {
      "<a:Envelope xmlns:a='urn:e' xmlns='urn:d' attr='1'><Body>0</Body><b>true</b><c>12345</c>"
      "<d>urn:uuid:11111111-2222-4333-8444-555555555555</d><!--c--><e><![CDATA[x<y]]></e></a:Envelope>",
      "<SecurityContextToken xmlns='http://schemas.microsoft.com/ws/2006/05/security'><Version>1</Version>"
      "<SecureConversationVersion>http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512</SecureConversationVersion>"
      "<Id>_1</Id><ContextId>urn:uuid:11111111-2222-4333-8444-555555555555</ContextId><Key>AAECAw==</Key></SecurityContextToken>",
  };
  nbfx::EncodeOptions o;
  o.static_dictionary = &wif::session_dictionary();
  for (const char* doc : documents) {
    out.emplace_back(doc);
    for (bool infer : {false, true}) {
      o.infer_text_types = infer;
      if (auto bytes = nbfx::encode(doc, o); bytes.ok()) out.emplace_back(bytes->begin(), bytes->end());
    }
  }
  out.emplace_back("0x02 Address\n4 Envelope\n");
  return out;
}

}  // namespace
PARLEY_FUZZ_TARGET("nbfx", run, nullptr, seeds);
}  // namespace parley::fuzz
