// Field checks shared by apply() (commands) and validate_state() (snapshots, invariants), so
// the two cannot drift apart. Each returns an empty string if valid, otherwise the reason.
// Core: std and fmt only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/ownership/types.h"

namespace quorum::ownership {

// 1..kNameBytesMax bytes, no control characters.
std::string check_name(std::string_view what, std::string_view name);
// 0..kAddressBytesMax bytes, no control characters.
std::string check_address(std::string_view address);
std::string check_weight(std::uint32_t weight);
// At most kTagsMax; keys 1..kTagKeyBytesMax of [A-Za-z0-9_.-]; values 0..kTagValueBytesMax
// bytes without control characters.
std::string check_tags(const Tags& tags);
// A standby has auto-recovery off.
std::string check_role(ControllerRole role, bool auto_recovery);

}  // namespace quorum::ownership
