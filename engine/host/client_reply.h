// ClientReply: what the host can tell a client about its request (config change, membership
// change or read). Host layer: core + wire only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "engine/core/base/types.h"
#include "engine/core/config_sync/state_machine.h"

namespace quorum::host {

// Outcome of a client request (config change or read) as the host can tell it.
struct ClientReply {
  enum class Code : std::uint8_t {
    kOk,                  // committed and applied (apply result in `apply`), or read served
    kNotLeader,           // leader_hint names the leader if known: redirect there
    kTransferInProgress,  // retry shortly
    kLost,                // the entry was overwritten by a new leader: not applied
    kRejected,            // refused before replication (too large, busy); reason says why
    kStopped,             // the host stopped or fail-stopped before an answer was known
    kUnknown,             // an installed snapshot covered the entry: it may or may not have
                          // been applied (the snapshot does not say which entries it holds)
  };
  Code code = Code::kOk;
  NodeId leader_hint = kNoNode;
  LogIndex index = 0;
  config_sync::ApplyResult apply;
  std::string reason;
};

std::string_view client_reply_code_name(ClientReply::Code code);

// Called exactly once per request, on the host's executor.
using ReplyFn = std::function<void(const ClientReply&)>;

}  // namespace quorum::host
