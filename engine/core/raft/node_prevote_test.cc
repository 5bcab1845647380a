// PreVote (issue 2 item 2, thesis §9.6).
#include <gtest/gtest.h>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

using testing::Cluster;
using testing::msg;

TEST(NodePreVote, IsolatedNodeDoesNotBumpItsTerm) {
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId f = l == 1 ? 2 : 1;
  const Term t = c.node(f).term();
  c.isolate(f);
  c.tick(100);
  EXPECT_EQ(c.node(f).term(), t);
  EXPECT_EQ(c.node(f).role(), Role::kPreCandidate);
  EXPECT_GT(c.count_traces(f, TraceKind::kPreVoteStarted), 0u);
}

TEST(NodePreVote, WithoutPreVoteIsolatedNodeBumpsItsTerm) {
  // Control for the test above: the term growth is what PreVote prevents.
  Cluster c(3, [](RaftConfig& cfg) { cfg.pre_vote = false; });
  const NodeId l = c.elect();
  const NodeId f = l == 1 ? 2 : 1;
  const Term t = c.node(f).term();
  c.isolate(f);
  c.tick(100);
  EXPECT_GT(c.node(f).term(), t);
}

TEST(NodePreVote, RejoiningIsolatedNodeDoesNotDeposeHealthyLeader) {
  Cluster c(5);
  const NodeId l = c.elect();
  const Term t = c.node(l).term();
  const NodeId f = l == 5 ? 4 : 5;
  c.isolate(f);
  c.tick(150);
  c.heal();
  c.tick(50);
  EXPECT_EQ(c.leader(), l);
  EXPECT_EQ(c.node(l).term(), t);
  EXPECT_EQ(c.node(f).leader_id(), l);
}

TEST(NodePreVote, PreVoteRequestAsksForNextTermWithoutMovingToIt) {
  auto n = testing::make_node(1, testing::voters({1, 2, 3}));
  for (int i = 0; i < 20; ++i) n->tick();
  ASSERT_EQ(n->role(), Role::kPreCandidate);
  EXPECT_EQ(n->term(), Term{0});
  Ready r = testing::drain(*n);
  auto reqs = testing::messages_of<VoteRequest>(r.messages);
  ASSERT_EQ(reqs.size(), 2u);
  for (const Message& m : reqs) {
    EXPECT_TRUE(std::get<VoteRequest>(m.body).pre_vote);
    EXPECT_EQ(m.term, Term{1});
  }
  EXPECT_FALSE(r.hard_state.has_value());  // nothing to persist: no term, no vote
}

TEST(NodePreVote, VoterDoesNotChangeTermOrVoteOnPreVote) {
  auto n = testing::quiet_voter(1, testing::voters({1, 2, 3}));
  n->step(msg(2, 1, 5, VoteRequest{true, 0, 0, false}));
  Ready r = testing::drain(*n);
  EXPECT_EQ(n->term(), Term{0});
  EXPECT_FALSE(r.hard_state.has_value());
  auto resp = testing::messages_of<VoteResponse>(testing::all_messages(r));
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_TRUE(std::get<VoteResponse>(resp[0].body).granted);
  EXPECT_EQ(resp[0].term, Term{5});  // a grant echoes the term asked about
}

TEST(NodePreVote, PreVoteIsRefusedToAStaleLog) {
  PersistedState s;
  s.hard_state.current_term = 2;
  s.entries = {testing::entry(1, 1), testing::entry(2, 2)};
  auto n = testing::quiet_voter(1, testing::voters({1, 2, 3}), {}, s);
  n->step(msg(2, 1, 3, VoteRequest{true, 1, 1, false}));
  Ready r = testing::drain(*n);
  auto resp = testing::messages_of<VoteResponse>(testing::all_messages(r));
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_FALSE(std::get<VoteResponse>(resp[0].body).granted);
}

TEST(NodePreVote, PreCandidateBecomesCandidateOnMajorityOfPreVotes) {
  auto n = testing::make_node(1, testing::voters({1, 2, 3}));
  for (int i = 0; i < 20 && n->role() == Role::kFollower; ++i) n->tick();
  ASSERT_EQ(n->role(), Role::kPreCandidate);
  testing::drain(*n);
  n->step(msg(2, 1, 1, VoteResponse{true, true}));
  EXPECT_EQ(n->role(), Role::kCandidate);
  EXPECT_EQ(n->term(), Term{1});
}

TEST(NodePreVote, PreCandidateReturnsToFollowerOnMajorityRefusal) {
  auto n = testing::make_node(1, testing::voters({1, 2, 3}));
  for (int i = 0; i < 20 && n->role() == Role::kFollower; ++i) n->tick();
  testing::drain(*n);
  n->step(msg(2, 1, 0, VoteResponse{true, false}));
  n->step(msg(3, 1, 0, VoteResponse{true, false}));
  EXPECT_EQ(n->role(), Role::kFollower);
  EXPECT_EQ(n->term(), Term{0});
}

TEST(NodePreVote, LowerTermPreVoteIsAnsweredWithCurrentTerm) {
  PersistedState s;
  s.hard_state.current_term = 7;
  auto n = testing::quiet_voter(1, testing::voters({1, 2, 3}), {}, s);
  n->step(msg(2, 1, 3, VoteRequest{true, 0, 0, false}));
  Ready r = testing::drain(*n);
  auto resp = testing::messages_of<VoteResponse>(testing::all_messages(r));
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_FALSE(std::get<VoteResponse>(resp[0].body).granted);
  EXPECT_EQ(resp[0].term, Term{7});
}

TEST(NodePreVote, NoPreVoteMutationSkipsPreVote) {
  auto n = testing::make_node(1, testing::voters({1, 2, 3}),
                              [](RaftConfig& c) { c.mutation = Mutation::kNoPreVote; });
  for (int i = 0; i < 20 && n->role() == Role::kFollower; ++i) n->tick();
  if constexpr (kMutationsCompiled) {
    EXPECT_EQ(n->role(), Role::kCandidate);
  } else {
    EXPECT_EQ(n->role(), Role::kPreCandidate);
  }
}

}  // namespace
}  // namespace quorum::raft
