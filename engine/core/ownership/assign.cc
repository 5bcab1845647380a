// The assignment policy (assign.h). Core: std and fmt only.
//
// One pass over the clusters sorts each into: kept by its owner (counted in the owner's load,
// movable), frozen on a not-yet-stable owner, in flight to a receiver, or "to place" (with the
// owner to release it from, if that owner is alive). Then, against the shares [lo, hi] of each
// receiver: owners above hi shed movable clusters into the pool; the pool is placed on the
// least relatively loaded fitting receiver (below hi first); receivers still below lo take
// clusters from receivers above lo. Every step only moves a cluster from above a bound to below
// one, so repeated plans converge and a balanced state plans nothing.
#include "engine/core/ownership/assign.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "engine/core/base/assert.h"

namespace quorum::ownership {
namespace {

enum class Priority : std::uint8_t { kUnfit, kDrain, kPin, kSite, kRebalance };

struct Receiver {
  NodeId id = kNoNode;
  std::uint64_t weight = 1;
  const std::string* site = nullptr;  // the controller's site tag, if any
  std::uint64_t load = 0;
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  std::vector<const Cluster*> movable;  // kept clusters that may move, ascending id
};

// A cluster to place. `from`: the alive owner that must release it (kNoNode: nobody acts on it
// now, an Assign suffices). `may_stay`: it was shed for balance and may stay if nothing fits.
struct Item {
  const Cluster* cluster = nullptr;
  NodeId from = kNoNode;
  Priority priority = Priority::kRebalance;
  bool may_stay = false;
};

struct Move {
  Priority priority;
  Release release;
};

const std::string* site_of(const Tags& tags) {
  if (tags.empty()) return nullptr;
  auto it = tags.find(std::string(kSiteTag));
  return it == tags.end() ? nullptr : &it->second;
}

// a is a better place for one more cluster than b: below its share first, then the lower
// relative load (load + 1) / weight, then the lower id.
bool better_target(const Receiver& a, const Receiver& b) {
  const bool a_full = a.load >= a.hi;
  const bool b_full = b.load >= b.hi;
  if (a_full != b_full) return !a_full;
  const std::uint64_t lhs = (a.load + 1) * b.weight;
  const std::uint64_t rhs = (b.load + 1) * a.weight;
  if (lhs != rhs) return lhs < rhs;
  return a.id < b.id;
}

// a is more loaded than b relative to weight (ties: the lower id first, for determinism).
bool more_loaded(const Receiver& a, const Receiver& b) {
  const std::uint64_t lhs = a.load * b.weight;
  const std::uint64_t rhs = b.load * a.weight;
  if (lhs != rhs) return lhs > rhs;
  return a.id < b.id;
}

class Planner {
 public:
  explicit Planner(const PolicyInput& input) : in_(input) {}

  std::vector<Command> run() {
    collect_receivers();
    for (const auto& [id, cluster] : in_.state.clusters()) classify(cluster);
    if (!receivers_.empty()) {
      compute_shares();
      shed();
      for (const Item& item : pool_) place(item);
      take_for_underloaded();
    }
    return emit();
  }

 private:
  // What the plan needs to know of one registered controller, looked up once per cluster.
  struct Info {
    bool alive = false;
    bool unfit = false;     // its database backend is unfit (rule 8)
    bool can_hold = false;  // alive, fit, active role, auto-recovery on, kActive
    Receiver* receiver = nullptr;  // can_hold and stable
  };

  const Info& info(NodeId id) const {
    auto it = info_.find(id);
    return it == info_.end() ? unknown_ : it->second;
  }
  bool alive(NodeId id) const { return info(id).alive; }
  bool can_hold(NodeId id) const { return info(id).can_hold; }
  Receiver* receiver(NodeId id) const { return info(id).receiver; }

