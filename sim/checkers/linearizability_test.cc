// Tests of the linearizability checker. Method: small hand-written histories pin each model rule
// (one planted anomaly per test must be judged NOT linearizable, and its legal twin must pass);
// a generator builds large histories from a correct sequential register with concurrent clients,
// rejections and timeouts (whose effects may land after the client gave up), which must pass,
// and must fail once a single anomaly is planted in them.
#include "sim/checkers/linearizability.h"
#include "sim/history/synthetic_history.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "engine/core/base/prng.h"

namespace quorum::sim {
namespace {

// ---- hand-written histories ------------------------------------------------------------------

Operation put(std::uint64_t client, std::string key, std::string value, std::uint64_t from_us,
              std::uint64_t to_us, LogIndex version) {
  Operation op;
  op.client_id = client;
  op.key = std::move(key);
  op.kind = OpKind::kPut;
  op.value = std::move(value);
  op.invoke_us = from_us;
  op.complete_us = to_us;
  op.outcome = Outcome::kOk;
  op.version = version;
  return op;
}

Operation put_unknown(std::uint64_t client, std::string key, std::string value,
                      std::uint64_t from_us) {
  Operation op = put(client, std::move(key), std::move(value), from_us, from_us + 1, 0);
  op.outcome = Outcome::kUnknown;
  return op;
}

Operation cas(std::uint64_t client, std::string key, std::string value, LogIndex expected,
              std::uint64_t from_us, std::uint64_t to_us, LogIndex version) {
  Operation op = put(client, std::move(key), std::move(value), from_us, to_us, version);
  op.kind = OpKind::kCas;
  op.expected_version = expected;
  return op;
}

Operation cas_mismatch(std::uint64_t client, std::string key, LogIndex expected,
                       std::uint64_t from_us, std::uint64_t to_us, LogIndex reported) {
  Operation op = cas(client, std::move(key), "never", expected, from_us, to_us, 0);
  op.outcome = Outcome::kFailed;
  op.failure = Failure::kVersionMismatch;
  op.version = reported;
  return op;
}

Operation read(std::uint64_t client, std::string key, std::uint64_t from_us, std::uint64_t to_us,
               std::string value, LogIndex version) {
  Operation op;
  op.client_id = client;
  op.key = std::move(key);
  op.kind = OpKind::kRead;
  op.invoke_us = from_us;
  op.complete_us = to_us;
  op.outcome = Outcome::kOk;
  op.found = true;
  op.read_value = std::move(value);
  op.version = version;
  return op;
}

Operation read_absent(std::uint64_t client, std::string key, std::uint64_t from_us,
                      std::uint64_t to_us) {
  Operation op = read(client, std::move(key), from_us, to_us, "", 0);
  op.found = false;
  return op;
}

Operation del(std::uint64_t client, std::string key, std::uint64_t from_us, std::uint64_t to_us,
              LogIndex version) {
  Operation op = put(client, std::move(key), "", from_us, to_us, version);
  op.kind = OpKind::kDelete;
  return op;
}

History make(std::vector<Operation> ops) {
  History h;
  for (Operation& op : ops) h.add(std::move(op));
  return h;
}

Verdict verdict_of(const History& h) { return check_linearizability(h).verdict; }

TEST(Linearizability, AcceptsEmptyAndSequentialHistories) {
  EXPECT_EQ(verdict_of(History{}), Verdict::kLinearizable);
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 1), read(2, "/a", 20, 30, "x", 1),
                             cas(1, "/a", "y", 1, 40, 50, 2), read(2, "/a", 60, 70, "y", 2),
                             del(1, "/a", 80, 90, 3), read_absent(2, "/a", 100, 110)})),
            Verdict::kLinearizable);
}

TEST(Linearizability, AcceptsAConcurrentReadOfEitherValue) {
  for (const char* seen : {"x", "y"}) {
    const LogIndex version = std::string(seen) == "x" ? 1 : 2;
    EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 1), put(1, "/a", "y", 20, 40, 2),
                               read(2, "/a", 25, 30, seen, version)})),
              Verdict::kLinearizable)
        << seen;
  }
}

