#include "sim/fiber/fiber.h"

#include <boost/context/protected_fixedsize_stack.hpp>
#include <memory>
#include <utility>

#include "engine/core/base/assert.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define QUORUM_FIBER_ASAN 1
#endif

namespace quorum::sim {

namespace ctx = boost::context;

namespace {

// Tells AddressSanitizer about every stack switch (it cannot see boost::context's), so that an
// exception thrown on a fiber stack (the forced unwind of a crash) is not taken for a stack
// overflow. No-ops in other builds.
void asan_start_switch(void** fake_stack, const void* bottom, std::size_t size) {
#if defined(QUORUM_FIBER_ASAN)
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
#else
  (void)fake_stack;
  (void)bottom;
  (void)size;
#endif
}

void asan_finish_switch(void* fake_stack, const void** bottom_old, std::size_t* size_old) {
#if defined(QUORUM_FIBER_ASAN)
  __sanitizer_finish_switch_fiber(fake_stack, bottom_old, size_old);
#else
  (void)fake_stack;
  (void)bottom_old;
  (void)size_old;
#endif
}

// Wraps the stack allocator to remember where the task's stack is (ASan needs its bounds).
struct RecordingStack {
  ctx::protected_fixedsize_stack inner;
  const void** bottom;
  std::size_t* size;
  ctx::stack_context allocate() {
    ctx::stack_context sc = inner.allocate();
    *size = sc.size;
    *bottom = static_cast<const char*>(sc.sp) - sc.size;
    return sc;
  }
  void deallocate(ctx::stack_context& sc) noexcept { inner.deallocate(sc); }
};

}  // namespace

Fiber::Fiber(std::function<void()> body, std::size_t stack_bytes) : body_(std::move(body)) {
  QUORUM_ASSERT(body_ != nullptr);
  task_ = ctx::fiber(std::allocator_arg,
                     RecordingStack{ctx::protected_fixedsize_stack(stack_bytes), &task_bottom_,
                                    &task_size_},
                     [this](ctx::fiber&& sink) {
                       asan_finish_switch(nullptr, &main_bottom_, &main_size_);
                       sink_ = std::move(sink);
                       body_();
                       // Only reached when the body returns; a forced unwind skips it.
                       finished_ = true;
                       running_ = false;
                       asan_start_switch(nullptr, main_bottom_, main_size_);
                       return std::move(sink_);
                     });
}

Fiber::~Fiber() {
  QUORUM_ASSERT(!running_, "a fiber may not destroy itself");
  if (task_ && resume_count_ > 0) {
    // boost::context's fiber destructor unwinds an unfinished task (forced_unwind) on its stack;
    // yield() annotates the way back (see there).
    asan_start_switch(&main_fake_stack_, task_bottom_, task_size_);
    task_ = ctx::fiber();
    asan_finish_switch(main_fake_stack_, nullptr, nullptr);
  }
  // A task never resumed has no stack frames of ours: boost unwinds it without entering body_.
}

void Fiber::resume() {
  QUORUM_ASSERT(!running_, "resume() of a running fiber");
  QUORUM_ASSERT(!finished_, "resume() of a finished fiber");
  running_ = true;
  ++resume_count_;
  asan_start_switch(&main_fake_stack_, task_bottom_, task_size_);
  task_ = std::move(task_).resume();
  asan_finish_switch(main_fake_stack_, nullptr, nullptr);
  running_ = false;
  QUORUM_ASSERT(finished_ || static_cast<bool>(task_), "a yielded fiber must be resumable");
}

void Fiber::yield() {
  QUORUM_ASSERT(running_, "yield() outside the fiber");
  running_ = false;
  asan_start_switch(&task_fake_stack_, main_bottom_, main_size_);
  try {
    sink_ = std::move(sink_).resume();
  } catch (const ctx::detail::forced_unwind&) {
    // A crash destroys the suspended fiber: we are back on the task's stack, unwinding.
    asan_finish_switch(task_fake_stack_, &main_bottom_, &main_size_);
    // The unwind ends with boost switching back to the destroyer, for good (no fake stack).
    asan_start_switch(nullptr, main_bottom_, main_size_);
    throw;  // never swallowed: the unwind must reach the fiber's entry
  }
  asan_finish_switch(task_fake_stack_, &main_bottom_, &main_size_);
  running_ = true;
}

}  // namespace quorum::sim
