#include "engine/host/ready_handler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/core/base/crc32c.h"
#include "engine/core/base/mutation.h"
#include "engine/host/apply_loop.h"
#include "engine/host/hooks.h"
#include "engine/host/memory/memory_storage.h"
#include "engine/wire/codec.h"

namespace quorum::host {
namespace {

// Storage and transport that write into one shared event log, so a test can read the order in
// which the handler persisted and sent.
struct EventLog {
  std::vector<std::string> events;
};

class LoggingStorage : public Storage {
 public:
  explicit LoggingStorage(EventLog& log) : log_(log) {}
  Result<LoadedState> load() override { return inner_.load(); }
  Status persist(const PersistBatch& batch) override {
    log_.events.push_back(batch.sync ? "persist+sync" : "persist");
    if (!failure_.is_ok()) return failure_;
    return inner_.persist(batch);
  }
  Status failure_;
  MemoryStorage inner_;

 private:
  EventLog& log_;
};

class LoggingTransport : public Transport {
 public:
  explicit LoggingTransport(EventLog& log) : log_(log) {}
  void send(const raft::Message& message) override {
    const char* kind = std::holds_alternative<raft::VoteResponse>(message.body) ? "vote_response"
                       : std::holds_alternative<raft::AppendRequest>(message.body)
                           ? "append_request"
                           : "other";
    log_.events.push_back(fmt::format("send {}->{} {}", message.from, message.to, kind));
  }

