#include "engine/core/config_sync/path.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/core/config_sync/state_machine.h"

namespace quorum::config_sync {
namespace {

bool mentions(const std::string& reason, const std::string& word) {
  return reason.find(word) != std::string::npos;
}

TEST(ValidatePath, AcceptsRelativePathsOfAllowedCharacters) {
  EXPECT_EQ(validate_path("cmon.cnf"), "");
  EXPECT_EQ(validate_path("cmon.d/cluster_1.cnf"), "");
  EXPECT_EQ(validate_path("a/b/c/D-E_F.9"), "");
  EXPECT_EQ(validate_path(".hidden"), "");  // a leading dot is a name, not the "." segment
  EXPECT_EQ(validate_path("..."), "");      // three dots are a name too
}

TEST(ValidatePath, AcceptsExactlyTheLimitAndRejectsOneMore) {
  EXPECT_EQ(validate_path(std::string(kPathBytesMax, 'a')), "");
  const std::string reason = validate_path(std::string(kPathBytesMax + 1, 'a'));
  EXPECT_TRUE(mentions(reason, "above the limit")) << reason;
}

TEST(ValidatePath, RejectsEmptyPath) {
  EXPECT_EQ(validate_path(""), "path is empty");
}

TEST(ValidatePath, RejectsAbsolutePath) {
  EXPECT_TRUE(mentions(validate_path("/etc/cmon.cnf"), "absolute"));
  EXPECT_TRUE(mentions(validate_path("/"), "absolute"));
}

TEST(ValidatePath, RejectsEmptySegments) {
  EXPECT_TRUE(mentions(validate_path("a//b"), "empty segment at byte 2"));
  EXPECT_TRUE(mentions(validate_path("a/"), "empty segment"));
}

TEST(ValidatePath, RejectsDotAndDotDotSegments) {
  EXPECT_TRUE(mentions(validate_path("."), "\".\" segment"));
  EXPECT_TRUE(mentions(validate_path("a/./b"), "\".\" segment at byte 2"));
  EXPECT_TRUE(mentions(validate_path(".."), "\"..\" segment"));
  EXPECT_TRUE(mentions(validate_path("a/../../etc/passwd"), "\"..\" segment at byte 2"));
  EXPECT_TRUE(mentions(validate_path("a/.."), "\"..\" segment"));
}

TEST(ValidatePath, RejectsForbiddenBytesAndNamesThem) {
  EXPECT_TRUE(mentions(validate_path("a b"), "0x20 at byte 1"));
  EXPECT_TRUE(mentions(validate_path("a\\b"), "0x5c"));
  EXPECT_TRUE(mentions(validate_path(std::string("a\0b", 3)), "0x00"));
  EXPECT_TRUE(mentions(validate_path("caf\xc3\xa9"), "0xc3 at byte 3"));
  EXPECT_TRUE(mentions(validate_path("x/y:z"), "0x3a at byte 3"));
}

}  // namespace
}  // namespace quorum::config_sync
