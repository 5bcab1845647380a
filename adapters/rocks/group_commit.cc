// Group commit over RocksDB write batches. Adapter layer.
#include "adapters/rocks/group_commit.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "engine/core/base/assert.h"

namespace quorum::adapters::rocks {
namespace {

// Re-adds every operation of one batch to another. Our batches hold only Put, Delete and
// DeleteRange on the default column family; anything else is refused (not silently dropped).
class AppendHandler final : public rocksdb::WriteBatch::Handler {
 public:
  explicit AppendHandler(rocksdb::WriteBatch* out) : out_(out) {}
  rocksdb::Status PutCF(std::uint32_t cf, const rocksdb::Slice& k,
                        const rocksdb::Slice& v) override {
    QUORUM_ASSERT(cf == 0);
    return out_->Put(k, v);
  }
  rocksdb::Status DeleteCF(std::uint32_t cf, const rocksdb::Slice& k) override {
    QUORUM_ASSERT(cf == 0);
    return out_->Delete(k);
  }
  rocksdb::Status DeleteRangeCF(std::uint32_t cf, const rocksdb::Slice& begin,
                                const rocksdb::Slice& end) override {
    QUORUM_ASSERT(cf == 0);
    return out_->DeleteRange(begin, end);
  }

 private:
  rocksdb::WriteBatch* out_;
};

}  // namespace

Status to_status(const rocksdb::Status& status, std::string_view context) {
  QUORUM_ASSERT(!status.ok());
  std::string message = fmt::format("{}: {}", context, status.ToString());
  if (status.IsNoSpace()) return Status::no_space(std::move(message));
  if (status.IsCorruption()) return Status::corruption(std::move(message));
  return Status::io_error(std::move(message));
}

GroupCommitter::GroupCommitter(rocksdb::DB* db)
    : GroupCommitter([db](rocksdb::WriteBatch* batch, bool sync) {
        rocksdb::WriteOptions options;
        options.sync = sync;
        return db->Write(options, batch);
      }) {
  QUORUM_ASSERT(db != nullptr);
}

GroupCommitter::GroupCommitter(WriteFn write) : write_(std::move(write)) {
  QUORUM_ASSERT(write_ != nullptr);
}

void GroupCommitter::set_observer(WriteObserver observer) {
  std::lock_guard lock(mu_);
  observer_ = std::move(observer);
}

GroupCommitStats GroupCommitter::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::size_t GroupCommitter::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

Status GroupCommitter::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

Status GroupCommitter::commit(rocksdb::WriteBatch* batch, bool sync) {
  QUORUM_ASSERT(batch != nullptr);
  std::unique_lock lock(mu_);
  if (!failure_.is_ok()) return failure_;
  Waiter self;
  self.batch = batch;
  self.sync = sync;
  queue_.push_back(&self);
  self.cv.wait(lock, [&] { return self.done || (!writing_ && queue_.front() == &self); });
  if (self.done) return self.status;
  QUORUM_ASSERT(queue_.front() == &self);
  return lead_group(lock);
}

// Called with the lock held by the front waiter. Writes the group outside the lock so that new
// callers can queue behind it, then completes every member of the group.
Status GroupCommitter::lead_group(std::unique_lock<std::mutex>& lock) {
  QUORUM_ASSERT(!writing_);
  QUORUM_ASSERT(lock.owns_lock());
  writing_ = true;
  const std::size_t count = std::min(queue_.size(), kGroupBatchesMax);
  std::vector<Waiter*> group(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(count));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(count));
  WriteObserver observer = observer_;
  if (!failure_.is_ok()) {
    // A previous group failed while these waited: refuse without writing.
    Status failure = failure_;
    finish_group(group, failure);
    return failure;
  }
  lock.unlock();

  const bool sync = std::any_of(group.begin(), group.end(), [](Waiter* w) { return w->sync; });
  rocksdb::WriteBatch merged;
  rocksdb::WriteBatch* to_write = group.front()->batch;
  rocksdb::Status rs;
  if (group.size() > 1) {
    AppendHandler append(&merged);
    for (Waiter* w : group) {
      rs = w->batch->Iterate(&append);
      if (!rs.ok()) break;
    }
    to_write = &merged;
  }
  const auto start = std::chrono::steady_clock::now();
  if (rs.ok()) rs = write_(to_write, sync);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  if (observer) {
    observer(group.size(), sync,
             static_cast<std::uint64_t>(
                 std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
  }

  lock.lock();
  Status status = rs.ok() ? Status::ok()
                          : to_status(rs, fmt::format("rocksdb write of {} batch(es){}",
                                                      group.size(), sync ? " with sync" : ""));
  if (!status.is_ok() && failure_.is_ok()) failure_ = status;
  stats_.batches_total += group.size();
  stats_.writes_total += 1;
  stats_.syncs_total += sync ? 1 : 0;
  stats_.group_batches_max = std::max<std::uint64_t>(stats_.group_batches_max, group.size());
  finish_group(group, status);
  return status;
}

void GroupCommitter::finish_group(const std::vector<Waiter*>& group, const Status& status) {
  QUORUM_ASSERT(writing_);
  QUORUM_ASSERT(!group.empty());
  // group.front() is the calling leader: it needs no wake-up, and must not be touched after
  // its own return (its Waiter lives on its stack), so it is completed like the others here.
  for (Waiter* w : group) {
    w->status = status;
    w->done = true;
    if (w != group.front()) w->cv.notify_one();
  }
  writing_ = false;
  if (!queue_.empty()) queue_.front()->cv.notify_one();
}

}  // namespace quorum::adapters::rocks
