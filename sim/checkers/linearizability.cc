#include "sim/checkers/linearizability.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include "engine/core/base/assert.h"
#include "sim/history/register_model.h"

namespace quorum::sim {

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kLinearizable: return "linearizable";
    case Verdict::kViolation: return "NOT linearizable";
    case Verdict::kInconclusive: return "inconclusive";
  }
  QUORUM_UNREACHABLE();
}

namespace {

// ---------------------------------------------------------------------------------------------
// Bit sets and the cache of visited nodes.

using Words = std::vector<std::uint64_t>;

void set_bit(Words& w, std::size_t i) { w[i / 64] |= std::uint64_t{1} << (i % 64); }
void clear_bit(Words& w, std::size_t i) { w[i / 64] &= ~(std::uint64_t{1} << (i % 64)); }

// Per-operation keys of an XOR (Zobrist) hash of the completed set, kept up to date in O(1) as
// operations are placed and removed. Only a hash: the cache still compares the sets.
std::uint64_t zobrist_key(std::size_t i) {
  std::uint64_t z = (i + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h *= 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 31);
}

// Visited search nodes grouped by (completed set, state); each group lists the sets of unknown
// writes its nodes had used. Open addressing with linear probing over indexes into groups_.
class Cache {
 public:
  Cache(std::size_t completed_words, std::size_t unknown_words)
      : completed_words_(completed_words), unknown_words_(unknown_words), slots_(1024, 0) {}

  // Records (completed, s, unknown) unless a node with the same (completed, s) and a subset of
  // `unknown` was recorded (that node can do all this one can). Returns true if recorded.
  // `completed_hash` is a hash of `completed` (the caller maintains it incrementally).
  bool insert_unless_dominated(const Words& completed, std::uint64_t completed_hash,
                               const RegisterState& s, const Words& unknown) {
    const std::uint64_t h = hash(completed_hash, s);
    const Window window = window_of(completed);
    std::size_t slot = h & (slots_.size() - 1);
    for (; slots_[slot] != 0; slot = (slot + 1) & (slots_.size() - 1)) {
      Group& g = groups_[slots_[slot] - 1];
      if (g.hash != h || !(g.state == s) || !same_completed(g, window, completed)) continue;
      for (std::uint32_t u = g.first_unknown_set; u != kNone; u = unknown_sets_[u].next) {
        if (subset(unknown_sets_[u].words_offset, unknown)) return false;
      }
      // The new set dominates the recorded supersets of it: forget them to keep the list short.
      std::uint32_t* link = &g.first_unknown_set;
      while (*link != kNone) {
        if (superset(unknown_sets_[*link].words_offset, unknown)) {
          *link = unknown_sets_[*link].next;
        } else {
          link = &unknown_sets_[*link].next;
        }
      }
      g.first_unknown_set = add_unknown_set(unknown, g.first_unknown_set);
      ++nodes_count_;
      return true;
    }
    groups_.push_back(Group{h, s, completed_words_store_.size(), window,
                            add_unknown_set(unknown, kNone)});
    completed_words_store_.insert(completed_words_store_.end(), completed.begin() + window.lo,
                                  completed.begin() + window.hi);
    QUORUM_ASSERT(groups_.size() < kNone);
    slots_[slot] = static_cast<std::uint32_t>(groups_.size());
    if (groups_.size() * 2 > slots_.size()) grow();
    ++nodes_count_;
    return true;
  }

