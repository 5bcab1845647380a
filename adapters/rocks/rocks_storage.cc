// RocksDB implementation of the Storage port. Adapter layer.
#include "adapters/rocks/rocks_storage.h"

#include <fmt/format.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>

#include <filesystem>
#include <system_error>
#include <utility>

#include "adapters/rocks/keys.h"
#include "adapters/rocks/rocks_logger.h"
#include "adapters/rocks/records.h"
#include "engine/core/base/assert.h"

namespace quorum::adapters::rocks {
namespace {

rocksdb::Options db_options(rocksdb::Env* env) {
  rocksdb::Options options;
  if (env != nullptr) options.env = env;
  options.create_if_missing = true;
  // Fail on any inconsistency RocksDB can see itself (its own WAL and block checksums).
  options.paranoid_checks = true;
  // No LOG file in the data directory: RocksDB's diagnostics go to the process log
  // (rocks_logger.h explains why a full disk makes that necessary).
  options.info_log = make_process_logger();
  return options;
}

rocksdb::ReadOptions read_options() {
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  options.fill_cache = false;  // load() reads everything once
  return options;
}

// Reads one key. NotFound is not an error: *found says whether the key exists.
Status get(rocksdb::DB* db, std::string_view key, std::string* value, bool* found) {
  rocksdb::Status s = db->Get(read_options(), rocksdb::Slice(key.data(), key.size()), value);
  *found = s.ok();
  if (s.ok() || s.IsNotFound()) return Status::ok();
  return to_status(s, fmt::format("rocksdb get {}", key));
}

}  // namespace

RocksStorage::RocksStorage(std::string dir, std::unique_ptr<rocksdb::DB> db,
                           RocksStorageOptions options)
    : dir_(std::move(dir)), db_(std::move(db)), options_(std::move(options)) {
  QUORUM_ASSERT(db_ != nullptr);
  if (options_.write) {
    committer_ = std::make_unique<GroupCommitter>(
        [db = db_.get(), write = options_.write](rocksdb::WriteBatch* batch, bool sync) {
          return write(db, batch, sync);
        });
  } else {
    committer_ = std::make_unique<GroupCommitter>(db_.get());
  }
}

RocksStorage::~RocksStorage() {
  committer_.reset();
  // Close() flushes nothing we rely on: every promised write was synced through the WAL.
  static_cast<void>(db_->Close());
}

Result<std::unique_ptr<RocksStorage>> RocksStorage::open(const std::string& dir,
                                                         const wire::StoreIdentity& identity,
                                                         RocksStorageOptions options) {
  // Created here rather than by RocksDB, which logs a fresh directory as an error first.
  std::error_code made;
  std::filesystem::create_directories(dir, made);
  if (made) {
    return Status::io_error(fmt::format("rocksdb open {}: create directory: {}", dir, made.message()));
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options(options.env), dir, &raw);
  if (!s.ok()) return to_status(s, fmt::format("rocksdb open {}", dir));
  std::unique_ptr<RocksStorage> storage(
      new RocksStorage(dir, std::unique_ptr<rocksdb::DB>(raw), std::move(options)));
  if (Status st = storage->init_identity(identity); !st.is_ok()) return st;
  return storage;
}

// A fresh database gets the identity key (synced) so that a later open can tell "fresh" from
// "lost its identity" and refuse another node's or cluster's directory.
Status RocksStorage::init_identity(const wire::StoreIdentity& identity) {
  std::string value;
  bool found = false;
  if (Status st = get(db_.get(), kIdentityKey, &value, &found); !st.is_ok()) return st;
  if (found) {
    Result<wire::StoreIdentity> stored = decode_identity_record(kIdentityKey, value);
    if (!stored) return Status::corruption(fmt::format("{}: {}", dir_, stored.error().message()));
    if (stored->format_version != identity.format_version) {
      return Status::invalid_argument(
          fmt::format("{}: storage format version {} (this build reads {})", dir_,
                      stored->format_version, identity.format_version));
    }
    if (stored->cluster_id != identity.cluster_id || stored->node_id != identity.node_id) {
      return Status::invalid_argument(fmt::format(
          "{}: data of node {} in cluster '{}', but this is node {} in cluster '{}'", dir_,
          stored->node_id, stored->cluster_id, identity.node_id, identity.cluster_id));
    }
    return Status::ok();
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options()));
  it->SeekToFirst();
  if (it->Valid()) {
    return Status::corruption(fmt::format("{}: {}: missing in a non-empty database (first key {})",
                                          dir_, kIdentityKey, it->key().ToString()));
  }
  if (!it->status().ok()) return to_status(it->status(), fmt::format("rocksdb scan {}", dir_));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Put(wo, rocksdb::Slice(kIdentityKey.data(), kIdentityKey.size()),
                               encode_identity_record(identity));
  if (!s.ok()) return to_status(s, fmt::format("rocksdb put {}", kIdentityKey));
  return Status::ok();
}

