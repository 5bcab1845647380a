// quorumd: the controller daemon. `quorumd --config FILE`. Tools layer.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>

#include "adapters/asio/log.h"
#include "tools/quorumd/config_file.h"
#include "tools/quorumd/daemon.h"

namespace {

constexpr const char* kUsage =
    "usage: quorumd --config FILE\n"
    "       quorumd --help-config      describe every configuration key\n"
    "       quorumd --version\n"
    "\n"
    "Runs one Quorum controller: Raft over TCP (plain or TLS), RocksDB storage, the replicated\n"
    "config directory and the HTTP/JSON API. SIGTERM or SIGINT stops it cleanly. Logs go to\n"
    "stderr, one line per event.\n";

quorum::adapters::log::Level to_log_level(quorum::quorumd::LogLevel level) {
  using quorum::adapters::log::Level;
  switch (level) {
    case quorum::quorumd::LogLevel::kDebug: return Level::kDebug;
    case quorum::quorumd::LogLevel::kInfo: return Level::kInfo;
    case quorum::quorumd::LogLevel::kWarn: return Level::kWarn;
    case quorum::quorumd::LogLevel::kError: return Level::kError;
  }
  return Level::kInfo;
}

}  // namespace

int main(int argc, char** argv) {
  namespace log = quorum::adapters::log;
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--help-config") {
      std::fputs(quorum::quorumd::config_help().c_str(), stdout);
      return 0;
    }
    if (arg == "--version") {
      std::printf("quorumd %s\n", quorum::quorumd::kVersion);
      return 0;
    }
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      config_path = std::string(arg.substr(9));
    } else {
      std::fprintf(stderr, "quorumd: unknown argument '%s'\n%s", argv[i], kUsage);
      return 64;
    }
  }
  if (config_path.empty()) {
    std::fprintf(stderr, "quorumd: --config FILE is required\n%s", kUsage);
    return 64;
  }
  quorum::Result<quorum::quorumd::ParsedConfig> config = quorum::quorumd::parse_config_file(config_path);
  if (!config) {
    std::fprintf(stderr, "quorumd: %s\n", config.error().message().c_str());
    return 78;  // EX_CONFIG
  }
  log::set_level(to_log_level(config->log_level));

  boost::asio::io_context io;
  quorum::quorumd::Daemon daemon(io, *config);
  int exit_code = 0;
  daemon.on_exit([&](const quorum::Status& status) {
    if (!status.is_ok()) exit_code = 1;
    io.stop();
  });
  if (quorum::Status status = daemon.start(); !status.is_ok()) {
    log::error("quorumd", "cannot start: {}", status.to_string());
    if (status.code() == quorum::StatusCode::kNoSpace) quorum::quorumd::log_no_space_hint(config->data_dir);
    return 1;
  }
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    log::info("quorumd", "signal {} received", signal_number);
    daemon.stop();
  });
  log::info("quorumd", "node {} ({}) started, version {}", config->node_id, config->name,
            quorum::quorumd::kVersion);
  io.run();
  log::info("quorumd", "stopped");
  return exit_code;
}
