// Tests of the leader's acknowledgement records and the follower rows of the controller table.
// Time is passed in: no waiting.
#include "tools/quorumd/peer_acks.h"

#include <gtest/gtest.h>

namespace quorum::quorumd {
namespace {

using namespace std::chrono_literals;
using Time = PeerAcks::Time;

raft::Message append_response(NodeId from, Term term, bool success, LogIndex match_index) {
  raft::Message message;
  message.from = from;
  message.to = 1;
  message.term = term;
  raft::AppendResponse response;
  response.success = success;
  response.match_index = success ? match_index : 0;
  response.reject_index = success ? 0 : match_index;
  message.body = response;
  return message;
}

TEST(PeerAcks, RecordsTheLastAcknowledgementAndTheHighestMatchIndexOfTheTerm) {
  PeerAcks acks;
  const Time t0{};
  acks.on_leader(5, t0);
  acks.on_message(append_response(2, 5, true, 10), 5, t0 + 100ms);
  acks.on_message(append_response(2, 5, true, 7), 5, t0 + 200ms);  // reordered, older match
  acks.on_message(append_response(2, 5, false, 11), 5, t0 + 300ms);  // a rejection is a sign of life
  const PeerAcks::View view = acks.view(2, t0 + 450ms);
  EXPECT_TRUE(view.acked);
  EXPECT_EQ(view.silent_for, 150ms);
  EXPECT_EQ(view.match_index, 10u);
}

// "last contact" of status: since the last append or snapshot (only a leader sends them).
TEST(PeerAcks, LastLeaderContactIsTheLastAppendOrSnapshotReceivedOfAnyTerm) {
  PeerAcks acks;
  const Time t0{};
  EXPECT_FALSE(acks.since_leader_contact(t0).has_value());
  acks.on_message(append_response(2, 5, true, 1), 5, t0 + 10ms);  // a response: not from a leader
  EXPECT_FALSE(acks.since_leader_contact(t0 + 20ms).has_value());
  raft::Message append;
  append.from = 2;
  append.term = 3;  // older than this node's term: still a contact with a leader
  append.body = raft::AppendRequest{};
  acks.on_message(append, 5, t0 + 100ms);
  EXPECT_EQ(acks.since_leader_contact(t0 + 350ms), 250ms);
  raft::Message snapshot;
  snapshot.from = 3;
  snapshot.body = raft::SnapshotRequest{};
  acks.on_message(snapshot, 5, t0 + 400ms);
  EXPECT_EQ(acks.since_leader_contact(t0 + 400ms), 0ms);
}

TEST(PeerAcks, IgnoresOtherTermsAndOtherMessages) {
  PeerAcks acks;
  const Time t0{};
  acks.on_leader(5, t0);
  acks.on_message(append_response(2, 4, true, 10), 5, t0 + 100ms);  // a stale answer
  raft::Message vote = append_response(3, 5, true, 1);
  vote.body = raft::VoteResponse{};
  acks.on_message(vote, 5, t0 + 100ms);
  EXPECT_FALSE(acks.view(2, t0 + 300ms).acked);
  EXPECT_FALSE(acks.view(3, t0 + 300ms).acked);
  EXPECT_EQ(acks.view(2, t0 + 300ms).silent_for, 300ms) << "silent since the election";
}

TEST(PeerAcks, ANewLeadershipForgetsTheAcknowledgementsOfTheOldOne) {
  PeerAcks acks;
  const Time t0{};
  acks.on_leader(5, t0);
  acks.on_message(append_response(2, 5, true, 10), 5, t0 + 100ms);
  acks.on_leader(7, t0 + 1s);
  EXPECT_FALSE(acks.view(2, t0 + 1100ms).acked);
  acks.on_message(append_response(2, 5, true, 12), 7, t0 + 1200ms);  // term 5 answer arrives late
  EXPECT_FALSE(acks.view(2, t0 + 1300ms).acked);
}

TEST(FollowerRow, SaysRespondingOnlyWithinTheElectionTimeoutAndShowsTheLag) {
  PeerAcks::View fresh{true, 120ms, 40};
  FollowerRow row = follower_row(fresh, 40, 500ms, true);
  EXPECT_TRUE(row.online);
  EXPECT_EQ(row.comment, "Responding to heartbeats.");
  row = follower_row(fresh, 43, 500ms, true);
  EXPECT_EQ(row.comment, "Responding to heartbeats. 3 entries behind.");
  row = follower_row(fresh, 41, 500ms, true);
  EXPECT_EQ(row.comment, "Responding to heartbeats. 1 entry behind.");

  PeerAcks::View stale{true, 1234ms, 30};
  row = follower_row(stale, 40, 500ms, true);
  EXPECT_FALSE(row.online);
  EXPECT_EQ(row.comment, "Not responding for 1234 ms. 10 entries behind.");
  row = follower_row(stale, 30, 500ms, false);
  EXPECT_EQ(row.comment, "Not responding for 1234 ms. No connection.");
}

TEST(FollowerRow, RightAfterAnElectionAFollowerIsAwaitedNotCondemned) {
  PeerAcks::View none{false, 80ms, 0};
  FollowerRow row = follower_row(none, 9, 500ms, true);
  EXPECT_TRUE(row.online);
  EXPECT_EQ(row.comment, "Waiting for a first acknowledgement.");
  row = follower_row(none, 9, 500ms, false);
  EXPECT_FALSE(row.online) << "no link, no acknowledgement: not counted as a follower";
  EXPECT_EQ(row.comment, "Connecting.");
  PeerAcks::View never{false, 2000ms, 0};
  row = follower_row(never, 9, 500ms, false);
  EXPECT_FALSE(row.online);
  EXPECT_EQ(row.comment, "Not responding for 2000 ms. No connection.");
}

}  // namespace
}  // namespace quorum::quorumd
