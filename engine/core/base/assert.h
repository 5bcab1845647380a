// Assertions stay on in every build, release included (TigerStyle): a broken invariant stops the
// process before it can spread. Never assert on bytes that came from the network or disk;
// validate those and return a Status.
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace quorum::detail {
[[noreturn]] void assert_fail(std::string_view file, int line, std::string_view expr,
                              std::string_view message);
}  // namespace quorum::detail

#define QUORUM_ASSERT(cond, ...)                                                      \
  do {                                                                                \
    if (!(cond)) [[unlikely]] {                                                       \
      ::quorum::detail::assert_fail(__FILE__, __LINE__, #cond,                        \
                                    ::quorum::detail::assert_message(__VA_ARGS__));   \
    }                                                                                 \
  } while (0)

// O(n) checks (whole-log scans): on in tests, sim and sanitizer builds, off in release.
#if defined(QUORUM_EXPENSIVE_CHECKS)
#define QUORUM_ASSERT_EXPENSIVE(cond, ...) QUORUM_ASSERT(cond __VA_OPT__(, ) __VA_ARGS__)
#else
#define QUORUM_ASSERT_EXPENSIVE(cond, ...) \
  do {                                     \
  } while (0)
#endif

#define QUORUM_UNREACHABLE()                                                           \
  ::quorum::detail::assert_fail(__FILE__, __LINE__, "unreachable", "")

// Documents that both outcomes of cond happen in correct runs (TigerBeetle's maybe()).
#define QUORUM_MAYBE(cond) static_cast<void>(cond)

namespace quorum::detail {
inline std::string_view assert_message() { return {}; }
template <typename... Args>
std::string assert_message(fmt::format_string<Args...> f, Args&&... args) {
  return fmt::format(f, std::forward<Args>(args)...);
}
}  // namespace quorum::detail
