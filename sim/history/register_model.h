// The sequential specification of one key of the config map: a versioned register whose versions
// are log indexes. The linearizability checker (sim/checkers/linearizability.h) searches for an
// order of a key's operations that this model accepts.
//
//   put v        sets (v, its index); the index is above every index written before
//   cas v, exp   takes effect iff the current version == exp (0: the key is absent)
//   delete       takes effect iff the key is present (config_sync answers "not found" else)
//   read         returns the current (value, version), or absent
//   cas mismatch (failed) the current version != exp; equals the reported version if any
//   delete not-found (failed) the key is absent
//
// A write whose index the client was not told (outcome unknown, or ok with version 0) leaves the
// version "some index above every index so far"; the next operation that names the version
// (a read of the value, a cas, a reported mismatch) pins it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/base/types.h"
#include "sim/history/history.h"

namespace quorum::sim {

// Invariants: !present => value_id == 0 && version == 0 && version_known;
// present && version_known => 0 < version <= floor_index;
// present && !version_known => the version is some log index > floor_index.
struct RegisterState {
  std::uint32_t value_id = 0;  // interned value; 0 when absent
  bool present = false;
  bool version_known = true;
  LogIndex version = 0;
  LogIndex floor_index = 0;  // highest log index known to have been written to this key
  friend bool operator==(const RegisterState&, const RegisterState&) = default;
};

// One operation with its strings replaced by interned ids (0 = none), so that states compare
// as integers. The caller keeps the id -> string table (`values`, index 0 = "").
struct ModelOp {
  const Operation* op = nullptr;  // not owned; outlives the ModelOp
  std::uint32_t value_id = 0;       // kPut/kCas input
  std::uint32_t read_value_id = 0;  // kRead kOk found
};

// The log index an acknowledged write was told; 0 for reads, failures, unknown outcomes and
// unreported indexes.
LogIndex known_write_index(const Operation& op);

// Applies `op` (taking effect now, for an unknown write) to `state`. On success writes the new
// state to *next and returns true. Returns false if the model cannot produce what the client
// saw; then, if `reason` is not null, says why in a sentence naming the register's value
// (looked up in `values`). Rejected operations and unknown reads must not be passed.
bool register_step(const RegisterState& state, const ModelOp& op, RegisterState* next,
                   std::string* reason, const std::vector<std::string_view>& values);

// "absent (last index 4)", "\"x\"@12", "\"x\"@>9 (index not known yet)".
std::string register_state_text(const RegisterState& state,
                                const std::vector<std::string_view>& values);

}  // namespace quorum::sim
