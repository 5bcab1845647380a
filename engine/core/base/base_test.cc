#include <gtest/gtest.h>

#include <string>

#include "engine/core/base/crc32c.h"
#include "engine/core/base/prng.h"
#include "engine/core/base/result.h"
#include "engine/core/base/status.h"

namespace quorum {
namespace {

// RFC 3720 appendix B.4 test vectors.
TEST(Crc32c, MatchesPublishedVectors) {
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
}

TEST(Crc32c, ExtendEqualsWhole) {
  EXPECT_EQ(crc32c_extend(crc32c("hello "), "world"), crc32c("hello world"));
}

// The 8-byte fast path must agree with the byte-wise definition at every length and alignment.
TEST(Crc32c, FastPathMatchesBytewiseAtEveryLengthAndSplit) {
  std::string data;
  for (int i = 0; i < 67; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  for (std::size_t len = 0; len <= data.size(); ++len) {
    const std::string_view whole(data.data(), len);
    std::uint32_t bytewise = 0;
    for (char ch : whole) bytewise = crc32c_extend(bytewise, std::string_view(&ch, 1));
    EXPECT_EQ(crc32c(whole), bytewise) << "len " << len;
    for (std::size_t split = 0; split <= len; split += 5) {
      EXPECT_EQ(crc32c_extend(crc32c(whole.substr(0, split)), whole.substr(split)), bytewise);
    }
  }
}

TEST(Prng, SameSeedSameSequence) {
  Prng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    differs |= x != c.next_u64();
  }
  EXPECT_TRUE(differs);
}

TEST(Prng, UniformStaysInRangeAndCoversIt) {
  Prng p(7);
  bool seen[10] = {};
  for (int i = 0; i < 1000; ++i) {
    const auto x = p.uniform(10, 20);
    ASSERT_GE(x, 10u);
    ASSERT_LT(x, 20u);
    seen[x - 10] = true;
  }
  for (bool s : seen) EXPECT_TRUE(s);
}

TEST(Prng, ForkDoesNotConsumeParent) {
  Prng a(5), b(5);
  Prng child = a.fork(1);
  EXPECT_EQ(a.next_u64(), b.next_u64());
  EXPECT_NE(child.next_u64(), a.fork(2).next_u64());
}

TEST(Status, ToStringNamesCodeAndMessage) {
  EXPECT_EQ(Status::ok().to_string(), "ok");
  EXPECT_EQ(Status::corruption("log/42: crc mismatch").to_string(),
            "corruption: log/42: crc mismatch");
}

TEST(Result, HoldsValueOrError) {
  Result<int> v(3);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, 3);
  Result<int> e(Status::not_found("x"));
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().code(), StatusCode::kNotFound);
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> e(Status::io_error("disk"));
  EXPECT_DEATH((void)e.value(), "io error: disk");
}

}  // namespace
}  // namespace quorum
