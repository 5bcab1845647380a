#include "tools/quorumd/json_text.h"

#include <google/protobuf/descriptor.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace quorum::quorumd {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Length of the valid UTF-8 sequence starting at text[i], or 0 if none starts there
// (RFC 3629, table 3-7 of the Unicode standard: the second byte's range depends on the first).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t length = 0;
  std::uint8_t low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) low = 0xA0;   // no overlong forms
    if (b0 == 0xED) high = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) low = 0x90;   // no overlong forms
    if (b0 == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

// Visits every string field (singular and repeated) of `message` and its sub-messages.
template <typename MessageT, typename Visit>
void for_each_string_field(MessageT& message, const Visit& visit) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      visit(message, field);
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int k = 0; k < reflection->FieldSize(message, field); ++k) {
          if constexpr (std::is_const_v<MessageT>) {
            for_each_string_field(reflection->GetRepeatedMessage(message, field, k), visit);
          } else {
            for_each_string_field(*reflection->MutableRepeatedMessage(&message, field, k), visit);
          }
        }
      } else if constexpr (std::is_const_v<MessageT>) {
        for_each_string_field(reflection->GetMessage(message, field), visit);
      } else {
        for_each_string_field(*reflection->MutableMessage(&message, field), visit);
      }
    }
  }
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string escape_invalid_utf8(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length > 0) {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    const auto b = static_cast<std::uint8_t>(text[i++]);
    out += "\\x";
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

bool repair_utf8_fields(Message& message) {
  bool changed = false;
  for_each_string_field(message, [&](Message& m, const FieldDescriptor* field) {
    const Reflection* reflection = m.GetReflection();
    if (field->is_repeated()) {
      for (int k = 0; k < reflection->FieldSize(m, field); ++k) {
        const std::string value = reflection->GetRepeatedString(m, field, k);
        if (is_valid_utf8(value)) continue;
        reflection->SetRepeatedString(&m, field, k, escape_invalid_utf8(value));
        changed = true;
      }
      return;
    }
    const std::string value = reflection->GetString(m, field);
    if (is_valid_utf8(value)) return;
    reflection->SetString(&m, field, escape_invalid_utf8(value));
    changed = true;
  });
  return changed;
}

bool utf8_fields_valid(const Message& message) {
  bool valid = true;
  for_each_string_field(message, [&](const Message& m, const FieldDescriptor* field) {
    const Reflection* reflection = m.GetReflection();
    if (field->is_repeated()) {
      for (int k = 0; k < reflection->FieldSize(m, field); ++k) {
        valid = valid && is_valid_utf8(reflection->GetRepeatedString(m, field, k));
      }
      return;
    }
    valid = valid && is_valid_utf8(reflection->GetString(m, field));
  });
  return valid;
}

}  // namespace quorum::quorumd
