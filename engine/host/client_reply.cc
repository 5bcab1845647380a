// Names of client reply codes (logs, quorumctl, test output). Host layer: core only.
#include "engine/host/client_reply.h"

#include "engine/core/base/assert.h"

namespace quorum::host {

std::string_view client_reply_code_name(ClientReply::Code code) {
  switch (code) {
    case ClientReply::Code::kOk:
      return "ok";
    case ClientReply::Code::kNotLeader:
      return "not-leader";
    case ClientReply::Code::kTransferInProgress:
      return "transfer-in-progress";
    case ClientReply::Code::kLost:
      return "lost";
    case ClientReply::Code::kRejected:
      return "rejected";
    case ClientReply::Code::kStopped:
      return "stopped";
    case ClientReply::Code::kUnknown:
      return "unknown";
    case ClientReply::Code::kRefused:
      return "refused";
  }
  QUORUM_UNREACHABLE();
}

}  // namespace quorum::host
