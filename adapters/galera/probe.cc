// GaleraProbe over MariaDB Connector/C. Adapter layer.
#include "adapters/galera/probe.h"

#include <fmt/format.h>
#include <mysql.h>

#include <charconv>
#include <utility>

#include "engine/core/base/assert.h"

namespace quorum::adapters::galera {
namespace {

constexpr std::string_view kStatusQuery =
    "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE "
    "VARIABLE_NAME IN ('WSREP_CLUSTER_STATUS', 'WSREP_READY', 'WSREP_LOCAL_STATE_COMMENT', "
    "'WSREP_CLUSTER_SIZE')";

void store_value(ProbeResult* result, std::string_view name, std::string_view value) {
  if (name == "WSREP_CLUSTER_STATUS") {
    result->cluster_status = value;
  } else if (name == "WSREP_READY") {
    result->ready = value == "ON";
  } else if (name == "WSREP_LOCAL_STATE_COMMENT") {
    result->local_state_comment = value;
  } else if (name == "WSREP_CLUSTER_SIZE") {
    std::int64_t size = 0;
    std::from_chars(value.data(), value.data() + value.size(), size);
    result->cluster_size = size;
  }
}

}  // namespace

bool is_healthy(const ProbeResult& result) {
  return result.error_code == 0 && result.cluster_status == "Primary" && result.ready &&
         result.local_state_comment == "Synced";
}

std::string_view error_name(std::uint32_t code) {
  switch (code) {
    case 1045: return "access denied";
    case 1047: return "WSREP not ready: node is not in a Primary component";
    case 1180: return "write lost its Primary component";
    case 1205: return "lock wait timeout (wsrep_sync_wait on a stale node)";
    case 1213: return "certification conflict (deadlock)";
    case 2002: return "cannot connect";  // Connector/C: socket or TCP
    case 2003: return "cannot connect (TCP)";
    case 2006: return "server has gone away";
    case 2013: return "lost connection (hung node or timeout)";
    default: return "";
  }
}

std::string describe(const ProbeResult& result) {
  if (result.error_code != 0) {
    const std::string_view name = error_name(result.error_code);
    return fmt::format("error {}{}{}{}: {}", result.error_code, name.empty() ? "" : " (", name,
                       name.empty() ? "" : ")", result.error_text);
  }
  return fmt::format("{}/{}/{}/size {}", result.cluster_status, result.local_state_comment,
                     result.ready ? "ready" : "not ready", result.cluster_size);
}

GaleraProbe::GaleraProbe(ProbeConfig config) : config_(std::move(config)) {
  QUORUM_ASSERT(config_.connect_timeout_s > 0);
  QUORUM_ASSERT(config_.read_timeout_s > 0);
}

GaleraProbe::~GaleraProbe() {
  if (mysql_ != nullptr) mysql_close(mysql_);
}

std::uint32_t GaleraProbe::fail(std::string* error) {
  QUORUM_ASSERT(mysql_ != nullptr);
  std::uint32_t code = mysql_errno(mysql_);
  *error = mysql_error(mysql_);
  if (code == 0) code = 2013;  // an error without a code: treat as a lost connection
  mysql_close(mysql_);
  mysql_ = nullptr;
  return code;
}

std::uint32_t GaleraProbe::ensure_connected(std::string* error) {
  if (mysql_ != nullptr) return 0;
  mysql_ = mysql_init(nullptr);
  QUORUM_ASSERT(mysql_ != nullptr, "mysql_init: out of memory");
  const unsigned int connect_s = config_.connect_timeout_s;
  const unsigned int read_s = config_.read_timeout_s;
  mysql_options(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s);
  mysql_options(mysql_, MYSQL_OPT_READ_TIMEOUT, &read_s);
  mysql_options(mysql_, MYSQL_OPT_WRITE_TIMEOUT, &read_s);
  const bool use_socket = !config_.unix_socket.empty();
  const MYSQL* connected = mysql_real_connect(
      mysql_, use_socket ? nullptr : config_.host.c_str(), config_.user.c_str(),
      config_.password.c_str(), nullptr, use_socket ? 0 : config_.port,
      use_socket ? config_.unix_socket.c_str() : nullptr, 0);
  if (connected == nullptr) return fail(error);
  return 0;
}

std::uint32_t GaleraProbe::execute(std::string_view sql, std::string* error) {
  std::uint32_t code = ensure_connected(error);
  if (code != 0) return code;
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return fail(error);
  // Every result is consumed (a CALL returns more than one), or the next query is out of sync.
  for (;;) {
    MYSQL_RES* rows = mysql_store_result(mysql_);
    if (rows == nullptr && mysql_field_count(mysql_) != 0) return fail(error);
    if (rows != nullptr) mysql_free_result(rows);
    const int next = mysql_next_result(mysql_);
    if (next < 0) return 0;
    if (next > 0) return fail(error);
  }
}

std::uint32_t GaleraProbe::query_int(std::string_view sql, std::int64_t* value,
                                     std::string* error) {
  *value = 0;
  std::uint32_t code = ensure_connected(error);
  if (code != 0) return code;
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return fail(error);
  MYSQL_RES* rows = mysql_store_result(mysql_);
  if (rows == nullptr) return fail(error);
  if (MYSQL_ROW row = mysql_fetch_row(rows); row != nullptr && row[0] != nullptr) {
    const unsigned long* lengths = mysql_fetch_lengths(rows);
    std::from_chars(row[0], row[0] + lengths[0], *value);
  }
  mysql_free_result(rows);
  return 0;
}

ProbeResult GaleraProbe::probe() {
  ProbeResult result;
  result.error_code = ensure_connected(&result.error_text);
  if (result.error_code != 0) return result;
  if (mysql_real_query(mysql_, kStatusQuery.data(), kStatusQuery.size()) != 0) {
    result.error_code = fail(&result.error_text);
    return result;
  }
  MYSQL_RES* rows = mysql_store_result(mysql_);
  if (rows == nullptr) {
    result.error_code = fail(&result.error_text);
    return result;
  }
  while (MYSQL_ROW row = mysql_fetch_row(rows)) {
    const unsigned long* lengths = mysql_fetch_lengths(rows);
    if (row[0] == nullptr || row[1] == nullptr) continue;
    store_value(&result, std::string_view(row[0], lengths[0]), std::string_view(row[1], lengths[1]));
  }
  mysql_free_result(rows);
  return result;
}

}  // namespace quorum::adapters::galera
