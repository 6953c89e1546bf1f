#include "harness/core/vectors.h"

#include <gtest/gtest.h>

#include <fstream>

namespace parley::vectors {
namespace {

const std::filesystem::path kVectorDir = std::filesystem::path(PARLEY_SOURCE_DIR) / "vectors";

// The one test that walks every committed vector file: adding a vector never needs code.
TEST(Vectors, EveryCommittedFilePasses) {
  // Top level only: files under vectors/<layer>/ need that layer's algorithms (tests/vectors_all_test).
  auto reports = verify_directory(kVectorDir, /*recursive=*/false);
  ASSERT_TRUE(reports.ok()) << reports.error().message();
  ASSERT_GE(reports->size(), 3u);
  for (const auto& r : *reports) {
    EXPECT_GT(r.total, 0) << r.path;
    EXPECT_EQ(r.passed, r.total) << r.path;
    for (const auto& f : r.failures) {
      ADD_FAILURE() << r.path.filename() << " #" << f.id << " (" << f.comment << "): " << f.detail;
    }
  }
}

class VectorFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("parley-vectors-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& name, const std::string& body) {
    auto path = dir_ / name;
    std::ofstream(path) << body;
    return path;
  }
  std::filesystem::path dir_;
};

constexpr const char* kHead = R"({"schema": "parley-vectors/1", "algorithm": "P_SHA1", "header": [],
  "notes": {"F": "a flag"}, "sources": {"s": "test"}, "tests": [)";

TEST_F(VectorFileTest, MismatchIsReportedWithIdAndValues) {
  auto path = write("a.json", std::string(kHead) + R"(
    {"id": 7, "comment": "wrong on purpose", "flags": ["F"], "provenance": "s", "result": "valid",
     "inputs": {"secret": "00", "nonce": "01", "length": 4}, "expected": {"key": "00000000"}}]})");
  auto r = verify_file(path);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->total, 1);
  EXPECT_EQ(r->passed, 0);
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_EQ(r->failures[0].id, 7);
  EXPECT_NE(r->failures[0].detail.find("\"key\": expected \"00000000\", got \""), std::string::npos);
}

TEST_F(VectorFileTest, InvalidVectorMustBeRefusedWithTheNamedError) {
  auto path = write("b.json", std::string(kHead) + R"(
    {"id": 1, "comment": "accepted although marked invalid", "provenance": "s", "result": "invalid",
     "inputs": {"secret": "00", "nonce": "01"}, "expected": {}},
    {"id": 2, "comment": "refused with the named error", "provenance": "s", "result": "invalid",
     "inputs": {"secret": "00", "nonce": "01", "length": 0}, "expected": {"error": "at least 1 byte"}},
    {"id": 3, "comment": "refused, but for another reason", "provenance": "s", "result": "invalid",
     "inputs": {"secret": "00", "nonce": "01", "length": 0}, "expected": {"error": "no such words"}}]})");
  auto r = verify_file(path);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->passed, 1);
  ASSERT_EQ(r->failures.size(), 2u);
  EXPECT_EQ(r->failures[0].id, 1);
  EXPECT_NE(r->failures[0].detail.find("expected parley to refuse"), std::string::npos);
  EXPECT_EQ(r->failures[1].id, 3);
}

TEST_F(VectorFileTest, SchemaErrorsNameTheField) {
  struct Case {
    std::string body;
    std::string message;
  } cases[] = {
      {"not json", "not valid JSON"},
      {R"({"schema": "other/2"})", "unknown schema \"other/2\""},
      {std::string(kHead) + R"({"id": 1, "comment": "c", "provenance": "nope", "result": "valid", "inputs": {}}]})",
       "provenance \"nope\" is not described"},
      {std::string(kHead) + R"({"id": 1, "comment": "c", "provenance": "s", "result": "maybe", "inputs": {}}]})",
       "\"result\" must be valid, invalid or acceptable"},
      {std::string(kHead) + R"({"id": 1, "comment": "c", "flags": ["G"], "provenance": "s", "result": "valid", "inputs": {}}]})",
       "flag \"G\" is not explained"},
      {std::string(kHead) + R"({"id": 1, "comment": "c", "provenance": "s", "result": "valid", "inputs": {}, "expected": {"key": "00"}},
                               {"id": 1, "comment": "c", "provenance": "s", "result": "valid", "inputs": {}, "expected": {"key": "00"}}]})",
       "duplicate id"},
      {std::string(kHead) + R"({"id": 1, "comment": "c", "provenance": "s", "result": "invalid", "inputs": {"secret": "0", "nonce": "01"}}]})",
       "\"secret\": hex: odd number of hex digits"},
      {R"({"schema": "parley-vectors/1", "algorithm": "ROT13", "header": [], "notes": {}, "sources": {}, "tests": []})",
       "unknown algorithm \"ROT13\""},
  };
  for (const auto& c : cases) {
    auto r = verify_file(write("c.json", c.body));
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_NE(r.error().message().find(c.message), std::string::npos)
        << "got: " << r.error().message() << "\nwanted: " << c.message;
  }
}

TEST(Vectors, SupportedAlgorithms) {
  auto algs = supported_algorithms();
  for (const char* want : {"P_SHA1", "CK_PSHA1", "KBKDF_HMAC_SHA512", "C14N", "XMLDSIG_VERIFY"}) {
    EXPECT_NE(std::find(algs.begin(), algs.end(), want), algs.end()) << want;
  }
}

TEST(Vectors, MissingDirectoryIsNotFound) {
  auto r = verify_directory("/nonexistent/parley/vectors");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace parley::vectors
