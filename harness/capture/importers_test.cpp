// Importers: good input becomes the expected messages; malformed records are named and skipped.
#include "harness/capture/importers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/transport/http_test_support.h"

namespace parley::capture {
namespace {

using transport::testing::TempDir;
using namespace std::string_view_literals;

struct Collect : MessageSink {
  std::vector<Message> messages;
  Status put(const Message& m) override {
    messages.push_back(m);
    return ok_status();
  }
};

void write(const std::filesystem::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

bool contains(const std::vector<std::string>& v, std::string_view needle) {
  for (const auto& s : v) {
    if (s.find(needle) != std::string::npos) return true;
  }
  return false;
}

// --- HAR ----------------------------------------------------------------------------------------

constexpr std::string_view kHar = R"({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"},
 "entries": [
  {"startedDateTime": "2026-03-04T05:06:07.000Z", "time": 12.5,
   "request": {"method": "GET", "url": "https://rp.example/app/secure/?x=1", "httpVersion": "HTTP/1.1",
               "headers": [{"name": "Host", "value": "rp.example"}], "cookies": [], "queryString": [],
               "headersSize": -1, "bodySize": 0},
   "response": {"status": 302, "statusText": "Found", "httpVersion": "HTTP/1.1",
                "headers": [{"name": "Location", "value": "https://sts.example/?wa=wsignin1.0"}], "cookies": [],
                "content": {"size": 0, "mimeType": "text/html", "text": ""}, "redirectURL": "", "headersSize": -1,
                "bodySize": 0}},
  {"startedDateTime": "not a date", "request": {}, "response": {}},
  {"startedDateTime": "2026-03-04T05:06:08.000Z", "time": 3,
   "request": {"method": "POST", "url": "https://rp.example/app/", "httpVersion": "HTTP/1.1",
               "headers": [], "cookies": [],
               "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "wa=wsignin1.0&wresult=x"}},
   "response": {"status": 302, "statusText": "Found", "httpVersion": "HTTP/1.1", "headers": [],
                "cookies": [{"name": "FedAuth", "value": "abc", "path": "/app/", "httpOnly": true, "secure": true}],
                "content": {"size": 4, "mimeType": "application/octet-stream", "text": "AAEC/w==", "encoding": "base64"}}},
  {"startedDateTime": "2026-03-04T05:06:09.000Z",
   "request": {"method": "GET", "url": "/relative", "headers": []},
   "response": {"status": 200, "headers": []}}
 ]}})";

TEST(HarImporter, ImportsEntriesRebuildsStrippedCookiesAndNamesBadEntries) {
  TempDir dir;
  const auto path = dir.path() / "flow.har";
  write(path, kHar);
  Collect sink;
  ImportReport report;
  ASSERT_TRUE(import_har(path.string(), sink, report).ok());
  ASSERT_EQ(sink.messages.size(), 4u);
  ASSERT_EQ(report.errors.size(), 2u);
  EXPECT_NE(report.errors[0].find("entries[1]"), std::string::npos) << report.errors[0];
  EXPECT_NE(report.errors[0].find("not a date"), std::string::npos) << report.errors[0];
  EXPECT_NE(report.errors[1].find("entries[3]"), std::string::npos) << report.errors[1];
  EXPECT_NE(report.errors[1].find("not absolute"), std::string::npos) << report.errors[1];

  const Message& get = sink.messages[0];
  EXPECT_EQ(get.start_line, "GET /app/secure/?x=1 HTTP/1.1");
  EXPECT_EQ(get.url, "https://rp.example/app/secure/?x=1");
  EXPECT_EQ(get.origin, "entries[0]");
  EXPECT_EQ(sink.messages[1].start_line, "HTTP/1.1 302 Found");
  EXPECT_EQ(format_time(sink.messages[1].time), "2026-03-04T05:06:07.012500Z");
  const Message& post = sink.messages[2];
  EXPECT_EQ(post.exchange, 2u);
  EXPECT_EQ(post.body, "wa=wsignin1.0&wresult=x");
  EXPECT_EQ(post.headers.get("Content-Type").value_or(""), "application/x-www-form-urlencoded");
  const Message& signed_in = sink.messages[3];
  EXPECT_EQ(signed_in.body, std::string("\x00\x01\x02\xff", 4));
  EXPECT_EQ(signed_in.headers.get("Set-Cookie").value_or(""), "FedAuth=abc; path=/app/; secure; HttpOnly");
  EXPECT_TRUE(contains(signed_in.notes, "stripped by the HAR export"));
  EXPECT_FALSE(contains(report.notes, "cookies stripped"));
}