TEST(Linearizability, RejectsAStaleRead) {
  const History h = make({put(1, "/a", "x", 0, 10, 1), put(1, "/a", "y", 20, 30, 2),
                          read(2, "/a", 40, 50, "x", 1)});
  const LinearizabilityResult r = check_linearizability(h);
  ASSERT_EQ(r.verdict, Verdict::kViolation) << r.explain();
  EXPECT_EQ(r.violation.key, "/a");
  EXPECT_EQ(r.violation.stuck.id, 2u);
  EXPECT_EQ(r.violation.linearized_count, 2u);
  EXPECT_NE(r.explain().find("read another value"), std::string::npos) << r.explain();
}

TEST(Linearizability, RejectsALostAcknowledgedWrite) {
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 1), read_absent(2, "/a", 20, 30)})),
            Verdict::kViolation);
  // The same write acknowledged with its outcome unknown may be lost.
  EXPECT_EQ(verdict_of(make({put_unknown(1, "/a", "x", 0), read_absent(2, "/a", 20, 30)})),
            Verdict::kLinearizable);
}

TEST(Linearizability, RejectsAReadOfAValueNeverWritten) {
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 1), read(2, "/a", 20, 30, "z", 1)})),
            Verdict::kViolation);
  EXPECT_EQ(verdict_of(make({read(2, "/a", 20, 30, "z", 7)})), Verdict::kViolation);
}

TEST(Linearizability, RejectsACasThatSucceedsOnAWrongVersion) {
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 1), put(1, "/a", "y", 20, 30, 2),
                             cas(2, "/a", "z", 1, 40, 50, 3)})),
            Verdict::kViolation);
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 1), put(1, "/a", "y", 20, 30, 2),
                             cas(2, "/a", "z", 2, 40, 50, 3)})),
            Verdict::kLinearizable);
}

TEST(Linearizability, RejectsACasThatFailsOnTheRightVersion) {
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 1),
                             cas_mismatch(2, "/a", 1, 20, 30, kVersionNotReported)})),
            Verdict::kViolation);
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 1), cas_mismatch(2, "/a", 4, 20, 30, 1)})),
            Verdict::kLinearizable);
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 1), cas_mismatch(2, "/a", 4, 20, 30, 3)})),
            Verdict::kViolation);
}

TEST(Linearizability, RejectsAWriteVisibleBeforeItsInvocation) {
  EXPECT_EQ(verdict_of(make({read(2, "/a", 0, 10, "x", 1), put(1, "/a", "x", 20, 30, 1)})),
            Verdict::kViolation);
  // Overlapping in time, the read may follow the write.
  EXPECT_EQ(verdict_of(make({read(2, "/a", 0, 25, "x", 1), put(1, "/a", "x", 20, 30, 1)})),
            Verdict::kLinearizable);
}

TEST(Linearizability, RejectsVersionsThatGoBackwards) {
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 5), put(1, "/a", "y", 20, 30, 3)})),
            Verdict::kViolation);
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 5), read(2, "/a", 20, 30, "x", 4)})),
            Verdict::kViolation);
}

TEST(Linearizability, RejectsADeleteThatMissesAPresentKey) {
  Operation not_found = del(2, "/a", 20, 30, 0);
  not_found.outcome = Outcome::kFailed;
  not_found.failure = Failure::kNotFound;
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 1), not_found})), Verdict::kViolation);
  EXPECT_EQ(verdict_of(make({not_found})), Verdict::kLinearizable);
}

