// Tests of the sequential register model, one rule per test.
#include "sim/history/register_model.h"

#include <gtest/gtest.h>

namespace quorum::sim {
namespace {

const std::vector<std::string_view> kValues{"", "x", "y"};

Operation write(OpKind kind, Outcome outcome, LogIndex version, LogIndex expected = 0) {
  Operation op;
  op.key = "/a";
  op.kind = kind;
  op.outcome = outcome;
  op.version = version;
  op.expected_version = expected;
  return op;
}

Operation read(bool found, LogIndex version) {
  Operation op = write(OpKind::kRead, Outcome::kOk, version);
  op.found = found;
  return op;
}

RegisterState holding(std::uint32_t value_id, LogIndex version) {
  return RegisterState{value_id, true, true, version, version};
}

bool accepts(const RegisterState& s, const Operation& op, std::uint32_t value_id = 1,
             RegisterState* next = nullptr) {
  RegisterState ignored;
  return register_step(s, ModelOp{&op, value_id, value_id}, next ? next : &ignored, nullptr,
                       kValues);
}

TEST(RegisterModel, PutSetsValueAndIndexAboveEveryEarlierIndex) {
  RegisterState next;
  ASSERT_TRUE(accepts(holding(2, 5), write(OpKind::kPut, Outcome::kOk, 8), 1, &next));
  EXPECT_EQ(next, holding(1, 8));
  EXPECT_FALSE(accepts(holding(2, 5), write(OpKind::kPut, Outcome::kOk, 5)));
}

TEST(RegisterModel, CasTakesEffectOnlyOnTheExpectedVersion) {
  EXPECT_TRUE(accepts(holding(2, 5), write(OpKind::kCas, Outcome::kOk, 8, 5)));
  EXPECT_FALSE(accepts(holding(2, 5), write(OpKind::kCas, Outcome::kOk, 8, 4)));
  EXPECT_TRUE(accepts(RegisterState{}, write(OpKind::kCas, Outcome::kOk, 8, 0)));
  EXPECT_FALSE(accepts(holding(2, 5), write(OpKind::kCas, Outcome::kOk, 8, 0)));
}

TEST(RegisterModel, ReadReturnsTheCurrentValueAndVersion) {
  EXPECT_TRUE(accepts(holding(1, 5), read(true, 5)));
  EXPECT_FALSE(accepts(holding(1, 5), read(true, 6)));
  EXPECT_FALSE(accepts(holding(2, 5), read(true, 5)));
  EXPECT_FALSE(accepts(holding(1, 5), read(false, 0)));
  EXPECT_TRUE(accepts(RegisterState{}, read(false, 0)));
}

TEST(RegisterModel, AnUnreportedIndexIsPinnedByTheNextReadAboveTheFloor) {
  RegisterState s;
  ASSERT_TRUE(accepts(holding(2, 5), write(OpKind::kPut, Outcome::kUnknown, 0), 1, &s));
  EXPECT_FALSE(s.version_known);
  EXPECT_FALSE(accepts(s, read(true, 5)));  // not above the floor
  RegisterState pinned;
  ASSERT_TRUE(accepts(s, read(true, 9), 1, &pinned));
  EXPECT_EQ(pinned, holding(1, 9));
}

TEST(RegisterModel, DeleteNeedsAPresentKeyAndNotFoundAnAbsentOne) {
  RegisterState next;
  ASSERT_TRUE(accepts(holding(1, 5), write(OpKind::kDelete, Outcome::kOk, 6), 0, &next));
  EXPECT_FALSE(next.present);
  EXPECT_EQ(next.floor_index, 6u);
  EXPECT_FALSE(accepts(RegisterState{}, write(OpKind::kDelete, Outcome::kOk, 6), 0));
  Operation not_found = write(OpKind::kDelete, Outcome::kFailed, 0);
  not_found.failure = Failure::kNotFound;
  EXPECT_TRUE(accepts(RegisterState{}, not_found, 0));
  EXPECT_FALSE(accepts(holding(1, 5), not_found, 0));
}

TEST(RegisterModel, CasMismatchContradictsAMatchingOrMisreportedVersion) {
  Operation mismatch = write(OpKind::kCas, Outcome::kFailed, kVersionNotReported, 5);
  mismatch.failure = Failure::kVersionMismatch;
  EXPECT_FALSE(accepts(holding(1, 5), mismatch));
  EXPECT_TRUE(accepts(holding(1, 6), mismatch));
  mismatch.version = 6;
  EXPECT_TRUE(accepts(holding(1, 6), mismatch));
  mismatch.version = 7;
  EXPECT_FALSE(accepts(holding(1, 6), mismatch));
}

TEST(RegisterModel, ExplainsARefusalNamingTheRegister) {
  const Operation op = read(true, 5);
  RegisterState ignored;
  std::string reason;
  EXPECT_FALSE(register_step(holding(2, 5), ModelOp{&op, 0, 1}, &ignored, &reason, kValues));
  EXPECT_EQ(reason, "read another value; register is \"y\"@5");
}

}  // namespace
}  // namespace quorum::sim