TEST(HarImporter, SaysWhenTheExportStrippedEveryCookie) {
  TempDir dir;
  const auto path = dir.path() / "sanitized.har";
  write(path, R"({"log": {"version": "1.2", "entries": [
   {"startedDateTime": "2026-03-04T05:06:08Z",
    "request": {"method": "POST", "url": "https://rp.example/app/", "headers": [],
                "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "wresult=x"}},
    "response": {"status": 302, "headers": [{"name": "Location", "value": "/app/"}], "content": {"size": 0}}}]}})");
  Collect sink;
  ImportReport report;
  ASSERT_TRUE(import_har(path.string(), sink, report).ok());
  ASSERT_EQ(sink.messages.size(), 2u);
  EXPECT_TRUE(contains(report.notes, "cookies stripped: no entry has a Cookie or Set-Cookie header"));
  EXPECT_TRUE(contains(report.notes, "sign-in response (entry 0) sets no cookie"));
  EXPECT_TRUE(contains(sink.messages[1].notes, "body not saved"));
}

TEST(HarImporter, RejectsFilesThatAreNotHar) {
  TempDir dir;
  write(dir.path() / "a.har", "{\"nolog\": 1}");
  write(dir.path() / "b.har", "{ not json");
  Collect sink;
  ImportReport report;
  auto a = import_har((dir.path() / "a.har").string(), sink, report);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message().find("not a HAR file"), std::string::npos);
  auto b = import_har((dir.path() / "b.har").string(), sink, report);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message().find("not JSON"), std::string::npos);
}

// --- svclog -------------------------------------------------------------------------------------

std::string event(std::string_view source, std::string_view http, std::string_view envelope) {
  return std::string(R"(<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>0</EventID><Type>3</Type><TimeCreated SystemTime="2026-03-04T05:06:07.1234567Z" /><Source Name="System.ServiceModel.MessageLogging" /><Execution ProcessName="svc" ProcessID="1" ThreadID="2" /></System><ApplicationData><TraceData><DataItem><MessageLogTraceRecord Time="2026-03-04T05:06:07.1234567+00:00" Source=")") +
         std::string(source) +
         R"(" Type="System.ServiceModel.Channels.BufferedMessage" xmlns="http://schemas.microsoft.com/2004/06/ServiceModel/Management/MessageTrace">)" +
         std::string(http) + std::string(envelope) + "</MessageLogTraceRecord></DataItem></TraceData></ApplicationData></E2ETraceEvent>\r\n";
}

constexpr std::string_view kRequestEnvelope =
    R"(<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">urn:echo</a:Action><a:MessageID>urn:uuid:1</a:MessageID><a:To s:mustUnderstand="1">http://localhost:8080/service</a:To></s:Header><s:Body><Echo xmlns="urn:example">hi</Echo></s:Body></s:Envelope>)";
constexpr std::string_view kReplyEnvelope =
    R"(<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">urn:echoResponse</a:Action><a:RelatesTo>urn:uuid:1</a:RelatesTo></s:Header><s:Body><EchoResponse xmlns="urn:example">hi</EchoResponse></s:Body></s:Envelope>)";

