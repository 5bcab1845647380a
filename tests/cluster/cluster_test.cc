// In-process cluster tests: 3 and 5 NodeHosts on in-memory ports, with the network, time and
// crashes driven by the test (tests/support/cluster_harness.h). Each test elects a leader,
// replicates 1,000 config puts, loses the leader (crash or partition), checks that exactly one
// new leader takes over in a higher term, keeps writing, and checks that every acknowledged put
// is on every node.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/support/cluster_harness.h"

namespace quorum::testing {
namespace {

constexpr std::size_t kPutsCount = 1000;
constexpr std::size_t kElectionTicksMax = 200;

ClusterOptions options(std::size_t nodes, std::uint64_t seed) {
  ClusterOptions o;
  o.nodes = nodes;
  o.seed = seed;
  o.raft.election_timeout_ticks = 10;
  o.raft.heartbeat_interval_ticks = 2;
  o.raft.pre_vote = true;
  o.raft.check_quorum = true;
  o.snapshot_interval_entries = 300;  // compaction happens during the test
  return o;
}

// A leader exists, has applied what it committed, and every live node it can reach follows it.
bool settled(ClusterHarness& cluster) {
  const NodeId leader = cluster.leader();
  if (leader == kNoNode) return false;
  const raft::Node& core = cluster.host(leader).node();
  if (cluster.host(leader).applied_index() < core.commit_index()) return false;
  for (NodeId id : cluster.ids()) {
    if (!cluster.is_up(id) || !cluster.link_up(leader, id)) continue;
    if (cluster.host(id).node().leader_id() != leader) return false;
  }
  return true;
}

// Proposes `count` puts on the leader in batches, delivering between batches; returns tickets.
std::vector<std::size_t> write(ClusterHarness& cluster, std::size_t first, std::size_t count,
                               std::map<std::string, std::string>* expected) {
  std::vector<std::size_t> tickets;
  const NodeId leader = cluster.leader();
  EXPECT_NE(leader, kNoNode);
  for (std::size_t i = first; i < first + count; ++i) {
    const std::string path = "cluster/file" + std::to_string(i % 200) + ".cnf";
    const std::string content = "value " + std::to_string(i);
    tickets.push_back(cluster.put(leader, path, content));
    (*expected)[path] = content;
    if (i % 25 == 24) cluster.deliver_all();
  }
  EXPECT_TRUE(cluster.run_until(
      [&] {
        for (std::size_t ticket : tickets) {
          if (!cluster.reply(ticket).has_value()) return false;
        }
        return true;
      },
      100));
  return tickets;
}

void expect_all_ok(const ClusterHarness& cluster, const std::vector<std::size_t>& tickets) {
  std::size_t ok = 0;
  for (std::size_t ticket : tickets) {
    const auto reply = cluster.reply(ticket);
    ASSERT_TRUE(reply.has_value()) << "ticket " << ticket << " unanswered";
    EXPECT_EQ(reply->code, host::ClientReply::Code::kOk)
        << "ticket " << ticket << ": " << host::client_reply_code_name(reply->code) << " "
        << reply->reason;
    if (reply->code == host::ClientReply::Code::kOk) ++ok;
  }
  EXPECT_EQ(ok, tickets.size());
}

bool holds(ClusterHarness& cluster, const std::map<std::string, std::string>& expected) {
  for (NodeId id : cluster.ids()) {
    if (!cluster.is_up(id)) continue;
    const auto& files = cluster.host(id).state().config.files();
    if (files.size() != expected.size()) return false;
    for (const auto& [path, content] : expected) {
      const auto it = files.find(path);
      if (it == files.end() || it->second.content != content) return false;
    }
  }
  return true;
}

// Every live node holds exactly `expected` (path -> content).
void expect_converged(ClusterHarness& cluster, const std::map<std::string, std::string>& expected) {
  for (NodeId id : cluster.ids()) {
    if (!cluster.is_up(id)) continue;
    const auto& files = cluster.host(id).state().config.files();
    ASSERT_EQ(files.size(), expected.size()) << "node " << id;
    for (const auto& [path, content] : expected) {
      const auto it = files.find(path);
      ASSERT_NE(it, files.end()) << "node " << id << " misses " << path;
      EXPECT_EQ(it->second.content, content) << "node " << id << " " << path;
    }
  }
}

void expect_one_leader_per_term(const ClusterHarness& cluster) {
  for (const auto& [term, leaders] : cluster.leaders_by_term()) {
    EXPECT_EQ(leaders.size(), 1u) << "term " << term << " had " << leaders.size() << " leaders";
  }
}

// The leader is lost; exactly one new leader, in a higher term, takes over among the others.
NodeId expect_new_leader(ClusterHarness& cluster, NodeId old_leader, Term old_term) {
  const bool elected = cluster.run_until(
      [&] {
        const NodeId l = cluster.leader();
        return l != kNoNode && l != old_leader && settled(cluster);
      },
      kElectionTicksMax);
  EXPECT_TRUE(elected);
  const NodeId leader = cluster.leader();
  EXPECT_NE(leader, old_leader);
  EXPECT_GT(cluster.host(leader).node().term(), old_term);
  std::size_t leaders_in_top_term = 0;
  for (const auto& [id, term] : cluster.leaders()) {
    if (term == cluster.host(leader).node().term()) ++leaders_in_top_term;
  }
  EXPECT_EQ(leaders_in_top_term, 1u);
  return leader;
}

class ClusterTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ClusterTest, ReplicatesPutsAndSurvivesLeaderCrash) {
  ClusterHarness cluster(options(GetParam(), 7));
  ASSERT_TRUE(cluster.run_until([&] { return settled(cluster); }, kElectionTicksMax));
  std::map<std::string, std::string> expected;
  const auto first = write(cluster, 0, kPutsCount, &expected);
  expect_all_ok(cluster, first);
  cluster.tick(3);  // followers learn the final commit index from heartbeats
  expect_converged(cluster, expected);
  for (NodeId id : cluster.ids()) {  // snapshot_interval_entries = 300: every node compacted
    EXPECT_TRUE(cluster.storage(id).durable().snapshot.has_value()) << "node " << id;
  }

