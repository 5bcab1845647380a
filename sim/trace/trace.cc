#include "sim/trace/trace.h"

#include <fmt/format.h>

#include "engine/core/base/assert.h"

namespace quorum::sim {

std::string_view trace_kind_name(TraceKind kind) {
  switch (kind) {
    case TraceKind::kSend: return "send";
    case TraceKind::kDeliver: return "deliver";
    case TraceKind::kDrop: return "drop";
    case TraceKind::kWake: return "wake";
    case TraceKind::kPersist: return "persist";
    case TraceKind::kApply: return "apply";
    case TraceKind::kRole: return "role";
    case TraceKind::kRaft: return "raft";
    case TraceKind::kCrash: return "crash";
    case TraceKind::kRestart: return "restart";
    case TraceKind::kFailStop: return "fail-stop";
    case TraceKind::kPause: return "pause";
    case TraceKind::kResume: return "resume";
    case TraceKind::kPartition: return "partition";
    case TraceKind::kHeal: return "heal";
    case TraceKind::kLinkFaults: return "link-faults";
    case TraceKind::kDisk: return "disk";
    case TraceKind::kClientInvoke: return "client-invoke";
    case TraceKind::kClientReply: return "client-reply";
    case TraceKind::kClientTimeout: return "client-timeout";
    case TraceKind::kClientRedirect: return "client-redirect";
    case TraceKind::kTransfer: return "transfer";
    case TraceKind::kNote: return "note";
    case TraceKind::kViolation: return "VIOLATION";
  }
  QUORUM_UNREACHABLE();
}

std::string Trace::format_line(const TraceLine& l) {
  const std::string node = l.node == kNoNode ? std::string("--") : fmt::format("n{}", l.node);
  return fmt::format("{:>12} {:<3} {:<14} {}", l.time_us, node, trace_kind_name(l.kind),
                     l.details);
}

std::string Trace::text() const {
  std::string out;
  for (const TraceLine& l : lines_) {
    out += format_line(l);
    out += '\n';
  }
  return out;
}

}  // namespace quorum::sim