  std::size_t size() const { return nodes_count_; }
  std::size_t bytes() const {
    return slots_.size() * sizeof(std::uint32_t) + groups_.size() * sizeof(Group) +
           unknown_sets_.size() * sizeof(UnknownSet) +
           (completed_words_store_.size() + unknown_words_store_.size()) * sizeof(std::uint64_t);
  }

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  // A completed set is stored as the words between its all-ones prefix and its all-zeros
  // suffix: operations are numbered in time order, so the window is about as wide as the
  // concurrency, not the history.
  struct Window {
    std::uint32_t lo;  // words [0, lo) are all ones
    std::uint32_t hi;  // words [hi, end) are all zeros; lo <= hi
  };
  struct Group {
    std::uint64_t hash;
    RegisterState state;
    std::size_t completed_offset;       // into completed_words_store_: words [lo, hi)
    Window window;
    std::uint32_t first_unknown_set;    // list head in unknown_sets_
  };
  struct UnknownSet {
    std::size_t words_offset;  // into unknown_words_store_
    std::uint32_t next;        // kNone ends the list
  };

  std::uint32_t add_unknown_set(const Words& unknown, std::uint32_t next) {
    unknown_sets_.push_back({unknown_words_store_.size(), next});
    unknown_words_store_.insert(unknown_words_store_.end(), unknown.begin(), unknown.end());
    QUORUM_ASSERT(unknown_sets_.size() < kNone);
    return static_cast<std::uint32_t>(unknown_sets_.size() - 1);
  }
  static std::uint64_t hash(std::uint64_t completed_hash, const RegisterState& s) {
    std::uint64_t h = mix(completed_hash, s.value_id);
    h = mix(h, s.version);
    return mix(h, s.floor_index * 4 + (s.present ? 2 : 0) + (s.version_known ? 1 : 0));
  }
  static Window window_of(const Words& completed) {
    std::size_t lo = 0;
    while (lo < completed.size() && completed[lo] == ~std::uint64_t{0}) ++lo;
    std::size_t hi = completed.size();
    while (hi > lo && completed[hi - 1] == 0) --hi;
    return Window{static_cast<std::uint32_t>(lo), static_cast<std::uint32_t>(hi)};
  }
  bool same_completed(const Group& g, const Window& window, const Words& completed) const {
    return g.window.lo == window.lo && g.window.hi == window.hi &&
           std::equal(completed.begin() + window.lo, completed.begin() + window.hi,
                      completed_words_store_.begin() + g.completed_offset);
  }
  // Is the stored set at `offset` a subset of `unknown`?
  bool subset(std::size_t offset, const Words& unknown) const {
    for (std::size_t i = 0; i < unknown_words_; ++i) {
      if ((unknown_words_store_[offset + i] & ~unknown[i]) != 0) return false;
    }
    return true;
  }
  // Is the stored set at `offset` a superset of `unknown`?
  bool superset(std::size_t offset, const Words& unknown) const {
    for (std::size_t i = 0; i < unknown_words_; ++i) {
      if ((unknown[i] & ~unknown_words_store_[offset + i]) != 0) return false;
    }
    return true;
  }
  void grow() {
    std::vector<std::uint32_t> bigger(slots_.size() * 2, 0);
    for (std::size_t i = 0; i < groups_.size(); ++i) {
      std::size_t slot = groups_[i].hash & (bigger.size() - 1);
      while (bigger[slot] != 0) slot = (slot + 1) & (bigger.size() - 1);
      bigger[slot] = static_cast<std::uint32_t>(i + 1);
    }
    slots_ = std::move(bigger);
  }

  std::size_t completed_words_;
  std::size_t unknown_words_;
  std::vector<std::uint32_t> slots_;  // 0 = empty, else index into groups_ + 1
  std::vector<Group> groups_;
  std::vector<UnknownSet> unknown_sets_;
  Words completed_words_store_;
  Words unknown_words_store_;
  std::size_t nodes_count_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Lowe's search over one key.

// A doubly linked list of nodes 1..n with sentinel 0, supporting removal and LIFO reinsertion.
class DancingList {
 public:
  explicit DancingList(std::size_t n) : next_(n + 1), prev_(n + 1) {
    for (std::size_t i = 0; i <= n; ++i) {
      next_[i] = static_cast<std::uint32_t>((i + 1) % (n + 1));
      prev_[i] = static_cast<std::uint32_t>((i + n) % (n + 1));
    }
  }
  std::uint32_t first() const { return next_[0]; }
  std::uint32_t next(std::uint32_t node) const { return next_[node]; }
  void remove(std::uint32_t x) {
    next_[prev_[x]] = next_[x];
    prev_[next_[x]] = prev_[x];
  }
  // Must undo the most recent remove() not yet undone.
  void restore(std::uint32_t x) {
    next_[prev_[x]] = x;
    prev_[next_[x]] = x;
  }

