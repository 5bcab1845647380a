// Each checker reports the inconsistency it exists for, and stays quiet on a consistent history.
#include <gtest/gtest.h>

#include "engine/check/durability.h"
#include "engine/check/election_safety.h"
#include "engine/check/leader_completeness.h"
#include "engine/check/log_matching.h"
#include "engine/check/log_model.h"
#include "engine/check/state_machine_safety.h"

namespace quorum::check {
namespace {

raft::Entry entry(Term term, LogIndex index, std::string data = "") {
  raft::Entry e;
  e.term = term;
  e.index = index;
  e.kind = data.empty() ? raft::EntryKind::kNoop : raft::EntryKind::kCommand;
  e.data = std::move(data);
  return e;
}

raft::SoftState leader(Term term) { return raft::SoftState{raft::Role::kLeader, 0, term}; }

struct Fixture {
  Findings findings;
  LogMatching matching{findings};
  LogModel logs{3, [this](LogIndex i, Term t) { return matching.chain_of(i, t); }};
  StateMachineSafety sms{findings, 3};
  LeaderCompleteness completeness{findings, logs, sms};
  Durability durability{findings, sms};

  void persist(NodeId n, std::vector<raft::Entry> entries) {
    logs.on_persist(n, nullptr, entries,
                    [this](NodeId node, LogIndex i, Term t, std::uint64_t c) {
                      matching.on_written(0, node, i, t, c);
                    });
  }
  void apply(NodeId n, const raft::Entry& e) { sms.on_apply(0, n, e, logs.chain_at(n, e.index)); }
};

TEST(ElectionSafety, ReportsTwoLeadersInOneTerm) {
  Findings f;
  ElectionSafety c(f);
  c.on_role(1, 1, leader(3));
  c.on_role(2, 1, leader(3));  // the same leader again is fine
  EXPECT_FALSE(f.any());
  c.on_role(3, 2, leader(3));
  ASSERT_TRUE(f.any());
  EXPECT_EQ(f.all()[0].invariant, "election-safety");
}

TEST(LogMatching, ReportsTheSameEntryIdAfterDifferentPrefixes) {
  Fixture x;
  x.persist(1, {entry(1, 1, "a"), entry(1, 2, "b")});
  x.persist(2, {entry(1, 1, "a"), entry(1, 2, "b")});
  EXPECT_FALSE(x.findings.any());
  x.persist(3, {entry(1, 1, "X"), entry(1, 2, "b")});  // (1,1) differs, so (1,2) follows another prefix
  ASSERT_TRUE(x.findings.any());
  EXPECT_EQ(x.findings.all()[0].invariant, "log-matching");
}

TEST(LogModel, TruncatesAConflictingSuffix) {
  Fixture x;
  x.persist(1, {entry(1, 1, "a"), entry(1, 2, "b"), entry(1, 3, "c")});
  x.persist(1, {entry(2, 2, "d")});
  EXPECT_EQ(x.logs.last_index(1), 2u);
  EXPECT_EQ(x.logs.term_at(1, 2), 2u);
  EXPECT_FALSE(x.findings.any());
}

TEST(StateMachineSafety, ReportsDifferentEntriesAppliedAtOneIndex) {
  Fixture x;
  x.persist(1, {entry(1, 1, "a")});
  x.persist(2, {entry(2, 1, "b")});
  x.apply(1, entry(1, 1, "a"));
  EXPECT_FALSE(x.findings.any());
  x.apply(2, entry(2, 1, "b"));
  ASSERT_TRUE(x.findings.any());
  EXPECT_EQ(x.findings.all()[0].invariant, "state-machine-safety");
}

TEST(StateMachineSafety, ReportsANodeApplyingOutOfOrder) {
  Fixture x;
  x.apply(1, entry(1, 2, "a"));
  x.apply(1, entry(1, 1, "b"));
  ASSERT_TRUE(x.findings.any());
}

TEST(LeaderCompleteness, ReportsALeaderMissingACommittedEntry) {
  Fixture x;
  x.persist(1, {entry(1, 1, "a"), entry(1, 2, "b")});
  x.apply(1, entry(1, 1, "a"));
  x.apply(1, entry(1, 2, "b"));
  x.persist(2, {entry(1, 1, "a")});
  x.completeness.on_role(0, 1, leader(2));  // node 1 holds everything: fine
  EXPECT_FALSE(x.findings.any());
  x.completeness.on_role(0, 2, leader(3));  // node 2 lacks index 2
  ASSERT_TRUE(x.findings.any());
  EXPECT_EQ(x.findings.all()[0].invariant, "leader-completeness");
}

TEST(Durability, ReportsAnAckOfAnUnappliedIndexAndAShortLeader) {
  Fixture x;
  x.durability.on_ack(0, 1, 5);
  ASSERT_TRUE(x.findings.any());
  Fixture y;
  y.apply(1, entry(1, 1, "a"));
  y.durability.on_ack(0, 1, 1);
  EXPECT_FALSE(y.findings.any());
  y.durability.finish(0, 2, 0);  // leader 2 applied nothing, though index 1 was acknowledged
  ASSERT_TRUE(y.findings.any());
  EXPECT_EQ(y.findings.all()[0].invariant, "durability");
}

}  // namespace
}  // namespace quorum::check