TEST(SvclogImporter, ParsesFragmentsWithoutARootAndMarksServiceLevelMessages) {
  TempDir dir;
  const auto path = dir.path() / "app.svclog";
  write(path, event("TransportReceive",
                    "<HttpRequest><Method>POST</Method><QueryString></QueryString><WebHeaders><Content-Type>application/soap+xml; charset=utf-8</Content-Type><Host>localhost:8080</Host></WebHeaders></HttpRequest>",
                    kRequestEnvelope) +
                  event("TransportSend", "", kReplyEnvelope) +
                  "<E2ETraceEvent xmlns=\"http://schemas.microsoft.com/2004/06/E2ETraceEvent\"><broken></E2ETraceEvent>\n" +
                  event("ServiceLevelReceiveRequest", "", kRequestEnvelope));
  Collect sink;
  ImportReport report;
  ASSERT_TRUE(import_svclog(path.string(), sink, report).ok());
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].find("E2ETraceEvent 3"), std::string::npos) << report.errors[0];
  ASSERT_EQ(sink.messages.size(), 3u);
  const Message& rq = sink.messages[0];
  EXPECT_EQ(rq.direction, Direction::kRequest);
  EXPECT_EQ(rq.level, Level::kTransport);
  EXPECT_EQ(rq.start_line, "POST /service HTTP/1.1");
  EXPECT_EQ(rq.headers.get("Host").value_or(""), "localhost:8080");
  EXPECT_EQ(rq.origin, "E2ETraceEvent 1 (TransportReceive)");
  EXPECT_EQ(format_time(rq.time), "2026-03-04T05:06:07.123456Z");
  EXPECT_NE(rq.body.find("<s:Envelope"), std::string::npos);
  EXPECT_NE(rq.body.find("<Echo xmlns=\"urn:example\">hi</Echo>"), std::string::npos);
  EXPECT_EQ(rq.body.find("MessageLogTraceRecord"), std::string::npos);
  const Message& rs = sink.messages[1];
  EXPECT_EQ(rs.direction, Direction::kResponse);
  EXPECT_EQ(rs.exchange, rq.exchange);  // paired by RelatesTo
  EXPECT_EQ(rs.start_line, "HTTP/1.1 200");
  EXPECT_EQ(rs.headers.get("Content-Type").value_or(""), "application/soap+xml; charset=utf-8");
  const Message& service = sink.messages[2];
  EXPECT_EQ(service.level, Level::kService);
  EXPECT_NE(service.exchange, rq.exchange);
  EXPECT_TRUE(contains(report.notes, "1 service-level message(s)"));
}

TEST(SvclogImporter, NamesATruncatedLastRecordAndRefusesNonLogs) {
  TempDir dir;
  const auto path = dir.path() / "cut.svclog";
  const std::string full = event("TransportSend", "", kRequestEnvelope);
  write(path, full + full.substr(0, full.size() / 2));
  Collect sink;
  ImportReport report;
  ASSERT_TRUE(import_svclog(path.string(), sink, report).ok());
  EXPECT_EQ(sink.messages.size(), 1u);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].find("E2ETraceEvent 2: truncated"), std::string::npos) << report.errors[0];
  write(dir.path() / "x.svclog", "<root/>");
  auto bad = import_svclog((dir.path() / "x.svclog").string(), sink, report);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("not a WCF .svclog"), std::string::npos);
}

TEST(SvclogImporter, RefusesEntityTricksInsideARecord) {
  TempDir dir;
  const auto path = dir.path() / "dtd.svclog";
  write(path, "<!DOCTYPE x [<!ENTITY a \"b\">]>" + event("TransportSend", "", kRequestEnvelope) +
                  "<E2ETraceEvent xmlns=\"http://schemas.microsoft.com/2004/06/E2ETraceEvent\">&a;</E2ETraceEvent>");
  Collect sink;
  ImportReport report;
  ASSERT_TRUE(import_svclog(path.string(), sink, report).ok());
  EXPECT_EQ(sink.messages.size(), 1u);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].find("E2ETraceEvent 2"), std::string::npos);
}

