#include "engine/host/node_host.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "engine/host/memory/memory_ports.h"
#include "engine/host/memory/memory_storage.h"

namespace quorum::host {
namespace {

constexpr std::uint64_t kTickUs = 10'000;

raft::Membership voters(std::initializer_list<NodeId> ids) {
  raft::Membership m;
  for (NodeId id : ids) m.members.push_back(raft::Member{id, raft::MemberRole::kVoter, 1});
  return m;
}

// One host on memory ports, driven by poll(). The storage outlives host incarnations.
struct Single {
  explicit Single(raft::Membership membership = voters({1})) : bootstrap(std::move(membership)) {}
  raft::Membership bootstrap;
  ManualClock clock;
  ManualExecutor executor;
  RecordingTransport transport;
  MemoryStorage storage;
  std::unique_ptr<NodeHost> host;
  std::uint64_t snapshot_interval_entries = 1000;
  Ticks election_timeout_ticks = 10;
  Ticks heartbeat_interval_ticks = 2;
  Backend* backend = nullptr;

  void start() {
    HostConfig config;
    config.raft.id = 1;
    config.raft.election_timeout_ticks = election_timeout_ticks;
    config.raft.heartbeat_interval_ticks = heartbeat_interval_ticks;
    config.tick_interval_ms = kTickUs / 1000;
    config.bootstrap = bootstrap;
    config.snapshot_interval_entries = snapshot_interval_entries;
    host = std::make_unique<NodeHost>(config, Ports{transport, clock, storage, executor, backend},
                                      Prng(42));
    ASSERT_TRUE(host->start().is_ok());
  }
  void tick(int count = 1) {
    for (int i = 0; i < count; ++i) {
      clock.advance_us(kTickUs);
      host->poll();
    }
  }
  bool elect() {
    for (int i = 0; i < 100 && host->node().role() != raft::Role::kLeader; ++i) tick();
    tick();  // the no-op of the new term commits
    return host->node().role() == raft::Role::kLeader;
  }
  std::optional<ClientReply> put(const std::string& path, const std::string& content) {
    std::optional<ClientReply> got;
    host->propose(config_sync::Put{path, content},
                         [&got](const ClientReply& r) { got = r; });
    host->poll();
    return got;
  }
};

TEST(NodeHost, SingleNodeElectsItselfAndAppliesAPut) {
  Single s;
  s.start();
  ASSERT_TRUE(s.elect());
  const auto reply = s.put("a.cnf", "alpha");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, ClientReply::Code::kOk);
  EXPECT_EQ(std::get<config_sync::ApplyResult>(reply->result).code,
            config_sync::ApplyResult::Code::kApplied);
  ASSERT_NE(s.host->state().config.find("a.cnf"), nullptr);
  EXPECT_EQ(s.host->state().config.find("a.cnf")->content, "alpha");
  EXPECT_EQ(s.host->applied_index(), reply->index);
  // Acknowledged means durable: the entry is in the synced state.
  EXPECT_GE(s.storage.durable().last_index(), reply->index);
  const HostStats& stats = s.host->stats();
  EXPECT_EQ(stats.entries_applied_count, s.host->applied_index());
  EXPECT_EQ(stats.persists_count, s.storage.persist_count());
  EXPECT_EQ(stats.syncs_count, s.storage.sync_count());
  EXPECT_EQ(stats.ticks_count, s.host->node().now_ticks());
  EXPECT_GT(stats.readys_count, 0u);
}

TEST(NodeHost, RejectedCommandIsAnsweredWithTheStateMachineReason) {
  Single s;
  s.start();
  ASSERT_TRUE(s.elect());
  const auto reply = s.put("../escape", "x");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, ClientReply::Code::kOk);                              // committed...
  EXPECT_EQ(std::get<config_sync::ApplyResult>(reply->result).code,
            config_sync::ApplyResult::Code::kInvalidPath);  // ...not applied
  EXPECT_TRUE(s.host->state().config.files().empty());
}

TEST(NodeHost, FailStopsWhenPersistFailsAndAnswersStopped) {
  Single s;
  s.start();
  ASSERT_TRUE(s.elect());
  s.storage.fail_after(0, Status::io_error("fsync: EIO"));
  const auto reply = s.put("a.cnf", "alpha");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, ClientReply::Code::kStopped);
  EXPECT_TRUE(s.host->stopped());
  EXPECT_EQ(s.host->failure().code(), StatusCode::kIoError);
  EXPECT_EQ(s.host->state().config.find("a.cnf"), nullptr);
  // Stopped for good: later requests are refused, polls do nothing.
  const auto late = s.put("b.cnf", "beta");
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->code, ClientReply::Code::kStopped);
  const std::uint64_t persists = s.storage.persist_count();
  const std::size_t sent = s.transport.sent().size();
  s.tick(30);
  EXPECT_EQ(s.storage.persist_count(), persists);
  EXPECT_EQ(s.transport.sent().size(), sent);
  EXPECT_EQ(s.host->next_deadline_us(), std::numeric_limits<std::uint64_t>::max());
}

