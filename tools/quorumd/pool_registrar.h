// PoolRegistrar: a started controller registers itself in the pool without a manual step (like
// a Patroni member), with its controller_* keys: a standby as a standby. Only the leader can
// propose, so the registrar asks this node's own API (POST /v1/ownership/controllers), which
// redirects to the leader, with quorumctl's client and the node's own TLS files. Once per start:
// as soon as it finds itself registered (or registered itself) it stops, so an operator's
// `controller --deregister` holds until the controller restarts. A registered controller whose
// configured weight differs gets a SetWeight; differing tags are only logged (the state machine
// has no command to change them). Tools layer.
//
// Threading: its own thread, because the client blocks; it touches nothing of the daemon but
// the HTTP API and the log (line-atomic). stop() wakes it; the destructor joins.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "tools/quorumd/config_file.h"

namespace quorum::quorumd {

class PoolRegistrar {
 public:
  // `api_url`: this node's own API base URL ("http://127.0.0.1:9580").
  PoolRegistrar(const ParsedConfig& config, std::string api_url);
  ~PoolRegistrar();
  PoolRegistrar(const PoolRegistrar&) = delete;
  PoolRegistrar& operator=(const PoolRegistrar&) = delete;

  void start();
  void stop();

 private:
  void run();
  // True when done (registered, or nothing more to do); false: try again later.
  bool attempt();
  bool wait(std::chrono::milliseconds period);  // false once stopping

  const ParsedConfig config_;
  const std::string api_url_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace quorum::quorumd