Result<host::LoadedState> RocksStorage::load() {
  host::LoadedState out;
  std::string value;
  bool found = false;
  if (Status st = get(db_.get(), kHardStateKey, &value, &found); !st.is_ok()) return st;
  if (found) {
    Result<raft::HardState> hs = decode_hard_state_record(kHardStateKey, value);
    if (!hs) return hs.error();
    out.persisted.hard_state = *hs;
  }
  if (Status st = get(db_.get(), kSnapshotKey, &value, &found); !st.is_ok()) return st;
  if (found) {
    Result<raft::Snapshot> snapshot = decode_snapshot_record(kSnapshotKey, value);
    if (!snapshot) return snapshot.error();
    if (snapshot->meta.last_index == 0) {
      return Status::corruption(fmt::format("{}: snapshot at index 0", kSnapshotKey));
    }
    out.snapshot = std::move(*snapshot);
    out.persisted.snapshot = out.snapshot->meta;
  }
  Result<std::vector<raft::Entry>> entries = load_log(out.snapshot);
  if (!entries) return entries.error();
  out.persisted.entries = std::move(*entries);
  if (Status st = check_hard_state(out); !st.is_ok()) return st;

  first_index_ = out.snapshot ? out.snapshot->meta.last_index + 1 : 1;
  last_index_ =
      out.persisted.entries.empty() ? first_index_ - 1 : out.persisted.entries.back().index;
  loaded_ = true;
  QUORUM_ASSERT(last_index_ + 1 >= first_index_);
  return out;
}

// Cross-record checks. Each record is persisted in the same atomic batch as the entries it
// depends on (Ready contract), so these hold after any crash; a violation means records were
// lost (for example a damaged WAL replayed only up to the damage) and is reported, not repaired.
Status RocksStorage::check_hard_state(const host::LoadedState& state) {
  const raft::HardState& hs = state.persisted.hard_state;
  const std::vector<raft::Entry>& log = state.persisted.entries;
  const LogIndex last_index =
      !log.empty() ? log.back().index : (state.snapshot ? state.snapshot->meta.last_index : 0);
  const Term last_term =
      !log.empty() ? log.back().term : (state.snapshot ? state.snapshot->meta.last_term : 0);
  if (hs.commit_index > last_index) {
    return Status::corruption(
        fmt::format("{}: commit index {} beyond the last persisted entry {} (log records lost)",
                    kHardStateKey, hs.commit_index, last_index));
  }
  if (hs.current_term < last_term) {
    return Status::corruption(fmt::format("{}: term {} below the last entry's term {}",
                                          kHardStateKey, hs.current_term, last_term));
  }
  return Status::ok();
}