  const NodeId old_leader = cluster.leader();
  const Term old_term = cluster.host(old_leader).node().term();
  cluster.crash(old_leader);
  const NodeId new_leader = expect_new_leader(cluster, old_leader, old_term);
  ASSERT_NE(new_leader, kNoNode);

  const auto second = write(cluster, kPutsCount, 100, &expected);
  expect_all_ok(cluster, second);
  cluster.restart(old_leader);
  ASSERT_TRUE(cluster.run_until(
      [&] {
        return cluster.host(old_leader).applied_index() == cluster.host(new_leader).applied_index();
      },
      kElectionTicksMax));
  expect_converged(cluster, expected);
  expect_one_leader_per_term(cluster);
}

TEST_P(ClusterTest, PartitionedLeaderStepsDownAndMajorityElectsAnother) {
  ClusterHarness cluster(options(GetParam(), 11));
  ASSERT_TRUE(cluster.run_until([&] { return settled(cluster); }, kElectionTicksMax));
  std::map<std::string, std::string> expected;
  expect_all_ok(cluster, write(cluster, 0, kPutsCount, &expected));

  const NodeId old_leader = cluster.leader();
  const Term old_term = cluster.host(old_leader).node().term();
  cluster.isolate(old_leader);
  // CheckQuorum: the isolated leader steps down on its own within about one election timeout.
  ASSERT_TRUE(cluster.run_until(
      [&] { return cluster.host(old_leader).node().role() != raft::Role::kLeader; }, 40));
  const NodeId new_leader = expect_new_leader(cluster, old_leader, old_term);
  ASSERT_NE(new_leader, kNoNode);
  expect_all_ok(cluster, write(cluster, kPutsCount, 100, &expected));

  cluster.heal();
  ASSERT_TRUE(cluster.run_until(
      [&] {
        return settled(cluster) && cluster.host(old_leader).applied_index() ==
                                       cluster.host(cluster.leader()).applied_index();
      },
      kElectionTicksMax));
  // PreVote + stickiness: the returning node did not depose the healthy leader.
  EXPECT_EQ(cluster.leader(), new_leader);
  expect_converged(cluster, expected);
  expect_one_leader_per_term(cluster);
}

TEST_P(ClusterTest, RestartedClusterRecoversEveryAcknowledgedPut) {
  // Every node loses power at once: only synced state survives, and every acked put must.
  ClusterHarness cluster(options(GetParam(), 13));
  ASSERT_TRUE(cluster.run_until([&] { return settled(cluster); }, kElectionTicksMax));
  std::map<std::string, std::string> expected;
  expect_all_ok(cluster, write(cluster, 0, 400, &expected));
  for (NodeId id : cluster.ids()) cluster.crash(id);
  for (NodeId id : cluster.ids()) cluster.restart(id);
  ASSERT_TRUE(cluster.run_until([&] { return settled(cluster); }, kElectionTicksMax));
  ASSERT_TRUE(cluster.run_until([&] { return holds(cluster, expected); }, kElectionTicksMax));
  expect_converged(cluster, expected);
  expect_one_leader_per_term(cluster);
}

TEST_P(ClusterTest, ProposalOnADeposedLeaderIsAnsweredLost) {
  // The isolated leader appends a put it can never commit; the majority's new leader overwrites
  // that index. The client must hear kLost, and the put must be nowhere.
  ClusterHarness cluster(options(GetParam(), 17));
  ASSERT_TRUE(cluster.run_until([&] { return settled(cluster); }, kElectionTicksMax));
  std::map<std::string, std::string> expected;
  expect_all_ok(cluster, write(cluster, 0, 10, &expected));
  const NodeId old_leader = cluster.leader();
  cluster.isolate(old_leader);
  const std::size_t doomed = cluster.put(old_leader, "doomed.cnf", "never committed");
  const NodeId new_leader =
      expect_new_leader(cluster, old_leader, cluster.host(old_leader).node().term());
  ASSERT_NE(new_leader, kNoNode);
  expect_all_ok(cluster, write(cluster, 10, 10, &expected));
  EXPECT_FALSE(cluster.reply(doomed).has_value());
  cluster.heal();
  ASSERT_TRUE(cluster.run_until([&] { return cluster.reply(doomed).has_value(); }, 100));
  EXPECT_EQ(cluster.reply(doomed)->code, host::ClientReply::Code::kLost);
  cluster.tick(3);
  expect_converged(cluster, expected);
}

TEST_P(ClusterTest, FollowerRedirectsProposalsToTheLeader) {
  ClusterHarness cluster(options(GetParam(), 19));
  ASSERT_TRUE(cluster.run_until([&] { return settled(cluster); }, kElectionTicksMax));
  const NodeId leader = cluster.leader();
  const NodeId follower = leader == 1 ? 2 : 1;
  const std::size_t ticket = cluster.put(follower, "a.cnf", "x");
  cluster.deliver_all();
  ASSERT_TRUE(cluster.reply(ticket).has_value());
  EXPECT_EQ(cluster.reply(ticket)->code, host::ClientReply::Code::kNotLeader);
  EXPECT_EQ(cluster.reply(ticket)->leader_hint, leader);
}

TEST_P(ClusterTest, DeposedLeaderNeverServesAStaleRead) {
  // ReadIndex: a read on a leader cut off from the majority is never answered kOk, while the
  // majority's new leader serves reads that see the newest writes.
  ClusterHarness cluster(options(GetParam(), 23));
  ASSERT_TRUE(cluster.run_until([&] { return settled(cluster); }, kElectionTicksMax));
  std::map<std::string, std::string> expected;
  expect_all_ok(cluster, write(cluster, 0, 10, &expected));
  const NodeId old_leader = cluster.leader();
  cluster.isolate(old_leader);
  const std::size_t stale = cluster.read(old_leader);
  const NodeId new_leader =
      expect_new_leader(cluster, old_leader, cluster.host(old_leader).node().term());
  ASSERT_NE(new_leader, kNoNode);
  expect_all_ok(cluster, write(cluster, 10, 10, &expected));
  const std::size_t fresh = cluster.read(new_leader);
  ASSERT_TRUE(cluster.run_until([&] { return cluster.reply(fresh).has_value(); }, 20));
  EXPECT_EQ(cluster.reply(fresh)->code, host::ClientReply::Code::kOk);
  ASSERT_TRUE(cluster.reply(stale).has_value());  // answered when it stepped down
  EXPECT_EQ(cluster.reply(stale)->code, host::ClientReply::Code::kNotLeader);
}

TEST_P(ClusterTest, LearnerFollowsAndIsPromotedThroughTheHost) {
  // The last node is a learner: it receives every put but does not count in the quorum; a
  // membership change through NodeHost::propose_membership promotes it and is acknowledged.
  ClusterOptions o = options(GetParam(), 29);
  const NodeId learner = GetParam();
  o.learners = {learner};
  ClusterHarness cluster(o);
  ASSERT_TRUE(cluster.run_until([&] { return settled(cluster); }, kElectionTicksMax));
  EXPECT_NE(cluster.leader(), learner);
  std::map<std::string, std::string> expected;
  expect_all_ok(cluster, write(cluster, 0, 50, &expected));
  cluster.tick(3);
  expect_converged(cluster, expected);
  EXPECT_TRUE(cluster.host(learner).node().membership().is_learner(learner));

  raft::MembershipChange promote;
  promote.kind = raft::MembershipChange::Kind::kPromoteLearner;
  promote.node = learner;
  const std::size_t ticket = cluster.change_membership(cluster.leader(), promote);
  ASSERT_TRUE(cluster.run_until([&] { return cluster.reply(ticket).has_value(); }, 20));
  EXPECT_EQ(cluster.reply(ticket)->code, host::ClientReply::Code::kOk);
  cluster.tick(3);
  for (NodeId id : cluster.ids()) {
    EXPECT_TRUE(cluster.host(id).node().membership().is_voter(learner)) << "node " << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Nodes, ClusterTest, ::testing::Values(3, 5), [](const auto& param_info) {
  return std::to_string(param_info.param) + "Nodes";
});

}  // namespace
}  // namespace quorum::testing
