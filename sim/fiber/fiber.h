// Fiber: one stackful task on a boost::context::fiber, resumed by the simulator's scheduler.
//
// Exactly one context runs at a time: the scheduler (the World's event loop) calls resume(); the
// task runs until it calls yield() (from a port: wait_until, a slow disk) or returns. There are
// no OS threads in a simulation run.
//
// Crash: destroying a Fiber whose task has not finished unwinds the task's stack. boost::context
// does this by throwing boost::context::detail::forced_unwind inside the task, so every
// destructor on that stack runs. Code that can run on a fiber must never swallow it: no
// `catch (...)` without rethrow (STYLE.md 6.6).
//
// Not copyable, not movable: the task captures `this`.
#pragma once

#include <boost/context/fiber.hpp>
#include <cstddef>
#include <functional>

namespace quorum::sim {

class Fiber {
 public:
  static constexpr std::size_t kStackBytesDefault = 256 * 1024;

  explicit Fiber(std::function<void()> body, std::size_t stack_bytes = kStackBytesDefault);
  // Unwinds the task's stack if it has not finished. Must not be called from inside the task.
  ~Fiber();
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // Scheduler side: runs the task until it yields or finishes. Requires !finished().
  void resume();
  // Task side: returns control to the scheduler. Requires running().
  void yield();

  bool finished() const { return finished_; }
  bool running() const { return running_; }
  std::uint64_t resume_count() const { return resume_count_; }

 private:
  std::function<void()> body_;
  boost::context::fiber task_;  // the suspended task (valid while not running and not finished)
  boost::context::fiber sink_;  // the suspended scheduler (valid while the task runs)
  bool running_ = false;
  bool finished_ = false;
  // Stack bounds for AddressSanitizer's fiber-switch annotations (fiber.cc).
  const void* task_bottom_ = nullptr;
  std::size_t task_size_ = 0;
  const void* main_bottom_ = nullptr;
  std::size_t main_size_ = 0;
  void* main_fake_stack_ = nullptr;
  void* task_fake_stack_ = nullptr;
  std::uint64_t resume_count_ = 0;
};

}  // namespace quorum::sim
