// One test per rule of Figure 2 of the Raft paper (Ongaro & Ousterhout, USENIX ATC 2014). Suites
// are named after the Figure 2 boxes; each test's first line cites the rule.
#include <gtest/gtest.h>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

using testing::Cluster;
using testing::drain;
using testing::entry;
using testing::msg;

void no_pre_vote(RaftConfig& c) {
  c.pre_vote = false;
}

// A follower (never campaigns) with the given log at `term`, past its restart stickiness.
std::unique_ptr<Node> follower(Term term, std::vector<Entry> entries, LogIndex commit = 0) {
  PersistedState s;
  s.hard_state = {term, kNoNode, commit};
  s.entries = std::move(entries);
  return testing::quiet_voter(1, testing::voters({1, 2, 3}), no_pre_vote, s);
}

// Node 1 leading a 3-voter group at term + 1, elected by node 2; its Ready drained.
std::unique_ptr<Node> leader(Term term, std::vector<Entry> entries) {
  PersistedState s;
  s.hard_state = {term, kNoNode, 0};
  s.entries = std::move(entries);
  auto n = testing::make_node(1, testing::voters({1, 2, 3}), no_pre_vote, s);
  for (int i = 0; i < 30 && n->role() != Role::kCandidate; ++i) n->tick();
  drain(*n);
  n->step(msg(2, 1, n->term(), VoteResponse{false, true}));
  drain(*n);
  QUORUM_ASSERT(n->role() == Role::kLeader);
  return n;
}

AppendResponse only_append_response(const Ready& r) {
  auto v = testing::messages_of<AppendResponse>(testing::all_messages(r));
  QUORUM_ASSERT(v.size() == 1, "{} append responses", v.size());
  return std::get<AppendResponse>(v[0].body);
}

TEST(Fig2AppendEntriesReceiver, Rule1RepliesFalseToAnOlderTerm) {
  // Fig. 2, AppendEntries receiver, rule 1 (Raft §5.1): reply false if term < currentTerm.
  auto n = follower(5, {entry(1, 1)});
  n->step(msg(2, 1, 4, AppendRequest{1, 1, {entry(4, 2)}, 2, 1}));
  Ready r = drain(*n);
  auto v = testing::messages_of<AppendResponse>(testing::all_messages(r));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_FALSE(std::get<AppendResponse>(v[0].body).success);
  EXPECT_EQ(v[0].term, Term{5});
  EXPECT_EQ(n->last_index(), LogIndex{1});
}

TEST(Fig2AppendEntriesReceiver, Rule2RepliesFalseWhenPrevEntryDoesNotMatch) {
  // Fig. 2, AppendEntries receiver, rule 2 (Raft §5.3): reply false if the log has no entry at
  // prevLogIndex whose term matches prevLogTerm.
  auto n = follower(3, {entry(1, 1), entry(1, 2)});
  n->step(msg(2, 1, 3, AppendRequest{2, 2, {entry(3, 3)}, 0, 1}));
  AppendResponse a = only_append_response(drain(*n));
  EXPECT_FALSE(a.success);
  EXPECT_EQ(a.reject_index, LogIndex{2});
  EXPECT_EQ(n->last_index(), LogIndex{2});
  n->step(msg(2, 1, 3, AppendRequest{5, 3, {entry(3, 6)}, 0, 2}));  // beyond the end
  EXPECT_FALSE(only_append_response(drain(*n)).success);
}

TEST(Fig2AppendEntriesReceiver, Rule2MutationAcceptsMismatchedPrev) {
  // Fig. 2, AppendEntries receiver, rule 2 (Raft §5.3), planted bug kAcceptMismatchedPrev.
  PersistedState s;
  s.hard_state = {3, kNoNode, 0};
  s.entries = {entry(1, 1), entry(1, 2)};
  auto n = testing::quiet_voter(
      1, testing::voters({1, 2, 3}),
      [](RaftConfig& c) { c.mutation = Mutation::kAcceptMismatchedPrev; }, s);
  n->step(msg(2, 1, 3, AppendRequest{2, 2, {entry(3, 3)}, 0, 1}));
  EXPECT_EQ(only_append_response(drain(*n)).success, kMutationsCompiled);
}

