// The capture format: exact binary bodies, bounded lines, truncation and bad records named by
// line, and the reader going on after a bad record.
#include "harness/capture/capture.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/transport/http_test_support.h"

namespace parley::capture {
namespace {

using transport::testing::TempDir;

std::string all_bytes() {
  std::string s;
  for (int b = 0; b < 256; ++b) s.push_back(static_cast<char>(b));
  return s + "\r\n\n\"\\";
}

Message request(std::uint64_t seq, std::string body) {
  Message m;
  m.exchange = seq;
  m.connection = 7;
  m.direction = Direction::kRequest;
  m.time = parse_time("2026-03-04T05:06:07.123456Z").value();
  m.start_line = "POST /service HTTP/1.1";
  m.headers.add("Host", "127.0.0.1:8080");
  m.headers.add("X-Dup", "one");
  m.headers.add("x-dup", "two");
  m.body = std::move(body);
  return m;
}

Message response(std::uint64_t seq) {
  Message m;
  m.exchange = seq;
  m.direction = Direction::kResponse;
  m.start_line = "HTTP/1.1 200 OK";
  m.headers.add("Set-Cookie", "a=1");
  m.headers.add("Set-Cookie", "b=2");
  m.body = "<ok/>";
  return m;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(CaptureTime, FormatsAndParsesMicroseconds) {
  auto t = parse_time("2026-03-04T05:06:07.123456Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(format_time(*t), "2026-03-04T05:06:07.123456Z");
  EXPECT_EQ(format_time(parse_time("2026-03-04T05:06:07Z").value()), "2026-03-04T05:06:07.000000Z");
  EXPECT_EQ(format_time(parse_time("2026-03-04T05:06:07.5+00:00").value()), "2026-03-04T05:06:07.500000Z");
  EXPECT_FALSE(parse_time("2026-03-04T05:06:07+01:00").ok());
  EXPECT_FALSE(parse_time("2026-02-30T05:06:07Z").ok());
  EXPECT_FALSE(parse_time("yesterday").ok());
}

TEST(CaptureFormat, RoundTripsBinaryBodiesHeadersAndMetadataExactly) {
  TempDir dir;
  const auto path = (dir.path() / "c.jsonl").string();
  Header h;
  h.origin = "record";
  h.client = "127.0.0.1:5000";
  h.server = "http://127.0.0.1:9000";
  h.notes = {"note one"};
  {
    auto w = CaptureWriter::create(path, h);
    ASSERT_TRUE(w.ok()) << w.error().message();
    Message rq = request(0, all_bytes());
    rq.level = Level::kService;
    rq.origin = "entries[0]";
    rq.notes = {"rebuilt"};
    ASSERT_TRUE((*w)->put_exchange(rq, response(0)).ok());
    EXPECT_EQ((*w)->messages(), 2u);
  }
  auto r = CaptureReader::open(path);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ((*r)->header().origin, "record");
  EXPECT_EQ((*r)->header().client, "127.0.0.1:5000");
  EXPECT_EQ((*r)->header().server, "http://127.0.0.1:9000");
  EXPECT_EQ((*r)->header().notes, std::vector<std::string>{"note one"});
  auto m1 = (*r)->next();
  ASSERT_TRUE(m1.ok()) << m1.error().message();
  ASSERT_TRUE(m1->has_value());
  const Message& a = **m1;
  EXPECT_EQ(a.body, all_bytes());
  EXPECT_EQ(a.body.size(), 261u);
  EXPECT_EQ(a.start_line, "POST /service HTTP/1.1");
  EXPECT_EQ(a.method(), "POST");
  EXPECT_EQ(a.target(), "/service");
  EXPECT_EQ(a.connection, 7u);
  EXPECT_EQ(a.level, Level::kService);
  EXPECT_EQ(a.origin, "entries[0]");
  EXPECT_EQ(a.notes, std::vector<std::string>{"rebuilt"});
  EXPECT_EQ(format_time(a.time), "2026-03-04T05:06:07.123456Z");
  ASSERT_EQ(a.headers.size(), 3u);
  EXPECT_EQ(a.headers.fields()[1], (transport::HttpHeaders::Field{"X-Dup", "one"}));
  EXPECT_EQ(a.headers.fields()[2], (transport::HttpHeaders::Field{"x-dup", "two"}));
  auto m2 = (*r)->next();
  ASSERT_TRUE(m2.ok() && m2->has_value());
  EXPECT_EQ((**m2).status(), 200);
  EXPECT_EQ((**m2).headers.get_all("Set-Cookie").size(), 2u);
  auto end = (*r)->next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
  EXPECT_EQ((*r)->line(), 3u);
}

TEST(CaptureFormat, TruncatedLastRecordIsAnErrorNamingItsLine) {
  TempDir dir;
  const auto path = (dir.path() / "c.jsonl").string();
  {
    auto w = CaptureWriter::create(path, Header{});
    ASSERT_TRUE((*w)->put(request(0, "abc")).ok());
    ASSERT_TRUE((*w)->put(request(1, "defgh")).ok());
  }
  std::string text = slurp(path);
  std::filesystem::resize_file(path, text.size() - 10);
  auto r = CaptureReader::open(path);
  ASSERT_TRUE(r.ok());
  auto first = (*r)->next();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((**first).body, "abc");
  auto second = (*r)->next();
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message().find("line 3"), std::string::npos) << second.error().message();
  EXPECT_NE(second.error().message().find("truncated"), std::string::npos) << second.error().message();
  auto end = (*r)->next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST(CaptureFormat, OversizeLineIsSkippedWithAnErrorAndReadingGoesOn) {
  TempDir dir;
  const auto path = (dir.path() / "c.jsonl").string();
  {
    auto w = CaptureWriter::create(path, Header{});
    ASSERT_TRUE((*w)->put(request(0, std::string(5000, 'x'))).ok());
    ASSERT_TRUE((*w)->put(request(1, "small")).ok());
  }
  ReaderLimits limits;
  limits.max_line_bytes = 1000;
  auto r = CaptureReader::open(path, limits);
  ASSERT_TRUE(r.ok()) << r.error().message();
  auto big = (*r)->next();
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(big.error().message().find("line 2"), std::string::npos) << big.error().message();
  EXPECT_NE(big.error().message().find("max_line_bytes 1000"), std::string::npos);
  auto small = (*r)->next();
  ASSERT_TRUE(small.ok()) << small.error().message();
  ASSERT_TRUE(small->has_value());
  EXPECT_EQ((**small).body, "small");
  EXPECT_EQ((*r)->line(), 3u);
}

TEST(CaptureFormat, BadRecordsAreNamedAndSkipped) {
  TempDir dir;
  const auto path = (dir.path() / "c.jsonl").string();
  std::ofstream(path) << encode(Header{}) << "\n"
                      << "not json\n"
                      << R"({"type":"message","direction":"sideways","start":"x"})" << "\n"
                      << R"({"type":"message","direction":"request","start":"GET / HTTP/1.1","body":"!!"})" << "\n"
                      << "\n"
                      << encode(request(4, "fine")) << "\n";
  auto r = CaptureReader::open(path);
  ASSERT_TRUE(r.ok());
  std::vector<std::string> errors;
  std::vector<std::string> bodies;
  for (;;) {
    auto m = (*r)->next();
    if (!m.ok()) {
      errors.push_back(m.error().message());
      continue;
    }
    if (!m->has_value()) break;
    bodies.push_back((**m).body);
  }
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].find("line 2"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("line 3"), std::string::npos) << errors[1];
  EXPECT_NE(errors[1].find("sideways"), std::string::npos) << errors[1];
  EXPECT_NE(errors[2].find("line 4"), std::string::npos) << errors[2];
  EXPECT_NE(errors[2].find("\"body\""), std::string::npos) << errors[2];
  EXPECT_EQ(bodies, std::vector<std::string>{"fine"});
}

TEST(CaptureFormat, RefusesOtherFormatsAndEmptyFiles) {
  TempDir dir;
  const auto empty = (dir.path() / "e.jsonl").string();
  std::ofstream(empty).flush();
  auto r = CaptureReader::open(empty);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("no capture header"), std::string::npos);
  const auto other = (dir.path() / "o.jsonl").string();
  std::ofstream(other) << R"({"type":"header","format":"parley-capture/9"})" << "\n";
  auto o = CaptureReader::open(other);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(o.error().message().find("parley-capture/9"), std::string::npos);
}

TEST(ExchangeAssembler, PairsRequestsWithResponsesAndBoundsPending) {
  std::vector<Exchange> out;
  ExchangeAssembler a([&](Exchange&& e) { out.push_back(std::move(e)); }, 2);
  ASSERT_TRUE(a.put(request(0, "r0")).ok());
  ASSERT_TRUE(a.put(request(1, "r1")).ok());
  ASSERT_TRUE(a.put(response(1)).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].index, 1u);
  EXPECT_EQ(out[0].request->body, "r1");
  ASSERT_TRUE(out[0].response.has_value());
  ASSERT_TRUE(a.put(request(2, "r2")).ok());
  ASSERT_TRUE(a.put(request(3, "r3")).ok());  // three waiting: r0, the oldest, is given up
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].index, 0u);
  EXPECT_FALSE(out[1].response.has_value());
  ASSERT_TRUE(a.put(response(9)).ok());  // a response without its request
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FALSE(out[2].request.has_value());
  a.finish();
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[3].index, 2u);
  EXPECT_EQ(out[4].index, 3u);
}

}  // namespace
}  // namespace parley::capture
