// Byte-exactness of the API's config file encoders (issue 9 item 2): JSON carries content as
// base64, the raw answer carries the bytes themselves. Every length up to 4 KiB, then a random
// sample up to the limit, of random bytes.
#include "tools/quorumd/api.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <random>

#include "engine/core/base/crc32c.h"
#include "tools/quorumd/api.pb.h"

namespace quorum::quorumd {
namespace {

config_sync::FileEntry entry_of(std::string content) {
  const std::uint32_t checksum = crc32c(content);
  return config_sync::FileEntry{std::move(content), 42, checksum};
}

void expect_round_trip(const config_sync::FileEntry& file) {
  api::ConfigFile parsed;
  const std::string json = config_file_json("p/f.cnf", file);
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json.substr(0, 200);
  ASSERT_TRUE(parsed.content() == file.content) << "JSON, length " << file.content.size();
  EXPECT_EQ(parsed.version(), 42u);
  EXPECT_EQ(parsed.checksum(), file.checksum);
  const adapters::HttpResponse raw = config_file_raw(file);
  ASSERT_TRUE(raw.body == file.content) << "raw, length " << file.content.size();
  EXPECT_EQ(raw.content_type, "application/octet-stream");
  EXPECT_EQ(raw.headers.at("X-Quorum-Version"), "42");
  EXPECT_EQ(raw.headers.at("X-Quorum-Checksum"), std::to_string(file.checksum));
}

TEST(ApiBytes, EveryLengthUpTo4KiBOfRandomBytesRoundTripsExactly) {
  std::mt19937_64 rng(1);
  for (std::size_t length = 0; length <= 4096; ++length) {
    std::string content(length, '\0');
    for (char& c : content) c = static_cast<char>(rng() & 0xff);
    expect_round_trip(entry_of(std::move(content)));
    if (HasFatalFailure()) return;
  }
}

TEST(ApiBytes, RandomLengthsUpToTheLimitAndTheBytesThatBrokeTextRoundTripExactly) {
  std::mt19937_64 rng(2);
  std::vector<std::string> contents = {std::string("caf\xe9", 4), std::string("a\0b", 3),
                                       std::string(config_sync::kContentBytesMax, '\0')};
  for (int i = 0; i < 12; ++i) {
    std::string content(rng() % (config_sync::kContentBytesMax + 1), '\0');
    for (char& c : content) c = static_cast<char>(rng() & 0xff);
    contents.push_back(std::move(content));
  }
  for (std::string& content : contents) expect_round_trip(entry_of(std::move(content)));
}

TEST(ApiBytes, RawIsChosenByTheAcceptHeaderOrTheRawQuery) {
  adapters::HttpRequest request;
  EXPECT_FALSE(wants_raw(request));
  request.accept = "application/octet-stream";
  EXPECT_TRUE(wants_raw(request));
  request.query["raw"] = "false";
  EXPECT_FALSE(wants_raw(request));
  request.accept = "";
  request.query["raw"] = "true";
  EXPECT_TRUE(wants_raw(request));
}

}  // namespace
}  // namespace quorum::quorumd
