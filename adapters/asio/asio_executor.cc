#include "adapters/asio/asio_executor.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <chrono>
#include <memory>
#include <utility>

#include "engine/core/base/assert.h"

namespace quorum::adapters {

namespace {
// The host task's stack. Generous: protobuf encoding and RocksDB calls may run on it.
constexpr std::size_t kTaskStackBytes = 1 << 20;
}  // namespace

AsioExecutor::AsioExecutor(boost::asio::io_context& io, host::Clock& clock)
    : io_(io), clock_(clock), timer_(io) {}

AsioExecutor::~AsioExecutor() {
  // Destroying a suspended fiber unwinds its stack (forced_unwind); the io_context must not
  // still hold handlers that point at this executor (the owner stops it first).
  worker_.join();
}

void AsioExecutor::spawn(std::function<void()> task, std::function<void()> on_exit) {
  QUORUM_ASSERT(!task_started_, "one task per executor");
  task_started_ = true;
  on_exit_ = std::move(on_exit);
  boost::asio::post(io_, [this, task = std::move(task)]() mutable {
    task_fiber_ = boost::context::fiber(
        std::allocator_arg, boost::context::protected_fixedsize_stack(kTaskStackBytes),
        [this, task = std::move(task)](boost::context::fiber&& io_side) mutable {
          io_side_ = std::move(io_side);
          task();
          task_finished_ = true;
          return std::move(io_side_);
        });
    resume_task();
  });
}

void AsioExecutor::resume_task() {
  QUORUM_ASSERT(!in_task_);
  QUORUM_ASSERT(static_cast<bool>(task_fiber_), "resume of a task that is not suspended");
  waiting_ = false;
  in_task_ = true;
  task_fiber_ = std::move(task_fiber_).resume();
  in_task_ = false;
  if (task_finished_) {
    QUORUM_ASSERT(!task_fiber_);
    if (on_exit_) on_exit_();
  }
}

void AsioExecutor::suspend_task() {
  QUORUM_ASSERT(in_task_, "only the task may suspend itself");
  waiting_ = true;
  in_task_ = false;
  io_side_ = std::move(io_side_).resume();
  in_task_ = true;
  QUORUM_ASSERT(!waiting_);
}

void AsioExecutor::wait_until(std::uint64_t deadline_us) {
  QUORUM_ASSERT(in_task_, "wait_until() outside the task");
  QUORUM_ASSERT(!timer_armed_);
  if (notified_) {
    // Work is already queued: yield once so io handlers run, then return.
    notified_ = false;
    ++wakeups_by_notify_;
    boost::asio::post(io_, [this] { resume_task(); });
    suspend_task();
    return;
  }
  const std::uint64_t now_us = clock_.now_us();
  const std::uint64_t delay_us = deadline_us > now_us ? deadline_us - now_us : 0;
  timer_.expires_after(std::chrono::microseconds(delay_us));
  timer_armed_ = true;
  timer_.async_wait([this](const boost::system::error_code& ec) {
    timer_armed_ = false;
    if (ec == boost::asio::error::operation_aborted) {
      ++wakeups_by_notify_;
    } else {
      ++wakeups_by_timer_;
    }
    resume_task();
  });
  suspend_task();
  notified_ = false;  // whatever woke us, the host now looks at all its queued input
}

void AsioExecutor::notify() {
  if (!io_.get_executor().running_in_this_thread()) {
    boost::asio::post(io_, [this] { notify_on_io_thread(); });
    return;
  }
  notify_on_io_thread();
}

void AsioExecutor::notify_on_io_thread() {
  if (waiting_ && timer_armed_) {
    timer_.cancel();  // the handler resumes the task
    return;
  }
  // The task is running (it notified itself), waiting on the worker, or not started yet.
  notified_ = true;
}

void AsioExecutor::run_blocking(const std::function<void()>& fn) {
  QUORUM_ASSERT(in_task_, "run_blocking() outside the task");
  // Keeps io_.run() from returning while only the worker has work.
  auto guard = std::make_shared<boost::asio::executor_work_guard<
      boost::asio::io_context::executor_type>>(io_.get_executor());
  boost::asio::post(worker_, [this, &fn, guard] {
    fn();
    boost::asio::post(io_, [this, guard] {
      guard->reset();
      resume_task();
    });
  });
  suspend_task();
}

}  // namespace quorum::adapters