 private:
  std::vector<std::uint32_t> next_;
  std::vector<std::uint32_t> prev_;
};

constexpr std::uint32_t kEnd = 0;  // the sentinel of a DancingList

class KeySearch {
 public:
  enum class Result : std::uint8_t { kOk, kViolation, kBudget };

  KeySearch(std::vector<ModelOp> completed, std::vector<ModelOp> unknown,
            std::vector<std::string_view> values, std::uint64_t states_max,
            std::size_t cache_bytes_max)
      : completed_(std::move(completed)),
        unknown_(std::move(unknown)),
        values_(std::move(values)),
        states_max_(states_max),
        cache_bytes_max_(cache_bytes_max),
        events_(completed_.size() * 2),
        pending_(unknown_.size()),
        completed_bits_((completed_.size() + 63) / 64, 0),
        unknown_bits_((unknown_.size() + 63) / 64, 0),
        cache_(completed_bits_.size(), unknown_bits_.size()) {
    build_event_order();
    // The unknown list holds unknown_ sorted by invoke time: node j + 1 is unknown_[j].
    std::sort(unknown_.begin(), unknown_.end(), [](const ModelOp& a, const ModelOp& b) {
      return std::pair(a.op->invoke_us, a.op->id) < std::pair(b.op->invoke_us, b.op->id);
    });
  }

  Result run();
  std::uint64_t states() const { return cache_.size(); }
  Violation violation(const std::string& key, std::size_t explanation_ops_max) const;

 private:
  struct Frame {
    bool is_unknown;
    // The operation left the state unchanged (a read or a failure). Such an operation, when it
    // may go next, may as well go first: no alternative at its node is tried, and when its
    // subtree fails, its node fails too.
    bool forced;
    std::uint32_t index;            // into completed_ or unknown_
    RegisterState before;
    std::uint64_t min_return_us;    // for unknown frames: the bound when it was chosen
  };

  void build_event_order();
  LogIndex write_index(std::uint32_t i) const {
    return known_write_index(*completed_[i].op);
  }
  bool in_index_order(std::uint32_t i) const {
    const LogIndex index = write_index(i);
    return index == 0 || (placed_known_count_ < writes_known_.size() &&
                          writes_known_[placed_known_count_] == index);
  }
  bool is_call(std::uint32_t node) const { return event_is_call_[node - 1]; }
  std::uint32_t event_op(std::uint32_t node) const { return event_op_[node - 1]; }
  void remember_deepest();
  void undo(const Frame& top);
  void collect_frontier(std::uint64_t min_return_us);
  bool could_use_unknown() const {
    return !needy_.empty() || !observers_.empty() || !frontier_unknown_.empty();
  }
  // `placing`: the node of the unknown write in pending_.
  bool enables_something(std::uint32_t placing, const RegisterState& after) const;

  std::vector<ModelOp> completed_;
  std::vector<ModelOp> unknown_;
  std::vector<std::string_view> values_;
  std::uint64_t states_max_;
  std::size_t cache_bytes_max_;

  // Events of completed operations in time order (calls before returns at equal times, so that
  // operations touching in time count as concurrent). Node e + 1 of events_ is event e.
  DancingList events_;
  std::vector<bool> event_is_call_;
  std::vector<std::uint32_t> event_op_;
  std::vector<std::uint32_t> call_node_;    // per completed op
  std::vector<std::uint32_t> return_node_;  // per completed op
  // Known indexes of the acknowledged writes, ascending. Indexes only grow, so these writes are
  // placed in exactly this order: writes_known_[placed_known_count_] is the only one that may
  // go next. Checking it here rather than in register_step() catches a wrong order at once instead of
  // when the skipped write's completion is reached.
  std::vector<LogIndex> writes_known_;
  std::size_t placed_known_count_ = 0;
  DancingList pending_;                     // unknown writes not yet linearized