  void collect_receivers() {
    for (const auto& [id, c] : in_.state.controllers()) {
      Info& i = info_[id];
      i.alive = in_.alive.count(id) > 0;
      i.unfit = in_.unfit.count(id) > 0;
      i.can_hold = i.alive && !i.unfit && c.role == ControllerRole::kActive && c.auto_recovery &&
                   c.state == ControllerState::kActive;
      if (!i.can_hold || in_.stable.count(id) == 0) continue;
      Receiver r;
      r.id = id;
      r.weight = c.weight;
      r.site = site_of(c.tags);
      if (r.site != nullptr) by_site_[*r.site].push_back(receivers_.size());
      receivers_.push_back(std::move(r));
    }
    // receivers_ is complete: pointers into it stay valid from here on.
    for (Receiver& r : receivers_) info_[r.id].receiver = &r;
  }

  // The receivers a cluster may go to: those of its site while there is one, else all
  // (returned as nullptr).
  const std::vector<std::size_t>* site_candidates(const Cluster& cl) const {
    const std::string* site = site_of(cl.tags);
    if (site == nullptr) return nullptr;
    auto it = by_site_.find(*site);
    return it == by_site_.end() ? nullptr : &it->second;
  }

  bool fits(const Receiver& r, const Cluster& cl) const {
    if (cl.tags.empty()) return true;
    const std::vector<std::size_t>* sites = site_candidates(cl);
    return sites == nullptr || (r.site != nullptr && *r.site == *site_of(cl.tags));
  }

  void count_on(NodeId id) {
    if (Receiver* r = receiver(id)) ++r->load;
  }

  void classify_pinned(const Cluster& cl) {
    const NodeId pin = cl.pinned_owner;
    count_on(pin);
    if (cl.state == ClusterState::kOwned && cl.owner == pin) return;
    if (cl.state == ClusterState::kOwned && alive(cl.owner)) {
      moves_.push_back(Move{Priority::kPin, Release{cl.id, cl.owner, cl.epoch, pin}});
    } else {
      assigns_.push_back(Assign{cl.id, pin, cl.epoch});
    }
  }

  void classify(const Cluster& cl) {
    if (cl.pinned_owner != kNoNode && can_hold(cl.pinned_owner)) return classify_pinned(cl);
    switch (cl.state) {
      case ClusterState::kUnowned:
        pool_.push_back(Item{&cl});
        return;
      case ClusterState::kHandingOver: {
        Receiver* target = receiver(cl.handover_to);
        if (target != nullptr && fits(*target, cl)) {
          ++target->load;
          assigns_.push_back(Assign{cl.id, target->id, cl.epoch});
        } else {
          pool_.push_back(Item{&cl});  // the releasing owner already stopped acting
        }
        return;
      }
      case ClusterState::kOwned:
        classify_owned(cl);
        return;
    }
    QUORUM_UNREACHABLE();
  }

  void classify_owned(const Cluster& cl) {
    if (!alive(cl.owner)) {
      pool_.push_back(Item{&cl});  // takeover: the driver waited out the owner's lease
      return;
    }
    if (!can_hold(cl.owner)) {
      pool_.push_back(Item{&cl, cl.owner, info(cl.owner).unfit ? Priority::kUnfit : Priority::kDrain});
      return;
    }
    Receiver* owner = receiver(cl.owner);
    if (owner == nullptr) return;  // alive but not stable: keeps it, takes no part
    if (!fits(*owner, cl)) {
      pool_.push_back(Item{&cl, cl.owner, Priority::kSite});
      return;
    }
    ++owner->load;
    owner->movable.push_back(&cl);
  }

  void compute_shares() {
    std::uint64_t total_weight = 0;
    std::uint64_t clusters = pool_.size();
    for (const Receiver& r : receivers_) {
      total_weight += r.weight;
      clusters += r.load;
    }
    QUORUM_ASSERT(total_weight > 0);
    for (Receiver& r : receivers_) {
      r.lo = clusters * r.weight / total_weight;
      r.hi = (clusters * r.weight + total_weight - 1) / total_weight;
      QUORUM_ASSERT(r.lo <= r.hi && r.hi <= r.lo + 1);
    }
  }

  // Another receiver of the cluster's site is below its share (or the cluster may go anywhere).
  bool has_room_elsewhere(const Receiver& self, const Cluster& cl) const {
    const std::vector<std::size_t>* sites = site_candidates(cl);
    if (sites == nullptr) return true;
    for (std::size_t i : *sites) {
      const Receiver& r = receivers_[i];
      if (r.id != self.id && r.load < r.hi) return true;
    }
    return false;
  }

