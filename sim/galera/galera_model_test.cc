// GaleraModel rules, and its calibration against the real cluster: the fault script of
// tests/galera/fault_timings.sh (tools/galera-local on loopback, measured 2026-12-03; the settled
// state of each node after each step is recorded below) replayed on the model.
#include "sim/galera/galera_model.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace quorum::sim {
namespace {

// A 3-node world of crashes and cuts, as the simulated network would present it.
struct Net {
  std::set<NodeId> down;
  std::set<std::pair<NodeId, NodeId>> cut;
  bool up(NodeId id) const { return !down.contains(id); }
  bool linked(NodeId a, NodeId b) const { return !cut.contains({a, b}); }
  void isolate(NodeId a) {
    for (NodeId b = 1; b <= 3; ++b) {
      if (b == a) continue;
      cut.insert({a, b});
      cut.insert({b, a});
    }
  }
};

// Updates until nothing changes (Joining settles to Synced) and returns each node's state.
std::vector<std::string> settle(GaleraModel& model, const Net& net) {
  const auto up = [&net](NodeId id) { return net.up(id); };
  const auto linked = [&net](NodeId a, NodeId b) { return net.linked(a, b); };
  for (int i = 0; i < 4 && model.update(up, linked); ++i) {
  }
  EXPECT_FALSE(model.update(up, linked)) << "the model did not settle";
  std::vector<std::string> out;
  for (NodeId id = 1; id <= 3; ++id) out.emplace_back(model.describe(id));
  return out;
}

using States = std::vector<std::string>;
const std::string kPS = "Primary/Synced";
const std::string kNP = "non-Primary/Initialized";
const std::string kDown = "down";

TEST(GaleraModelCalibration, TheFaultScriptGivesTheStatesTheRealClusterReported) {
  GaleraModel model(3);
  Net net;
  EXPECT_EQ(settle(model, net), (States{kPS, kPS, kPS}));            // up
  net.down.insert(1);                                                 // kill 1
  EXPECT_EQ(settle(model, net), (States{kDown, kPS, kPS}));
  net.down.erase(1);                                                  // start 1 (IST)
  EXPECT_EQ(settle(model, net), (States{kPS, kPS, kPS}));
  net.down.insert(1);                                                 // kill 1 again
  EXPECT_EQ(settle(model, net), (States{kDown, kPS, kPS}));
  net.down.insert(2);                                                 // kill a second one
  EXPECT_EQ(settle(model, net), (States{kDown, kDown, kNP}));
  net.down.clear();                                                   // up after two crashed
  EXPECT_EQ(settle(model, net), (States{kPS, kPS, kPS}));
  net.isolate(3);                                                     // isolate 3
  EXPECT_EQ(settle(model, net), (States{kPS, kPS, kNP}));
  net.cut.clear();                                                    // heal
  EXPECT_EQ(settle(model, net), (States{kPS, kPS, kPS}));
  net.isolate(1);                                                     // isolate all three
  net.isolate(2);
  net.isolate(3);
  EXPECT_EQ(settle(model, net), (States{kNP, kNP, kNP}));
  net.cut.clear();                                                    // heal all: no bootstrap
  EXPECT_EQ(settle(model, net), (States{kPS, kPS, kPS}));
  net.down = {1, 2, 3};                                               // full outage
  EXPECT_EQ(settle(model, net), (States{kDown, kDown, kDown}));
  net.down.clear();                                                   // up: bootstrap
  EXPECT_EQ(settle(model, net), (States{kPS, kPS, kPS}));
}

TEST(GaleraModel, ANodeThatRejoinsIsJoiningBeforeSyncedAndUnhealthyMeanwhile) {
  GaleraModel model(3);
  Net net;
  net.isolate(2);
  settle(model, net);
  net.cut.clear();
  const auto up = [&net](NodeId id) { return net.up(id); };
  const auto linked = [&net](NodeId a, NodeId b) { return net.linked(a, b); };
  ASSERT_TRUE(model.update(up, linked));
  EXPECT_EQ(model.describe(2), "Primary/Joining");
  EXPECT_FALSE(model.healthy(2));
  EXPECT_TRUE(model.healthy(1));
  ASSERT_TRUE(model.update(up, linked));
  EXPECT_TRUE(model.healthy(2));
}

TEST(GaleraModel, AMinorityOfTheLastPrimaryComponentIsNotPrimaryEvenIfItWasAMajorityOnce) {
  // 5 nodes: {4,5} cut off -> {1,2,3} is the last Primary component; then {3} is cut off too:
  // {1,2} holds 2 of 3 and stays Primary; {3,4,5} is a majority of the five but not of the last.
  GaleraModel model(5);
  std::set<std::pair<NodeId, NodeId>> cut;
  const auto up = [](NodeId) { return true; };
  const auto linked = [&cut](NodeId a, NodeId b) { return !cut.contains({a, b}); };
  auto split = [&cut](const std::set<NodeId>& side) {
    cut.clear();
    for (NodeId a = 1; a <= 5; ++a) {
      for (NodeId b = 1; b <= 5; ++b) {
        if (side.contains(a) != side.contains(b)) cut.insert({a, b});
      }
    }
  };
  split({4, 5});
  model.update(up, linked);
  EXPECT_EQ(model.last_primary(), (std::vector<NodeId>{1, 2, 3}));
  split({1, 2});
  model.update(up, linked);
  EXPECT_TRUE(model.primary(1));
  EXPECT_FALSE(model.primary(3));
  EXPECT_FALSE(model.primary(5));
  EXPECT_EQ(model.last_primary(), (std::vector<NodeId>{1, 2}));
}

TEST(GaleraModel, GaleraIsolationCutsOnlyTheGaleraTraffic) {
  GaleraModel model(3);
  Net net;
  model.set_galera_isolated(1, true);
  EXPECT_EQ(settle(model, net), (States{kNP, kPS, kPS}));
  model.heal_galera();
  EXPECT_EQ(settle(model, net), (States{kPS, kPS, kPS}));
}

TEST(GaleraModel, AGaleraSplitAndAGaleraKillLeaveTheControllersHostsUp) {
  GaleraModel model(3);
  Net net;  // every host up, every Raft link intact
  model.split_galera({1});
  EXPECT_EQ(settle(model, net), (States{kNP, kPS, kPS}));
  model.split_galera({1, 2});  // replaces the earlier split: {1,2} hold 1 of the last {2,3}
  EXPECT_EQ(settle(model, net), (States{kNP, kNP, kNP}));
  model.heal_galera();
  EXPECT_EQ(settle(model, net), (States{kPS, kPS, kPS}));
  model.set_galera_down(2, true);
  EXPECT_TRUE(model.galera_down(2));
  EXPECT_EQ(settle(model, net), (States{kPS, kDown, kPS}));
  model.heal_galera();  // a heal does not start a killed node
  EXPECT_EQ(settle(model, net), (States{kPS, kDown, kPS}));
  for (NodeId id = 1; id <= 3; ++id) model.set_galera_down(id, true);  // Galera down everywhere
  EXPECT_EQ(settle(model, net), (States{kDown, kDown, kDown}));
  model.set_galera_down(1, false);  // 1 was in the last Primary {1,3} but alone is not all of it
  EXPECT_EQ(settle(model, net), (States{kNP, kDown, kDown}));
  model.set_galera_down(3, false);
  EXPECT_EQ(settle(model, net), (States{kPS, kDown, kPS}));
  model.set_galera_down(2, false);
  EXPECT_EQ(settle(model, net), (States{kPS, kPS, kPS}));
}

}  // namespace
}  // namespace quorum::sim
