#include "engine/core/raft/progress.h"

#include <gtest/gtest.h>

namespace quorum::raft {
namespace {

TEST(Progress, ProbeSendsOneAppendUntilAnswered) {
  Progress p(5, 8, 0);
  EXPECT_FALSE(p.is_paused());
  p.on_append_sent(7);
  EXPECT_TRUE(p.is_paused());
  EXPECT_EQ(p.next_index(), LogIndex{5});  // no optimism while probing
  p.sent_round = 4;
  EXPECT_FALSE(p.on_peer_answered(4));  // an answer from the probe's own round (or older): wait
  EXPECT_TRUE(p.is_paused());
  EXPECT_TRUE(p.on_peer_answered(5));  // the peer answered a later round: the probe may go again
  EXPECT_FALSE(p.is_paused());
  EXPECT_FALSE(p.on_peer_answered(6));  // nothing was outstanding
}

TEST(Progress, AnAnswerFreesOneSlotOfAFullWindow) {
  Progress p(1, 2, 0);
  p.become_replicate(0);
  EXPECT_FALSE(p.on_peer_answered(1));  // window not full: nothing to free
  p.on_append_sent(3);
  p.on_append_sent(6);
  p.sent_round = 1;
  ASSERT_TRUE(p.is_paused());
  EXPECT_FALSE(p.on_peer_answered(1));
  EXPECT_TRUE(p.on_peer_answered(2));
  EXPECT_FALSE(p.is_paused());
}

TEST(Progress, ReplicatePipelinesUpToTheWindow) {
  Progress p(1, 2, 0);
  p.become_replicate(0);
  p.on_append_sent(3);
  EXPECT_EQ(p.next_index(), LogIndex{4});
  p.on_append_sent(6);
  EXPECT_EQ(p.next_index(), LogIndex{7});
  EXPECT_TRUE(p.is_paused());
  EXPECT_TRUE(p.maybe_update(3, 1));
  EXPECT_FALSE(p.is_paused());
}

TEST(Progress, MaybeUpdateNeverMovesMatchBack) {
  Progress p(1, 2, 0);
  EXPECT_TRUE(p.maybe_update(4, 0));
  EXPECT_FALSE(p.maybe_update(2, 0));
  EXPECT_EQ(p.match_index(), LogIndex{4});
  EXPECT_EQ(p.next_index(), LogIndex{5});
}

TEST(Progress, StaleRejectionIsIgnoredInReplicate) {
  Progress p(1, 4, 0);
  p.maybe_update(5, 0);
  p.become_replicate(0);
  p.on_append_sent(9);
  EXPECT_FALSE(p.maybe_decrease_to(4, 1));
  EXPECT_EQ(p.next_index(), LogIndex{10});
  EXPECT_TRUE(p.maybe_decrease_to(7, 7));
  EXPECT_EQ(p.state(), ProgressState::kProbe);
  EXPECT_EQ(p.next_index(), LogIndex{7});
}

TEST(Progress, ProbeAcceptsOnlyTheAnswerToItsProbe) {
  Progress p(10, 4, 0);
  EXPECT_FALSE(p.maybe_decrease_to(5, 3));
  EXPECT_TRUE(p.maybe_decrease_to(9, 3));
  EXPECT_EQ(p.next_index(), LogIndex{3});
}

TEST(Progress, DecreaseNeverGoesBelowMatch) {
  Progress p(10, 4, 0);
  p.maybe_update(4, 0);
  EXPECT_TRUE(p.maybe_decrease_to(9, 1));
  EXPECT_EQ(p.next_index(), LogIndex{5});
}

TEST(Progress, SnapshotPausesUntilResolved) {
  Progress p(3, 4, 0);
  p.become_snapshot(20, 0);
  EXPECT_TRUE(p.is_paused());
  EXPECT_EQ(p.next_index(), LogIndex{21});
  p.become_probe(1);
  EXPECT_EQ(p.next_index(), LogIndex{21});
  EXPECT_FALSE(p.is_paused());
}

}  // namespace
}  // namespace quorum::raft
