// libFuzzer target: RocksStorage::open + load() on a RocksDB built from the input, for the
// cross-record checks (log keys, gaps, record index vs key, term order, hard state vs log,
// snapshot vs log, identity), not only single records (storage_record covers those).
//
// The input is a program that writes an image of the database (a key -> value map) which is then
// written into a fresh RocksDB (in an in-memory rocksdb::Env, new for each input: ~1 ms per open
// where real files in /dev/shm took 20-100 ms on the shared CI machine):
//   [u8 flags] bit 0 identity present, bit 1 it names another node, bit 2 another format
//   version, bit 3 hard state present, bit 4 snapshot present, bit 5 persist + reload after a
//   successful load; then the hard state (3 varints: term, vote, commit) and the snapshot
//   (2 varints: last index, last term; u8 data byte) if flagged; then ops until the input ends:
//   [u8 op] op % 6 ==
//     0 entry: varint key step (0 rewrites the last key, 1 is the next index, more leaves a
//       gap), s8 term step, u8 kind (bit 7: the record holds another index than its key)
//     1 an entry at UINT64_MAX - varint (index overflow)
//     2 raw: u8 key length, key, u8 value length, value (malformed keys, foreign records)
//     3 flip a bit (u8 position) of the last value written
//     4 delete the last key written
//     5 term near the limit: the last entry's term becomes kTermMax - u8
// Values are kept within what the encoders accept (terms 1..kTermMax, no index 0): a record
// the decoder refuses is storage_record's subject; here it is op 3's bit flip.
// Properties: never crashes; open refuses only with invalid_argument (identity) or corruption,
// load only with corruption, and each refusal names a key or the directory; load accepts exactly
// the images that an independent statement of the rules (below) accepts, and returns what they
// say; an accepted state constructs a raft::Node (whose constructor asserts the same shape); with
// flag bit 5, one more entry and hard state persisted and a reopen loads old log + new entry.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/write_batch.h>

#include "adapters/rocks/keys.h"
#include "adapters/rocks/records.h"
#include "adapters/rocks/rocks_storage.h"
#include "engine/core/base/assert.h"
#include "engine/core/raft/node.h"

namespace {

namespace q = quorum;
namespace rk = quorum::adapters::rocks;
namespace fs = std::filesystem;
using Image = std::map<std::string, std::string>;

const q::wire::StoreIdentity kSelf{"fuzz", 1, q::wire::kStoreFormatVersion};

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return bytes_.empty(); }
  std::uint8_t u8() {
    if (bytes_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(bytes_[0]);
    bytes_.remove_prefix(1);
    return b;
  }
  std::uint64_t varint() {
    std::uint64_t out = 0;
    for (int shift = 0; shift < 64 && !bytes_.empty(); shift += 7) {
      const std::uint8_t b = u8();
      out |= std::uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) break;
    }
    return out;
  }
  std::string bytes(std::size_t n) {
    const std::string out(bytes_.substr(0, n));
    bytes_.remove_prefix(out.size());
    return out;
  }

 private:
  std::string_view bytes_;
};

q::raft::Membership three_voters() {
  return {{{1, q::raft::MemberRole::kVoter, 1},
           {2, q::raft::MemberRole::kVoter, 1},
           {3, q::raft::MemberRole::kVoter, 1}}};
}

q::raft::Entry entry_of(q::Term term, q::LogIndex index, std::uint8_t kind) {
  q::raft::Entry e{term, index, q::raft::EntryKind::kNoop, "", {}};
  if (kind % 3 == 1) {
    e.kind = q::raft::EntryKind::kCommand;
    e.data = "cmd" + std::to_string(index);
  } else if (kind % 3 == 2) {
    e.kind = q::raft::EntryKind::kMembership;
    e.membership = three_voters();
  }
  return e;
}

