#include "sim/history/history.h"

#include <fmt/format.h>

#include <utility>

#include "engine/core/base/assert.h"

namespace quorum::sim {

std::string_view op_kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::kRead: return "read";
    case OpKind::kPut: return "put";
    case OpKind::kCas: return "cas";
    case OpKind::kDelete: return "delete";
  }
  QUORUM_UNREACHABLE();
}

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: return "ok";
    case Outcome::kFailed: return "failed";
    case Outcome::kUnknown: return "unknown";
  }
  QUORUM_UNREACHABLE();
}

std::string_view failure_name(Failure failure) {
  switch (failure) {
    case Failure::kNone: return "none";
    case Failure::kVersionMismatch: return "version-mismatch";
    case Failure::kNotFound: return "not-found";
    case Failure::kRejected: return "rejected";
  }
  QUORUM_UNREACHABLE();
}

namespace {

std::string format_time(std::uint64_t time_us) {
  return time_us == kTimeNeverUs ? std::string("never") : fmt::format("{}", time_us);
}

std::string format_result(const Operation& op) {
  switch (op.outcome) {
    case Outcome::kUnknown: return "unknown";
    case Outcome::kFailed:
      if (op.failure == Failure::kVersionMismatch && op.version != kVersionNotReported) {
        return fmt::format("failed {} current={}", failure_name(op.failure), op.version);
      }
      return fmt::format("failed {}", failure_name(op.failure));
    case Outcome::kOk:
      if (op.kind == OpKind::kRead) {
        return op.found ? fmt::format("ok {:?} v={}", op.read_value, op.version)
                        : std::string("ok absent");
      }
      return op.version == 0 ? std::string("ok v=?") : fmt::format("ok v={}", op.version);
  }
  QUORUM_UNREACHABLE();
}

}  // namespace

std::string format_operation(const Operation& op) {
  std::string input;
  if (op.kind == OpKind::kPut || op.kind == OpKind::kCas) {
    input = fmt::format(" val={:?}", op.value);
  }
  if (op.kind == OpKind::kCas) {
    input += fmt::format(" exp={}", op.expected_version);
  }
  return fmt::format("#{} c{} [{},{}] {} k={:?}{} -> {}", op.id, op.client_id, op.invoke_us,
                     format_time(op.complete_us), op_kind_name(op.kind), op.key, input,
                     format_result(op));
}

std::string validate_operation(const Operation& op) {
  const bool is_write = op.kind != OpKind::kRead;
  if (op.complete_us < op.invoke_us) return "completes before it is invoked";
  if (op.outcome != Outcome::kFailed && op.failure != Failure::kNone) {
    return "a failure reason on an operation that did not fail";
  }
  if ((op.kind == OpKind::kRead || op.kind == OpKind::kDelete) && !op.value.empty()) {
    return "an input value on a read or delete";
  }
  if (op.kind != OpKind::kCas && op.expected_version != 0) {
    return "an expected version on an operation that is not a cas";
  }
  if (op.outcome == Outcome::kOk && op.complete_us == kTimeNeverUs) {
    return "an ok outcome without a completion time";
  }
  if (op.kind != OpKind::kRead || op.outcome != Outcome::kOk) {
    if (op.found || !op.read_value.empty()) return "read output on an operation that is not an ok read";
  }
  switch (op.outcome) {
    case Outcome::kOk:
      if (!is_write && op.found && op.version == 0) return "a read found a value at version 0";
      if (!is_write && !op.found && op.version != 0) return "a read found nothing at a version";
      return "";
    case Outcome::kFailed:
      switch (op.failure) {
        case Failure::kNone: return "a failed operation without a reason";
        case Failure::kVersionMismatch:
          return op.kind == OpKind::kCas ? "" : "a version mismatch on an operation that is not a cas";
        case Failure::kNotFound:
          if (op.kind != OpKind::kDelete) return "not-found on an operation that is not a delete";
          return op.version == 0 ? "" : "a version on a not-found delete";
        case Failure::kRejected:
          return op.version == 0 ? "" : "a version on a rejected operation";
      }
      QUORUM_UNREACHABLE();
    case Outcome::kUnknown:
      return op.version == 0 ? "" : "a version on an operation of unknown outcome";
  }
  QUORUM_UNREACHABLE();
}

