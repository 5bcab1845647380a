// Status: the result of an operation that can fail for operating reasons (disk, network,
// malformed bytes, bad configuration). Protocol outcomes (not leader, ...) are not Statuses;
// they are result enums of their own. Programmer errors are assertions.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace quorum {

enum class StatusCode {
  kOk,
  kInvalidArgument,
  kCorruption,
  kIoError,
  kNoSpace,
  kNotFound,
  kUnavailable,
  kTimeout,
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  static Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status io_error(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status no_space(std::string m) { return {StatusCode::kNoSpace, std::move(m)}; }
  static Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status timeout(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "corruption: log/42: crc mismatch"; "ok" for success.
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace quorum
