// The capture reader (harness/capture/capture.h): a parley-capture/1 JSON-lines file, read record
// by record past bad ones as `parley analyze` does; every message read must encode and read back.
#include "fuzz/capture_support.h"
#include "fuzz/fuzz_target.h"

namespace parley::fuzz {
namespace {

void run(Input data) {
  capture::ReaderLimits limits;
  limits.max_line_bytes = 1u << 20;
  (void)capture::decode_message(as_text(data), limits);
  const std::string path = write_scratch_file("in.jsonl", data);
  Result<std::unique_ptr<capture::CaptureReader>> reader = capture::CaptureReader::open(path, limits);
  if (!reader.ok()) return;
  CheckingSink sink;
  for (int records = 0; records < 10000; ++records) {
    Result<std::optional<capture::Message>> next = (*reader)->next();
    if (!next.ok()) continue;  // a bad record: the reader has moved past it
    if (!next->has_value()) break;
    (void)sink.put(**next);
  }
}

std::vector<std::string> seeds() {
  capture::Header h;
  h.created = "2026-01-01T00:00:00.000000Z";
  h.origin = "generated";
  capture::Message req;
  req.exchange = 1;
  req.start_line = "POST /service HTTP/1.1";
  req.headers.add("Content-Type", "application/soap+xml; charset=utf-8");
  req.body = "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body/></s:Envelope>";
  capture::Message resp = req;
  resp.direction = capture::Direction::kResponse;
  resp.start_line = "HTTP/1.1 200 OK";
  return {capture::encode(h) + "\n" + capture::encode(req) + "\n" + capture::encode(resp) + "\n"};
}

}  // namespace
PARLEY_FUZZ_TARGET("capture_reader", run, nullptr, seeds);
}  // namespace parley::fuzz
