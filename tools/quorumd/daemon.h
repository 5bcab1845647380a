// Daemon: one controller process. Wires the production ports (RocksDB storage, TCP/TLS
// transport, Asio executor, system clock) to the very NodeHost the simulator tests, applies
// committed config files to the config directory, and serves the HTTP/JSON API. Tools layer.
//
// Threading: everything runs on one io_context thread, except synced RocksDB writes, which run
// on the executor's worker thread while the host task is suspended (OffloadedStorage).
// Lifetime: construct, start(), io.run(); stop() (SIGTERM) ends the host task and closes the
// sockets so io.run() returns; then destroy.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tools/quorumd/config_file.h"
#include "engine/core/base/status.h"
#include "engine/core/base/types.h"

namespace quorum::quorumd {

inline constexpr const char* kVersion = "0.1.0";

class Daemon {
 public:
  // seed 0: drawn from std::random_device (election timeouts, backoff jitter).
  Daemon(boost::asio::io_context& io, ParsedConfig config, std::uint64_t seed = 0);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Opens and verifies storage (a corrupt record refuses the start, naming its key), binds the
  // peer and HTTP ports and spawns the host task.
  Status start();
  // Clean shutdown: stops the host task, closes listeners and connections.
  void stop();
  // SIGTERM: a leader with another voter first hands leadership to the most caught-up one
  // (Node::transfer_leadership(kNoNode)) and stops once it no longer leads, or after two
  // election timeouts if the transfer does not complete; a follower stops at once.
  void stop_after_handing_over_leadership();
  // stop_after_handing_over_leadership() or stop() was called.
  bool stop_requested() const;
  // Called once the host task ended: ok after stop(), the storage failure after a fail-stop.
  void on_exit(std::function<void(const Status&)> fn);

  std::uint16_t raft_port() const;
  std::uint16_t http_port() const;

 private:
  void wait_for_handover(std::chrono::milliseconds bound);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The keys whose values differ between two parsed configurations (config_keys() names), in
// file order: what a SIGHUP reload reports.
std::vector<std::string> config_keys_changed(const ParsedConfig& running, const ParsedConfig& fresh);

// Logs what an operator does about a full data_dir (after a "no space" fail-stop or a refused
// start): free space, start again, the node catches up.
void log_no_space_hint(const std::string& data_dir);

}  // namespace quorum::quorumd
