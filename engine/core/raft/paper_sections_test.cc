// One test per rule of §5-§8 of the Raft paper and of the thesis sections we implement (Ongaro,
// "Consensus: Bridging Theory and Practice", 2014). Each test's first line cites the rule.
#include <gtest/gtest.h>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

using testing::Cluster;
using testing::drain;
using testing::entry;
using testing::msg;

// Random partitions, crashes and proposals on a 5-node group; calls `check` after every tick.
void chaos(std::uint64_t seed, const std::function<void(Cluster&)>& check) {
  Cluster c(5, {}, seed);
  Prng rng(seed);
  for (int step = 0; step < 400; ++step) {
    if (step % 30 == 0) {
      c.heal();
      for (NodeId id = 1; id <= 5; ++id) {
        if (!c.is_up(id)) c.restart(id);
      }
      switch (rng.uniform(0, 4)) {
        case 0:
          break;
        case 1:
          c.partition({1, 2});
          break;
        case 2:
          if (c.leader() != kNoNode) c.isolate(c.leader());
          break;
        case 3:
          c.crash(static_cast<NodeId>(rng.uniform(1, 6)));
          break;
      }
    }
    const NodeId l = c.leader();
    if (l != kNoNode && rng.chance(1, 2))
      static_cast<void>(c.node(l).propose("p" + std::to_string(step)));
    c.tick();
    check(c);
  }
}

TEST(Sec5_1Terms, StaleCandidateRevertsToFollower) {
  // Raft §5.1: if a candidate or leader discovers that its term is out of date, it immediately
  // reverts to follower state.
  auto n =
      testing::make_node(1, testing::voters({1, 2, 3}), [](RaftConfig& c) { c.pre_vote = false; });
  for (int i = 0; i < 20 && n->role() == Role::kFollower; ++i) n->tick();
  ASSERT_EQ(n->role(), Role::kCandidate);
  n->step(msg(2, 1, 7, VoteResponse{false, false}));
  EXPECT_EQ(n->role(), Role::kFollower);
  EXPECT_EQ(n->term(), Term{7});
}

TEST(Sec5_2LeaderElection, RandomizedTimeoutsResolveSplitVotesQuickly) {
  // Raft §5.2: randomized election timeouts make split votes rare and resolve them quickly.
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    Cluster c(
        5, [](RaftConfig& cfg) { cfg.pre_vote = false; }, seed);
    EXPECT_NE(c.elect(60), kNoNode) << "seed " << seed;
  }
}

TEST(Sec5_3LogMatching, SameIndexAndTermMeansSamePrefix) {
  // Raft §5.3, Log Matching: if two logs contain an entry with the same index and term, the logs
  // are identical in all entries up through that index.
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    chaos(seed, [&](Cluster& c) {
      for (NodeId a : c.ids()) {
        for (NodeId b : c.ids()) {
          if (a >= b) continue;
          const auto& la = c.disk(a).entries;
          const auto& lb = c.disk(b).entries;
          const std::size_t n = std::min(la.size(), lb.size());
          std::size_t match = 0;
          for (std::size_t i = 0; i < n; ++i) {
            if (la[i].term == lb[i].term) match = i + 1;
          }
          for (std::size_t i = 0; i < match; ++i) ASSERT_EQ(la[i], lb[i]) << "seed " << seed;
        }
      }
    });
  }
}

TEST(Sec5_4_1ElectionRestriction, NodeMissingCommittedEntriesCannotWin) {
  // Raft §5.4.1: a candidate whose log is less up-to-date than a majority's cannot be elected.
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId stale = l == 3 ? 2 : 3;
  c.isolate(stale);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(c.node(l).propose("v").code, ProposeResult::Code::kAccepted);
  c.tick(2);
  c.crash(l);
  c.heal();
  for (int i = 0; i < 300 && c.leader() == kNoNode; ++i) c.tick();
  ASSERT_NE(c.leader(), kNoNode);
  EXPECT_NE(c.leader(), stale);
}