TEST(Fig2AppendEntriesReceiver, Rule3DeletesConflictingEntryAndAllThatFollow) {
  // Fig. 2, AppendEntries receiver, rule 3 (Raft §5.3): if an existing entry conflicts with a new
  // one (same index, different terms), delete it and all that follow.
  auto n = follower(3, {entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)});
  n->step(msg(2, 1, 3, AppendRequest{1, 1, {entry(1, 2), entry(3, 3)}, 0, 1}));
  Ready r = drain(*n);
  EXPECT_EQ(n->last_index(), LogIndex{3});
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_EQ(r.entries[0].id(), (EntryId{3, 3}));
  ASSERT_FALSE(r.trace_events.empty());
  EXPECT_EQ(r.trace_events[0].kind, TraceKind::kConflictTruncated);
  EXPECT_EQ(r.trace_events[0].index, LogIndex{3});
}

TEST(Fig2AppendEntriesReceiver, Rule4AppendsNewEntriesNotAlreadyInTheLog) {
  // Fig. 2, AppendEntries receiver, rule 4 (Raft §5.3): append any new entries not already in the
  // log; entries already present are kept as they are.
  auto n = follower(2, {entry(1, 1), entry(2, 2)});
  n->step(msg(2, 1, 2, AppendRequest{1, 1, {entry(2, 2), entry(2, 3), entry(2, 4)}, 0, 1}));
  Ready r = drain(*n);
  EXPECT_EQ(n->last_index(), LogIndex{4});
  ASSERT_EQ(r.entries.size(), 2u);  // only 3 and 4 are new
  EXPECT_EQ(r.entries.front().index, LogIndex{3});
  AppendResponse a = std::get<AppendResponse>(r.messages_after_persist.at(0).body);
  EXPECT_TRUE(a.success);
  EXPECT_EQ(a.match_index, LogIndex{4});
}

TEST(Fig2AppendEntriesReceiver, Rule5CommitIsMinOfLeaderCommitAndLastNewEntry) {
  // Fig. 2, AppendEntries receiver, rule 5 (Raft §5.3): if leaderCommit > commitIndex, set
  // commitIndex = min(leaderCommit, index of last new entry).
  auto n = follower(2, {entry(1, 1), entry(1, 2), entry(1, 3)});
  n->step(msg(2, 1, 2, AppendRequest{1, 1, {}, 3, 1}));  // heartbeat vouching only for index 1
  drain(*n);
  EXPECT_EQ(n->commit_index(), LogIndex{1});
  n->step(msg(2, 1, 2, AppendRequest{1, 1, {entry(1, 2)}, 3, 2}));
  drain(*n);
  EXPECT_EQ(n->commit_index(), LogIndex{2});
  n->step(msg(2, 1, 2, AppendRequest{3, 1, {}, 2, 3}));
  drain(*n);
  EXPECT_EQ(n->commit_index(), LogIndex{2});
}

TEST(Fig2RequestVoteReceiver, Rule1RepliesFalseToAnOlderTerm) {
  // Fig. 2, RequestVote receiver, rule 1 (Raft §5.1): reply false if term < currentTerm.
  auto n = follower(5, {});
  n->step(msg(2, 1, 4, VoteRequest{false, 9, 4, false}));
  Ready r = drain(*n);
  for (const Message& m : testing::messages_of<VoteResponse>(testing::all_messages(r))) {
    EXPECT_FALSE(std::get<VoteResponse>(m.body).granted);
  }
  EXPECT_EQ(n->internals().voted_for_, kNoNode);
}