TEST(NodeHost, RestartReappliesCommittedEntriesFromStorage) {
  Single s;
  s.start();
  ASSERT_TRUE(s.elect());
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(s.put("f" + std::to_string(i), "v" + std::to_string(i))->code,
              ClientReply::Code::kOk);
  }
  const LogIndex applied = s.host->applied_index();
  s.host.reset();
  s.storage.crash();
  s.start();
  EXPECT_EQ(s.host->applied_index(), 0u);
  s.host->poll();  // the core hands out the committed entries it loaded
  ASSERT_TRUE(s.elect());
  EXPECT_GE(s.host->applied_index(), applied);
  EXPECT_EQ(s.host->state().config.files().size(), 5u);
}

TEST(NodeHost, RestartRestoresTheSnapshotThenReplaysTheLog) {
  Single s;
  s.snapshot_interval_entries = 3;
  s.start();
  ASSERT_TRUE(s.elect());
  for (int i = 0; i < 8; ++i) {
    ASSERT_EQ(s.put("f" + std::to_string(i), "v")->code, ClientReply::Code::kOk);
  }
  s.tick();
  ASSERT_TRUE(s.storage.durable().snapshot.has_value());
  const LogIndex snapshot_index = s.storage.durable().snapshot->meta.last_index;
  EXPECT_GE(snapshot_index, 3u);
  EXPECT_GE(s.host->stats().snapshots_taken_count, 2u);  // 9 entries, one every 3
  s.host.reset();
  s.storage.crash();
  s.start();
  // Restored before any poll: start() installs the snapshot.
  EXPECT_EQ(s.host->applied_index(), snapshot_index);
  EXPECT_FALSE(s.host->state().config.files().empty());
  ASSERT_TRUE(s.elect());
  EXPECT_EQ(s.host->state().config.files().size(), 8u);
}

TEST(NodeHost, FollowerAnswersNotLeaderWithTheLeaderHint) {
  Single s(voters({1, 2, 3}));
  s.start();
  raft::AppendRequest heartbeat;
  s.host->deliver(raft::Message{2, 1, 1, heartbeat});
  s.host->poll();
  EXPECT_EQ(s.host->node().leader_id(), 2u);
  const auto reply = s.put("a.cnf", "x");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, ClientReply::Code::kNotLeader);
  EXPECT_EQ(reply->leader_hint, 2u);
}

TEST(NodeHost, DropsMisroutedMessagesInsteadOfSteppingThem) {
  // The core asserts that a message is addressed to it and not from itself; a confused
  // transport must not be able to trip that assertion.
  Single s(voters({1, 2, 3}));
  s.start();
  raft::AppendRequest heartbeat;
  s.host->deliver(raft::Message{2, 3, 1, heartbeat});        // for someone else
  s.host->deliver(raft::Message{1, 1, 1, heartbeat});        // from itself
  s.host->deliver(raft::Message{kNoNode, 1, 1, heartbeat});  // from nobody
  s.host->poll();
  EXPECT_EQ(s.host->node().term(), 0u);
  EXPECT_EQ(s.host->node().leader_id(), kNoNode);
  EXPECT_EQ(s.host->stats().messages_dropped_count, 3u);
}

TEST(NodeHost, ReadConfigIsServedAfterLeadershipIsConfirmed) {
  Single s;
  s.start();
  ASSERT_TRUE(s.elect());
  ASSERT_EQ(s.put("a.cnf", "alpha")->code, ClientReply::Code::kOk);
  std::optional<ClientReply> got;
  s.host->read([&got](const ClientReply& r) { got = r; });
  for (int i = 0; i < 5 && !got.has_value(); ++i) s.tick();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code, ClientReply::Code::kOk);
  EXPECT_GE(s.host->applied_index(), got->index);
}