TEST(Sec5_4_2PreviousTerms, EntryOfAnOlderTermIsNotCommittedByCounting) {
  // Raft §5.4.2 (Figure 8): a leader never commits an entry of a previous term by counting
  // replicas; the planted bug kCommitOldTerm does exactly that.
  for (bool mutated : {false, true}) {
    PersistedState s;
    s.hard_state = {2, kNoNode, 0};
    s.entries = {entry(1, 1), entry(2, 2)};
    auto n = testing::make_node(
        1, testing::voters({1, 2, 3}),
        [&](RaftConfig& c) {
          c.pre_vote = false;
          if (mutated) c.mutation = Mutation::kCommitOldTerm;
        },
        s);
    for (int i = 0; i < 30 && n->role() != Role::kCandidate; ++i) n->tick();
    drain(*n);
    n->step(msg(2, 1, n->term(), VoteResponse{false, true}));
    drain(*n);
    ASSERT_EQ(n->role(), Role::kLeader);
    n->step(msg(2, 1, n->term(), AppendResponse{true, 2, 0, 0, 0, 1}));
    const LogIndex want = mutated && kMutationsCompiled ? 2 : 0;
    EXPECT_EQ(n->commit_index(), want) << "mutated " << mutated;
  }
}

TEST(Sec5_4_3LeaderCompleteness, CommittedEntriesAreInEveryLaterLeadersLog) {
  // Raft §5.4.3, Leader Completeness: an entry committed in a term is present in the logs of the
  // leaders of all later terms.
  for (std::uint64_t seed = 11; seed <= 16; ++seed) {
    std::map<LogIndex, Entry> committed;
    chaos(seed, [&](Cluster& c) {
      for (NodeId id : c.ids()) {
        const auto& log = c.disk(id).entries;
        for (const Entry& e : log) {
          if (e.index <= c.node(id).commit_index()) committed.emplace(e.index, e);
        }
      }
      const NodeId l = c.leader();
      if (l == kNoNode) return;
      for (const auto& [index, e] : committed) {
        const auto& log = c.disk(l).entries;
        if (index > log.size() || c.node(l).internals().log_.snapshot_index() >= index) continue;
        ASSERT_EQ(log[index - 1], e) << "seed " << seed << " index " << index;
      }
    });
  }
}

TEST(Sec5_5Crashes, CrashedFollowerCatchesUpAfterRestart) {
  // Raft §5.5: if a follower crashes, requests to it are retried until it restarts and catches up.
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId f = l == 3 ? 2 : 3;
  c.crash(f);
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(c.node(l).propose("v").code, ProposeResult::Code::kAccepted);
  c.tick(3);
  c.restart(f);
  c.tick(20);
  EXPECT_EQ(c.node(f).commit_index(), c.node(l).commit_index());
  EXPECT_EQ(c.applied(f).size(), 5u);
}

TEST(Sec5_6Timing, HeartbeatIntervalMustBeBelowElectionTimeout) {
  // Raft §5.6: broadcastTime << electionTimeout; the configuration refuses H >= T.
  RaftConfig c = testing::test_config(1);
  c.heartbeat_interval_ticks = c.election_timeout_ticks;
  EXPECT_FALSE(c.validate().empty());
}

TEST(Sec7LogCompaction, FollowerTooFarBehindGetsTheSnapshot) {
  // Raft §7: the leader sends InstallSnapshot to followers that lag behind its first log entry;
  // the follower discards its log and restores the snapshot.
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId f = l == 3 ? 2 : 3;
  c.isolate(f);
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(c.node(l).propose("v").code, ProposeResult::Code::kAccepted);
  c.tick(2);
  c.node(l).compact(c.node(l).applied_index(), "s");
  c.heal();
  c.tick(3);
  EXPECT_EQ(c.count_traces(f, TraceKind::kSnapshotInstalled), 1u);
  EXPECT_EQ(c.node(f).commit_index(), c.node(l).commit_index());
}

TEST(Sec8ClientInteraction, LeaderCommitsANoopAtTheStartOfItsTerm) {
  // Raft §8: each leader commits a blank no-op entry at the start of its term.
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick();
  const Entry& first = c.disk(l).entries.at(0);
  EXPECT_EQ(first.kind, EntryKind::kNoop);
  EXPECT_GE(c.node(l).commit_index(), first.index);
}

TEST(Sec8ClientInteraction, ReadOnlyRequestsConfirmLeadershipFirst) {
  // Raft §8 / thesis §6.4 (ReadIndex): a leader exchanges heartbeats with a majority before
  // answering a read, so a deposed leader cannot serve stale data.
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick();
  c.isolate(l);
  ASSERT_EQ(c.node(l).read_index(1).code, ReadResult::Code::kPending);
  c.tick_node(l, 20);
  EXPECT_TRUE(c.read_states(l).empty());
}

TEST(Thesis3_10LeadershipTransfer, TargetCampaignsOnTimeoutNowAndWins) {
  // Thesis §3.10: the leader brings the target up to date, sends TimeoutNow, and the target starts
  // an election at once (bypassing stickiness), winning it.
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId target = l == 1 ? 2 : 1;
  ASSERT_EQ(c.node(l).transfer_leadership(target), RequestResult::kOk);
  c.stabilize();
  EXPECT_EQ(c.leader(), target);
}

