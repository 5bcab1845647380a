#include "sim/fiber/fiber.h"

#include <boost/context/protected_fixedsize_stack.hpp>
#include <memory>
#include <utility>

#include "engine/core/base/assert.h"

namespace quorum::sim {

namespace ctx = boost::context;

Fiber::Fiber(std::function<void()> body, std::size_t stack_bytes) : body_(std::move(body)) {
  QUORUM_ASSERT(body_ != nullptr);
  task_ = ctx::fiber(std::allocator_arg, ctx::protected_fixedsize_stack(stack_bytes),
                     [this](ctx::fiber&& sink) {
                       sink_ = std::move(sink);
                       body_();
                       // Only reached when the body returns; a forced unwind skips it.
                       finished_ = true;
                       running_ = false;
                       return std::move(sink_);
                     });
}

Fiber::~Fiber() {
  QUORUM_ASSERT(!running_, "a fiber may not destroy itself");
  // boost::context's fiber destructor unwinds an unfinished task (forced_unwind) here.
}

void Fiber::resume() {
  QUORUM_ASSERT(!running_, "resume() of a running fiber");
  QUORUM_ASSERT(!finished_, "resume() of a finished fiber");
  running_ = true;
  ++resume_count_;
  task_ = std::move(task_).resume();
  running_ = false;
  QUORUM_ASSERT(finished_ || static_cast<bool>(task_), "a yielded fiber must be resumable");
}

void Fiber::yield() {
  QUORUM_ASSERT(running_, "yield() outside the fiber");
  running_ = false;
  sink_ = std::move(sink_).resume();
  running_ = true;
}

}  // namespace quorum::sim
