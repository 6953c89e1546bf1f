// Importers: other people's recordings turned into capture messages (docs/capture-format.md).
// Each rejects a malformed record with a message naming it and goes on with the next one where
// that is safe; the findings about the whole input (stripped cookies, service-level messages)
// end up in the capture header's notes.
#pragma once

#include <string>
#include <vector>

#include "harness/capture/capture.h"

namespace parley::capture {

struct ImportReport {
  std::uint64_t messages = 0;       // messages handed to the sink
  std::vector<std::string> errors;  // one per rejected record, naming it
  std::vector<std::string> notes;   // about the whole input, for Header::notes
};

struct ImportLimits {
  std::size_t max_input_bytes = std::size_t{512} << 20;  // HAR: one JSON document, parsed whole
  std::size_t max_record_bytes = std::size_t{32} << 20;  // one svclog E2ETraceEvent / one raw file
  std::size_t max_errors = 1000;                         // then the import stops
};

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): each entry becomes a request and a
// response. Detects cookies a browser's sanitized export stripped.
Status import_har(const std::string& path, MessageSink& sink, ImportReport& report, const ImportLimits& limits = {});

// WCF message logs: a sequence of E2ETraceEvent fragments without a root element, each holding a
// MessageLogTraceRecord. TransportSend / TransportReceive are transport level; ServiceLevel* are
// level kService.
Status import_svclog(const std::string& path, MessageSink& sink, ImportReport& report,
                     const ImportLimits& limits = {});

// A directory of `<name>.request.<ext>` / `<name>.response.<ext>` files holding exact HTTP/1.x
// messages, one exchange per name, in sorted order of the names.
Status import_raw_directory(const std::string& path, MessageSink& sink, ImportReport& report,
                            const ImportLimits& limits = {});

// Parses one exact HTTP/1.x message (start line, fields, body; chunked bodies are decoded).
Result<Message> parse_http_message(std::string_view bytes, Direction direction);

// The kind of input at `path`: "capture", "har", "svclog", "raw" (a directory), or an error.
Result<std::string> detect_input_kind(const std::string& path);

// Imports any supported input into `sink` (a capture is read as it is).
Status import_any(const std::string& path, MessageSink& sink, ImportReport& report, Header* header = nullptr,
                  const ImportLimits& limits = {});

}  // namespace parley::capture