TEST(Thesis4_1SingleServerChanges, NewChangeWaitsForThePreviousToCommit) {
  // Thesis §4.1: a leader does not begin a configuration change until the previous one committed.
  Cluster c(3);
  const NodeId l = c.elect();
  c.stabilize();
  c.isolate(l);
  ASSERT_EQ(c.node(l).propose_membership({MembershipChange::Kind::kAddLearner, 7, 1}).code,
            ProposeResult::Code::kAccepted);
  EXPECT_EQ(c.node(l).propose_membership({MembershipChange::Kind::kAddLearner, 8, 1}).code,
            ProposeResult::Code::kBusy);
}

TEST(Thesis4_1SingleServerChanges, ServerUsesLatestConfigurationInItsLog) {
  // Thesis §4.1: a server uses the latest configuration in its log, whether or not committed.
  auto n = testing::quiet_voter(1, testing::voters({1, 2, 3}));
  Entry change{1, 1, EntryKind::kMembership, {}, testing::voters({1, 2, 3, 4})};
  n->step(msg(2, 1, 1, AppendRequest{0, 0, {change}, 0, 1}));
  EXPECT_EQ(n->commit_index(), LogIndex{0});
  EXPECT_TRUE(n->membership().is_voter(4));
}

TEST(Thesis4_2_2RemovedLeader, StepsDownOnceItsRemovalCommits) {
  // Thesis §4.2.2: a leader removed from the configuration steps down once the entry commits.
  Cluster c(3);
  const NodeId l = c.elect();
  c.stabilize();
  ASSERT_EQ(c.node(l).propose_membership({MembershipChange::Kind::kRemove, l, 1}).code,
            ProposeResult::Code::kAccepted);
  c.stabilize();
  EXPECT_NE(c.node(l).role(), Role::kLeader);
}

TEST(Thesis4_2_3DisruptiveServers, NodeThatHeardFromLeaderIgnoresVoteRequests) {
  // Thesis §4.2.3: a server that heard from a current leader within the minimum election timeout
  // does not update its term or grant its vote.
  auto n = testing::quiet_voter(1, testing::voters({1, 2, 3}));
  n->step(msg(2, 1, 1, AppendRequest{0, 0, {}, 0, 1}));
  n->step(msg(3, 1, 9, VoteRequest{false, 0, 0, false}));
  EXPECT_EQ(n->term(), Term{1});
  EXPECT_EQ(n->internals().voted_for_, kNoNode);
}

TEST(Thesis6_2CheckQuorum, LeaderWithoutMajorityStepsDown) {
  // Thesis §6.2: a leader steps down if an election timeout passes without a successful round of
  // heartbeats to a majority.
  Cluster c(3);
  const NodeId l = c.elect();
  c.isolate(l);
  c.tick_node(l, 10);
  EXPECT_EQ(c.node(l).role(), Role::kFollower);
}

TEST(Thesis6_4ReadIndex, ReadIndexIsTheCommitIndexAtRequestTime) {
  // Thesis §6.4: the read index is the leader's commit index when the request arrives; the read
  // may proceed once applied >= that index.
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick();
  const LogIndex commit = c.node(l).commit_index();
  ASSERT_EQ(c.node(l).read_index(3).code, ReadResult::Code::kPending);
  ASSERT_EQ(c.node(l).propose("later").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  ASSERT_EQ(c.read_states(l).size(), 1u);
  EXPECT_EQ(c.read_states(l)[0].index, commit);
}

TEST(Thesis6_4_1Lease, LeaseEndsBeforeFollowersCanElectAnother) {
  // Thesis §6.4.1: a lease is bounded by election timeout / clock drift bound, counted from the
  // send time of the acknowledged heartbeat.
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick(2);
  EXPECT_TRUE(c.node(l).has_lease());
  EXPECT_LT(c.node(l).lease_duration_ticks() * 12 / 10, Ticks{10});
}

TEST(Thesis9_6PreVote, PartitionedNodeDoesNotIncreaseItsTerm) {
  // Thesis §9.6: a server first asks whether it could win; a partitioned server cannot, so it never
  // increases its term and does not disrupt the cluster when it returns.
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId f = l == 1 ? 2 : 1;
  const Term t = c.node(l).term();
  c.isolate(f);
  c.tick(60);
  c.heal();
  c.tick(30);
  EXPECT_EQ(c.node(f).term(), t);
  EXPECT_EQ(c.leader(), l);
}

}  // namespace
}  // namespace quorum::raft