TEST(Fig2RequestVoteReceiver, Rule2GrantsIfNotVotedAndLogUpToDate) {
  // Fig. 2, RequestVote receiver, rule 2 (Raft §5.2, §5.4): grant if votedFor is null or
  // candidateId and the candidate's log is at least as up-to-date as the receiver's.
  auto n = follower(1, {entry(1, 1)});
  n->step(msg(2, 1, 2, VoteRequest{false, 1, 1, false}));
  Ready r = drain(*n);
  ASSERT_EQ(r.messages_after_persist.size(), 1u);
  EXPECT_TRUE(std::get<VoteResponse>(r.messages_after_persist[0].body).granted);
  ASSERT_TRUE(r.hard_state.has_value());
  EXPECT_EQ(r.hard_state->voted_for, NodeId{2});
  EXPECT_TRUE(r.must_sync);
  n->step(msg(2, 1, 2, VoteRequest{false, 1, 1, false}));  // the same candidate again: yes
  EXPECT_TRUE(std::get<VoteResponse>(drain(*n).messages_after_persist[0].body).granted);
}

TEST(Fig2RequestVoteReceiver, Rule2RefusesASecondCandidateInTheSameTerm) {
  // Fig. 2, RequestVote receiver, rule 2 (Raft §5.2): at most one vote per term.
  auto n = follower(1, {});
  n->step(msg(2, 1, 2, VoteRequest{false, 0, 0, false}));
  drain(*n);
  n->step(msg(3, 1, 2, VoteRequest{false, 0, 0, false}));
  Ready r = drain(*n);
  auto v = testing::messages_of<VoteResponse>(testing::all_messages(r));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_FALSE(std::get<VoteResponse>(v[0].body).granted);
  EXPECT_EQ(n->internals().voted_for_, NodeId{2});
}

TEST(Fig2RequestVoteReceiver, Rule2MutationDoubleVoteGrantsTwice) {
  // Fig. 2, RequestVote receiver, rule 2 (Raft §5.2), planted bug kDoubleVote.
  auto n = testing::quiet_voter(1, testing::voters({1, 2, 3}),
                                [](RaftConfig& c) { c.mutation = Mutation::kDoubleVote; });
  n->step(msg(2, 1, 2, VoteRequest{false, 0, 0, false}));
  drain(*n);
  n->step(msg(3, 1, 2, VoteRequest{false, 0, 0, false}));
  auto v = testing::messages_of<VoteResponse>(testing::all_messages(drain(*n)));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(std::get<VoteResponse>(v[0].body).granted, kMutationsCompiled);
}

TEST(Fig2RequestVoteReceiver, Rule2RefusesACandidateWithAStaleLog) {
  // Fig. 2, RequestVote receiver, rule 2 (Raft §5.4.1): the election restriction.
  auto n = follower(2, {entry(1, 1), entry(2, 2)});
  n->step(msg(2, 1, 3, VoteRequest{false, 5, 1, false}));  // longer but older last term
  n->step(msg(3, 1, 3, VoteRequest{false, 1, 2, false}));  // same last term, shorter
  Ready r = drain(*n);
  auto v = testing::messages_of<VoteResponse>(testing::all_messages(r));
  ASSERT_EQ(v.size(), 2u);
  for (const Message& m : v) EXPECT_FALSE(std::get<VoteResponse>(m.body).granted);
}

TEST(Fig2AllServers, AppliesCommittedEntriesInOrder) {
  // Fig. 2, Rules for all servers (Raft §5.3): if commitIndex > lastApplied, apply log[lastApplied]
  // in order.
  auto n = follower(1, {entry(1, 1, "a"), entry(1, 2, "b"), entry(1, 3, "c")});
  n->step(msg(2, 1, 1, AppendRequest{3, 1, {}, 2, 1}));
  Ready r = drain(*n);
  ASSERT_EQ(r.committed_entries.size(), 2u);
  EXPECT_EQ(r.committed_entries[0].data, "a");
  EXPECT_EQ(r.committed_entries[1].data, "b");
  EXPECT_EQ(n->applied_index(), LogIndex{2});
  n->step(msg(2, 1, 1, AppendRequest{3, 1, {}, 3, 2}));
  r = drain(*n);
  ASSERT_EQ(r.committed_entries.size(), 1u);
  EXPECT_EQ(r.committed_entries[0].data, "c");
}

