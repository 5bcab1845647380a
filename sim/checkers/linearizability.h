// Linearizability of a client history (sim/history/history.h) against a sequential model of the
// replicated config map: one versioned register per key.
//
// Method: Wing & Gong's search as refined by Lowe (a doubly linked list of call/return events,
// lift/unlift, and a cache of visited (linearized set, model state) pairs), applied to each key
// on its own: a map of independent registers is linearizable iff each register is
// (P-compositionality, Horn & Kroening). Written here from the papers' descriptions.
//
// The sequential model of one key. State: absent (version 0) or (value, version), plus the
// highest log index written so far. Versions are log indexes, so writes that take effect carry
// strictly increasing versions:
//   put v        -> sets (v, its index); requires index > every index written before
//   cas v, exp   -> takes effect iff current version == exp (0: the key is absent)
//   delete       -> takes effect iff the key is present (config_sync answers "not found" else)
//   read         -> returns the current (value, version) or absent
// A write whose index the client was not told (kUnknown, or kOk with version 0) sets the version
// to "some index above every index so far"; a later read or cas that names the version pins it.
//
// Outcomes: kOk operations took effect exactly once, between invoke and completion. kFailed
// operations took no effect; kVersionMismatch and kNotFound still say something about the state
// at some point in their interval, kRejected says nothing and is dropped. kUnknown writes may
// take effect at any point after their invocation (pending until +infinity) or never; kUnknown
// reads are dropped.
//
// Unknown writes make naive search exponential (every subset of old timed-out writes looks like
// a different state). The cache therefore keys on (completed operations linearized, state) and
// keeps the set of unknown writes used: a node is pruned when an earlier node had the same key
// and used a subset of its unknown writes, since the earlier node can do everything it can.
//
// The search is bounded by states_max (cache insertions, summed over keys): beyond it the
// verdict is kInconclusive, never a guess. Deterministic: no clock, no hashing of addresses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/history/history.h"

namespace quorum::sim {

struct LinearizabilityOptions {
  // Search budget: cache insertions over all keys. About 100 bytes plus one bit per operation
  // of the key each; the default keeps a pathological search under ~1 GB.
  std::uint64_t states_max = 4'000'000;
  // How many linearized operations before the stuck point the explanation lists.
  std::size_t explanation_ops_max = 12;
};

enum class Verdict : std::uint8_t {
  kLinearizable,
  kViolation,     // some key's history has no linearization: see LinearizabilityResult
  kInconclusive,  // the budget ran out before a verdict on some key (and no key violated)
};
std::string_view verdict_name(Verdict verdict);

// Why a key is not linearizable: the deepest point the search reached.
struct Violation {
  std::string key;
  // Completed operations of the key (ok, or failed with information), and how many of them the
  // longest linearization found could order; it stopped short of `stuck`.
  std::size_t completed_count = 0;
  std::size_t linearized_count = 0;
  // The last explanation_ops_max operations of that longest linearization, in order.
  std::vector<Operation> prefix_tail;
  // The register after the prefix, as text ("absent", "\"x\"@12", "\"x\"@>9").
  std::string state;
  // The completed operation with the earliest completion that could not be placed next: every
  // linearization must place it before anything invoked after it completed.
  Operation stuck;
  // Why `stuck` could not be placed after the prefix, and the other operations that could have
  // gone first (invoked before `stuck` completed), each with why it could not.
  std::string stuck_reason;
  std::vector<Operation> alternatives;
  std::vector<std::string> alternative_reasons;
};

struct LinearizabilityResult {
  Verdict verdict = Verdict::kLinearizable;
  Violation violation;                     // meaningful when verdict == kViolation
  std::vector<std::string> inconclusive_keys;
  std::size_t keys_checked = 0;
  std::size_t operations_checked = 0;      // after dropping rejected and unknown reads
  std::uint64_t states_explored = 0;       // cache insertions, all keys

  // A few lines for a failure report: verdict, key, prefix tail, stuck operation, reasons.
  std::string explain() const;
};

// Checks every key of `history` (which must validate()). Keys are checked in sorted order and the
// first violating key is reported.
LinearizabilityResult check_linearizability(const History& history,
                                            const LinearizabilityOptions& options = {});

}  // namespace quorum::sim