TEST(Linearizability, AcceptsAnUnknownWriteThatLandsAfterTheClientGaveUp) {
  // The timed-out put is first seen long after its client gave up, and its version is learned
  // only from the read; a cas then builds on that version.
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 1), put_unknown(2, "/a", "t", 20),
                             read(3, "/a", 100, 110, "x", 1), read(3, "/a", 200, 210, "t", 7),
                             cas(1, "/a", "u", 7, 300, 310, 9)})),
            Verdict::kLinearizable);
  // But an unknown write takes effect at most once, and not with an index below a known one.
  EXPECT_EQ(verdict_of(make({put(1, "/a", "x", 0, 10, 5), put_unknown(2, "/a", "t", 20),
                             read(3, "/a", 200, 210, "t", 4)})),
            Verdict::kViolation);
  EXPECT_EQ(verdict_of(make({put_unknown(2, "/a", "t", 0), read(3, "/a", 20, 30, "t", 2),
                             put(1, "/a", "x", 40, 50, 3), read(3, "/a", 60, 70, "t", 2)})),
            Verdict::kViolation);
}

TEST(Linearizability, IgnoresRejectedOperationsAndUnknownReads) {
  Operation rejected = put(1, "/a", "x", 0, 10, 0);
  rejected.outcome = Outcome::kFailed;
  rejected.failure = Failure::kRejected;
  Operation unknown_read = read(2, "/a", 20, 30, "", 0);
  unknown_read.found = false;
  unknown_read.outcome = Outcome::kUnknown;
  const LinearizabilityResult r =
      check_linearizability(make({rejected, unknown_read, read_absent(3, "/a", 40, 50)}));
  EXPECT_EQ(r.verdict, Verdict::kLinearizable);
  EXPECT_EQ(r.operations_checked, 1u);
}

TEST(Linearizability, ChecksKeysIndependentlyAndNamesTheViolatingKey) {
  const History h = make({put(1, "/a", "x", 0, 10, 1), put(1, "/b", "x", 20, 30, 2),
                          read(2, "/a", 40, 50, "x", 1), read_absent(2, "/b", 40, 50)});
  const LinearizabilityResult r = check_linearizability(h);
  ASSERT_EQ(r.verdict, Verdict::kViolation);
  EXPECT_EQ(r.violation.key, "/b");
  EXPECT_EQ(r.violation.stuck.id, 3u);
}

// ---- generated histories ---------------------------------------------------------------------

using GenOptions = SyntheticHistoryOptions;
History generate(const GenOptions& o) { return generate_linearizable_history(o); }

TEST(Linearizability, AcceptsTenThousandGeneratedOperationsWithTimeouts) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    GenOptions o;
    o.seed = seed;
    const History h = generate(o);
    ASSERT_EQ(h.validate(), "");
    const LinearizabilityResult r = check_linearizability(h);
    EXPECT_EQ(r.verdict, Verdict::kLinearizable) << "seed " << seed << "\n" << r.explain();
    EXPECT_EQ(r.keys_checked, o.keys_count);
    EXPECT_GT(r.operations_checked, 9'000u);
    // Search size, not time: about one node per operation. Without index ordering and the
    // unknown-write rules this was twice as large; without dominance, exponential.
    EXPECT_LT(r.states_explored, 15'000u);
    std::printf("seed %lu: %zu ops checked, %lu states\n", static_cast<unsigned long>(seed),
                r.operations_checked, static_cast<unsigned long>(r.states_explored));
  }
}

