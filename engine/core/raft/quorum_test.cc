#include "engine/core/raft/quorum.h"

#include <gtest/gtest.h>

namespace quorum::raft {
namespace {

TEST(Quorum, CommittedIndexIsTheMajorityValue) {
  // Each row: acked match indexes (one per voter) -> committed index.
  struct Row {
    std::vector<std::uint64_t> acked;
    std::uint64_t want;
  };
  for (const Row& r :
       {Row{{5}, 5}, Row{{5, 3}, 3}, Row{{1, 2, 3}, 2}, Row{{3, 3, 1}, 3}, Row{{9, 1, 1, 9}, 1},
        Row{{9, 8, 1, 9}, 8}, Row{{5, 4, 3, 2, 1}, 3}, Row{{0, 0, 7, 7, 7}, 7}}) {
    std::vector<std::uint64_t> a = r.acked;
    EXPECT_EQ(quorum_value(a), r.want);
  }
}

TEST(Quorum, VoteResultNeedsAMajorityOfVoters) {
  const std::vector<NodeId> voters{1, 2, 3};
  EXPECT_EQ(vote_result(voters, {{1, true}}), VoteResult::kPending);
  EXPECT_EQ(vote_result(voters, {{1, true}, {2, true}}), VoteResult::kWon);
  EXPECT_EQ(vote_result(voters, {{1, true}, {2, false}}), VoteResult::kPending);
  EXPECT_EQ(vote_result(voters, {{1, true}, {2, false}, {3, false}}), VoteResult::kLost);
}

TEST(Quorum, VotesOfNonVotersAreIgnored) {
  const std::vector<NodeId> voters{1, 2, 3, 4};
  EXPECT_EQ(vote_result(voters, {{1, true}, {2, true}, {9, true}}), VoteResult::kPending);
  EXPECT_EQ(vote_result(voters, {{1, false}, {2, false}}), VoteResult::kLost);
}

TEST(Quorum, SingleVoterDecidesAlone) {
  EXPECT_EQ(vote_result({1}, {{1, true}}), VoteResult::kWon);
}

}  // namespace
}  // namespace quorum::raft
