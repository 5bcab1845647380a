#include "engine/wire/record.h"

#include <gtest/gtest.h>

#include <string>

namespace quorum::wire {
namespace {

TEST(Record, RoundTripsPayloads) {
  for (const std::string& payload : {std::string(), std::string("abc"), std::string(5000, '\0')}) {
    const std::string record = encode_record(payload);
    EXPECT_EQ(record.size(), kRecordHeaderBytes + payload.size());
    EXPECT_EQ(record[0], static_cast<char>(kRecordVersion));
    Result<std::string_view> decoded = decode_record("log/1", record);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
    EXPECT_EQ(*decoded, payload);
  }
}

TEST(Record, ReportsTruncationWithTheKeyName) {
  const std::string record = encode_record("payload");
  for (std::size_t size = 0; size < kRecordHeaderBytes; ++size) {
    Result<std::string_view> decoded = decode_record("hard_state", record.substr(0, size));
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error().code(), StatusCode::kCorruption);
    EXPECT_EQ(decoded.error().message().rfind("hard_state: record is", 0), 0u)
        << decoded.error().message();
  }
  // A payload cut short is caught by the CRC.
  Result<std::string_view> cut = decode_record("log/42", record.substr(0, record.size() - 1));
  ASSERT_FALSE(cut.has_value());
  EXPECT_NE(cut.error().message().find("log/42: crc mismatch"), std::string::npos);
}

TEST(Record, RejectsUnknownVersion) {
  std::string record = encode_record("payload");
  record[0] = 9;
  Result<std::string_view> decoded = decode_record("log/7", record);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().message(), "log/7: unsupported record version 9 (this build: 1)");
}

TEST(Record, DetectsEveryFlippedBit) {
  const std::string record = encode_record("0123456789");
  for (std::size_t byte = 0; byte < record.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string corrupt = record;
      corrupt[byte] = static_cast<char>(corrupt[byte] ^ (1 << bit));
      Result<std::string_view> decoded = decode_record("log/42", corrupt);
      EXPECT_FALSE(decoded.has_value()) << byte << ":" << bit;
    }
  }
}

TEST(Record, CrcMismatchMessageNamesKeyAndBothChecksums) {
  std::string record = encode_record("x");
  record.back() = 'y';
  Result<std::string_view> decoded = decode_record("log/42", record);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message().find("log/42: crc mismatch (stored 0x"), std::string::npos);
  EXPECT_NE(decoded.error().message().find("computed 0x"), std::string::npos);
}

}  // namespace
}  // namespace quorum::wire
