// quorumd: the controller daemon. `quorumd --config FILE`. Tools layer.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

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
    "config directory and the HTTP/JSON API. SIGTERM or SIGINT stops it cleanly (a leader first\n"
    "hands leadership to a caught-up peer; a second signal stops at once). SIGHUP re-reads the\n"
    "config file: log_level is applied, any other changed key is logged as not reloaded. Logs\n"
    "go to stderr, one line per event.\n";

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

// SIGHUP: re-reads the config file. log_level is applied at once; every other key is read
// at start only, and a changed one is named in the log as NOT reloaded (restart to apply).
// A file that no longer parses changes nothing. `running` keeps the values in effect.
void reload_on_sighup(const std::string& path, quorum::quorumd::ParsedConfig& running) {
  namespace log = quorum::adapters::log;
  quorum::Result<quorum::quorumd::ParsedConfig> fresh = quorum::quorumd::parse_config_file(path);
  if (!fresh) {
    log::error("quorumd", "SIGHUP: {} not reloaded, nothing changed: {}", path,
               fresh.error().message());
    return;
  }
  if (fresh->log_level != running.log_level) {
    log::set_level(to_log_level(fresh->log_level));
    log::warn("quorumd", "SIGHUP: log_level {} -> {} (reloaded)",
              quorum::quorumd::log_level_name(running.log_level),
              quorum::quorumd::log_level_name(fresh->log_level));
    running.log_level = fresh->log_level;
  }
  std::vector<std::string> changed = quorum::quorumd::config_keys_changed(running, *fresh);
  std::erase(changed, std::string("log_level"));
  if (changed.empty()) {
    log::warn("quorumd", "SIGHUP: {} reloaded; nothing else changed", path);
    return;
  }
  std::string names;
  for (const std::string& key : changed) names += (names.empty() ? "" : ", ") + key;
  log::warn("quorumd", "SIGHUP: NOT reloaded (read at start only; restart quorumd to apply): {}",
            names);
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
  // SIGTERM/SIGINT: a leader first hands leadership to a caught-up peer (bounded), then stops;
  // a second signal stops at once. SIGHUP: reload what can be reloaded (reload_on_sighup).
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  std::function<void()> wait_stop_signal = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
      if (ec) return;
      log::info("quorumd", "signal {} ({}) received", signal_number,
                signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
      if (daemon.stop_requested()) {
        daemon.stop();
        return;
      }
      daemon.stop_after_handing_over_leadership();
      wait_stop_signal();
    });
  };
  wait_stop_signal();
  boost::asio::signal_set hangups(io, SIGHUP);
  std::function<void()> wait_hangup = [&] {
    hangups.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      reload_on_sighup(config_path, *config);
      wait_hangup();
    });
  };
  wait_hangup();
  log::info("quorumd", "node {} ({}) started, version {}", config->node_id, config->name,
            quorum::quorumd::kVersion);
  io.run();
  log::info("quorumd", "stopped");
  return exit_code;
}