  void shed() {
    for (Receiver& r : receivers_) {
      std::size_t pos = r.movable.size();
      while (r.load > r.hi && pos > 0) {
        --pos;
        const Cluster* cl = r.movable[pos];
        if (!has_room_elsewhere(r, *cl)) continue;
        r.movable.erase(r.movable.begin() + static_cast<std::ptrdiff_t>(pos));
        --r.load;
        pool_.push_back(Item{cl, r.id, Priority::kRebalance, true});
      }
    }
  }

  Receiver* best_target(const Cluster& cl) {
    const std::vector<std::size_t>* sites = site_candidates(cl);
    Receiver* best = nullptr;
    auto consider = [&](Receiver& r) {
      if (best == nullptr || better_target(r, *best)) best = &r;
    };
    if (sites == nullptr) {
      for (Receiver& r : receivers_) consider(r);
    } else {
      for (std::size_t i : *sites) consider(receivers_[i]);
    }
    return best;
  }

  void place(const Item& item) {
    const Cluster& cl = *item.cluster;
    Receiver* target = best_target(cl);
    QUORUM_ASSERT(target != nullptr);
    if (item.may_stay && target->load >= target->hi) target = receiver(item.from);
    ++target->load;
    if (target->id == item.from) return;  // stays where it is
    if (item.from != kNoNode) {
      moves_.push_back(Move{item.priority, Release{cl.id, item.from, cl.epoch, target->id}});
    } else {
      assigns_.push_back(Assign{cl.id, target->id, cl.epoch});
    }
  }

  // Takes one cluster that fits `taker` from the most loaded receiver above its lower share.
  bool take_one(Receiver& taker) {
    std::vector<Receiver*> sources;
    for (Receiver& r : receivers_) {
      if (r.id != taker.id && r.load > r.lo && !r.movable.empty()) sources.push_back(&r);
    }
    std::sort(sources.begin(), sources.end(),
              [](const Receiver* a, const Receiver* b) { return more_loaded(*a, *b); });
    for (Receiver* source : sources) {
      for (std::size_t pos = source->movable.size(); pos > 0; --pos) {
        const Cluster* cl = source->movable[pos - 1];
        if (!fits(taker, *cl)) continue;
        source->movable.erase(source->movable.begin() + static_cast<std::ptrdiff_t>(pos - 1));
        --source->load;
        ++taker.load;
        moves_.push_back(
            Move{Priority::kRebalance, Release{cl->id, source->id, cl->epoch, taker.id}});
        return true;
      }
    }
    return false;
  }

  void take_for_underloaded() {
    for (Receiver& r : receivers_) {
      while (r.load < r.lo && take_one(r)) {
      }
    }
  }

  std::vector<Command> emit() {
    std::sort(assigns_.begin(), assigns_.end(),
              [](const Assign& a, const Assign& b) { return a.cluster < b.cluster; });
    std::stable_sort(moves_.begin(), moves_.end(), [](const Move& a, const Move& b) {
      return a.priority < b.priority;
    });
    std::vector<Command> out;
    out.reserve(assigns_.size() + std::min(moves_.size(), in_.moves_max));
    for (const Assign& a : assigns_) out.emplace_back(a);
    std::size_t limited = 0;
    for (const Move& move : moves_) {
      if (move.priority != Priority::kUnfit && limited++ >= in_.moves_max) break;
      out.emplace_back(move.release);
    }
    return out;
  }

  const PolicyInput& in_;
  std::vector<Receiver> receivers_;              // ascending id
  std::map<NodeId, Info> info_;                  // every registered controller
  const Info unknown_{};                         // an id that is not registered
  std::map<std::string_view, std::vector<std::size_t>> by_site_;  // site -> receivers
  std::vector<Item> pool_;
  std::vector<Assign> assigns_;
  std::vector<Move> moves_;
};

}  // namespace

std::vector<Command> plan(const PolicyInput& input) { return Planner(input).run(); }

}  // namespace quorum::ownership
