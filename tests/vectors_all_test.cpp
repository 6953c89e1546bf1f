// Every vector file under vectors/, including each layer's subdirectory, with every layer's
// algorithms registered: what `parley vectors verify` checks, as one GoogleTest.
#include <gtest/gtest.h>

#include "harness/core/vectors.h"
#include "harness/wif/vectors.h"

namespace parley {
namespace {

TEST(AllVectors, EveryFilePasses) {
  wif::register_vector_algorithms();
  auto reports = vectors::verify_directory(std::filesystem::path(PARLEY_SOURCE_DIR) / "vectors");
  ASSERT_TRUE(reports.ok()) << reports.error().message();
  ASSERT_FALSE(reports->empty());
  for (const auto& r : *reports) {
    EXPECT_GT(r.total, 0) << r.path;
    EXPECT_EQ(r.passed, r.total) << r.path;
    for (const auto& f : r.failures) {
      ADD_FAILURE() << r.path << " #" << f.id << " (" << f.comment << "): " << f.detail;
    }
  }
}

}  // namespace
}  // namespace parley
