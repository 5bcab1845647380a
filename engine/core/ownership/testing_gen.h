// RapidCheck generators of ownership commands and states, for property tests only (the core
// library does not include this header; tests of engine/core and engine/wire do).
//
// gen_command(&machine) draws commands that are mostly plausible in the machine's state (ids
// that exist, the current epoch for a compare-and-set) so that long sequences reach owned,
// handing-over and draining states, and sometimes anything (wrong epoch, unknown id, bad field)
// so that every rejection path runs. gen_command(nullptr) draws any value of any field.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <iterator>
#include <string>

#include "engine/core/ownership/command.h"
#include "engine/core/ownership/state_machine.h"

namespace quorum::ownership::testing {

inline constexpr NodeId kGenControllerIdMax = 8;
inline constexpr ClusterId kGenClusterIdMax = 24;

inline bool gen_chance(int percent) { return *rc::gen::inRange(0, 100) < percent; }

template <typename Map>
typename Map::key_type gen_existing_key(const Map& map, typename Map::key_type fallback) {
  if (map.empty() || gen_chance(10)) return fallback;
  auto it = map.begin();
  std::advance(it, *rc::gen::inRange<std::size_t>(0, map.size()));
  return it->first;
}

inline std::string gen_text(bool anything) {
  if (anything) return *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
  if (gen_chance(3)) return {};
  return *rc::gen::element<std::string>("a", "b", "db-1", "site-a", "10.0.0.1:9500");
}

inline Tags gen_tags(bool anything) {
  Tags tags;
  const int count = *rc::gen::inRange(0, 3);
  for (int i = 0; i < count; ++i) {
    if (anything) {
      tags[gen_text(true)] = gen_text(true);
    } else {
      tags[*rc::gen::element<std::string>("site", "rack", "env")] =
          *rc::gen::element<std::string>("A", "B", "C");
    }
  }
  return tags;
}

inline std::uint32_t gen_weight(bool anything) {
  if (anything) return *rc::gen::arbitrary<std::uint32_t>();
  if (gen_chance(3)) return 0;
  return *rc::gen::inRange<std::uint32_t>(1, 5);
}

inline NodeId gen_controller_id(const StateMachine* sm) {
  if (sm == nullptr) return *rc::gen::arbitrary<NodeId>();
  return gen_existing_key(sm->controllers(),
                          *rc::gen::inRange<NodeId>(0, kGenControllerIdMax + 1));
}

inline ClusterId gen_cluster_id(const StateMachine* sm) {
  if (sm == nullptr) return *rc::gen::arbitrary<ClusterId>();
  return gen_existing_key(sm->clusters(), *rc::gen::inRange<ClusterId>(0, kGenClusterIdMax + 1));
}

inline Epoch gen_epoch(const StateMachine* sm, ClusterId cluster) {
  if (sm == nullptr) return *rc::gen::arbitrary<Epoch>();
  const Cluster* cl = sm->find_cluster(cluster);
  if (cl != nullptr && !gen_chance(10)) return cl->epoch;
  return *rc::gen::inRange<Epoch>(0, sm->applied_index() + 2);
}

inline RegisterController gen_register(const StateMachine* sm) {
  const bool anything = sm == nullptr;
  RegisterController c;
  c.id = anything ? *rc::gen::arbitrary<NodeId>()
                  : *rc::gen::inRange<NodeId>(gen_chance(3) ? 0 : 1, kGenControllerIdMax + 1);
  c.name = anything || gen_chance(5) ? gen_text(anything) : "c" + std::to_string(c.id);
  c.address = gen_text(anything);
  c.weight = gen_weight(anything);
  c.tags = gen_tags(anything);
  c.role = gen_chance(20) ? ControllerRole::kStandby : ControllerRole::kActive;
  c.auto_recovery = anything || gen_chance(5) ? *rc::gen::arbitrary<bool>()
                                              : c.role == ControllerRole::kActive;
  return c;
}

inline AddCluster gen_add_cluster(const StateMachine* sm) {
  const bool anything = sm == nullptr;
  AddCluster c;
  c.id = anything ? *rc::gen::arbitrary<ClusterId>()
                  : *rc::gen::inRange<ClusterId>(gen_chance(3) ? 0 : 1, kGenClusterIdMax + 1);
  c.name = anything || gen_chance(5) ? gen_text(anything) : "db" + std::to_string(c.id);
  c.tags = gen_tags(anything);
  c.auto_recovery = *rc::gen::arbitrary<bool>();
  return c;
}

inline Release gen_release(const StateMachine* sm) {
  Release r;
  r.cluster = gen_cluster_id(sm);
  const Cluster* cl = sm == nullptr ? nullptr : sm->find_cluster(r.cluster);
  r.from = cl != nullptr && !gen_chance(10) ? cl->owner : gen_controller_id(sm);
  r.expected_epoch = gen_epoch(sm, r.cluster);
  r.to = gen_chance(40) ? kNoNode : gen_controller_id(sm);
  return r;
}

// Weighted towards Assign/Release/Activate so sequences reach owned and handed-over states.
inline Command gen_command(const StateMachine* sm) {
  switch (*rc::gen::inRange(0, 20)) {
    case 0:
    case 1:
      return gen_register(sm);
    case 2:
      return DeregisterController{gen_controller_id(sm)};
    case 3:
      return SetWeight{gen_controller_id(sm), gen_weight(sm == nullptr)};
    case 4:
      return Drain{gen_controller_id(sm)};
    case 5:
    case 6:
      return Activate{gen_controller_id(sm)};
    case 7:
      return Promote{gen_controller_id(sm), gen_chance(50)};
    case 8:
    case 9:
      return gen_add_cluster(sm);
    case 10:
      return RemoveCluster{gen_cluster_id(sm)};
    case 11:
      return Pin{gen_cluster_id(sm), gen_controller_id(sm)};
    case 12:
      return Unpin{gen_cluster_id(sm)};
    case 13:
    case 14:
    case 15:
    case 16: {
      const ClusterId cluster = gen_cluster_id(sm);
      return Assign{cluster, gen_controller_id(sm), gen_epoch(sm, cluster)};
    }
    default:
      return gen_release(sm);
  }
}

}  // namespace quorum::ownership::testing