  // The completed operations that may go next (invoked before the first pending completion, in
  // index order), gathered when the search turns to the unknown writes, by what an unknown
  // write could do for them (see enables_something()).
  std::vector<std::uint32_t> needy_;      // fail in the current state
  std::vector<std::uint32_t> observers_;  // succeed, and a write could matter to them
  std::vector<std::uint32_t> frontier_unknown_;  // nodes of pending_

  Words completed_bits_;
  std::uint64_t completed_hash_ = 0;  // XOR of zobrist_key(i) over the bits set
  Words unknown_bits_;
  Cache cache_;
  RegisterState state_;
  std::vector<Frame> stack_;
  std::size_t linearized_count_ = 0;

  // The deepest dead end: the explanation of a violation.
  std::size_t best_count_ = 0;
  bool have_best_ = false;
  std::vector<Frame> best_stack_;
  RegisterState best_state_;
  std::uint32_t best_stuck_ = 0;  // completed index
};

void KeySearch::build_event_order() {
  struct Event {
    std::uint64_t time_us;
    bool is_return;
    OpId id;
    std::uint32_t op;
  };
  std::vector<Event> events;
  for (std::uint32_t i = 0; i < completed_.size(); ++i) {
    const Operation& op = *completed_[i].op;
    events.push_back({op.invoke_us, false, op.id, i});
    events.push_back({op.complete_us, true, op.id, i});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::tuple(a.time_us, a.is_return, a.id) < std::tuple(b.time_us, b.is_return, b.id);
  });
  for (const ModelOp& k : completed_) {
    const LogIndex index = known_write_index(*k.op);
    if (index != 0) writes_known_.push_back(index);
  }
  std::sort(writes_known_.begin(), writes_known_.end());
  call_node_.resize(completed_.size());
  return_node_.resize(completed_.size());
  for (std::uint32_t e = 0; e < events.size(); ++e) {
    event_is_call_.push_back(!events[e].is_return);
    event_op_.push_back(events[e].op);
    (events[e].is_return ? return_node_ : call_node_)[events[e].op] = e + 1;
  }
}

void KeySearch::remember_deepest() {
  if (have_best_ && linearized_count_ <= best_count_) return;
  have_best_ = true;
  best_count_ = linearized_count_;
  best_stack_ = stack_;
  best_state_ = state_;
  for (std::uint32_t node = events_.first(); node != kEnd; node = events_.next(node)) {
    if (!is_call(node)) {
      best_stuck_ = event_op(node);
      return;
    }
  }
  QUORUM_UNREACHABLE();  // a dead end always has an unlinearized completed operation
}

void KeySearch::collect_frontier(std::uint64_t min_return_us) {
  // Completed operations that may go next, split by what an unknown write could do for them.
  needy_.clear();
  observers_.clear();
  RegisterState ignored;
  for (std::uint32_t node = events_.first(); node != kEnd && is_call(node);
       node = events_.next(node)) {
    const std::uint32_t i = event_op(node);
    if (!in_index_order(i)) continue;
    const ModelOp& x = completed_[i];
    if (!register_step(state_, x, &ignored, nullptr, values_)) {
      needy_.push_back(i);
    } else if (x.op->kind == OpKind::kRead ||
               (x.op->failure == Failure::kVersionMismatch &&
                x.op->version != kVersionNotReported)) {
      observers_.push_back(i);
    }
  }
  // Unknown writes that could follow the one being placed and need it: a put never needs one
  // (it overwrites), a cas or delete that can go without it does not either.
  frontier_unknown_.clear();
  for (std::uint32_t node = pending_.first(); node != kEnd; node = pending_.next(node)) {
    const ModelOp& x = unknown_[node - 1];
    if (x.op->invoke_us > min_return_us) break;
    if (x.op->kind == OpKind::kPut) continue;
    if (!register_step(state_, x, &ignored, nullptr, values_)) frontier_unknown_.push_back(node);
  }
}

// Canonical form: a linearization in which an unknown write W is followed by an operation X that
// could also go without W can be rewritten without W (X is a write: it leaves the same state
// either way) or with W moved after X (X is an unreported cas mismatch: it changes nothing).
// So W is placed only if something that may go next succeeds after W and fails without it
// (needy_, frontier_unknown_). Reads and reported mismatches that succeed either way (a value
// written twice) count as enabled: rewriting those would change the state, so the rule stays
// out of their way (observers_).
bool KeySearch::enables_something(std::uint32_t placing, const RegisterState& after) const {
  RegisterState ignored;
  for (const std::vector<std::uint32_t>* list : {&needy_, &observers_}) {
    for (std::uint32_t i : *list) {
      if (register_step(after, completed_[i], &ignored, nullptr, values_)) return true;
    }
  }
  for (std::uint32_t node : frontier_unknown_) {
    if (node != placing && register_step(after, unknown_[node - 1], &ignored, nullptr, values_)) {
      return true;
    }
  }
  return false;
}

KeySearch::Result KeySearch::run() {
  if (completed_.empty()) return Result::kOk;
  const bool root_recorded =
      cache_.insert_unless_dominated(completed_bits_, completed_hash_, state_, unknown_bits_);
  QUORUM_ASSERT(root_recorded);
  bool in_pending = false;  // scanning the events list (false) or the unknown writes (true)
  std::uint32_t node = events_.first();
  std::uint64_t min_return_us = 0;
  while (true) {
    if (linearized_count_ == completed_.size()) return Result::kOk;
    if (cache_.size() > states_max_ || cache_.bytes() > cache_bytes_max_) return Result::kBudget;
    bool dead_end = false;
    if (!in_pending) {
      if (is_call(node)) {
        const std::uint32_t i = event_op(node);
        RegisterState next;
        if (in_index_order(i) && register_step(state_, completed_[i], &next, nullptr, values_)) {
          set_bit(completed_bits_, i);
          completed_hash_ ^= zobrist_key(i);
          if (cache_.insert_unless_dominated(completed_bits_, completed_hash_, next,
                                             unknown_bits_)) {
            stack_.push_back({false, next == state_, i, state_, 0});
            events_.remove(call_node_[i]);
            events_.remove(return_node_[i]);
            state_ = next;
            ++linearized_count_;
            if (write_index(i) != 0) ++placed_known_count_;
            node = events_.first();
            continue;
          }
          clear_bit(completed_bits_, i);
          completed_hash_ ^= zobrist_key(i);
          if (next == state_) {
            dead_end = true;  // its node is equivalent to one already explored
            goto backtrack;
          }
        }
        node = events_.next(node);
        continue;
      }
      // The first return: nothing invoked after it may go before it. Try the unknown writes.
      min_return_us = completed_[event_op(node)].op->complete_us;
      collect_frontier(min_return_us);
      in_pending = true;
      node = could_use_unknown() ? pending_.first() : kEnd;
    }
    if (node == kEnd || unknown_[node - 1].op->invoke_us > min_return_us) {
      dead_end = true;
    } else {
      const std::uint32_t j = node - 1;
      RegisterState next;
      // An unknown put right on top of an unknown write hides it: the pair leaves the state
      // the put alone leaves, with one more write used, and the put alone is tried from the
      // parent. Skipping the pair keeps timed-out writes from multiplying the search.
      const bool hides_unknown = unknown_[j].op->kind == OpKind::kPut && !stack_.empty() &&
                                 stack_.back().is_unknown;
      if (!hides_unknown && register_step(state_, unknown_[j], &next, nullptr, values_) &&
          enables_something(node, next)) {
        set_bit(unknown_bits_, j);
        if (cache_.insert_unless_dominated(completed_bits_, completed_hash_, next,
                                           unknown_bits_)) {
          stack_.push_back({true, false, j, state_, min_return_us});
          pending_.remove(node);
          state_ = next;
          in_pending = false;
          node = events_.first();
          continue;
        }
        clear_bit(unknown_bits_, j);
      }
      node = pending_.next(node);
      continue;
    }
  backtrack:
    QUORUM_ASSERT(dead_end);
    remember_deepest();
    Frame top{};
    do {
      if (stack_.empty()) return Result::kViolation;
      top = stack_.back();
      stack_.pop_back();
      undo(top);
    } while (top.forced);
    if (top.is_unknown) {
      in_pending = true;
      min_return_us = top.min_return_us;
      collect_frontier(min_return_us);
      node = could_use_unknown() ? pending_.next(top.index + 1) : kEnd;
    } else {
      in_pending = false;
      node = events_.next(call_node_[top.index]);
    }
  }
}

void KeySearch::undo(const Frame& top) {
  state_ = top.before;
  if (top.is_unknown) {
    pending_.restore(top.index + 1);
    clear_bit(unknown_bits_, top.index);
  } else {
    events_.restore(return_node_[top.index]);
    events_.restore(call_node_[top.index]);
    clear_bit(completed_bits_, top.index);
    completed_hash_ ^= zobrist_key(top.index);
    --linearized_count_;
    if (write_index(top.index) != 0) --placed_known_count_;
  }
}

Violation KeySearch::violation(const std::string& key, std::size_t explanation_ops_max) const {
  QUORUM_ASSERT(have_best_);
  Violation v;
  v.key = key;
  v.completed_count = completed_.size();
  v.linearized_count = best_count_;
  const std::size_t from =
      best_stack_.size() > explanation_ops_max ? best_stack_.size() - explanation_ops_max : 0;
  for (std::size_t f = from; f < best_stack_.size(); ++f) {
    const Frame& frame = best_stack_[f];
    v.prefix_tail.push_back(*(frame.is_unknown ? unknown_ : completed_)[frame.index].op);
  }
  v.state = register_state_text(best_state_, values_);
  const ModelOp& stuck = completed_[best_stuck_];
  v.stuck = *stuck.op;
  RegisterState ignored;
  auto why_not = [&](const ModelOp& k) {
    std::string reason;
    if (!register_step(best_state_, k, &ignored, &reason, values_)) return reason;
    const LogIndex index = known_write_index(*k.op);
    // Known writes are placed in index order: those placed are the ones up to the floor.
    auto lowest_unplaced =
        std::upper_bound(writes_known_.begin(), writes_known_.end(), best_state_.floor_index);
    if (index != 0 && lowest_unplaced != writes_known_.end() && *lowest_unplaced < index) {
      return fmt::format("the acknowledged write at index {} must go first", *lowest_unplaced);
    }
    return std::string("it could go next, but then no continuation linearizes the rest");
  };
  v.stuck_reason = why_not(stuck);
  // Alternatives: unlinearized operations invoked before `stuck` completed.
  auto consider = [&](const ModelOp& k, bool linearized) {
    if (linearized || k.op == stuck.op || k.op->invoke_us > stuck.op->complete_us) return;
    if (v.alternatives.size() >= explanation_ops_max) return;
    v.alternatives.push_back(*k.op);
    v.alternative_reasons.push_back(why_not(k));
  };
  std::vector<bool> done_completed(completed_.size(), false);
  std::vector<bool> done_unknown(unknown_.size(), false);
  for (const Frame& frame : best_stack_) {
    (frame.is_unknown ? done_unknown : done_completed)[frame.index] = true;
  }
  for (std::size_t i = 0; i < completed_.size(); ++i) consider(completed_[i], done_completed[i]);
  for (std::size_t j = 0; j < unknown_.size(); ++j) consider(unknown_[j], done_unknown[j]);
  return v;
}

// Does the checker need this operation? Rejected operations and reads of unknown outcome say
// nothing about the register.
bool informative(const Operation& op) {
  if (op.outcome == Outcome::kFailed) return op.failure != Failure::kRejected;
  if (op.outcome == Outcome::kUnknown) return op.kind != OpKind::kRead;
  return true;
}

}  // namespace