// Writes the image the input describes. `last_key` is the last key written (for ops 3 and 4).
Image build_image(Reader& in, std::uint8_t flags) {
  Image image;
  if (flags & 1) {
    q::wire::StoreIdentity identity = kSelf;
    if (flags & 2) identity.node_id = 2;
    if (flags & 4) identity.format_version = q::wire::kStoreFormatVersion + 1;
    image[std::string(rk::kIdentityKey)] = rk::encode_identity_record(identity);
  }
  if (flags & 8) {
    q::raft::HardState hs;
    hs.current_term = in.varint() % (q::kTermMax + 1);
    hs.voted_for = hs.current_term == 0 ? q::kNoNode : in.varint() % 5;
    hs.commit_index = in.varint();
    image[std::string(rk::kHardStateKey)] = rk::encode_hard_state_record(hs);
  }
  q::LogIndex index = 0;
  q::Term term = 0;
  if (flags & 16) {
    q::raft::Snapshot snapshot;
    snapshot.meta.last_index = std::max<q::LogIndex>(in.varint(), 1);
    snapshot.meta.last_term = 1 + in.varint() % q::kTermMax;
    snapshot.meta.membership = three_voters();
    snapshot.data = in.bytes(1);
    image[std::string(rk::kSnapshotKey)] = rk::encode_snapshot_record(snapshot);
    index = snapshot.meta.last_index;
    term = snapshot.meta.last_term;
  }
  std::string last_key;
  while (!in.done()) {
    const std::uint8_t op = in.u8();
    switch (op % 6) {
      case 0:
      case 1: {
        index = op % 6 == 0 ? index + in.varint() : UINT64_MAX - in.varint();
        const auto step = static_cast<std::int8_t>(in.u8());
        term = step < 0 && static_cast<q::Term>(-step) > term ? 0 : term + step;
        term = std::clamp<q::Term>(term, 1, q::kTermMax);
        const std::uint8_t kind = in.u8();
        const q::LogIndex stored = kind & 0x80 ? index + 1 : index;
        if (stored == 0) break;  // no encoder writes index 0 (it wrapped): nothing to store
        last_key = rk::log_key(index);
        image[last_key] = rk::encode_entry_record(entry_of(term, stored, kind));
        break;
      }
      case 2: {
        last_key = in.bytes(in.u8());
        image[last_key] = in.bytes(in.u8());
        break;
      }
      case 3: {
        auto it = image.find(last_key);
        const std::uint8_t position = in.u8();
        if (it != image.end() && !it->second.empty()) {
          it->second[position % it->second.size()] ^= static_cast<char>(1u << (position % 8));
        }
        break;
      }
      case 4: image.erase(last_key); break;
      case 5: {
        auto it = image.find(last_key);
        const q::Term near = q::kTermMax - in.u8();
        if (it == image.end()) break;
        auto decoded = rk::decode_entry_record(it->first, it->second);
        if (!decoded) break;
        decoded->term = near;
        term = near;
        it->second = rk::encode_entry_record(*decoded);
        break;
      }
    }
  }
  return image;
}

// The rules of RocksStorage::load, stated independently: what it must return, or nullopt if it
// must refuse (with corruption).
std::optional<q::host::LoadedState> expected_load(const Image& image) {
  q::host::LoadedState out;
  if (auto it = image.find(std::string(rk::kHardStateKey)); it != image.end()) {
    auto hs = rk::decode_hard_state_record(it->first, it->second);
    if (!hs) return std::nullopt;
    out.persisted.hard_state = *hs;
  }
  if (auto it = image.find(std::string(rk::kSnapshotKey)); it != image.end()) {
    auto snapshot = rk::decode_snapshot_record(it->first, it->second);
    if (!snapshot || snapshot->meta.last_index == 0) return std::nullopt;
    out.persisted.snapshot = snapshot->meta;
    out.snapshot = std::move(*snapshot);
  }
  q::LogIndex next = out.snapshot ? out.snapshot->meta.last_index + 1 : 1;
  q::Term term = out.snapshot ? out.snapshot->meta.last_term : 0;
  q::LogIndex last = next - 1;
  for (auto it = image.lower_bound(std::string(rk::kLogPrefix));
       it != image.end() && it->first < rk::log_key_end(); ++it) {
    const std::optional<q::LogIndex> index = rk::parse_log_key(it->first);
    if (!index || *index != next) return std::nullopt;
    auto entry = rk::decode_entry_record(it->first, it->second);
    if (!entry || entry->index != *index || entry->term < term) return std::nullopt;
    term = entry->term;
    last = *index;
    ++next;
    out.persisted.entries.push_back(std::move(*entry));
  }
  const q::raft::HardState& hs = out.persisted.hard_state;
  if (hs.commit_index > last || hs.current_term < term) return std::nullopt;
  return out;
}

// The database's path in the in-memory Env. RocksStorage::open creates it on the real file system
// too (an empty directory, the same for every input and process).
const std::string& db_path() {
  static const std::string path = (fs::temp_directory_path() / "quorum-storage-load-fuzz").string();
  return path;
}

void write_image(rocksdb::Env* env, const std::string& dir, const Image& image) {
  rocksdb::Options options;
  options.env = env;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status opened = rocksdb::DB::Open(options, dir, &raw);
  QUORUM_ASSERT(opened.ok(), "{}", opened.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : image) QUORUM_ASSERT(batch.Put(key, value).ok());
  QUORUM_ASSERT(db->Write(rocksdb::WriteOptions(), &batch).ok());
  QUORUM_ASSERT(db->Close().ok());
}

bool names_a_key_or_dir(const q::Status& status, const std::string& dir) {
  const std::string& m = status.message();
  return m.starts_with(dir) || m.starts_with(rk::kLogPrefix) || m.starts_with(rk::kHardStateKey) ||
         m.starts_with(rk::kSnapshotKey) || m.starts_with(rk::kIdentityKey);
}

