// GaleraFence: the mirrored ownership and leader records and the fenced transaction. Adapter
// layer. Every value put into SQL text is an integer formatted here (no client strings), or the
// database name from the configuration.
#include "adapters/galera/fence.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace quorum::adapters::galera {

GaleraFence::GaleraFence(GaleraProbe& connection, std::string database)
    : connection_(connection), database_(std::move(database)) {}

std::uint32_t GaleraFence::ensure_schema(std::string* error) {
  const std::string& db = database_;
  const std::vector<std::string> ddl = {
      fmt::format("CREATE DATABASE IF NOT EXISTS `{}`", db),
      fmt::format("CREATE TABLE IF NOT EXISTS `{}`.ownership (cluster_id BIGINT UNSIGNED PRIMARY "
                  "KEY, owner INT UNSIGNED NOT NULL, epoch BIGINT UNSIGNED NOT NULL, "
                  "lease_until_ms BIGINT UNSIGNED NOT NULL, fenced_writes BIGINT UNSIGNED NOT "
                  "NULL DEFAULT 0) ENGINE=InnoDB", db),
      fmt::format("CREATE TABLE IF NOT EXISTS `{}`.leader (id TINYINT UNSIGNED PRIMARY KEY, term "
                  "BIGINT UNSIGNED NOT NULL, leader INT UNSIGNED NOT NULL, fenced_writes BIGINT "
                  "UNSIGNED NOT NULL DEFAULT 0) ENGINE=InnoDB", db),
      fmt::format("CREATE PROCEDURE IF NOT EXISTS `{0}`.fence(IN p_cluster BIGINT UNSIGNED, IN "
                  "p_epoch BIGINT UNSIGNED) MODIFIES SQL DATA BEGIN UPDATE `{0}`.ownership SET "
                  "fenced_writes = fenced_writes + 1 WHERE cluster_id = p_cluster AND epoch = "
                  "p_epoch; IF ROW_COUNT() = 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = "
                  "'quorum fence: stale epoch (this controller is not the current owner of the "
                  "cluster)'; END IF; END", db),
      fmt::format("CREATE PROCEDURE IF NOT EXISTS `{0}`.fence_leader(IN p_term BIGINT UNSIGNED) "
                  "MODIFIES SQL DATA BEGIN UPDATE `{0}`.leader SET fenced_writes = fenced_writes "
                  "+ 1 WHERE id = 1 AND term = p_term; IF ROW_COUNT() = 0 THEN SIGNAL SQLSTATE "
                  "'45000' SET MESSAGE_TEXT = 'quorum fence: stale term (not the current "
                  "leader)'; END IF; END", db),
  };
  for (const std::string& statement : ddl) {
    if (const std::uint32_t code = connection_.execute(statement, error); code != 0) return code;
  }
  return 0;
}

std::uint32_t GaleraFence::publish_owner(ClusterId cluster, NodeId owner, Epoch epoch,
                                         std::uint64_t lease_until_ms, std::string* error) {
  // Assignments run left to right: epoch last, so the IFs compare against the stored one.
  return connection_.execute(
      fmt::format("INSERT INTO `{0}`.ownership (cluster_id, owner, epoch, lease_until_ms) VALUES "
                  "({1}, {2}, {3}, {4}) ON DUPLICATE KEY UPDATE owner = IF({3} > epoch, {2}, owner), "
                  "lease_until_ms = IF({3} >= epoch, GREATEST(lease_until_ms, {4}), lease_until_ms), "
                  "epoch = GREATEST(epoch, {3})",
                  database_, cluster, owner, epoch, lease_until_ms),
      error);
}

std::uint32_t GaleraFence::publish_leader(Term term, NodeId leader, std::string* error) {
  return connection_.execute(
      fmt::format("INSERT INTO `{0}`.leader (id, term, leader) VALUES (1, {1}, {2}) ON DUPLICATE "
                  "KEY UPDATE leader = IF({1} > term, {2}, leader), term = GREATEST(term, {1})",
                  database_, term, leader),
      error);
}

std::uint32_t GaleraFence::publish_as_leader(Term term, NodeId leader,
                                             const std::vector<OwnerRow>& rows,
                                             std::string* error) {
  std::vector<std::string> steps = {"START TRANSACTION"};
  steps.push_back(fmt::format("INSERT INTO `{0}`.leader (id, term, leader) VALUES (1, {1}, {2}) ON "
                              "DUPLICATE KEY UPDATE leader = IF({1} > term, {2}, leader), term = "
                              "GREATEST(term, {1})",
                              database_, term, leader));
  steps.push_back(fmt::format("CALL `{}`.fence_leader({})", database_, term));
  for (std::size_t first = 0; first < rows.size(); first += kRowsPerStatement) {
    std::string sql = fmt::format(
        "INSERT INTO `{}`.ownership (cluster_id, owner, epoch, lease_until_ms) VALUES ", database_);
    const std::size_t end = std::min(rows.size(), first + kRowsPerStatement);
    for (std::size_t i = first; i < end; ++i) {
      const OwnerRow& r = rows[i];
      sql += fmt::format("{}({}, {}, {}, {})", i == first ? "" : ", ", r.cluster, r.owner, r.epoch,
                         r.lease_until_ms);
    }
    // As publish_owner: the IFs compare against the stored epoch, so it is assigned last; an
    // older epoch changes nothing, the same epoch only extends the lease.
    sql += " ON DUPLICATE KEY UPDATE owner = IF(VALUES(epoch) > epoch, VALUES(owner), owner), "
           "lease_until_ms = IF(VALUES(epoch) > epoch, VALUES(lease_until_ms), IF(VALUES(epoch) "
           "= epoch, GREATEST(lease_until_ms, VALUES(lease_until_ms)), lease_until_ms)), epoch = "
           "GREATEST(epoch, VALUES(epoch))";
    steps.push_back(std::move(sql));
  }
  steps.emplace_back("COMMIT");
  return execute_or_roll_back(steps, error);
}

std::uint32_t GaleraFence::execute_or_roll_back(const std::vector<std::string>& steps,
                                                std::string* error) {
  for (const std::string& statement : steps) {
    if (const std::uint32_t code = connection_.execute(statement, error); code != 0) {
      std::string ignored;
      connection_.execute("ROLLBACK", &ignored);
      return code;
    }
  }
  return 0;
}

std::string GaleraFence::fence_call(ClusterId cluster, Epoch epoch) const {
  return fmt::format("CALL `{}`.fence({}, {})", database_, cluster, epoch);
}

std::uint32_t GaleraFence::fenced_write(ClusterId cluster, Epoch epoch, Term term,
                                        const std::vector<std::string>& statements,
                                        std::string* error) {
  std::vector<std::string> steps = {"SET SESSION wsrep_sync_wait = 1", "START TRANSACTION",
                                    fence_call(cluster, epoch)};
  if (term != 0) steps.push_back(fmt::format("CALL `{}`.fence_leader({})", database_, term));
  steps.insert(steps.end(), statements.begin(), statements.end());
  steps.emplace_back("COMMIT");
  return execute_or_roll_back(steps, error);
}

}  // namespace quorum::adapters::galera
