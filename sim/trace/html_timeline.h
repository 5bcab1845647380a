// One simulation run as a single self-contained HTML page: one lane per node showing its role
// over time (follower / pre-candidate / candidate / leader / down) with the term, partitions and
// link cuts shaded, crashes and restarts marked, commits as ticks, a time axis in milliseconds,
// hover titles with details and a zoom control. Inline CSS and a few lines of inline vanilla JS;
// no external script, style sheet or font, so the file can be attached to a bug report.
//
// The input is a plain struct (TimelineInput) so the simulator adapts its trace to it; the
// TimelineBuilder below turns a stream of events (role changed, crashed, restarted, partition
// began/ended, committed) into that struct. Rendering is a pure function: the same input gives
// byte-identical output. Every piece of text is HTML-escaped.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/base/types.h"
#include "engine/core/raft/state.h"

namespace quorum::sim {

// The first four mirror raft::Role value for value (html_timeline.cc asserts it); kDown is a
// crashed or stopped node.
enum class TimelineRole : std::uint8_t { kFollower, kPreCandidate, kCandidate, kLeader, kDown };
std::string_view timeline_role_name(TimelineRole role);
TimelineRole timeline_role(raft::Role role);

enum class MarkerKind : std::uint8_t {
  kCrash,
  kRestart,
  kCommit,     // drawn as a thin tick
  kStepDown,   // CheckQuorum or forced step-down
  kTransfer,   // leadership transfer started/completed
  kPause,      // process pause (GC-like stall) began
  kResume,
  kViolation,  // a checker failed here
  kNote,
};
std::string_view marker_kind_name(MarkerKind kind);

struct TimelineNode {
  NodeId id = kNoNode;
  std::string label;  // lane title, e.g. "n1 (site a)"
};

// The node had `role` in `term` during [from_us, to_us).
struct RoleSpan {
  NodeId node = kNoNode;
  std::uint64_t from_us = 0;
  std::uint64_t to_us = 0;
  TimelineRole role = TimelineRole::kFollower;
  Term term = 0;
  std::string detail;  // extra hover text (leader seen, why it changed...)
};

// A network fault active during [from_us, to_us): a partition, a cut or one-way link, loss...
// Shaded on the lanes of `affected` nodes and listed on the network lane.
struct Partition {
  std::uint64_t from_us = 0;
  std::uint64_t to_us = 0;
  std::string description;  // e.g. "isolate n3", "n1 -x-> n2 (one way)"
  std::vector<NodeId> affected;
};

struct Marker {
  NodeId node = kNoNode;  // kNoNode: the whole cluster (drawn on the network lane)
  std::uint64_t at_us = 0;
  MarkerKind kind = MarkerKind::kNote;
  std::string text;  // hover text
};

struct TimelineInput {
  std::string title;                 // e.g. "quorum-sim run --seed 42"
  std::vector<std::string> summary;  // lines under the title (result, trace hash...)
  std::uint64_t duration_us = 0;     // the axis runs over [0, duration_us]
  std::vector<TimelineNode> nodes;   // lanes, top to bottom
  std::vector<RoleSpan> spans;
  std::vector<Partition> partitions;
  std::vector<Marker> markers;
};

// The page. Asserts duration_us > 0, from <= to for spans and partitions, and that every span
// and node-bound marker names a node of `nodes`. Times beyond duration_us are clipped.
std::string render_html_timeline(const TimelineInput& input);

// Escapes & < > " ' for use in HTML text and attribute values.
std::string html_escape(std::string_view text);

// Builds a TimelineInput from events in time order (each call's time >= the previous one's for
// the same node). Open spans and partitions are closed at finish().
class TimelineBuilder {
 public:
  TimelineBuilder(std::string title, std::vector<TimelineNode> nodes);

  // The node's role or term changed. Repeating the current (role, term) does nothing.
  void role(NodeId node, std::uint64_t at_us, TimelineRole role, Term term,
            std::string detail = "");
  // Crash: closes the current span, opens a kDown span and marks it.
  void crash(NodeId node, std::uint64_t at_us, std::string text = "crash");
  // Restart: closes the kDown span, opens a follower span in `term`, marks it.
  void restart(NodeId node, std::uint64_t at_us, Term term, std::string text = "restart");
  void commit(NodeId node, std::uint64_t at_us, LogIndex index);
  void mark(NodeId node, std::uint64_t at_us, MarkerKind kind, std::string text);
  // Returns an id for partition_end(). A partition never ended lasts until finish().
  std::size_t partition_begin(std::uint64_t at_us, std::string description,
                              std::vector<NodeId> affected);
  void partition_end(std::size_t id, std::uint64_t at_us);
  void add_summary(std::string line);

  TimelineInput finish(std::uint64_t duration_us);

 private:
  struct Open {
    bool is_open = false;
    RoleSpan span;
  };
  void close(NodeId node, std::uint64_t at_us);
  void open(NodeId node, std::uint64_t at_us, TimelineRole role, Term term, std::string detail);

  TimelineInput input_;
  std::map<NodeId, Open> open_;  // per node: the span in progress
  std::vector<bool> partition_open_;
};

}  // namespace quorum::sim
