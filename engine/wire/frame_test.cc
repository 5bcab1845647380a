#include "engine/wire/frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace quorum::wire {
namespace {

// Feeds `bytes` and drains every complete frame; stops at the first error.
struct Drained {
  std::vector<std::string> payloads;
  Status error;
};

Drained drain(FrameDecoder& decoder) {
  Drained out;
  for (;;) {
    Result<std::optional<std::string>> next = decoder.next();
    if (!next.has_value()) {
      out.error = next.error();
      return out;
    }
    if (!next->has_value()) return out;
    out.payloads.push_back(std::move(**next));
  }
}

std::string error_of(std::string_view bytes,
                     std::size_t payload_bytes_max = kFramePayloadBytesMax) {
  FrameDecoder decoder(payload_bytes_max);
  decoder.feed(bytes);
  Drained d = drain(decoder);
  EXPECT_FALSE(d.error.is_ok()) << "no error for these bytes";
  EXPECT_EQ(d.error.code(), StatusCode::kCorruption);
  EXPECT_TRUE(decoder.is_poisoned());
  return d.error.message();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Frame, HeaderLayoutIsStable) {
  const std::string frame = encode_frame("abc");
  ASSERT_EQ(frame.size(), kFrameHeaderBytes + 3);
  EXPECT_EQ(frame.substr(0, 4), "QRM1");
  EXPECT_EQ(frame[4], 1);                                             // version
  EXPECT_EQ(frame.substr(5, 3), std::string(3, '\0'));                // flags + reserved
  EXPECT_EQ(frame.substr(8, 4), std::string("\x03\x00\x00\x00", 4));  // length LE
  EXPECT_EQ(frame.substr(16), "abc");
}

TEST(Frame, DecodesBackToBackFramesIncludingEmptyPayloads) {
  std::string stream;
  append_frame("first", &stream);
  append_frame("", &stream);
  append_frame(std::string(1000, '\0'), &stream);
  FrameDecoder decoder;
  decoder.feed(stream);
  Drained d = drain(decoder);
  ASSERT_TRUE(d.error.is_ok()) << d.error.to_string();
  ASSERT_EQ(d.payloads.size(), 3u);
  EXPECT_EQ(d.payloads[0], "first");
  EXPECT_EQ(d.payloads[1], "");
  EXPECT_EQ(d.payloads[2], std::string(1000, '\0'));
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
}

// Every split point of a two-frame stream, and byte-at-a-time feeding, yield the same frames.
TEST(Frame, DecodesTheSameFramesWhateverTheSplit) {
  std::string stream;
  append_frame("hello", &stream);
  append_frame("world!", &stream);
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    FrameDecoder decoder;
    std::vector<std::string> payloads;
    decoder.feed(std::string_view(stream).substr(0, split));
    for (std::string& p : drain(decoder).payloads) payloads.push_back(std::move(p));
    decoder.feed(std::string_view(stream).substr(split));
    Drained rest = drain(decoder);
    ASSERT_TRUE(rest.error.is_ok()) << "split " << split;
    for (std::string& p : rest.payloads) payloads.push_back(std::move(p));
    EXPECT_EQ(payloads, (std::vector<std::string>{"hello", "world!"})) << "split " << split;
  }
  FrameDecoder decoder;
  std::vector<std::string> payloads;
  for (char c : stream) {
    decoder.feed(std::string_view(&c, 1));
    for (std::string& p : drain(decoder).payloads) payloads.push_back(std::move(p));
  }
  EXPECT_EQ(payloads, (std::vector<std::string>{"hello", "world!"}));
}

TEST(Frame, ReportsNeedMoreOnAPartialFrame) {
  const std::string frame = encode_frame("payload");
  FrameDecoder decoder;
  decoder.feed(std::string_view(frame).substr(0, frame.size() - 1));
  Result<std::optional<std::string>> next = decoder.next();
  ASSERT_TRUE(next.has_value());
  EXPECT_FALSE(next->has_value());
  EXPECT_EQ(decoder.buffered_bytes(), frame.size() - 1);
}

