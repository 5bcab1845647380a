// RocksStorage: the production Storage port (engine/host/ports/storage.h) on RocksDB.
// Adapter layer: engine + RocksDB.
//
// Layout: adapters/rocks/keys.h. Every value is a checksummed record (records.h). persist()
// turns one PersistBatch into one rocksdb::WriteBatch (atomic), written through the
// GroupCommitter with sync = batch.sync. load() reads everything back, verifies every record and
// the shape of the log, and reports the first damaged record by key: the node refuses to start;
// nothing is repaired silently.
//
// Failure policy (STYLE.md 6.5): the first failed write makes the storage fail-stop: persist()
// returns that error from then on (kNoSpace for a full disk, kIoError otherwise). An fsync is
// never retried.
//
// Thread safety: one user (the node's host task) calls load() and persist(), one call at a time.
// persist() blocks the calling thread for the write; quorumd wraps the storage in
// adapters/asio/offloaded_storage.h so that a synced write runs on a worker thread.
// Lifetime: the RocksDB instance is closed by the destructor.
#pragma once

#include <rocksdb/db.h>

#include <functional>
#include <memory>
#include <string>

#include "adapters/rocks/group_commit.h"
#include "engine/host/ports/storage.h"
#include "engine/wire/codec.h"

namespace quorum::adapters::rocks {

struct RocksStorageOptions {
  // Replaces the DB write (tests inject failures and hold writes to build groups).
  // Empty: a real rocksdb write.
  std::function<rocksdb::Status(rocksdb::DB* db, rocksdb::WriteBatch* batch, bool sync)> write;
  // The RocksDB Env; nullptr: the default one (real files). The storage-load fuzzer passes an
  // in-memory Env (rocksdb::NewMemEnv): the same RocksDB code, a hundred times faster per input.
  // Not owned; outlives the storage.
  rocksdb::Env* env = nullptr;
};

class RocksStorage final : public host::Storage {
 public:
  // Opens (creating if missing) the database in `dir`. A fresh database records `identity`
  // (synced); an existing one must carry the same cluster id, node id and format version, so
  // that a data directory of another node or cluster is refused (kInvalidArgument naming both).
  static Result<std::unique_ptr<RocksStorage>> open(const std::string& dir,
                                                    const wire::StoreIdentity& identity,
                                                    RocksStorageOptions options = {});
  ~RocksStorage() override;
  RocksStorage(const RocksStorage&) = delete;
  RocksStorage& operator=(const RocksStorage&) = delete;

  Result<host::LoadedState> load() override;
  Status persist(const host::PersistBatch& batch) override;

  // Non-ok once a write failed (the storage refuses every later write).
  const Status& failure() const { return failure_; }
  GroupCommitter& committer() { return *committer_; }
  const std::string& dir() const { return dir_; }

 private:
  RocksStorage(std::string dir, std::unique_ptr<rocksdb::DB> db, RocksStorageOptions options);
  Status init_identity(const wire::StoreIdentity& identity);
  Status init_log_bounds();
  void build_batch(const host::PersistBatch& batch, rocksdb::WriteBatch* out) const;
  static Status check_hard_state(const host::LoadedState& state);
  Result<std::vector<raft::Entry>> load_log(const std::optional<raft::Snapshot>& snapshot);

  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  RocksStorageOptions options_;
  std::unique_ptr<GroupCommitter> committer_;
  Status failure_;
  // The log currently on disk is [first_index_, last_index_]; empty if last_index_ < first_index_.
  // Kept so that an append at the end issues no range delete. Invariant: first_index_ >= 1.
  LogIndex first_index_ = 1;
  LogIndex last_index_ = 0;
  bool loaded_ = false;
};

}  // namespace quorum::adapters::rocks