TEST(NodeHost, HooksSeeRolePersistAndApplyInOrder) {
  Single s;
  std::vector<std::string> events;
  s.start();
  s.host->on_role_change([&](const raft::SoftState& st) {
    events.push_back(std::string("role ") + std::string(raft::role_name(st.role)));
  });
  s.host->on_persist([&](const PersistBatch& b) {
    if (!b.entries.empty()) events.push_back("persist " + std::to_string(b.entries.back().index));
  });
  s.host->on_apply(
      [&](const raft::Entry& e) { events.push_back("apply " + std::to_string(e.index)); });
  ASSERT_TRUE(s.elect());
  ASSERT_FALSE(events.empty());
  // The leader's no-op (index 1) is persisted before it is applied, after the role change.
  const auto role = std::find(events.begin(), events.end(), "role leader");
  const auto persist = std::find(events.begin(), events.end(), "persist 1");
  const auto apply = std::find(events.begin(), events.end(), "apply 1");
  ASSERT_NE(role, events.end());
  ASSERT_NE(persist, events.end());
  ASSERT_NE(apply, events.end());
  EXPECT_LT(role, persist);
  EXPECT_LT(persist, apply);
}

TEST(NodeHost, CatchesUpAPauseInBoundedStepsWithoutDroppingTime) {
  Single s;
  s.start();
  s.clock.advance_us(100 * kTickUs);  // a 100-tick stall
  s.host->poll();
  EXPECT_EQ(s.host->node().now_ticks(), 16u);               // catch_up_ticks_per_poll_max
  EXPECT_LE(s.host->next_deadline_us(), s.clock.now_us());  // more is due at once
  for (int i = 0; i < 10; ++i) s.host->poll();
  EXPECT_EQ(s.host->node().now_ticks(), 100u);
  EXPECT_EQ(s.host->next_deadline_us(), s.clock.now_us() + kTickUs);
}

// Makes node 1 of {1, 2, 3} leader with a lease: node 2 grants the pre-vote and the vote and
// acknowledges the leader's first round (node 3 stays silent).
bool elect_with_lease(Single& s) {
  for (int i = 0; i < 1000 && s.host->node().role() != raft::Role::kPreCandidate; ++i) s.tick();
  if (s.host->node().role() != raft::Role::kPreCandidate) return false;
  const Term term = s.host->node().term() + 1;
  raft::VoteResponse pre_grant;
  pre_grant.pre_vote = true;
  pre_grant.granted = true;
  s.host->deliver(raft::Message{2, 1, term, pre_grant});
  s.host->poll();
  if (s.host->node().role() != raft::Role::kCandidate || s.host->node().term() != term) {
    return false;
  }
  raft::VoteResponse grant;
  grant.granted = true;
  s.host->deliver(raft::Message{2, 1, term, grant});
  s.host->poll();
  if (s.host->node().role() != raft::Role::kLeader) return false;
  // Acknowledge the newest append the leader sent to node 2 (its no-op, with the round).
  std::optional<raft::AppendRequest> newest;
  for (const raft::Message& m : s.transport.sent()) {
    const auto* append = std::get_if<raft::AppendRequest>(&m.body);
    if (m.to == 2 && m.term == term && append != nullptr) newest = *append;
  }
  if (!newest.has_value()) return false;
  raft::AppendResponse ack;
  ack.success = true;
  ack.match_index = newest->entries.empty() ? newest->prev_log_index : newest->entries.back().index;
  ack.round = newest->round;
  s.host->deliver(raft::Message{2, 1, term, ack});
  s.host->poll();
  return s.host->node().has_lease();
}

bool sent_entries(const std::vector<raft::Message>& messages) {
  return std::any_of(messages.begin(), messages.end(), [](const raft::Message& m) {
    const auto* append = std::get_if<raft::AppendRequest>(&m.body);
    return append != nullptr && !append->entries.empty();
  });
}

TEST(NodeHost, ALeaderWhoseClockJumpedCatchesUpOnTimeBeforeActingOnInput) {
  // Issue 8 section 0: a lease is judged against the clock's reading now, never against ticks
  // not yet fed. A leader whose clock jumps 10 election timeouts ahead (a GC-like stall) feeds
  // the due ticks in bounded batches; the client request queued meanwhile must not be proposed
  // (no AppendRequest carrying it) under the lease the core still believes in for ticks it has
  // not seen yet. Once caught up, the lease has run out and CheckQuorum has deposed the leader,
  // so the request is refused as not-leader.
  Single s(voters({1, 2, 3}));
  s.election_timeout_ticks = 100;
  s.heartbeat_interval_ticks = 10;
  s.start();
  ASSERT_TRUE(elect_with_lease(s));
  ASSERT_GT(s.host->node().lease_remaining_ticks(), 16u);  // outlives one catch-up batch
  const Ticks jump_ticks = 10 * s.election_timeout_ticks;
  s.clock.advance_us(jump_ticks * kTickUs);
  s.transport.take();
  std::optional<ClientReply> got;
  s.host->propose(config_sync::Put{"a.cnf", "x"}, [&](const ClientReply& r) {
    // Whenever the host answers, it has caught up and holds no lease.
    EXPECT_FALSE(s.host->behind_clock(s.clock.now_us()));
    EXPECT_FALSE(s.host->node().has_lease());
    got = r;
  });
  s.host->poll();
  EXPECT_TRUE(s.host->behind_clock(s.clock.now_us()));
  EXPECT_LE(s.host->next_deadline_us(), s.clock.now_us());  // more to do at once
  EXPECT_FALSE(got.has_value()) << "a request was handled before the host caught up";
  EXPECT_FALSE(sent_entries(s.transport.sent())) << "appended as leader before catching up";
  int polls = 1;
  for (; polls < 1000 && s.host->behind_clock(s.clock.now_us()); ++polls) s.host->poll();
  // Bounded batches of 16; the poll that feeds the last one also steps the inputs.
  EXPECT_EQ(polls, static_cast<int>((jump_ticks + 15) / 16));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code, ClientReply::Code::kNotLeader);
  EXPECT_NE(s.host->node().role(), raft::Role::kLeader);
  EXPECT_FALSE(sent_entries(s.transport.sent()));
}