LinearizabilityResult check_linearizability(const History& history,
                                            const LinearizabilityOptions& options) {
  const std::string problem = history.validate();
  QUORUM_ASSERT(problem.empty(), "invalid history: {}", problem);
  std::map<std::string_view, std::vector<const Operation*>> by_key;
  for (const Operation& op : history.operations()) {
    if (informative(op)) by_key[op.key].push_back(&op);
  }
  LinearizabilityResult result;
  for (const auto& [key, ops] : by_key) {
    std::map<std::string_view, std::uint32_t> ids;
    std::vector<std::string_view> values{""};  // id 0: no value
    auto intern = [&](const std::string& s) {
      auto [it, inserted] = ids.emplace(s, static_cast<std::uint32_t>(values.size()));
      if (inserted) values.push_back(s);
      return it->second;
    };
    std::vector<ModelOp> completed;
    std::vector<ModelOp> unknown;
    for (const Operation* op : ops) {
      ModelOp k{op, 0, 0};
      if (op->kind == OpKind::kPut || op->kind == OpKind::kCas) k.value_id = intern(op->value);
      if (op->kind == OpKind::kRead && op->found) k.read_value_id = intern(op->read_value);
      (op->outcome == Outcome::kUnknown ? unknown : completed).push_back(k);
    }
    result.keys_checked += 1;
    result.operations_checked += ops.size();
    KeySearch search(std::move(completed), std::move(unknown), std::move(values),
                     options.states_max, options.cache_bytes_max);
    const KeySearch::Result r = search.run();
    result.states_explored += search.states();
    switch (r) {
      case KeySearch::Result::kOk: break;
      case KeySearch::Result::kBudget: result.inconclusive_keys.emplace_back(key); break;
      case KeySearch::Result::kViolation:
        result.verdict = Verdict::kViolation;
        result.violation = search.violation(std::string(key), options.explanation_ops_max);
        return result;
    }
  }
  if (!result.inconclusive_keys.empty()) result.verdict = Verdict::kInconclusive;
  return result;
}

