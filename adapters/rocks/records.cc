// TEMPORARY local encoding until engine/wire/record.h and codec.h land; then this file only
// composes the wire record envelope with the wire codec (one codec in the tree).
#include "adapters/rocks/records.h"

#include <fmt/format.h>

#include <cstring>

#include "engine/core/base/crc32c.h"

namespace quorum::adapters::rocks {
namespace {

constexpr std::uint8_t kRecordVersion = 1;
constexpr std::size_t kHeaderBytes = 1 + 4 + 4;

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool u64(std::uint64_t* v) { return fixed(v, 8); }
  bool u32(std::uint32_t* v) { return fixed(v, 4); }
  bool u8(std::uint8_t* v) { return fixed(v, 1); }
  bool str(std::string* s) {
    std::uint32_t n = 0;
    if (!u32(&n) || n > bytes_.size()) return false;
    s->assign(bytes_.substr(0, n));
    bytes_.remove_prefix(n);
    return true;
  }
  bool done() const { return bytes_.empty(); }

 private:
  template <typename T>
  bool fixed(T* v, std::size_t n) {
    if (bytes_.size() < n) return false;
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < n; ++i) {
      x |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[i])) << (8 * i);
    }
    *v = static_cast<T>(x);
    bytes_.remove_prefix(n);
    return true;
  }
  std::string_view bytes_;
};

std::string seal(const std::string& payload) {
  std::string out;
  out.push_back(static_cast<char>(kRecordVersion));
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  put_u32(out, crc32c(payload));
  out += payload;
  return out;
}

Result<std::string_view> open(std::string_view key, std::string_view bytes) {
  Reader r(bytes);
  std::uint8_t version = 0;
  std::uint32_t size = 0;
  std::uint32_t crc = 0;
  if (!r.u8(&version) || !r.u32(&size) || !r.u32(&crc)) {
    return Status::corruption(fmt::format("{}: truncated record header", key));
  }
  if (version != kRecordVersion) {
    return Status::corruption(fmt::format("{}: unknown record version {}", key, version));
  }
  std::string_view payload = bytes.substr(kHeaderBytes);
  if (payload.size() != size) {
    return Status::corruption(
        fmt::format("{}: truncated record ({} of {} bytes)", key, payload.size(), size));
  }
  if (crc32c(payload) != crc) return Status::corruption(fmt::format("{}: crc mismatch", key));
  return payload;
}

void put_membership(std::string& out, const raft::Membership& m) {
  put_u32(out, static_cast<std::uint32_t>(m.members.size()));
  for (const raft::Member& member : m.members) {
    put_u64(out, member.id);
    out.push_back(static_cast<char>(member.role));
    put_u32(out, member.priority);
  }
}

bool get_membership(Reader& r, raft::Membership* m) {
  std::uint32_t n = 0;
  if (!r.u32(&n)) return false;
  for (std::uint32_t i = 0; i < n; ++i) {
    raft::Member member;
    std::uint8_t role = 0;
    if (!r.u64(&member.id) || !r.u8(&role) || !r.u32(&member.priority)) return false;
    member.role = static_cast<raft::MemberRole>(role);
    m->members.push_back(member);
  }
  return true;
}

Status malformed(std::string_view key) {
  return Status::corruption(fmt::format("{}: malformed payload", key));
}

}  // namespace

std::string encode_format_record(std::uint32_t version) {
  std::string p;
  put_u32(p, version);
  return seal(p);
}

Result<std::uint32_t> decode_format_record(std::string_view key, std::string_view bytes) {
  Result<std::string_view> payload = open(key, bytes);
  if (!payload) return payload.error();
  Reader r(*payload);
  std::uint32_t v = 0;
  if (!r.u32(&v) || !r.done()) return malformed(key);
  return v;
}

std::string encode_hard_state_record(const raft::HardState& hs) {
  std::string p;
  put_u64(p, hs.current_term);
  put_u64(p, hs.voted_for);
  put_u64(p, hs.commit_index);
  return seal(p);
}

Result<raft::HardState> decode_hard_state_record(std::string_view key, std::string_view bytes) {
  Result<std::string_view> payload = open(key, bytes);
  if (!payload) return payload.error();
  Reader r(*payload);
  raft::HardState hs;
  if (!r.u64(&hs.current_term) || !r.u64(&hs.voted_for) || !r.u64(&hs.commit_index) ||
      !r.done()) {
    return malformed(key);
  }
  return hs;
}

std::string encode_entry_record(const raft::Entry& e) {
  std::string p;
  put_u64(p, e.term);
  put_u64(p, e.index);
  p.push_back(static_cast<char>(e.kind));
  put_u32(p, static_cast<std::uint32_t>(e.data.size()));
  p += e.data;
  put_membership(p, e.membership);
  return seal(p);
}

Result<raft::Entry> decode_entry_record(std::string_view key, std::string_view bytes) {
  Result<std::string_view> payload = open(key, bytes);
  if (!payload) return payload.error();
  Reader r(*payload);
  raft::Entry e;
  std::uint8_t kind = 0;
  if (!r.u64(&e.term) || !r.u64(&e.index) || !r.u8(&kind) || !r.str(&e.data) ||
      !get_membership(r, &e.membership) || !r.done() || kind > 2) {
    return malformed(key);
  }
  e.kind = static_cast<raft::EntryKind>(kind);
  return e;
}

std::string encode_snapshot_record(const raft::Snapshot& s) {
  std::string p;
  put_u64(p, s.meta.last_index);
  put_u64(p, s.meta.last_term);
  put_membership(p, s.meta.membership);
  put_u32(p, static_cast<std::uint32_t>(s.data.size()));
  p += s.data;
  return seal(p);
}

Result<raft::Snapshot> decode_snapshot_record(std::string_view key, std::string_view bytes) {
  Result<std::string_view> payload = open(key, bytes);
  if (!payload) return payload.error();
  Reader r(*payload);
  raft::Snapshot s;
  if (!r.u64(&s.meta.last_index) || !r.u64(&s.meta.last_term) ||
      !get_membership(r, &s.meta.membership) || !r.str(&s.data) || !r.done()) {
    return malformed(key);
  }
  return s;
}

}  // namespace quorum::adapters::rocks
