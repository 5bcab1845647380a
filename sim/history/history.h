// The client history of one simulation run: what simulated clients asked of the replicated config
// map and what they were told. It is the input of the linearizability checker
// (sim/checkers/linearizability.h) and is printed, one operation per line, in failure reports.
//
// The map is modelled per key (a config path) as a versioned register: a key is absent
// (version 0) or holds a value written by the entry at log index `version`. Versions are log
// indexes, so the writes that take effect on one key carry strictly increasing versions.
//
// Thread safety: none needed (the simulator is single-threaded). Copyable.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/base/types.h"

namespace quorum::sim {

// Identifies an operation inside one History: its position in operations().
using OpId = std::uint32_t;

// A simulated time at which nothing has happened yet: the completion time of an operation whose
// client never heard back before the run ended.
inline constexpr std::uint64_t kTimeNeverUs = std::numeric_limits<std::uint64_t>::max();

enum class OpKind : std::uint8_t {
  kRead,    // read the key: value and version, or absent
  kPut,     // unconditional write of `value`
  kCas,     // write `value` only if the key's version == expected_version (0: key must be absent)
  kDelete,  // remove the key (config_sync answers "not found" if it is absent)
};
std::string_view op_kind_name(OpKind kind);

// What the client was told.
enum class Outcome : std::uint8_t {
  kOk,       // the operation took effect exactly once; the output fields are meaningful
  kFailed,   // the operation definitely did not take effect; `failure` says why
  kUnknown,  // timeout, connection lost, run ended: it may have taken effect (at any time after
             // invoke_us, even after the client gave up) or not
};
std::string_view outcome_name(Outcome outcome);

// Why a kFailed operation failed. The reasons differ in what they reveal about the register.
enum class Failure : std::uint8_t {
  kNone,             // not failed (outcome is kOk or kUnknown)
  kVersionMismatch,  // kCas only: at its linearization point the key's version != expected.
                     // `version` holds the version the state machine reported, if known.
  kNotFound,         // kDelete only: at its linearization point the key was absent
  kRejected,         // no effect and no information (not leader, invalid path, too large...)
};
std::string_view failure_name(Failure failure);

// `version` of a kVersionMismatch failure when the client was not told the current version.
inline constexpr LogIndex kVersionNotReported = std::numeric_limits<LogIndex>::max();

// One client operation. Valid combinations (History::validate() checks them all):
//
// | kind    | outcome  | failure          | output fields                                     |
// |---------|----------|------------------|---------------------------------------------------|
// | kRead   | kOk      | kNone            | found; if found: read_value, version (> 0);        |
// |         |          |                  | if absent: read_value empty, version 0             |
// | kRead   | kFailed  | kRejected        | none (the checker ignores it)                      |
// | kRead   | kUnknown | kNone            | none (the checker ignores it)                      |
// | kPut    | kOk      | kNone            | version: the assigned log index, 0 = not reported  |
// | kCas    | kOk      | kNone            | version: the assigned log index, 0 = not reported  |
// | kDelete | kOk      | kNone            | version: the assigned log index, 0 = not reported  |
// | kCas    | kFailed  | kVersionMismatch | version: current version reported, or            |
// |         |          |                  | kVersionNotReported                               |
// | kDelete | kFailed  | kNotFound        | none                                               |
// | any     | kFailed  | kRejected        | none                                               |
// | write   | kUnknown | kNone            | none                                               |
//
// Inputs: `value` for kPut/kCas (empty otherwise), `expected_version` for kCas (0 otherwise).
// Times: invoke_us <= complete_us. For kUnknown, complete_us is when the client gave up
// (kTimeNeverUs if it never did); the checker treats the operation as pending forever.
struct Operation {
  OpId id = 0;                  // position in History::operations()
  std::uint64_t client_id = 0;  // the simulated client; its operations do not overlap in time
  std::string key;              // config path
  OpKind kind = OpKind::kRead;
  std::string value;                // input of kPut/kCas
  LogIndex expected_version = 0;    // input of kCas
  std::uint64_t invoke_us = 0;      // when the client sent the request
  std::uint64_t complete_us = kTimeNeverUs;  // when the client got its answer (or gave up)
  Outcome outcome = Outcome::kUnknown;
  Failure failure = Failure::kNone;
  bool found = false;               // kRead kOk: the key was present
  std::string read_value;           // kRead kOk found: the value read
  LogIndex version = 0;             // see the table above
};

// One line, stable format, e.g.
// "#12 c3 [1000,2500] cas k=/a val=\"x\" exp=5 -> ok v=9".
std::string format_operation(const Operation& op);

// Records operations as the clients issue and complete them. Operations are appended in
// invocation order by the simulator, but the checker does not rely on it.
class History {
 public:
  // Starts an operation; it stays kUnknown until one of the complete_* calls.
  OpId invoke(std::uint64_t client_id, std::string key, OpKind kind, std::string value,
              LogIndex expected_version, std::uint64_t invoke_us);
  OpId invoke_read(std::uint64_t client_id, std::string key, std::uint64_t invoke_us);
  OpId invoke_put(std::uint64_t client_id, std::string key, std::string value,
                  std::uint64_t invoke_us);
  OpId invoke_cas(std::uint64_t client_id, std::string key, std::string value,
                  LogIndex expected_version, std::uint64_t invoke_us);
  OpId invoke_delete(std::uint64_t client_id, std::string key, std::uint64_t invoke_us);

  // Completions. Each asserts the operation is still pending and complete_us >= invoke_us.
  // A read that found nothing: found = false (value and version are then ignored).
  void complete_read(OpId id, std::uint64_t complete_us, bool found, std::string value,
                     LogIndex version);
  // A write that took effect at log index `version` (0 if the client was not told).
  void complete_write_ok(OpId id, std::uint64_t complete_us, LogIndex version);
  // reported_version matters only for kVersionMismatch.
  void complete_failed(OpId id, std::uint64_t complete_us, Failure failure,
                       LogIndex reported_version = kVersionNotReported);
  // The client gave up (timeout) without knowing whether it took effect.
  void complete_unknown(OpId id, std::uint64_t gave_up_us);

  // Appends a fully formed operation (tests, replays); its id is overwritten.
  OpId add(Operation op);

  const std::vector<Operation>& operations() const { return operations_; }
  std::size_t size() const { return operations_.size(); }

  // Empty if every operation is a valid combination (see Operation), else the first problem.
  std::string validate() const;

  // One operation per line (format_operation), in id order.
  std::string dump() const;
  // The operations on one key only, in id order.
  std::string dump_key(std::string_view key) const;

 private:
  Operation& pending(OpId id);

  std::vector<Operation> operations_;
  // Invariant: completed_[id] iff a complete_* call was made for operation id.
  std::vector<bool> completed_;
};

// Empty if `op` is a valid combination (see Operation), else the reason.
std::string validate_operation(const Operation& op);

}  // namespace quorum::sim
