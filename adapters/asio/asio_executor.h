// AsioExecutor: the production Executor port. The host's straight-line task runs as a stackful
// coroutine (a boost::context::fiber) resumed from handlers of one boost::asio::io_context, the
// same shape as the simulator's fiber scheduler. Adapter layer.
//
// wait_until() arms a steady_timer whose handler resumes the fiber; notify() cancels the timer
// so the handler runs at once. run_blocking() hands a function to a worker thread and suspends
// the fiber until it finished, so a RocksDB fsync does not stall the io thread (transport reads,
// HTTP requests and new proposals keep flowing and are batched into the next Ready).
//
// Thread safety: spawn(), wait_until() and run_blocking() are called on the io thread (the
// latter two only from inside the task). notify() may be called from any thread.
// Lifetime: the io_context and the clock outlive the executor; the executor outlives the task.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/context/fiber.hpp>
#include <cstdint>
#include <functional>

#include "engine/host/ports/clock.h"
#include "engine/host/ports/executor.h"

namespace quorum::adapters {

class AsioExecutor final : public host::Executor {
 public:
  AsioExecutor(boost::asio::io_context& io, host::Clock& clock);
  ~AsioExecutor() override;
  AsioExecutor(const AsioExecutor&) = delete;
  AsioExecutor& operator=(const AsioExecutor&) = delete;

  // Starts `task` on a fresh fiber from an io handler. At most one task per executor.
  // `on_exit` runs on the io thread after the task returned.
  void spawn(std::function<void()> task, std::function<void()> on_exit = {});

  void wait_until(std::uint64_t deadline_us) override;
  void notify() override;

  // Runs fn on the worker thread while the task is suspended; returns when fn returned.
  // Must be called from inside the task.
  void run_blocking(const std::function<void()>& fn);

  bool task_running() const { return task_started_ && !task_finished_; }
  bool in_task() const { return in_task_; }

  // Counters for tests and metrics.
  std::uint64_t wakeups_by_notify() const { return wakeups_by_notify_; }
  std::uint64_t wakeups_by_timer() const { return wakeups_by_timer_; }

 private:
  void resume_task();
  void suspend_task();
  void notify_on_io_thread();

  boost::asio::io_context& io_;
  host::Clock& clock_;
  boost::asio::steady_timer timer_;
  boost::context::fiber task_fiber_;    // valid while the task is suspended
  boost::context::fiber io_side_;       // valid while the task runs: where to switch back to
  std::function<void()> on_exit_;
  bool task_started_ = false;
  bool task_finished_ = false;
  bool in_task_ = false;
  // Invariant: waiting_ implies exactly one pending handler (timer or worker) will resume.
  bool waiting_ = false;
  bool timer_armed_ = false;
  bool notified_ = false;
  std::uint64_t wakeups_by_notify_ = 0;
  std::uint64_t wakeups_by_timer_ = 0;
  boost::asio::thread_pool worker_{1};  // runs run_blocking() functions, one at a time
};

}  // namespace quorum::adapters
