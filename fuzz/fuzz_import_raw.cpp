// Raw HTTP/1.x messages (harness/capture/importers.h): parse_http_message both ways, and the
// raw-directory importer over a directory holding the input as a request and as a response.
#include <filesystem>

#include "fuzz/capture_support.h"
#include "fuzz/fuzz_target.h"
#include "harness/capture/importers.h"

namespace parley::fuzz {
namespace {

void run(Input data) {
  CheckingSink sink;
  for (capture::Direction d : {capture::Direction::kRequest, capture::Direction::kResponse}) {
    if (auto m = capture::parse_http_message(as_text(data), d); m.ok()) (void)sink.put(*m);
  }
  static const std::string dir = [] {
    std::string made = scratch_dir() + "/raw";
    std::filesystem::create_directories(made);
    return made;
  }();
  write_scratch_file("raw/a.request.http", data);
  write_scratch_file("raw/a.response.http", data);
  capture::ImportReport report;
  (void)capture::import_raw_directory(dir, sink, report);
}

std::vector<std::string> seeds() {
  return {
      "POST /service HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/soap+xml\r\n"
      "Content-Length: 5\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.0 500 Internal Server Error\r\nSet-Cookie: FedAuth=abc; path=/\r\n\r\n<fault/>",
  };
}

}  // namespace
PARLEY_FUZZ_TARGET("import_raw", run, nullptr, seeds);
}  // namespace parley::fuzz
