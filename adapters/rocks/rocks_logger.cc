#include "adapters/rocks/rocks_logger.h"

#include <cstdarg>
#include <algorithm>
#include <cstdio>
#include <string>

#include "adapters/asio/log.h"

namespace quorum::adapters::rocks {
namespace {

class ProcessLogger final : public rocksdb::Logger {
 public:
  ProcessLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::DEBUG_LEVEL) {}

  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }

  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    const log::Level ours = level >= rocksdb::InfoLogLevel::ERROR_LEVEL  ? log::Level::kError
                            : level >= rocksdb::InfoLogLevel::WARN_LEVEL ? log::Level::kWarn
                                                                         : log::Level::kDebug;
    if (!log::enabled(ours)) return;
    char buffer[1024];
    va_list copy;
    va_copy(copy, ap);
    const int length = std::vsnprintf(buffer, sizeof buffer, format, copy);
    va_end(copy);
    if (length < 0) return;
    std::string text(buffer, std::min<std::size_t>(static_cast<std::size_t>(length), sizeof buffer - 1));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    log::write_line(ours, "rocksdb", text);
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> make_process_logger() { return std::make_shared<ProcessLogger>(); }

}  // namespace quorum::adapters::rocks
