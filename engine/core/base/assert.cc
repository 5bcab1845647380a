#include "engine/core/base/assert.h"

#include <cstdlib>

namespace quorum::detail {

void assert_fail(std::string_view file, int line, std::string_view expr,
                 std::string_view message) {
  fmt::print(stderr, "{}:{}: assertion failed: {}{}{}\n", file, line, expr,
             message.empty() ? "" : ": ", message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace quorum::detail
