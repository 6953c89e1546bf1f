// Captures: recorded HTTP exchanges in parley's own streamable format (docs/capture-format.md),
// written by `parley record` and the importers, read by `parley analyze`. JSON Lines: a header
// record, then one record per message. Neither writing nor reading ever holds more than one
// record in memory, and every line is bounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/error.h"
#include "harness/transport/http.h"

namespace parley::capture {

inline constexpr std::string_view kFormat = "parley-capture/1";

enum class Direction { kRequest, kResponse };
std::string_view to_string(Direction d);

// Where a message was taken. Transport: the bytes on the wire (recorded, HAR, raw files, WCF
// transport-level logs). Service: after the receiver's security processing and re-serialization
// (WCF ServiceLevel* logs), so signatures over it prove nothing (checks are NOT_APPLICABLE).
enum class Level { kTransport, kService };
std::string_view to_string(Level l);

using Clock = std::chrono::system_clock;
using Micros = std::chrono::time_point<Clock, std::chrono::microseconds>;

// RFC 3339 UTC with microseconds ("2026-01-02T03:04:05.123456Z"); parse also accepts fewer
// fraction digits and none.
std::string format_time(Micros t);
Result<Micros> parse_time(std::string_view text);

// One HTTP message.
struct Message {
  std::uint64_t exchange = 0;    // exchange sequence number: a request and its response share it
  std::uint64_t connection = 0;  // 0 = unknown
  Direction direction = Direction::kRequest;
  Micros time{};
  std::string start_line;        // "POST /service HTTP/1.1" or "HTTP/1.1 200 OK"
  transport::HttpHeaders headers;
  std::string body;              // exact bytes, without transfer coding
  Level level = Level::kTransport;
  std::string url;               // request: the absolute URL when known
  std::string origin;            // where an importer found it ("entries[3]", "E2ETraceEvent 7")
  std::vector<std::string> notes;

  // Request line / status line parts ("" / 0 when the start line does not have them).
  std::string method() const;
  std::string target() const;
  int status() const;
};

struct Header {
  std::string format = std::string(kFormat);
  std::string created;  // format_time of when the capture was made
  std::string origin;   // record | har | svclog | raw | generated
  std::string client;   // optional metadata: which side is the client ("127.0.0.1:40112", "browser")
  std::string server;   // optional: the service side ("https://host/app")
  std::vector<std::string> notes;  // importer findings about the whole input (stripped cookies ...)
};

// The JSON record of one message / the header, one line without the newline.
std::string encode(const Message& m);
std::string encode(const Header& h);

// Receives messages from importers and the recorder (a writer, the analyzer's assembler).
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  virtual Status put(const Message& m) = 0;
};

// Appends records to a file; thread-safe (the recorder writes from its worker threads). Each
// message is flushed, so a capture being recorded can be read while it grows.
class CaptureWriter : public MessageSink {
 public:
  static Result<std::unique_ptr<CaptureWriter>> create(const std::string& path, const Header& header);
  ~CaptureWriter() override;
  Status put(const Message& m) override;
  // Writes both messages of an exchange as adjacent lines (readers then hold no pending request).
  Status put_exchange(const Message& request, const Message& response);
  Status close();
  std::uint64_t messages() const;

 private:
  CaptureWriter() = default;
  Status write_line(const std::string& line);
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::string path_;
  std::uint64_t messages_ = 0;
};

struct ReaderLimits {
  std::size_t max_line_bytes = std::size_t{64} << 20;  // one record (a 4 MiB body is ~5.4 MiB)
  std::size_t max_headers = 1000;
};

// Reads a capture one record at a time. A bad record is an error naming its line; the reader has
// then moved past it, so the caller may report it and go on with next().
class CaptureReader {
 public:
  static Result<std::unique_ptr<CaptureReader>> open(const std::string& path, const ReaderLimits& limits = {});
  ~CaptureReader();
  const Header& header() const { return header_; }
  // The next message, nullopt at the end, or an error for this record.
  Result<std::optional<Message>> next();
  std::uint64_t line() const { return line_; }              // line number of the last record read
  std::uint64_t bytes_read() const { return bytes_read_; }  // for throughput

 private:
  CaptureReader() = default;
  // The next line: true when one was read, false at the end; errors for oversize / truncation.
  Result<bool> read_line(std::string& out);
  std::FILE* file_ = nullptr;
  std::string path_;
  ReaderLimits limits_;
  Header header_;
  std::uint64_t line_ = 0;
  std::uint64_t bytes_read_ = 0;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
};

Result<Message> decode_message(std::string_view line, const ReaderLimits& limits = {});

// A request and its response (either may be missing: a request never answered, a response whose
// request the capture lacks).
struct Exchange {
  std::uint64_t index = 0;  // exchange sequence number
  std::optional<Message> request;
  std::optional<Message> response;
};

// Pairs messages into exchanges in order, holding at most `max_pending` unanswered requests (the
// oldest is given up, unanswered, when more are waiting): memory stays bounded.
class ExchangeAssembler : public MessageSink {
 public:
  using Emit = std::function<void(Exchange&&)>;
  explicit ExchangeAssembler(Emit emit, std::size_t max_pending = 1024)
      : emit_(std::move(emit)), max_pending_(max_pending) {}
  Status put(const Message& m) override;
  Status put(Message&& m);
  void finish();  // emits every request still waiting

 private:
  Emit emit_;
  std::size_t max_pending_;
  std::map<std::uint64_t, Exchange> pending_;
  std::deque<std::uint64_t> order_;
};

}  // namespace parley::capture
