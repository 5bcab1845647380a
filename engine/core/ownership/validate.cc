// Field checks of the ownership state machine. Core: std and fmt only.
#include "engine/core/ownership/validate.h"

#include <fmt/format.h>

namespace quorum::ownership {
namespace {

bool has_control_byte(std::string_view s) {
  for (char ch : s) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

bool is_tag_key_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         ch == '_' || ch == '.' || ch == '-';
}

}  // namespace

std::string check_name(std::string_view what, std::string_view name) {
  if (name.empty()) return fmt::format("{} name is empty", what);
  if (name.size() > kNameBytesMax) {
    return fmt::format("{} name is {} bytes, above the limit of {}", what, name.size(),
                       kNameBytesMax);
  }
  if (has_control_byte(name)) return fmt::format("{} name has a control character", what);
  return {};
}

std::string check_address(std::string_view address) {
  if (address.size() > kAddressBytesMax) {
    return fmt::format("address is {} bytes, above the limit of {}", address.size(),
                       kAddressBytesMax);
  }
  if (has_control_byte(address)) return "address has a control character";
  return {};
}

std::string check_weight(std::uint32_t weight) {
  if (weight < kWeightMin || weight > kWeightMax) {
    return fmt::format("weight {} is outside {}..{}", weight, kWeightMin, kWeightMax);
  }
  return {};
}

std::string check_tags(const Tags& tags) {
  if (tags.size() > kTagsMax) {
    return fmt::format("{} tags, above the limit of {}", tags.size(), kTagsMax);
  }
  for (const auto& [key, value] : tags) {
    if (key.empty()) return "a tag key is empty";
    if (key.size() > kTagKeyBytesMax) {
      return fmt::format("tag key is {} bytes, above the limit of {}", key.size(),
                         kTagKeyBytesMax);
    }
    for (char ch : key) {
      if (!is_tag_key_char(ch)) {
        return fmt::format("tag key '{}' has a character outside [A-Za-z0-9_.-]",
                           has_control_byte(key) ? "?" : key);
      }
    }
    if (value.size() > kTagValueBytesMax) {
      return fmt::format("tag '{}': value is {} bytes, above the limit of {}", key, value.size(),
                         kTagValueBytesMax);
    }
    if (has_control_byte(value)) return fmt::format("tag '{}': value has a control character", key);
  }
  return {};
}

std::string check_role(ControllerRole role, bool auto_recovery) {
  if (role != ControllerRole::kActive && role != ControllerRole::kStandby) {
    return fmt::format("role {} is unknown", static_cast<int>(role));
  }
  if (role == ControllerRole::kStandby && auto_recovery) {
    return "a standby has auto-recovery off";
  }
  return {};
}

}  // namespace quorum::ownership