TEST(Fig2AllServers, HigherTermInAnyMessageMakesFollower) {
  // Fig. 2, Rules for all servers (Raft §5.1): if an RPC request or response contains term T >
  // currentTerm, set currentTerm = T and convert to follower.
  auto l = leader(1, {});
  const Term t = l->term();
  l->step(msg(2, 1, t + 3, AppendResponse{false, 0, 0, 0, 0, 0}));
  EXPECT_EQ(l->role(), Role::kFollower);
  EXPECT_EQ(l->term(), t + 3);
  Ready r = drain(*l);
  ASSERT_TRUE(r.hard_state.has_value());
  EXPECT_EQ(r.hard_state->current_term, t + 3);
  EXPECT_EQ(r.hard_state->voted_for, kNoNode);
}

TEST(Fig2Followers, RespondToCandidatesAndLeaders) {
  // Fig. 2, Followers (Raft §5.2): respond to RPCs from candidates and leaders.
  auto n = follower(1, {});
  n->step(msg(2, 1, 2, VoteRequest{false, 0, 0, false}));
  n->step(msg(2, 1, 2, AppendRequest{0, 0, {}, 0, 1}));
  Ready r = drain(*n);
  EXPECT_EQ(testing::messages_of<VoteResponse>(r.messages_after_persist).size(), 1u);
  EXPECT_EQ(testing::messages_of<AppendResponse>(r.messages_after_persist).size(), 1u);
}

TEST(Fig2Followers, ElectionTimeoutWithoutLeaderMakesCandidate) {
  // Fig. 2, Followers (Raft §5.2): if the election timeout elapses without AppendEntries from the
  // current leader or granting a vote, convert to candidate.
  auto n = testing::make_node(1, testing::voters({1, 2, 3}), no_pre_vote);
  for (int i = 0; i < 19 && n->role() == Role::kFollower; ++i) n->tick();
  EXPECT_EQ(n->role(), Role::kCandidate);
}

TEST(Fig2Followers, AppendEntriesFromLeaderResetsElectionTimeout) {
  // Fig. 2, Followers (Raft §5.2): AppendEntries from the current leader keeps a follower a
  // follower.
  auto n = testing::make_node(1, testing::voters({1, 2, 3}), no_pre_vote);
  for (int i = 0; i < 100; ++i) {
    n->tick();
    if (i % 5 == 0) n->step(msg(2, 1, 1, AppendRequest{0, 0, {}, 0, 1}));
    drain(*n);
  }
  EXPECT_EQ(n->role(), Role::kFollower);
}

TEST(Fig2Followers, GrantingAVoteResetsElectionTimeout) {
  // Fig. 2, Followers (Raft §5.2): granting a vote to a candidate resets the election timer.
  auto n = follower(1, {});
  for (int i = 0; i < 9; ++i) n->tick();
  const Ticks before = n->internals().election_elapsed_ticks_;
  ASSERT_GT(before, Ticks{0});
  n->step(msg(2, 1, 2, VoteRequest{false, 0, 0, false}));
  EXPECT_EQ(n->internals().election_elapsed_ticks_, Ticks{0});
}