// What open() must say of the identity: nullopt if it opens.
std::optional<q::StatusCode> expected_open(const Image& image) {
  auto it = image.find(std::string(rk::kIdentityKey));
  if (it == image.end()) {
    if (image.empty()) return std::nullopt;
    return q::StatusCode::kCorruption;
  }
  auto stored = rk::decode_identity_record(it->first, it->second);
  if (!stored) return q::StatusCode::kCorruption;
  if (*stored != kSelf) return q::StatusCode::kInvalidArgument;
  return std::nullopt;
}

// The core's constructor asserts the shape of what it is given: an accepted state must pass.
void construct_node(const q::host::LoadedState& loaded) {
  q::raft::RaftConfig config;
  config.id = 1;
  q::raft::PersistedState persisted = loaded.persisted;
  persisted.bootstrap = three_voters();
  if (loaded.snapshot) persisted.snapshot_data = loaded.snapshot->data;
  q::raft::Node node(config, persisted, q::Prng(1));
  QUORUM_ASSERT(node.last_index() == (persisted.entries.empty()
                                          ? (persisted.snapshot ? persisted.snapshot->last_index : 0)
                                          : persisted.entries.back().index));
}

// One more entry (and the hard state that covers it) through persist(), then a reopen.
void persist_and_reload(std::unique_ptr<rk::RocksStorage> storage,
                        const rk::RocksStorageOptions& options, const std::string& dir,
                        const q::host::LoadedState& loaded) {
  const q::LogIndex last = loaded.persisted.entries.empty()
                               ? (loaded.snapshot ? loaded.snapshot->meta.last_index : 0)
                               : loaded.persisted.entries.back().index;
  if (last == UINT64_MAX) return;
  // At least term 1: an empty store (no log, no snapshot, term 0) is valid, but no entry has
  // term 0 (the encoder asserts it; the session-4 finding was this harness, not load()).
  const q::Term term = std::max({q::Term{1}, loaded.persisted.hard_state.current_term,
                                loaded.persisted.entries.empty()
                                    ? (loaded.snapshot ? loaded.snapshot->meta.last_term : 0)
                                    : loaded.persisted.entries.back().term});
  q::host::PersistBatch batch;
  batch.entries.push_back(entry_of(term, last + 1, 1));
  batch.hard_state = loaded.persisted.hard_state;
  batch.hard_state->current_term = term;
  batch.sync = false;
  QUORUM_ASSERT(storage->persist(batch).is_ok());
  storage.reset();
  auto reopened = rk::RocksStorage::open(dir, kSelf, options);
  QUORUM_ASSERT(reopened.has_value(), "{}", reopened.error().to_string());
  auto again = (*reopened)->load();
  QUORUM_ASSERT(again.has_value(), "{}", again.error().to_string());
  std::vector<q::raft::Entry> want = loaded.persisted.entries;
  want.push_back(batch.entries.back());
  QUORUM_ASSERT(again->persisted.entries == want, "reloaded log differs");
  QUORUM_ASSERT(again->persisted.hard_state == *batch.hard_state);
  QUORUM_ASSERT(again->snapshot == loaded.snapshot);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader in(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::uint8_t flags = in.u8();
  const Image image = build_image(in, flags);

  const std::unique_ptr<rocksdb::Env> env(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  const std::string& dir = db_path();
  write_image(env.get(), dir, image);

  rk::RocksStorageOptions options;
  options.env = env.get();
  const std::optional<q::StatusCode> open_refusal = expected_open(image);
  auto opened = rk::RocksStorage::open(dir, kSelf, options);
  if (!opened.has_value()) {
    QUORUM_ASSERT(open_refusal.has_value(), "open refused: {}", opened.error().to_string());
    QUORUM_ASSERT(opened.error().code() == *open_refusal, "{}", opened.error().to_string());
    QUORUM_ASSERT(names_a_key_or_dir(opened.error(), dir), "{}", opened.error().to_string());
    return 0;
  }
  QUORUM_ASSERT(!open_refusal.has_value(), "open accepted an image it must refuse");

  const std::optional<q::host::LoadedState> want = expected_load(image);
  auto loaded = (*opened)->load();
  if (!loaded.has_value()) {
    QUORUM_ASSERT(!want.has_value(), "load refused: {}", loaded.error().to_string());
    QUORUM_ASSERT(loaded.error().code() == q::StatusCode::kCorruption, "{}",
                  loaded.error().to_string());
    QUORUM_ASSERT(names_a_key_or_dir(loaded.error(), dir), "{}", loaded.error().to_string());
    return 0;
  }
  QUORUM_ASSERT(want.has_value(), "load accepted an image the rules refuse");
  QUORUM_ASSERT(loaded->persisted.hard_state == want->persisted.hard_state);
  QUORUM_ASSERT(loaded->persisted.snapshot == want->persisted.snapshot);
  QUORUM_ASSERT(loaded->persisted.entries == want->persisted.entries);
  QUORUM_ASSERT(loaded->snapshot == want->snapshot);
  construct_node(*loaded);
  if (flags & 32) persist_and_reload(std::move(*opened), options, dir, *loaded);
  return 0;
}
