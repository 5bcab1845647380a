// Linearizability of a client history (sim/history/history.h) against a sequential model of the
// replicated config map: one versioned register per key.
//
// Method: Wing & Gong's search as refined by Lowe (a doubly linked list of call/return events,
// lift/unlift, and a cache of visited (linearized set, model state) pairs), applied to each key
// on its own: a map of independent registers is linearizable iff each register is
// (P-compositionality, Horn & Kroening). Written here from the papers' descriptions.
//
// The sequential model of one key is sim/history/register_model.h: a register whose versions
// are log indexes (put, cas on the expected version, delete, read), where a write whose index
// the client was not told leaves the version to be pinned by the next operation that names it.
//
// Outcomes: kOk operations took effect exactly once, between invoke and completion. kFailed
// operations took no effect; kVersionMismatch and kNotFound still say something about the state
// at some point in their interval, kRejected says nothing and is dropped. kUnknown writes may
// take effect at any point after their invocation (pending until +infinity) or never; kUnknown
// reads are dropped.
//
// Three reductions keep the search small without changing the verdict:
// * Acknowledged writes with known indexes are placed in index order (indexes only grow), so a
//   wrong order is refused at once rather than when the skipped write's completion is reached.
// * The cache keys on (completed operations placed, state) and keeps the sets of unknown writes
//   used: a node is pruned when one with the same key used a subset of its unknown writes (it
//   can do everything this one can). Without this, every subset of old timed-out writes looks
//   like a new state and the search is exponential in the number of timeouts.
// * An unknown write is placed only right before an operation that needs it (one that fails
//   without it): any other placement can be rewritten away (see enables_something()).
//
// The search is bounded per key by states_max (cache insertions) and cache_bytes_max: beyond
// either the verdict is kInconclusive, never a guess. Deterministic: no clock, no hashing of addresses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/history/history.h"

namespace quorum::sim {

struct LinearizabilityOptions {
  // Search budget per key: cache insertions (search nodes kept), and the cache's memory.
  // A node costs about 100 bytes when few operations overlap in time.
  std::uint64_t states_max = 4'000'000;
  std::size_t cache_bytes_max = std::size_t{1} << 30;
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
