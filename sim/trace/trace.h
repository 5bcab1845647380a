// Trace: every simulator event as one line with fixed columns (TigerBeetle's VOPR status line):
//
//   <time_us, 12 wide> <node, "n3" or "--"> <kind, 14 wide> <details>
//
// and a 64-bit FNV-1a-style hash (word-wise) over the structured fields of every event (time, node, kind and the
// numeric arguments), computed whether or not lines are kept. Same seed -> same hash; the
// determinism test and `quorum-sim replay` compare it. Lines (and the structured records the
// HTML timeline needs) are kept only when recording is on, so a swarm pays for the hash only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/base/types.h"
#include "sim/random/prng_tree.h"

namespace quorum::sim {

enum class TraceKind : std::uint8_t {
  kSend, kDeliver, kDrop, kWake, kPersist, kApply, kRole, kRaft,
  kCrash, kRestart, kFailStop, kPause, kResume, kPartition, kHeal, kLinkFaults, kDisk,
  kClientInvoke, kClientReply, kClientTimeout, kClientRedirect, kTransfer, kNote, kViolation,
};
std::string_view trace_kind_name(TraceKind kind);

struct TraceLine {
  std::uint64_t time_us = 0;
  NodeId node = kNoNode;
  TraceKind kind = TraceKind::kNote;
  std::string details;
};

class Trace {
 public:
  explicit Trace(bool recording) : recording_(recording) {}

  bool recording() const { return recording_; }
  // Hashes the structured event; the caller adds a line (line()) only if recording().
  void event(std::uint64_t time_us, NodeId node, TraceKind kind, std::uint64_t a = 0,
             std::uint64_t b = 0, std::uint64_t c = 0) {
    std::uint64_t h = hash_;
    h = mix(h, time_us);
    h = mix(h, (node << 8) | static_cast<std::uint64_t>(kind));
    h = mix(h, a);
    h = mix(h, b);
    h = mix(h, c);
    hash_ = h;
    ++events_;
  }
  void line(std::uint64_t time_us, NodeId node, TraceKind kind, std::string details) {
    if (recording_) lines_.push_back(TraceLine{time_us, node, kind, std::move(details)});
  }
  std::uint64_t hash() const { return hash_; }
  std::uint64_t events() const { return events_; }
  const std::vector<TraceLine>& lines() const { return lines_; }
  // All kept lines, formatted, one per line.
  std::string text() const;
  static std::string format_line(const TraceLine& line);
  // FNV-1a over 64-bit words (one multiply per word, not per byte) with a final shift so high
  // bits reach the low ones: the trace hash must be cheap, it runs on every event.
  static std::uint64_t mix(std::uint64_t h, std::uint64_t word) {
    h = (h ^ word) * kFnvPrime;
    return h ^ (h >> 29);
  }

 private:
  bool recording_;
  std::uint64_t hash_ = kFnvOffset;
  std::uint64_t events_ = 0;
  std::vector<TraceLine> lines_;
};

}  // namespace quorum::sim