TEST(Frame, RejectsBadMagicAtItsFirstByte) {
  // An HTTP request sent to the peer port is refused after one byte, without waiting for more.
  EXPECT_TRUE(contains(error_of("G"), "bad magic byte 0x47 at offset 0"));
  std::string frame = encode_frame("x");
  frame[2] = 'X';
  EXPECT_TRUE(contains(error_of(frame), "offset 2"));
}

TEST(Frame, RejectsUnsupportedVersion) {
  std::string frame = encode_frame("x");
  frame[4] = 2;
  EXPECT_TRUE(contains(error_of(frame.substr(0, 5)), "unsupported frame version 2"));
}

TEST(Frame, RejectsReservedBits) {
  std::string frame = encode_frame("x");
  frame[5] = 1;
  EXPECT_TRUE(contains(error_of(frame), "reserved flags 0x01"));
  frame = encode_frame("x");
  frame[7] = 1;
  EXPECT_TRUE(contains(error_of(frame), "reserved byte 7"));
}

TEST(Frame, RejectsOversizeLengthBeforeBufferingThePayload) {
  std::string header = encode_frame("").substr(0, kFrameHeaderBytes);
  header[8] = '\x01';
  header[9] = '\x00';
  header[10] = '\x00';
  header[11] = '\x04';  // 64 MiB + 1
  const std::string message = error_of(header.substr(0, 12));
  EXPECT_TRUE(contains(message, "payload length 67108865 bytes above the limit of 67108864"))
      << message;
  // A smaller configured bound applies too.
  EXPECT_TRUE(contains(error_of(encode_frame("12345"), 4), "above the limit of 4 bytes"));
}

TEST(Frame, AcceptsPayloadOfExactlyTheConfiguredBound) {
  FrameDecoder decoder(5);
  decoder.feed(encode_frame("12345"));
  Drained d = drain(decoder);
  ASSERT_TRUE(d.error.is_ok());
  EXPECT_EQ(d.payloads, std::vector<std::string>{"12345"});
}

TEST(Frame, DetectsAFlippedBitAnywhereInLengthCrcOrPayload) {
  const std::string frame = encode_frame("some payload");
  for (std::size_t byte = 8; byte < frame.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string corrupt = frame;
      corrupt[byte] = static_cast<char>(corrupt[byte] ^ (1 << bit));
      FrameDecoder decoder;
      decoder.feed(corrupt);
      decoder.feed(std::string(64, '\0'));  // enough bytes for a length that grew a little
      Drained d = drain(decoder);
      // Either an error now, or (length grew beyond what was fed) still waiting: never a frame.
      EXPECT_TRUE(d.payloads.empty()) << "byte " << byte << " bit " << bit;
      if (byte >= 12) {
        EXPECT_TRUE(contains(d.error.message(), "crc mismatch")) << byte << ":" << bit;
      }
    }
  }
}

TEST(Frame, StaysPoisonedAfterAnError) {
  std::string frame = encode_frame("x");
  frame[kFrameHeaderBytes] = 'y';
  FrameDecoder decoder;
  decoder.feed(frame);
  Drained first = drain(decoder);
  ASSERT_FALSE(first.error.is_ok());
  EXPECT_TRUE(contains(first.error.message(), "frame 1 (after 0 good frames)"));
  decoder.feed(encode_frame("good"));  // dropped: the stream has no trustworthy boundary left
  Result<std::optional<std::string>> next = decoder.next();
  ASSERT_FALSE(next.has_value());
  EXPECT_EQ(next.error().message(), first.error.message());
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
}

TEST(FrameDeathTest, EncodeAssertsOnOversizePayload) {
  EXPECT_DEATH((void)encode_frame(std::string(kFramePayloadBytesMax + 1, 'x')), "above");
}

}  // namespace
}  // namespace quorum::wire