TEST(Linearizability, AcceptsAHighlyConcurrentSingleKeyHistory) {
  GenOptions o;
  o.ops_count = 4'000;
  o.clients_count = 10;
  o.keys_count = 1;
  const LinearizabilityResult r = check_linearizability(generate(o));
  EXPECT_EQ(r.verdict, Verdict::kLinearizable) << r.explain();
  EXPECT_LT(r.states_explored, 100'000u);  // 1.2 million before the reductions
  std::printf("%zu ops checked, %lu states\n", r.operations_checked,
              static_cast<unsigned long>(r.states_explored));
}

// Plants one stale read: a read whose value was written by an acknowledged write W that
// completed before the read began is changed to return the value of an acknowledged write that
// completed before W began. Versions only grow, so no linearization can explain it.
TEST(Linearizability, FindsOneStaleReadPlantedInTenThousandOperations) {
  const History generated = generate(GenOptions{});
  std::vector<Operation> ops = generated.operations();
  auto acknowledged_write = [](const Operation& op) {
    return (op.kind == OpKind::kPut || op.kind == OpKind::kCas) && op.outcome == Outcome::kOk &&
           op.version != 0;
  };
  std::map<std::string, std::size_t> writer_of;  // value -> op index
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (acknowledged_write(ops[i])) writer_of[ops[i].value] = i;
  }
  std::size_t planted = ops.size();
  for (std::size_t i = ops.size() / 2; i < ops.size() && planted == ops.size(); ++i) {
    Operation& r = ops[i];
    if (r.kind != OpKind::kRead || r.outcome != Outcome::kOk || !r.found) continue;
    auto w = writer_of.find(r.read_value);
    if (w == writer_of.end() || ops[w->second].complete_us >= r.invoke_us) continue;
    const Operation& writer = ops[w->second];
    for (std::size_t j = w->second; j-- > 0;) {
      if (acknowledged_write(ops[j]) && ops[j].key == r.key &&
          ops[j].complete_us < writer.invoke_us) {
        r.read_value = ops[j].value;
        r.version = ops[j].version;
        planted = i;
        break;
      }
    }
  }
  ASSERT_LT(planted, ops.size());
  const LinearizabilityResult r = check_linearizability(make(ops));
  ASSERT_EQ(r.verdict, Verdict::kViolation) << r.explain();
  EXPECT_EQ(r.violation.key, ops[planted].key);
  EXPECT_LT(r.states_explored, 30'000u);  // the whole prefix is searched: keep it near-linear
  std::printf("%s", r.explain().c_str());
}

// Forty timed-out puts that nobody ever observes, then a stale read. Any subset of the forty may
// have taken effect, so a search that tells those subsets apart explores 2^40 nodes before it
// can say "violation"; dominance and the canonical placement of unknown writes make it linear.
TEST(Linearizability, DecidesAViolationDespiteManyTimedOutWrites) {
  std::vector<Operation> ops;
  for (int i = 0; i < 40; ++i) ops.push_back(put_unknown(9, "/a", "lost" + std::to_string(i), 5));
  std::uint64_t t = 100;
  for (LogIndex v = 1; v <= 200; ++v, t += 100) {
    ops.push_back(put(1, "/a", "x" + std::to_string(v), t, t + 50, v + 100));
    ops.push_back(read(2, "/a", t + 60, t + 90, "x" + std::to_string(v), v + 100));
  }
  ops.push_back(read(2, "/a", t, t + 10, "x199", 299));  // x200@300 was acknowledged before
  LinearizabilityOptions options;
  options.states_max = 100'000;
  const LinearizabilityResult r = check_linearizability(make(ops), options);
  ASSERT_EQ(r.verdict, Verdict::kViolation) << r.explain();
  EXPECT_EQ(r.violation.stuck.id, ops.size() - 1);
  EXPECT_EQ(r.violation.linearized_count, 400u);
}

TEST(Linearizability, ReportsInconclusiveWhenTheBudgetRunsOut) {
  LinearizabilityOptions options;
  options.states_max = 50;
  const LinearizabilityResult r = check_linearizability(generate(GenOptions{}), options);
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_FALSE(r.inconclusive_keys.empty());
  EXPECT_NE(r.explain().find("budget"), std::string::npos);
}

TEST(Linearizability, IsDeterministic) {
  GenOptions o;
  o.ops_count = 2'000;
  const History h = generate(o);
  const LinearizabilityResult a = check_linearizability(h);
  const LinearizabilityResult b = check_linearizability(h);
  EXPECT_EQ(a.states_explored, b.states_explored);
  EXPECT_EQ(a.explain(), b.explain());
}

}  // namespace
}  // namespace quorum::sim