 private:
  EventLog& log_;
};

raft::Message vote_response(NodeId from, NodeId to, Term term) {
  return raft::Message{from, to, term, raft::VoteResponse{false, true}};
}

raft::Message append_request(NodeId from, NodeId to, Term term) {
  return raft::Message{from, to, term, raft::AppendRequest{}};
}

raft::Entry put_entry(LogIndex index, Term term, const std::string& path) {
  raft::Entry e;
  e.index = index;
  e.term = term;
  e.kind = raft::EntryKind::kCommand;
  e.data = wire::encode_config_command(config_sync::Put{path, "content of " + path});
  return e;
}

struct Fixture {
  EventLog log;
  LoggingStorage storage{log};
  LoggingTransport transport{log};
  HostHooks hooks;
  ApplyLoop apply_loop{hooks};
  ReadyContext context(Mutation mutation = Mutation::kNone) {
    return ReadyContext{transport, storage, apply_loop, hooks, mutation};
  }
  Fixture() {
    hooks.apply.push_back(
        [this](const raft::Entry& e) { log.events.push_back(fmt::format("apply {}", e.index)); });
  }
};

// A follower's Ready: it accepted entries 1-2 and grants a vote; it also forwards an append.
raft::Ready follower_ready() {
  raft::Ready ready;
  ready.seq = 1;
  ready.hard_state = raft::HardState{2, 3, 1};
  ready.entries = {put_entry(1, 2, "a"), put_entry(2, 2, "b")};
  ready.committed_entries = {put_entry(1, 2, "a")};
  ready.messages = {append_request(1, 2, 2)};
  ready.messages_after_persist = {vote_response(1, 3, 2)};
  ready.must_sync = true;
  return ready;
}

TEST(ReadyHandler, SendsPromisesOnlyAfterTheBatchIsDurable) {
  Fixture f;
  ReadyContext context = f.context();
  ASSERT_TRUE(handle_ready(follower_ready(), context).is_ok());
  const std::vector<std::string> expected = {"send 1->2 append_request", "persist+sync",
                                             "send 1->3 vote_response", "apply 1"};
  EXPECT_EQ(f.log.events, expected);
  EXPECT_EQ(f.storage.inner_.durable().last_index(), 2u);
  EXPECT_EQ(f.apply_loop.applied_index(), 1u);
  EXPECT_NE(f.apply_loop.state().config.find("a"), nullptr);
}

TEST(ReadyHandler, StopsBeforeAnyPromiseWhenPersistFails) {
  Fixture f;
  f.storage.failure_ = Status::io_error("fsync failed");
  ReadyContext context = f.context();
  const Status handled = handle_ready(follower_ready(), context);
  EXPECT_EQ(handled.code(), StatusCode::kIoError);
  const std::vector<std::string> expected = {"send 1->2 append_request", "persist+sync"};
  EXPECT_EQ(f.log.events, expected);  // no vote left, nothing applied
  EXPECT_EQ(f.apply_loop.applied_index(), 0u);
}

TEST(ReadyHandler, PersistsWithoutSyncWhenNothingIsPromised) {
  Fixture f;
  raft::Ready ready;
  ready.seq = 1;
  ready.hard_state = raft::HardState{1, kNoNode, 0};
  ReadyContext context = f.context();
  ASSERT_TRUE(handle_ready(ready, context).is_ok());
  EXPECT_EQ(f.log.events, std::vector<std::string>{"persist"});
}

TEST(ReadyHandler, SkipsStorageForAReadyWithNothingToPersist) {
  Fixture f;
  raft::Ready ready;
  ready.seq = 1;
  ready.messages = {append_request(1, 2, 1)};
  ready.messages_after_persist = {vote_response(1, 3, 1)};
  ReadyContext context = f.context();
  ASSERT_TRUE(handle_ready(ready, context).is_ok());
  const std::vector<std::string> expected = {"send 1->2 append_request", "send 1->3 vote_response"};
  EXPECT_EQ(f.log.events, expected);
}

TEST(ReadyHandler, ReportsSoftStateAndTraceEventsBeforeSending) {
  Fixture f;
  std::vector<raft::SoftState> roles;
  std::vector<raft::TraceEvent> traces;
  f.hooks.role_change.push_back([&](const raft::SoftState& s) { roles.push_back(s); });
  f.hooks.trace.push_back([&](const raft::TraceEvent& e) { traces.push_back(e); });
  raft::Ready ready = follower_ready();
  ready.soft_state = raft::SoftState{raft::Role::kFollower, 3, 2};
  ready.trace_events = {raft::TraceEvent{raft::TraceKind::kVoteGranted, 2, 3, 0, {}}};
  ReadyContext context = f.context();
  ASSERT_TRUE(handle_ready(ready, context).is_ok());
  ASSERT_EQ(roles.size(), 1u);
  EXPECT_EQ(roles[0].leader_id, 3u);
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_EQ(traces[0].kind, raft::TraceKind::kVoteGranted);
}

TEST(ReadyHandler, RestoresAReceivedSnapshotBeforeApplyingWhatFollows) {
  Fixture f;
  wire::AppSnapshot app;
  app.config_applied_index = 5;
  app.config_files["x"] = config_sync::FileEntry{"x content", 4, crc32c("x content")};
  raft::Ready ready;
  ready.seq = 1;
  ready.hard_state = raft::HardState{3, kNoNode, 6};
  ready.snapshot = raft::Snapshot{raft::SnapshotMeta{5, 3, {}}, wire::encode_app_snapshot(app)};
  ready.snapshot->meta.membership.members = {raft::Member{1, raft::MemberRole::kVoter, 1}};
  ready.snapshot_received = true;
  ready.entries = {put_entry(6, 3, "y")};
  ready.committed_entries = {put_entry(6, 3, "y")};
  ready.must_sync = true;
  ReadyContext context = f.context();
  ASSERT_TRUE(handle_ready(ready, context).is_ok());
  EXPECT_EQ(f.apply_loop.applied_index(), 6u);
  EXPECT_NE(f.apply_loop.state().config.find("x"), nullptr);
  EXPECT_NE(f.apply_loop.state().config.find("y"), nullptr);
}

TEST(ReadyHandler, OnlyAReceivedSnapshotReplacesTheStoredLog) {
  // A received snapshot (Raft §7: it conflicted, the core dropped its whole log) must make the
  // port drop the entries after it too; a snapshot without snapshot_received must not.
  raft::Ready ready;
  ready.snapshot = raft::Snapshot{};
  ready.snapshot->meta.last_index = 5;
  ready.snapshot->meta.last_term = 3;
  ready.snapshot_received = true;
  EXPECT_TRUE(make_persist_batch(ready).snapshot_replaces_log);
  ready.snapshot_received = false;
  EXPECT_FALSE(make_persist_batch(ready).snapshot_replaces_log);
  ready.snapshot.reset();
  ready.snapshot_received = true;
  EXPECT_FALSE(make_persist_batch(ready).snapshot_replaces_log);
}

TEST(ReadyHandler, AnswersConfirmedReadsOnceApplied) {
  Fixture f;
  std::vector<ClientReply> replies;
  f.apply_loop.reads().add_requested(7, [&](const ClientReply& r) { replies.push_back(r); });
  raft::Ready ready = follower_ready();
  ready.read_states = {raft::ReadState{7, 1}};
  ReadyContext context = f.context();
  ASSERT_TRUE(handle_ready(ready, context).is_ok());
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].code, ClientReply::Code::kOk);
}

// The planted bug must be visible to the ordering check above: this proves the check can fail.
TEST(ReadyHandlerMutation, AckBeforePersistSendsThePromiseEarly) {
  if constexpr (!kMutationsCompiled) GTEST_SKIP() << "built without QUORUM_MUTATIONS";
  Fixture f;
  ReadyContext context = f.context(Mutation::kAckBeforePersist);
  ASSERT_TRUE(handle_ready(follower_ready(), context).is_ok());
  const std::vector<std::string> expected = {"send 1->2 append_request", "send 1->3 vote_response",
                                             "persist+sync", "apply 1"};
  EXPECT_EQ(f.log.events, expected);
}

TEST(ReadyHandlerMutation, ApplyBeforeCommitAppliesUncommittedEntries) {
  if constexpr (!kMutationsCompiled) GTEST_SKIP() << "built without QUORUM_MUTATIONS";
  Fixture f;
  ReadyContext context = f.context(Mutation::kApplyBeforeCommit);
  ASSERT_TRUE(handle_ready(follower_ready(), context).is_ok());
  EXPECT_EQ(f.apply_loop.applied_index(), 2u);  // entry 2 is not committed
}

}  // namespace
}  // namespace quorum::host