std::string LinearizabilityResult::explain() const {
  std::string out = fmt::format("linearizability: {} ({} keys, {} operations, {} states)\n",
                                verdict_name(verdict), keys_checked, operations_checked,
                                states_explored);
  if (verdict == Verdict::kInconclusive) {
    out += "  search budget exhausted on keys:";
    for (const std::string& key : inconclusive_keys) out += fmt::format(" {:?}", key);
    out += "\n";
  }
  if (verdict != Verdict::kViolation) return out;
  const Violation& v = violation;
  out += fmt::format("  key {:?}: the longest linearization orders {} of {} completed operations;"
                     " its last {}:\n",
                     v.key, v.linearized_count, v.completed_count, v.prefix_tail.size());
  for (const Operation& op : v.prefix_tail) out += fmt::format("    {}\n", format_operation(op));
  out += fmt::format("  register then: {}\n", v.state);
  out += fmt::format("  cannot place next: {}\n    because {}\n", format_operation(v.stuck),
                     v.stuck_reason);
  if (!v.alternatives.empty()) out += "  nor could anything that may precede it:\n";
  for (std::size_t i = 0; i < v.alternatives.size(); ++i) {
    out += fmt::format("    {}\n      because {}\n", format_operation(v.alternatives[i]),
                       v.alternative_reasons[i]);
  }
  return out;
}

}  // namespace quorum::sim
