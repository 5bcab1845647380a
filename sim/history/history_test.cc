// Tests of the client history: the recording API, the validity table of Operation, and the
// one-line text format used in failure reports.
#include "sim/history/history.h"

#include <gtest/gtest.h>

namespace quorum::sim {
namespace {

TEST(History, RecordsInvocationsAndCompletions) {
  History h;
  const OpId put = h.invoke_put(1, "/a", "x", 100);
  const OpId read = h.invoke_read(2, "/a", 150);
  const OpId cas = h.invoke_cas(3, "/a", "y", 4, 160);
  const OpId del = h.invoke_delete(1, "/a", 170);
  const OpId lost = h.invoke_put(2, "/b", "z", 180);
  h.complete_write_ok(put, 200, 7);
  h.complete_read(read, 250, true, "x", 7);
  h.complete_failed(cas, 260, Failure::kVersionMismatch, 7);
  h.complete_unknown(del, 900);
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h.validate(), "");
  const auto& ops = h.operations();
  EXPECT_EQ(ops[put].outcome, Outcome::kOk);
  EXPECT_EQ(ops[put].version, 7u);
  EXPECT_TRUE(ops[read].found);
  EXPECT_EQ(ops[read].read_value, "x");
  EXPECT_EQ(ops[cas].failure, Failure::kVersionMismatch);
  EXPECT_EQ(ops[cas].version, 7u);
  EXPECT_EQ(ops[del].outcome, Outcome::kUnknown);
  EXPECT_EQ(ops[del].complete_us, 900u);
  // Never completed: unknown, pending forever.
  EXPECT_EQ(ops[lost].outcome, Outcome::kUnknown);
  EXPECT_EQ(ops[lost].complete_us, kTimeNeverUs);
}

TEST(History, FormatsOneOperationPerLine) {
  History h;
  h.complete_write_ok(h.invoke_cas(3, "/a", "x\"y", 5, 1000), 2500, 9);
  h.complete_read(h.invoke_read(1, "/a", 3000), 3100, false, "", 0);
  h.invoke_put(2, "/b", "z", 3200);
  EXPECT_EQ(h.dump(),
            "#0 c3 [1000,2500] cas k=\"/a\" val=\"x\\\"y\" exp=5 -> ok v=9\n"
            "#1 c1 [3000,3100] read k=\"/a\" -> ok absent\n"
            "#2 c2 [3200,never] put k=\"/b\" val=\"z\" -> unknown\n");
  EXPECT_EQ(h.dump_key("/b"), "#2 c2 [3200,never] put k=\"/b\" val=\"z\" -> unknown\n");
}

TEST(History, ValidateRejectsImpossibleCombinations) {
  Operation op;
  op.key = "/a";
  op.kind = OpKind::kRead;
  op.invoke_us = 10;
  op.complete_us = 20;
  op.outcome = Outcome::kOk;
  EXPECT_EQ(validate_operation(op), "");
  Operation bad = op;
  bad.complete_us = 5;
  EXPECT_NE(validate_operation(bad), "");
  bad = op;
  bad.found = true;  // found at version 0
  EXPECT_NE(validate_operation(bad), "");
  bad = op;
  bad.outcome = Outcome::kFailed;
  bad.failure = Failure::kVersionMismatch;  // only a cas can mismatch
  EXPECT_NE(validate_operation(bad), "");
  bad = op;
  bad.kind = OpKind::kPut;
  bad.outcome = Outcome::kUnknown;
  bad.version = 3;  // an unknown outcome cannot carry an index
  EXPECT_NE(validate_operation(bad), "");
  bad = op;
  bad.expected_version = 2;  // only a cas has an expected version
  EXPECT_NE(validate_operation(bad), "");

  History h;
  h.add(op);
  h.add(bad);
  EXPECT_NE(h.validate().find("#1"), std::string::npos) << h.validate();
}

}  // namespace
}  // namespace quorum::sim
