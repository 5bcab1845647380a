// OffloadedStorage: a Storage decorator that runs persist() on the executor's worker thread while
// the host task is suspended, so a synced RocksDB write does not block the io thread. Messages
// and proposals that arrive during the fsync are queued and go into the next Ready: this is
// how group commit emerges (many proposals share one sync). Adapter layer.
//
// Lifetime: `inner` and `executor` outlive this object. load() runs on the calling thread.
#pragma once

#include "adapters/asio/asio_executor.h"
#include "engine/host/ports/storage.h"

namespace quorum::adapters {

class OffloadedStorage final : public host::Storage {
 public:
  OffloadedStorage(host::Storage& inner, AsioExecutor& executor)
      : inner_(inner), executor_(executor) {}

  Result<host::LoadedState> load() override { return inner_.load(); }

  // Offloads only synced batches: an unsynced write is fast and keeping it inline keeps order.
  Status persist(const host::PersistBatch& batch) override {
    if (!batch.sync || !executor_.in_task()) return inner_.persist(batch);
    Status status;
    executor_.run_blocking([&] { status = inner_.persist(batch); });
    return status;
  }

 private:
  host::Storage& inner_;
  AsioExecutor& executor_;
};

}  // namespace quorum::adapters
