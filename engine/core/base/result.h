// Result<T>: a value or a non-ok Status. Member names mirror std::expected so that a later
// switch to C++23 is mechanical (GCC 12 in C++20 mode has no <expected>).
#pragma once

#include <utility>
#include <variant>

#include "engine/core/base/assert.h"
#include "engine/core/base/status.h"

namespace quorum {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like expected
  Result(Status error) : v_(std::move(error)) {  // NOLINT
    QUORUM_ASSERT(!std::get<Status>(v_).is_ok(), "a Result error must not be ok");
  }

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { QUORUM_ASSERT(has_value(), "{}", error().to_string()); return std::get<0>(v_); }
  const T& value() const& { QUORUM_ASSERT(has_value(), "{}", error().to_string()); return std::get<0>(v_); }
  T&& value() && { QUORUM_ASSERT(has_value(), "{}", error().to_string()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Status& error() const {
    QUORUM_ASSERT(!has_value());
    return std::get<Status>(v_);
  }

 private:
  std::variant<T, Status> v_;
};

}  // namespace quorum
