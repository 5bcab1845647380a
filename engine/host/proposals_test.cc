#include "engine/host/proposals.h"

#include <gtest/gtest.h>

#include <vector>

namespace quorum::host {
namespace {

struct Replies {
  std::vector<ClientReply> got;
  ReplyFn fn() {
    return [this](const ClientReply& reply) { got.push_back(reply); };
  }
};

TEST(Proposals, RepliesOkWhenTheIndexIsAppliedWithTheProposalTerm) {
  Proposals proposals;
  Replies replies;
  proposals.add(5, 2, replies.fn());
  config_sync::ApplyResult result;
  result.version = 5;
  proposals.on_applied(4, 2, {});
  EXPECT_TRUE(replies.got.empty());
  proposals.on_applied(5, 2, result);
  ASSERT_EQ(replies.got.size(), 1u);
  EXPECT_EQ(replies.got[0].code, ClientReply::Code::kOk);
  EXPECT_EQ(replies.got[0].index, 5u);
  EXPECT_EQ(std::get<config_sync::ApplyResult>(replies.got[0].result).version, 5u);
  EXPECT_TRUE(proposals.empty());
}

TEST(Proposals, RepliesLostWhenTheIndexIsAppliedWithAnotherTerm) {
  // The proposal's entry was overwritten by a later leader's entry at the same index.
  Proposals proposals;
  Replies replies;
  proposals.add(7, 3, replies.fn());
  proposals.on_applied(7, 4, {});
  ASSERT_EQ(replies.got.size(), 1u);
  EXPECT_EQ(replies.got[0].code, ClientReply::Code::kLost);
  EXPECT_EQ(replies.got[0].index, 7u);
}

TEST(Proposals, KeepsProposalsAtTheSameIndexFromDifferentTermsApart) {
  Proposals proposals;
  Replies old_term;
  Replies new_term;
  proposals.add(7, 3, old_term.fn());
  proposals.add(7, 5, new_term.fn());
  proposals.on_applied(7, 5, {});
  ASSERT_EQ(old_term.got.size(), 1u);
  ASSERT_EQ(new_term.got.size(), 1u);
  EXPECT_EQ(old_term.got[0].code, ClientReply::Code::kLost);
  EXPECT_EQ(new_term.got[0].code, ClientReply::Code::kOk);
}

TEST(Proposals, AnswersUnknownForProposalsCoveredBySnapshot) {
  Proposals proposals;
  Replies replies;
  proposals.add(3, 1, replies.fn());
  proposals.add(9, 1, replies.fn());
  proposals.on_snapshot_restored(5);
  ASSERT_EQ(replies.got.size(), 1u);
  EXPECT_EQ(replies.got[0].code, ClientReply::Code::kUnknown);
  EXPECT_EQ(proposals.size(), 1u);
  proposals.fail_all(ClientReply::Code::kStopped, "stop");
  ASSERT_EQ(replies.got.size(), 2u);
  EXPECT_EQ(replies.got[1].code, ClientReply::Code::kStopped);
  EXPECT_TRUE(proposals.empty());
}

TEST(Proposals, RepliesLostAtOnceWhenTheLogIsTruncatedBelowTheProposal) {
  Proposals proposals;
  Replies replies;
  proposals.add(4, 2, replies.fn());
  proposals.add(6, 2, replies.fn());
  proposals.add(7, 2, replies.fn());
  proposals.on_truncated(6);
  ASSERT_EQ(replies.got.size(), 2u);
  EXPECT_EQ(replies.got[0].code, ClientReply::Code::kLost);
  EXPECT_EQ(replies.got[0].index, 6u);
  EXPECT_EQ(replies.got[1].index, 7u);
  EXPECT_EQ(proposals.size(), 1u);  // index 4 is before the truncation: still pending
}

TEST(PendingReads, AnswersOnceAppliedReachesTheReadIndex) {
  PendingReads reads;
  Replies replies;
  reads.add_requested(1, replies.fn());
  reads.on_applied(10);
  EXPECT_TRUE(replies.got.empty());  // not confirmed yet: applied alone proves nothing
  reads.confirm(1, 12);
  reads.on_applied(11);
  EXPECT_TRUE(replies.got.empty());
  reads.on_applied(12);
  ASSERT_EQ(replies.got.size(), 1u);
  EXPECT_EQ(replies.got[0].code, ClientReply::Code::kOk);
  EXPECT_EQ(reads.size(), 0u);
}

TEST(PendingReads, RedirectsUnconfirmedReadsWhenLeadershipIsLost) {
  PendingReads reads;
  Replies replies;
  reads.add_requested(1, replies.fn());
  reads.add_requested(2, replies.fn());
  reads.confirm(2, 4);
  reads.fail_requested(3);
  ASSERT_EQ(replies.got.size(), 1u);
  EXPECT_EQ(replies.got[0].code, ClientReply::Code::kNotLeader);
  EXPECT_EQ(replies.got[0].leader_hint, 3u);
  reads.confirm(1, 4);  // a late confirmation of a failed read is ignored
  reads.on_applied(4);
  EXPECT_EQ(replies.got.size(), 2u);
}

}  // namespace
}  // namespace quorum::host
