// Tests of the RocksDB key layout.
#include "adapters/rocks/keys.h"

#include <gtest/gtest.h>

namespace quorum::adapters::rocks {
namespace {

TEST(LogKey, SortsLikeTheIndex) {
  EXPECT_EQ(log_key(42), "log/00000000000000000042");
  EXPECT_LT(log_key(9), log_key(10));
  EXPECT_LT(log_key(UINT64_MAX - 1), log_key(UINT64_MAX));
  EXPECT_LT(log_key(UINT64_MAX), log_key_end());
  EXPECT_GT(log_key(0), std::string(kLogPrefix));
}

TEST(LogKey, ParsesOnlyWellFormedKeys) {
  EXPECT_EQ(parse_log_key(log_key(42)), 42u);
  EXPECT_EQ(parse_log_key(log_key(UINT64_MAX)), UINT64_MAX);
  EXPECT_FALSE(parse_log_key("log/42").has_value());
  EXPECT_FALSE(parse_log_key("log/0000000000000000004x").has_value());
  EXPECT_FALSE(parse_log_key("lag/00000000000000000042").has_value());
  EXPECT_FALSE(parse_log_key("log/99999999999999999999").has_value());  // > UINT64_MAX
}

}  // namespace
}  // namespace quorum::adapters::rocks