OpId History::invoke(std::uint64_t client_id, std::string key, OpKind kind, std::string value,
                     LogIndex expected_version, std::uint64_t invoke_us) {
  QUORUM_ASSERT(invoke_us != kTimeNeverUs);
  Operation op;
  op.client_id = client_id;
  op.key = std::move(key);
  op.kind = kind;
  op.value = std::move(value);
  op.expected_version = expected_version;
  op.invoke_us = invoke_us;
  const OpId id = add(std::move(op));
  completed_[id] = false;
  return id;
}

OpId History::invoke_read(std::uint64_t client_id, std::string key, std::uint64_t invoke_us) {
  return invoke(client_id, std::move(key), OpKind::kRead, "", 0, invoke_us);
}

OpId History::invoke_put(std::uint64_t client_id, std::string key, std::string value,
                         std::uint64_t invoke_us) {
  return invoke(client_id, std::move(key), OpKind::kPut, std::move(value), 0, invoke_us);
}

OpId History::invoke_cas(std::uint64_t client_id, std::string key, std::string value,
                         LogIndex expected_version, std::uint64_t invoke_us) {
  return invoke(client_id, std::move(key), OpKind::kCas, std::move(value), expected_version,
                invoke_us);
}

OpId History::invoke_delete(std::uint64_t client_id, std::string key, std::uint64_t invoke_us) {
  return invoke(client_id, std::move(key), OpKind::kDelete, "", 0, invoke_us);
}

Operation& History::pending(OpId id) {
  QUORUM_ASSERT(id < operations_.size(), "no operation #{}", id);
  QUORUM_ASSERT(!completed_[id], "operation #{} completed twice", id);
  completed_[id] = true;
  return operations_[id];
}

void History::complete_read(OpId id, std::uint64_t complete_us, bool found, std::string value,
                            LogIndex version) {
  Operation& op = pending(id);
  QUORUM_ASSERT(op.kind == OpKind::kRead, "#{} is not a read", id);
  QUORUM_ASSERT(complete_us >= op.invoke_us && complete_us != kTimeNeverUs);
  op.complete_us = complete_us;
  op.outcome = Outcome::kOk;
  op.found = found;
  op.read_value = found ? std::move(value) : std::string();
  op.version = found ? version : 0;
  QUORUM_ASSERT(validate_operation(op).empty(), "{}: {}", format_operation(op),
                validate_operation(op));
}

void History::complete_write_ok(OpId id, std::uint64_t complete_us, LogIndex version) {
  Operation& op = pending(id);
  QUORUM_ASSERT(op.kind != OpKind::kRead, "#{} is a read", id);
  QUORUM_ASSERT(complete_us >= op.invoke_us && complete_us != kTimeNeverUs);
  op.complete_us = complete_us;
  op.outcome = Outcome::kOk;
  op.version = version;
}

void History::complete_failed(OpId id, std::uint64_t complete_us, Failure failure,
                              LogIndex reported_version) {
  Operation& op = pending(id);
  QUORUM_ASSERT(complete_us >= op.invoke_us);
  op.complete_us = complete_us;
  op.outcome = Outcome::kFailed;
  op.failure = failure;
  op.version = failure == Failure::kVersionMismatch ? reported_version : 0;
  QUORUM_ASSERT(validate_operation(op).empty(), "{}: {}", format_operation(op),
                validate_operation(op));
}

void History::complete_unknown(OpId id, std::uint64_t gave_up_us) {
  Operation& op = pending(id);
  QUORUM_ASSERT(gave_up_us >= op.invoke_us);
  op.complete_us = gave_up_us;
  op.outcome = Outcome::kUnknown;
}

OpId History::add(Operation op) {
  QUORUM_ASSERT(operations_.size() < std::numeric_limits<OpId>::max());
  op.id = static_cast<OpId>(operations_.size());
  operations_.push_back(std::move(op));
  completed_.push_back(true);
  return operations_.back().id;
}

std::string History::validate() const {
  for (const Operation& op : operations_) {
    std::string problem = validate_operation(op);
    if (!problem.empty()) return fmt::format("{}: {}", format_operation(op), problem);
  }
  return "";
}

std::string History::dump() const {
  std::string out;
  for (const Operation& op : operations_) {
    out += format_operation(op);
    out += '\n';
  }
  return out;
}

std::string History::dump_key(std::string_view key) const {
  std::string out;
  for (const Operation& op : operations_) {
    if (op.key != key) continue;
    out += format_operation(op);
    out += '\n';
  }
  return out;
}

}  // namespace quorum::sim
