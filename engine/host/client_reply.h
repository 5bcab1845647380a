// ClientReply: what the host can tell a client about its request (a command of any family, a
// membership change or a read). Host layer: core + wire only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "engine/core/base/types.h"
#include "engine/host/app_command.h"

namespace quorum::host {

// Outcome of a client request as the host can tell it.
struct ClientReply {
  enum class Code : std::uint8_t {
    kOk,                  // committed and applied (the family's result in `result`), or read
                          // served
    kNotLeader,           // leader_hint names the leader if known: redirect there
    kTransferInProgress,  // retry shortly
    kLost,                // the entry was overwritten by a new leader: not applied
    kRejected,            // refused before replication (too large, busy); reason says why
    kStopped,             // the host stopped or fail-stopped before an answer was known
    kUnknown,             // an installed snapshot covered the entry: it may or may not have
                          // been applied (the snapshot does not say which entries it holds)
    kRefused,             // the leader's rule for this command said no before proposing it
                          // (the standby promotion rule, ownership/promote.h); reason says why.
                          // Nothing was proposed; the same request gets the same answer until
                          // the pool changes (HTTP 409)
  };
  Code code = Code::kOk;
  NodeId leader_hint = kNoNode;
  LogIndex index = 0;
  // kOk of a command: its family's ApplyResult, or UndecodableCommand; std::monostate otherwise
  // (membership changes, reads, every other code).
  AppResult result;
  std::string reason;
};

std::string_view client_reply_code_name(ClientReply::Code code);

// Called exactly once per request, on the host's executor.
using ReplyFn = std::function<void(const ClientReply&)>;

}  // namespace quorum::host
