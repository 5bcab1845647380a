// Process log of the daemon and its adapters: one line per event on stderr, with a UTC
// timestamp, a level letter and a component tag:
//   2026-11-27T08:30:01.123Z I net   connected to node 2 (127.0.0.1:9502)
// Adapter layer. The core never logs (it reports TraceEvents); the daemon logs them here.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string_view>

namespace quorum::adapters::log {

enum class Level : std::uint8_t { kDebug, kInfo, kWarn, kError };

// Parses "debug" | "info" | "warn" | "error"; false if unknown.
bool parse_level(std::string_view text, Level* level);
void set_level(Level level);
bool enabled(Level level);
// Writes one line atomically (one write(2) call), so lines of threads never interleave.
void write_line(Level level, std::string_view component, std::string_view text);

template <typename... Args>
void debug(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::kDebug)) write_line(Level::kDebug, component, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::kInfo)) write_line(Level::kInfo, component, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::kWarn)) write_line(Level::kWarn, component, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::kError)) write_line(Level::kError, component, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace quorum::adapters::log