// --- raw HTTP files -----------------------------------------------------------------------------

TEST(RawImporter, PairsFilesInSortedOrderAndNamesBadFiles) {
  TempDir dir;
  write(dir.path() / "02-call.request.http", "POST /service HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
  write(dir.path() / "02-call.response.http",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n2\r\n\x00\x01\r\n0\r\n\r\n"sv);
  write(dir.path() / "01-issue.request.txt", "POST /sts HTTP/1.1\nHost: h\n\n<x/>");
  write(dir.path() / "01-issue.response.txt", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
  write(dir.path() / "03-orphan.response.http", "HTTP/1.1 204 No Content\r\n\r\n");
  write(dir.path() / "README.md", "not an exchange");
  Collect sink;
  ImportReport report;
  ASSERT_TRUE(import_raw_directory(dir.path().string(), sink, report).ok());
  ASSERT_EQ(report.errors.size(), 2u);
  EXPECT_NE(report.errors[0].find("01-issue.response.txt"), std::string::npos) << report.errors[0];
  EXPECT_NE(report.errors[0].find("body truncated: Content-Length 10, 5 bytes present"), std::string::npos)
      << report.errors[0];
  EXPECT_NE(report.errors[1].find("03-orphan: response file without a request file"), std::string::npos)
      << report.errors[1];
  ASSERT_EQ(sink.messages.size(), 4u);  // the orphan response is kept, alone
  EXPECT_EQ(sink.messages[3].status(), 204);
  EXPECT_EQ(sink.messages[3].exchange, 2u);
  EXPECT_EQ(sink.messages[0].start_line, "POST /sts HTTP/1.1");
  EXPECT_EQ(sink.messages[0].body, "<x/>");
  EXPECT_EQ(sink.messages[0].exchange, 0u);
  EXPECT_EQ(sink.messages[1].body, "abc");
  EXPECT_EQ(sink.messages[1].origin, "02-call.request.http");
  EXPECT_EQ(sink.messages[2].exchange, 1u);
  EXPECT_EQ(sink.messages[2].body, std::string("xyz\x00\x01", 5));
  EXPECT_EQ(sink.messages[2].headers.get("Transfer-Encoding").value_or(""), "chunked");
}

TEST(RawImporter, ParsesMessagesStrictly) {
  EXPECT_FALSE(parse_http_message("GET / HTTP/1.1\r\nHost: h\r\n", Direction::kRequest).ok());
  EXPECT_FALSE(parse_http_message("HELLO\r\n\r\n", Direction::kRequest).ok());
  EXPECT_FALSE(parse_http_message("HTTP/1.1 abc\r\n\r\n", Direction::kResponse).ok());
  auto extra = parse_http_message("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab", Direction::kResponse);
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.error().message().find("1 bytes after the Content-Length 1 body"), std::string::npos);
  auto chunk = parse_http_message("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", Direction::kResponse);
  ASSERT_FALSE(chunk.ok());
  EXPECT_NE(chunk.error().message().find("bad chunk size"), std::string::npos);
}

TEST(DetectInputKind, TellsTheFormatsApart) {
  TempDir dir;
  write(dir.path() / "c", std::string(encode(Header{})) + "\n");
  write(dir.path() / "h", kHar);
  write(dir.path() / "s", event("TransportSend", "", kRequestEnvelope));
  write(dir.path() / "x", "hello");
  EXPECT_EQ(detect_input_kind((dir.path() / "c").string()).value(), "capture");
  EXPECT_EQ(detect_input_kind((dir.path() / "h").string()).value(), "har");
  EXPECT_EQ(detect_input_kind((dir.path() / "s").string()).value(), "svclog");
  EXPECT_EQ(detect_input_kind(dir.path().string()).value(), "raw");
  EXPECT_FALSE(detect_input_kind((dir.path() / "x").string()).ok());
}

}  // namespace
}  // namespace parley::capture