// An executor whose wait_until jumps the clock to the deadline, and stops the host after a
// number of waits: proves run() is poll + wait_until(next_deadline_us()).
class JumpingExecutor : public Executor {
 public:
  JumpingExecutor(ManualClock& clock, int waits_max) : clock_(clock), waits_max_(waits_max) {}
  void wait_until(std::uint64_t deadline_us) override {
    if (++waits_ >= waits_max_ && host_ != nullptr) host_->stop();
    if (deadline_us > clock_.now_us()) clock_.set_us(deadline_us);
  }
  void notify() override {}
  NodeHost* host_ = nullptr;
  int waits_ = 0;

 private:
  ManualClock& clock_;
  int waits_max_;
};

TEST(NodeHost, RunSleepsUntilTheNextDeadlineAndReturnsAfterStop) {
  ManualClock clock;
  JumpingExecutor executor(clock, 200);
  RecordingTransport transport;
  MemoryStorage storage;
  HostConfig config;
  config.raft.id = 1;
  config.bootstrap = voters({1});
  NodeHost host(config, Ports{transport, clock, storage, executor, nullptr}, Prng(1));
  executor.host_ = &host;
  ASSERT_TRUE(host.start().is_ok());
  host.run();
  EXPECT_TRUE(host.stopped());
  EXPECT_TRUE(host.failure().is_ok());
  EXPECT_EQ(host.node().role(), raft::Role::kLeader);  // time passed only through wait_until
  EXPECT_GT(host.node().now_ticks(), 20u);
}

// A Backend the test pushes by hand, as GaleraBackend does through the io_context.
class PushedBackend final : public Backend {
 public:
  void subscribe(HealthFn fn) override { fn_ = std::move(fn); }
  void push(BackendHealth health) { fn_(health); }
  bool subscribed() const { return fn_ != nullptr; }

 private:
  HealthFn fn_;
};

TEST(NodeHost, PushedBackendHealthGatesLeadership) {
  PushedBackend backend;
  Single s;
  s.backend = &backend;
  s.start();
  ASSERT_TRUE(backend.subscribed());
  // No push yet: health unknown, the node is unfit and does not campaign for two election
  // timeouts; then it leads in degraded mode (nobody fit can be heard) and refuses writes.
  s.tick(2 * 10 - 1);
  EXPECT_NE(s.host->node().role(), raft::Role::kLeader);
  EXPECT_FALSE(s.host->node().backend_healthy());
  ASSERT_TRUE(s.elect());
  std::optional<ClientReply> refused = s.put("a.cnf", "x");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code, ClientReply::Code::kRejected);
  EXPECT_NE(refused->reason.find("degraded mode"), std::string::npos) << refused->reason;
  backend.push(BackendHealth::kHealthy);
  EXPECT_EQ(s.host->next_deadline_us(), 0u) << "a pushed value is work for the next poll";
  s.host->poll();
  EXPECT_TRUE(s.host->node().backend_healthy());
  backend.push(BackendHealth::kUnhealthy);
  s.host->poll();
  // A single voter has nobody fit to hand over to: it stays leader, read-only.
  s.tick(100);
  EXPECT_EQ(s.host->node().role(), raft::Role::kLeader);
  refused = s.put("b.cnf", "y");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code, ClientReply::Code::kRejected);
  s.host.reset();
  EXPECT_FALSE(backend.subscribed()) << "a destroyed host must unsubscribe";
}

}  // namespace
}  // namespace quorum::host