TEST(Fig2Candidates, StartElectionIncrementsTermVotesForSelfAndRequestsVotes) {
  // Fig. 2, Candidates (Raft §5.2): on conversion, increment currentTerm, vote for self, reset the
  // election timer, send RequestVote RPCs to all other servers.
  auto n = testing::make_node(1, testing::voters({1, 2, 3}), no_pre_vote);
  for (int i = 0; i < 20 && n->role() == Role::kFollower; ++i) n->tick();
  ASSERT_EQ(n->role(), Role::kCandidate);
  EXPECT_EQ(n->term(), Term{1});
  EXPECT_EQ(n->internals().election_elapsed_ticks_, Ticks{0});
  Ready r = drain(*n);
  EXPECT_EQ(r.hard_state->voted_for, NodeId{1});
  auto reqs = testing::messages_of<VoteRequest>(r.messages_after_persist);
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].to, NodeId{2});
  EXPECT_EQ(reqs[1].to, NodeId{3});
}

TEST(Fig2Candidates, MajorityOfVotesMakesLeader) {
  // Fig. 2, Candidates (Raft §5.2): if votes are received from a majority, become leader.
  auto n = testing::make_node(1, testing::voters({1, 2, 3, 4, 5}), no_pre_vote);
  for (int i = 0; i < 20 && n->role() == Role::kFollower; ++i) n->tick();
  n->step(msg(2, 1, 1, VoteResponse{false, true}));
  EXPECT_EQ(n->role(), Role::kCandidate);  // 2 of 5
  n->step(msg(3, 1, 1, VoteResponse{false, true}));
  EXPECT_EQ(n->role(), Role::kLeader);  // 3 of 5
}

TEST(Fig2Candidates, AppendEntriesFromNewLeaderMakesFollower) {
  // Fig. 2, Candidates (Raft §5.2): if AppendEntries is received from a new leader, convert to
  // follower.
  auto n = testing::make_node(1, testing::voters({1, 2, 3}), no_pre_vote);
  for (int i = 0; i < 20 && n->role() == Role::kFollower; ++i) n->tick();
  n->step(msg(3, 1, n->term(), AppendRequest{0, 0, {}, 0, 1}));
  EXPECT_EQ(n->role(), Role::kFollower);
  EXPECT_EQ(n->leader_id(), NodeId{3});
}

TEST(Fig2Candidates, ElectionTimeoutStartsANewElection) {
  // Fig. 2, Candidates (Raft §5.2): if the election timeout elapses, start a new election.
  auto n = testing::make_node(1, testing::voters({1, 2, 3}), no_pre_vote);
  for (int i = 0; i < 20 && n->role() == Role::kFollower; ++i) n->tick();
  ASSERT_EQ(n->term(), Term{1});
  for (int i = 0; i < 20 && n->term() == 1; ++i) n->tick();
  EXPECT_EQ(n->role(), Role::kCandidate);
  EXPECT_EQ(n->term(), Term{2});
}

TEST(Fig2Leaders, UponElectionSendsAppendEntriesToEachServerAndHeartbeatsWhenIdle) {
  // Fig. 2, Leaders (Raft §5.2): upon election send initial AppendEntries to each server; repeat
  // during idle periods to prevent election timeouts.
  PersistedState s;
  auto n = testing::make_node(1, testing::voters({1, 2, 3}), no_pre_vote, s);
  for (int i = 0; i < 20 && n->role() == Role::kFollower; ++i) n->tick();
  drain(*n);
  n->step(msg(2, 1, 1, VoteResponse{false, true}));
  Ready r = drain(*n);
  auto apps = testing::messages_of<AppendRequest>(r.messages);
  ASSERT_EQ(apps.size(), 2u);
  for (NodeId f : {NodeId{2}, NodeId{3}}) {
    n->step(msg(f, 1, 1, AppendResponse{true, 1, 0, 0, 0, 1}));
  }
  drain(*n);
  n->tick();
  auto beats = testing::messages_of<AppendRequest>(drain(*n).messages);
  ASSERT_EQ(beats.size(), 2u);
  for (const Message& m : beats) EXPECT_TRUE(std::get<AppendRequest>(m.body).entries.empty());
}