// The log must be consecutive from just after the snapshot (or from 1), each record must hold
// the index of its key, and terms must never decrease (starting from the snapshot's term).
Result<std::vector<raft::Entry>> RocksStorage::load_log(
    const std::optional<raft::Snapshot>& snapshot) {
  std::vector<raft::Entry> entries;
  LogIndex expected = snapshot ? snapshot->meta.last_index + 1 : 1;
  Term previous_term = snapshot ? snapshot->meta.last_term : 0;
  const std::string end = log_key_end();
  const rocksdb::Slice upper(end);
  rocksdb::ReadOptions ro = read_options();
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  for (it->Seek(rocksdb::Slice(kLogPrefix.data(), kLogPrefix.size())); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    std::optional<LogIndex> index = parse_log_key(key);
    if (!index) return Status::corruption(fmt::format("{}: malformed log key", key));
    if (*index != expected) {
      return Status::corruption(fmt::format("{}: log not consecutive: expected index {}{}", key,
                                            expected, snapshot ? " after the snapshot" : ""));
    }
    Result<raft::Entry> entry = decode_entry_record(key, it->value().ToStringView());
    if (!entry) return entry.error();
    if (entry->index != *index) {
      return Status::corruption(fmt::format("{}: record holds index {}", key, entry->index));
    }
    if (entry->term < previous_term) {
      return Status::corruption(
          fmt::format("{}: term {} below the previous term {}", key, entry->term, previous_term));
    }
    previous_term = entry->term;
    ++expected;
    entries.push_back(std::move(*entry));
  }
  if (!it->status().ok()) return to_status(it->status(), "rocksdb scan log");
  return entries;
}

// Order inside the batch: snapshot (drops the log it covers), then entries (replace the suffix
// from entries.front().index), then the hard state. One WriteBatch: all or nothing.
void RocksStorage::build_batch(const host::PersistBatch& batch, rocksdb::WriteBatch* out) const {
  LogIndex first = first_index_;
  LogIndex last = last_index_;
  if (batch.snapshot) {
    const LogIndex covered = batch.snapshot->meta.last_index;
    QUORUM_ASSERT(covered >= first - 1, "snapshot {} older than the log start {}", covered, first);
    QUORUM_ASSERT(out->Put(kSnapshotKey, encode_snapshot_record(*batch.snapshot)).ok());
    if (batch.snapshot_replaces_log) {
      // A received snapshot that conflicts with our log replaces all of it (storage.h).
      QUORUM_ASSERT(out->DeleteRange(log_key(0), log_key_end()).ok());
      last = covered;
    } else {
      QUORUM_ASSERT(out->DeleteRange(log_key(0), log_key(covered + 1)).ok());
    }
    first = covered + 1;
    if (last < covered) last = covered;
  }
  if (!batch.entries.empty()) {
    const LogIndex front = batch.entries.front().index;
    QUORUM_ASSERT(front >= first, "entry {} at or below the snapshot", front);
    QUORUM_ASSERT(front <= last + 1, "entry {} leaves a gap after {}", front, last);
    // Only a conflicting append (a new leader overwrote our tail) pays for a range tombstone.
    if (front <= last) QUORUM_ASSERT(out->DeleteRange(log_key(front), log_key_end()).ok());
    LogIndex next = front;
    for (const raft::Entry& e : batch.entries) {
      QUORUM_ASSERT(e.index == next, "entries not consecutive at {}", e.index);
      QUORUM_ASSERT(out->Put(log_key(e.index), encode_entry_record(e)).ok());
      ++next;
    }
  }
  if (batch.hard_state) {
    QUORUM_ASSERT(out->Put(kHardStateKey, encode_hard_state_record(*batch.hard_state)).ok());
  }
}

Status RocksStorage::persist(const host::PersistBatch& batch) {
  QUORUM_ASSERT(loaded_, "persist() before load()");
  if (!failure_.is_ok()) return failure_;
  rocksdb::WriteBatch wb;
  build_batch(batch, &wb);
  Status status = committer_->commit(&wb, batch.sync);
  if (!status.is_ok()) {
    failure_ = status;
    return status;
  }
  if (batch.snapshot) {
    first_index_ = batch.snapshot->meta.last_index + 1;
    if (last_index_ < first_index_ - 1 || batch.snapshot_replaces_log) last_index_ = first_index_ - 1;
  }
  if (!batch.entries.empty()) last_index_ = batch.entries.back().index;
  QUORUM_ASSERT(last_index_ + 1 >= first_index_);
  return Status::ok();
}

}  // namespace quorum::adapters::rocks
