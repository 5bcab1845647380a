#include "sim/network/message_rules.h"

#include <gtest/gtest.h>

namespace quorum::sim {
namespace {

raft::Entry entry(Term term, LogIndex index) {
  raft::Entry e;
  e.term = term;
  e.index = index;
  e.kind = raft::EntryKind::kCommand;
  e.data = "x";
  return e;
}

raft::Message append(NodeId from, NodeId to, Term term, std::vector<raft::Entry> entries) {
  raft::AppendRequest r;
  r.prev_log_index = entries.empty() ? 7 : entries.front().index - 1;
  r.prev_log_term = 1;
  r.entries = std::move(entries);
  return raft::Message{from, to, term, std::move(r)};
}

raft::Message vote(NodeId from, NodeId to, bool pre_vote) {
  raft::VoteRequest r;
  r.pre_vote = pre_vote;
  return raft::Message{from, to, 3, r};
}

std::uint32_t bit(unsigned n) { return std::uint32_t{1} << n; }

TEST(MessageRules, ClassifiesHeartbeatsApartFromAppends) {
  EXPECT_EQ(classify(append(1, 2, 3, {})), MessageClass::kHeartbeat);
  EXPECT_EQ(classify(append(1, 2, 3, {entry(3, 8)})), MessageClass::kAppend);
  EXPECT_EQ(classify(vote(1, 2, true)), MessageClass::kPreVote);
  EXPECT_EQ(classify(vote(1, 2, false)), MessageClass::kVote);
}

TEST(MessageRules, DropRuleTouchesOnlyMatchingSenderReceiverAndKind) {
  MessageRules rules;
  MessageRule r;
  r.label = "n1-appends-to-n3";
  r.from_mask = bit(1);
  r.to_mask = bit(3);
  r.class_mask = bit(static_cast<unsigned>(MessageClass::kAppend));
  rules.add(r);
  raft::Message scratch;
  EXPECT_EQ(rules.apply(1, append(1, 3, 3, {entry(3, 8)}), scratch).rule_id, 1u);
  EXPECT_EQ(rules.apply(1, append(1, 2, 3, {entry(3, 8)}), scratch).rule_id, 0u);  // receiver
  EXPECT_EQ(rules.apply(2, append(2, 3, 3, {entry(3, 8)}), scratch).rule_id, 0u);  // sender
  EXPECT_EQ(rules.apply(1, append(1, 3, 3, {}), scratch).rule_id, 0u);             // heartbeat
  EXPECT_EQ(rules.apply(1, vote(1, 3, false), scratch).rule_id, 0u);               // kind
  EXPECT_EQ(rules.rules().front().matched, 1u);
}

TEST(MessageRules, CurrentTermFilterSeesOnlyEntriesOfTheSendersTerm) {
  MessageRules rules;
  MessageRule r;
  r.entries = EntryFilter::kCurrentTerm;
  rules.add(r);
  raft::Message scratch;
  EXPECT_EQ(rules.apply(1, append(1, 2, 5, {entry(3, 8), entry(3, 9)}), scratch).rule_id, 0u);
  EXPECT_EQ(rules.apply(1, append(1, 2, 5, {entry(3, 8), entry(5, 9)}), scratch).rule_id, 1u);
  EXPECT_EQ(rules.apply(1, vote(1, 2, false), scratch).rule_id, 0u);  // carries no entries

  MessageRules older;
  r.entries = EntryFilter::kOnlyOlderTerms;
  older.add(r);
  EXPECT_EQ(older.apply(1, append(1, 2, 5, {entry(3, 8)}), scratch).rule_id, 1u);
  EXPECT_EQ(older.apply(1, append(1, 2, 5, {entry(3, 8), entry(5, 9)}), scratch).rule_id, 0u);
  EXPECT_EQ(older.apply(1, append(1, 2, 5, {}), scratch).rule_id, 0u);
}

TEST(MessageRules, StripKeepsTheOlderTermPrefixOfAnAppend) {
  MessageRules rules;
  MessageRule r;
  r.entries = EntryFilter::kCurrentTerm;
  r.action = RuleAction::kStrip;
  rules.add(r);
  raft::Message out;
  const raft::Message m = append(1, 2, 5, {entry(3, 8), entry(3, 9), entry(5, 10)});
  const RuleVerdict v = rules.apply(1, m, out);
  ASSERT_EQ(v.action, RuleAction::kStrip);
  EXPECT_EQ(v.entries_stripped, 1u);
  const auto& a = std::get<raft::AppendRequest>(out.body);
  ASSERT_EQ(a.entries.size(), 2u);
  EXPECT_EQ(a.entries.back().index, 9u);
  EXPECT_EQ(a.prev_log_index, 7u);
  // Everything current-term: the append becomes a heartbeat with the same prev.
  const RuleVerdict all = rules.apply(1, append(1, 2, 5, {entry(5, 8)}), out);
  EXPECT_EQ(all.entries_stripped, 1u);
  EXPECT_TRUE(std::get<raft::AppendRequest>(out.body).entries.empty());
  EXPECT_EQ(std::get<raft::AppendRequest>(out.body).prev_log_index, 7u);
  EXPECT_NE(MessageRules::describe_verdict(v, 1, m).find("stripped of 1 of its 3"),
            std::string::npos);
}

TEST(MessageRules, LimitedRuleRetiresAfterItsQuotaAndUnruleRemovesByLabel) {
  MessageRules rules;
  MessageRule once;
  once.label = "once";
  once.limit = 1;
  rules.add(once);
  MessageRule delay;
  delay.label = "slow";
  delay.action = RuleAction::kDelay;
  delay.delay_us = 30'000;
  rules.add(delay);
  raft::Message scratch;
  EXPECT_EQ(rules.apply(1, vote(1, 2, true), scratch).action, RuleAction::kDrop);
  const RuleVerdict second = rules.apply(1, vote(1, 2, true), scratch);
  EXPECT_EQ(second.action, RuleAction::kDelay);
  EXPECT_EQ(second.delay_us, 30'000u);
  EXPECT_EQ(rules.retired().size(), 1u);
  EXPECT_EQ(rules.remove("slow"), 1u);
  EXPECT_TRUE(rules.empty());
  EXPECT_EQ(rules.apply(1, vote(1, 2, true), scratch).rule_id, 0u);
}

}  // namespace
}  // namespace quorum::sim
