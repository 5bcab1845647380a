// JSON answers carry protobuf `string` fields, which must hold valid UTF-8: protobuf's JSON
// printer refuses (and logs) a string that is not. Most such strings are ours, but some echo
// what a client or the disk handed us (a request's path or query in an error, a file name found
// in config_dir), and those are arbitrary bytes. Such bytes are shown, not dropped: each byte
// that is not part of a valid UTF-8 sequence becomes the four characters \xNN.
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

namespace quorum::quorumd {

// True if `text` is valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);
// `text` with every byte outside a valid UTF-8 sequence written as \xNN (lowercase hex).
std::string escape_invalid_utf8(std::string_view text);
// Repairs every string field of `message` and of the messages it holds (maps included) in
// place. Returns whether anything changed.
bool repair_utf8_fields(google::protobuf::Message& message);
// True if every string field of `message`, recursively, is valid UTF-8.
bool utf8_fields_valid(const google::protobuf::Message& message);

}  // namespace quorum::quorumd
