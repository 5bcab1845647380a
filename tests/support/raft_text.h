// Compact, stable text renderings of core values for the core-script transcripts. Test support.
//
//   entry      2@1 noop | 3@1 cmd "x" | 4@1 conf v1 v2 l3 v4:p2
//   message    1->2 app term=1 prev=0@0 commit=0 round=1 [1@1 noop]
//              2->1 app-resp term=1 ok match=1 round=1 | reject index=3 hint=2@1
//              1->2 pre-vote term=2 last=1@1 | 2->1 pre-vote-resp term=2 granted
//              1->2 snap term=2 at=5@1 round=3 | 1->2 timeout-now term=2
#pragma once

#include <string>
#include <vector>

#include "engine/core/raft/entry.h"
#include "engine/core/raft/membership.h"
#include "engine/core/raft/message.h"
#include "engine/core/raft/node.h"
#include "engine/core/raft/ready.h"
#include "engine/core/raft/trace.h"

namespace quorum::testing {

std::string entry_text(const raft::Entry& entry);
std::string entries_text(const std::vector<raft::Entry>& entries);
std::string membership_text(const raft::Membership& membership);
std::string message_text(const raft::Message& message);
std::string trace_text(const raft::TraceEvent& event);
std::string request_result_text(raft::RequestResult result);
// Every non-empty part of a Ready, one indented line each, after a "N: ready" header.
std::string ready_text(NodeId id, const raft::Ready& ready);
// Role changes only: "N: follower -> leader term=2" from the Ready's soft state.
std::string ready_roles_text(NodeId id, const raft::Ready& ready, raft::Role before);

}  // namespace quorum::testing
