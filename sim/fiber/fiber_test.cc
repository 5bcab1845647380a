#include "sim/fiber/fiber.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace quorum::sim {
namespace {

TEST(Fiber, RunsUntilYieldAndContinuesOnResume) {
  std::vector<int> steps;
  std::unique_ptr<Fiber> f;
  f = std::make_unique<Fiber>([&] {
    steps.push_back(1);
    f->yield();
    steps.push_back(2);
  });
  f->resume();
  EXPECT_EQ(steps, (std::vector<int>{1}));
  EXPECT_FALSE(f->finished());
  f->resume();
  EXPECT_EQ(steps, (std::vector<int>{1, 2}));
  EXPECT_TRUE(f->finished());
}

TEST(Fiber, DestroyingASuspendedFiberRunsItsDestructors) {
  struct Guard {
    bool* flag;
    ~Guard() { *flag = true; }
  };
  bool destroyed = false;
  std::unique_ptr<Fiber> f;
  f = std::make_unique<Fiber>([&] {
    Guard g{&destroyed};
    for (;;) f->yield();
  });
  f->resume();
  EXPECT_FALSE(destroyed);
  f.reset();  // crash: unwinds the stack
  EXPECT_TRUE(destroyed);
}

TEST(Fiber, InterleavesTwoFibersDeterministically) {
  std::vector<int> order;
  std::unique_ptr<Fiber> a;
  std::unique_ptr<Fiber> b;
  a = std::make_unique<Fiber>([&] {
    for (int i = 0; i < 3; ++i) {
      order.push_back(10 + i);
      a->yield();
    }
  });
  b = std::make_unique<Fiber>([&] {
    for (int i = 0; i < 3; ++i) {
      order.push_back(20 + i);
      b->yield();
    }
  });
  for (int i = 0; i < 3; ++i) {
    a->resume();
    b->resume();
  }
  EXPECT_EQ(order, (std::vector<int>{10, 20, 11, 21, 12, 22}));
  EXPECT_EQ(a->resume_count(), 3u);
}

}  // namespace
}  // namespace quorum::sim
