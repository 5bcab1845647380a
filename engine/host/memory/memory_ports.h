// In-memory Clock, Executor and Transport ports for poll-driven tests. Test support
// (library quorum_host_memory). None of them blocks or reads real time.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/core/raft/message.h"
#include "engine/host/ports/clock.h"
#include "engine/host/ports/executor.h"
#include "engine/host/ports/transport.h"

namespace quorum::host {

// A clock the test sets. Invariant: never goes backwards (asserted).
class ManualClock : public Clock {
 public:
  explicit ManualClock(std::uint64_t now_us = 0) : now_us_(now_us) {}
  std::uint64_t now_us() override { return now_us_; }
  void set_us(std::uint64_t now_us);
  void advance_us(std::uint64_t delta_us) { set_us(now_us_ + delta_us); }

 private:
  std::uint64_t now_us_;
};

// For tests that call NodeHost::poll() themselves: wait_until() returns at once.
class ManualExecutor : public Executor {
 public:
  void wait_until(std::uint64_t deadline_us) override {
    last_deadline_us_ = deadline_us;
    ++wait_count_;
  }
  void notify() override { ++notify_count_; }

  std::uint64_t last_deadline_us() const { return last_deadline_us_; }
  std::uint64_t wait_count() const { return wait_count_; }
  std::uint64_t notify_count() const { return notify_count_; }

 private:
  std::uint64_t last_deadline_us_ = 0;
  std::uint64_t wait_count_ = 0;
  std::uint64_t notify_count_ = 0;
};

// Records every sent message; optionally forwards each one to `sink` (a test network).
class RecordingTransport : public Transport {
 public:
  RecordingTransport() = default;
  explicit RecordingTransport(std::function<void(const raft::Message&)> sink)
      : sink_(std::move(sink)) {}

  void send(const raft::Message& message) override;
  // Messages sent since the last take(), in send order.
  std::vector<raft::Message> take();
  const std::vector<raft::Message>& sent() const { return sent_; }

 private:
  std::function<void(const raft::Message&)> sink_;
  std::vector<raft::Message> sent_;
};

}  // namespace quorum::host
