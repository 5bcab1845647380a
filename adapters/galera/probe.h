// GaleraProbe: one blocking health probe of a MariaDB Galera node over MariaDB Connector/C.
// Reads wsrep_cluster_status, wsrep_ready, wsrep_local_state_comment and wsrep_cluster_size with
// a short connect/read timeout. Adapter layer; the only code (with galera_backend.cc) that links
// libmariadb.
//
// Threading: blocking calls; run it on a worker thread, never on the host's fiber. One probe
// object per thread. The connection is kept between probes and re-opened after any error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct st_mysql;

namespace quorum::adapters::galera {

// Where and how to reach the local Galera node. unix_socket, when set, wins over host:port.
struct ProbeConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3306;
  std::string unix_socket;
  std::string user;
  std::string password;
  // Connector/C timeouts are whole seconds; a hung node (SIGSTOP) accepts the TCP connect and
  // never answers, so these bound a probe of a hung node.
  std::uint32_t connect_timeout_s = 1;
  std::uint32_t read_timeout_s = 1;
};

// One probe's outcome. error_code != 0: the probe failed (cannot connect, timeout, SQL error);
// the wsrep fields are then empty.
struct ProbeResult {
  std::uint32_t error_code = 0;
  std::string error_text;
  std::string cluster_status;       // "Primary", "non-Primary", "Disconnected"
  std::string local_state_comment;  // "Synced", "Donor/Desynced", "Joining: ..." (may hold spaces)
  bool ready = false;               // wsrep_ready = ON
  std::int64_t cluster_size = 0;
};

// Healthy only when Primary, ready and Synced (a Donor or Joiner is not fit: stale or blocked).
bool is_healthy(const ProbeResult& result);
// Names the MariaDB/Galera errors a controller meets: 1047 (node not prepared: non-Primary),
// 1180 (write lost its Primary component), 1205, 1213, 2002/2003 (cannot connect), 2013 (lost
// connection: a hung node or a timeout), 1045 (access denied). Empty for unknown codes.
std::string_view error_name(std::uint32_t code);
// One line for logs: "Primary/Synced/ready/size 3" or "error 1047 (WSREP not ready ...): text".
std::string describe(const ProbeResult& result);

class GaleraProbe {
 public:
  explicit GaleraProbe(ProbeConfig config);
  ~GaleraProbe();
  GaleraProbe(const GaleraProbe&) = delete;
  GaleraProbe& operator=(const GaleraProbe&) = delete;

  // One probe: connects if needed, reads the four status values.
  ProbeResult probe();
  // Runs one statement and discards its rows (every result set, for a CALL); returns 0 or the
  // error code (text in *error). Any error closes the connection (an open transaction is rolled
  // back by the server). Tests use it to see what a client of this node gets (1047 on a
  // non-Primary node); GaleraFence runs its SQL through it.
  std::uint32_t execute(std::string_view sql, std::string* error);
  // Runs one query and reads its first column of its first row as an integer (*value; 0 when
  // there is no row or it is NULL). 0 or the error code.
  std::uint32_t query_int(std::string_view sql, std::int64_t* value, std::string* error);

 private:
  // Returns 0 once connected, else the error code (text in *error).
  std::uint32_t ensure_connected(std::string* error);
  std::uint32_t fail(std::string* error);  // records the connection's error, closes it

  ProbeConfig config_;
  st_mysql* mysql_ = nullptr;  // null while disconnected
};

}  // namespace quorum::adapters::galera