TEST(Fig2Leaders, ClientCommandIsAppendedToTheLocalLog) {
  // Fig. 2, Leaders (Raft §5.3): if a command is received from a client, append the entry to the
  // local log (and answer once applied: the host waits for index and term in committed entries).
  auto l = leader(0, {});
  const LogIndex last = l->last_index();
  ProposeResult p = l->propose("cmd");
  ASSERT_EQ(p.code, ProposeResult::Code::kAccepted);
  EXPECT_EQ(p.index, last + 1);
  EXPECT_EQ(p.term, l->term());
  Ready r = drain(*l);
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_EQ(r.entries[0].data, "cmd");
  EXPECT_TRUE(r.committed_entries.empty());
}

TEST(Fig2Leaders, SendsEntriesFromNextIndexAndUpdatesOnSuccess) {
  // Fig. 2, Leaders (Raft §5.3): if last log index >= nextIndex, send AppendEntries starting at
  // nextIndex; on success update nextIndex and matchIndex.
  auto l = leader(1, {entry(1, 1)});
  l->step(msg(2, 1, l->term(), AppendResponse{true, 2, 0, 0, 0, 1}));
  const Progress* p = l->internals().tracker_.progress(2);
  EXPECT_EQ(p->match_index(), LogIndex{2});
  EXPECT_EQ(p->next_index(), LogIndex{3});
  ASSERT_EQ(l->propose("x").code, ProposeResult::Code::kAccepted);
  Ready r = drain(*l);
  bool sent = false;
  for (const Message& m : testing::messages_of<AppendRequest>(r.messages)) {
    const auto& a = std::get<AppendRequest>(m.body);
    if (m.to != 2 || a.entries.empty()) continue;
    EXPECT_EQ(a.prev_log_index, LogIndex{2});
    EXPECT_EQ(a.entries.front().index, LogIndex{3});
    sent = true;
  }
  EXPECT_TRUE(sent);
}

TEST(Fig2Leaders, DecrementsNextIndexAndRetriesOnInconsistency) {
  // Fig. 2, Leaders (Raft §5.3): if AppendEntries fails because of log inconsistency, decrement
  // nextIndex and retry.
  auto l = leader(2, {entry(1, 1), entry(2, 2), entry(2, 3)});
  const Term t = l->term();
  // The initial probe went out with prev_log_index 3; node 2 only has index 1.
  l->step(msg(2, 1, t, AppendResponse{false, 0, 3, 1, 1, 1}));
  Ready r = drain(*l);
  bool retried = false;
  for (const Message& m : testing::messages_of<AppendRequest>(r.messages)) {
    if (m.to != 2) continue;
    EXPECT_EQ(std::get<AppendRequest>(m.body).prev_log_index, LogIndex{1});
    retried = true;
  }
  EXPECT_TRUE(retried);
  EXPECT_EQ(l->internals().tracker_.progress(2)->next_index(), LogIndex{2});
}

TEST(Fig2Leaders, CommitsOnlyByCountingEntriesOfTheCurrentTerm) {
  // Fig. 2, Leaders (Raft §5.3, §5.4): if there is an N > commitIndex with a majority of
  // matchIndex >= N and log[N].term == currentTerm, set commitIndex = N.
  auto l = leader(2, {entry(1, 1), entry(2, 2)});  // leads term 3; no-op at index 3
  const Term t = l->term();
  l->step(msg(2, 1, t, AppendResponse{true, 2, 0, 0, 0, 1}));
  if constexpr (kMutationsCompiled) {
    EXPECT_EQ(l->commit_index(), LogIndex{0});  // no mutation configured here
  }
  EXPECT_EQ(l->commit_index(), LogIndex{0});  // index 2 is of term 2: not counted
  l->step(msg(2, 1, t, AppendResponse{true, 3, 0, 0, 0, 1}));
  EXPECT_EQ(l->commit_index(), LogIndex{3});  // the no-op commits, and 1-2 with it
}

}  // namespace
}  // namespace quorum::raft
