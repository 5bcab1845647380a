// Tests of the production executor: the host task is a fiber driven by io handlers.
#include "adapters/asio/asio_executor.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <thread>

#include "adapters/asio/system_clock.h"

namespace quorum::adapters {
namespace {

constexpr std::uint64_t kFarFutureUs = 60'000'000;  // never reached in a passing test

TEST(AsioExecutor, TimerWakesTheTaskAtItsDeadline) {
  boost::asio::io_context io;
  SystemClock clock;
  AsioExecutor executor(io, clock);
  std::uint64_t deadline_us = 0;
  std::uint64_t woke_us = 0;
  executor.spawn([&] {
    deadline_us = clock.now_us() + 20'000;
    executor.wait_until(deadline_us);
    woke_us = clock.now_us();
  });
  io.run();
  EXPECT_GE(woke_us, deadline_us);
  EXPECT_EQ(executor.wakeups_by_timer(), 1u);
  EXPECT_FALSE(executor.task_running());
}

TEST(AsioExecutor, NotifyWakesTheTaskBeforeItsDeadline) {
  boost::asio::io_context io;
  SystemClock clock;
  AsioExecutor executor(io, clock);
  bool woke = false;
  const std::uint64_t start_us = clock.now_us();
  executor.spawn([&] {
    executor.wait_until(clock.now_us() + kFarFutureUs);
    woke = true;
  });
  boost::asio::post(io, [&] { executor.notify(); });
  io.run();
  EXPECT_TRUE(woke);
  EXPECT_LT(clock.now_us() - start_us, kFarFutureUs);
  EXPECT_EQ(executor.wakeups_by_notify(), 1u);
  EXPECT_EQ(executor.wakeups_by_timer(), 0u);
}

TEST(AsioExecutor, NotifyWhileRunningMakesTheNextWaitReturn) {
  boost::asio::io_context io;
  SystemClock clock;
  AsioExecutor executor(io, clock);
  int waits_returned = 0;
  executor.spawn([&] {
    executor.notify();  // e.g. a callback run by the task queued more work for it
    executor.wait_until(clock.now_us() + kFarFutureUs);
    ++waits_returned;
  });
  io.run();
  EXPECT_EQ(waits_returned, 1);
  EXPECT_EQ(executor.wakeups_by_timer(), 0u);
}

TEST(AsioExecutor, NotifyFromAnotherThreadWakesTheTask) {
  boost::asio::io_context io;
  SystemClock clock;
  AsioExecutor executor(io, clock);
  std::promise<void> waiting;
  bool woke = false;
  executor.spawn([&] {
    waiting.set_value();
    executor.wait_until(clock.now_us() + kFarFutureUs);
    woke = true;
  });
  std::thread other([&] {
    waiting.get_future().wait();
    executor.notify();
  });
  io.run();
  other.join();
  EXPECT_TRUE(woke);
}

TEST(AsioExecutor, IoHandlersRunWhileTheTaskIsBlockedOnTheWorker) {
  // The worker function can only finish once an io handler ran: proves the io thread is free
  // while the task waits for a blocking call (an fsync in production).
  boost::asio::io_context io;
  SystemClock clock;
  AsioExecutor executor(io, clock);
  std::promise<void> io_handler_ran;
  bool task_done = false;
  std::thread::id worker_thread;
  executor.spawn([&] {
    boost::asio::post(io, [&] { io_handler_ran.set_value(); });
    executor.run_blocking([&] {
      worker_thread = std::this_thread::get_id();
      io_handler_ran.get_future().wait();
    });
    task_done = true;
  });
  io.run();
  EXPECT_TRUE(task_done);
  EXPECT_NE(worker_thread, std::this_thread::get_id());
}

}  // namespace
}  // namespace quorum::adapters
