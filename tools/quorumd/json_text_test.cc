// JSON answers stay valid when a string echoes bytes that are not UTF-8 (the http_api fuzz
// finding of the session-4 verification: an api.Error naming a request's bytes).
#include "tools/quorumd/json_text.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <string>

#include "tools/quorumd/api.h"
#include "tools/quorumd/api.pb.h"

namespace quorum::quorumd {
namespace {

TEST(JsonText, ValidUtf8IsRecognisedAndInvalidFormsAreNot) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_FALSE(is_valid_utf8(std::string("caf\xe9", 4)));      // Latin-1 é
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));                     // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));                 // overlong, 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));                 // a UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));             // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));                     // cut short
  EXPECT_FALSE(is_valid_utf8("\xff"));
}

TEST(JsonText, InvalidBytesAreEscapedAndValidSequencesKept) {
  EXPECT_EQ(escape_invalid_utf8(std::string("caf\xe9", 4)), "caf\\xe9");
  EXPECT_EQ(escape_invalid_utf8("\xc3\xa9\xff\xc3\xa9"), "\xc3\xa9\\xff\xc3\xa9");
  EXPECT_EQ(escape_invalid_utf8("\xe2\x82"), "\\xe2\\x82");
  EXPECT_EQ(escape_invalid_utf8("ok"), "ok");
  for (int b = 0; b < 256; ++b) {
    EXPECT_TRUE(is_valid_utf8(escape_invalid_utf8(std::string(1, static_cast<char>(b))))) << b;
  }
}

TEST(JsonText, AnErrorEchoingNonUtf8BytesIsStillJsonAndShowsThem) {
  const adapters::HttpResponse response =
      error_response(404, std::string("no such path: /v1/\xff\xd6x", 21));
  api::Error parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(response.body, &parsed).ok())
      << response.body;
  EXPECT_EQ(parsed.error(), "no such path: /v1/\\xff\\xd6x");
}

TEST(JsonText, RepeatedAndNestedStringsAndMapsAreRepaired) {
  api::Status status;
  status.add_unmanaged_files(std::string("ok.cnf"));
  status.add_unmanaged_files(std::string("bad\x80.cnf", 8));
  api::ConfigDirError* error = status.add_config_dir_errors();
  error->set_path(std::string("d/\xfe", 3));
  error->set_error("fine");
  EXPECT_FALSE(utf8_fields_valid(status));
  EXPECT_TRUE(repair_utf8_fields(status));
  EXPECT_TRUE(utf8_fields_valid(status));
  EXPECT_EQ(status.unmanaged_files(0), "ok.cnf");
  EXPECT_EQ(status.unmanaged_files(1), "bad\\x80.cnf");
  EXPECT_EQ(status.config_dir_errors(0).path(), "d/\\xfe");
  EXPECT_FALSE(repair_utf8_fields(status));  // nothing left to repair

  api::PoolCluster cluster;
  (*cluster.mutable_tags())["site"] = std::string("A\xff", 2);
  EXPECT_FALSE(utf8_fields_valid(cluster));
  EXPECT_TRUE(repair_utf8_fields(cluster));
  EXPECT_EQ(cluster.tags().at("site"), "A\\xff");
}

}  // namespace
}  // namespace quorum::quorumd
