#pragma once

#include "engine/core/raft/message.h"

namespace quorum::host {

// Sends Raft messages to peers. Best effort: a message may be lost, delayed, duplicated or
// reordered; Raft tolerates all of it. Never blocks. Incoming messages are handed to
// NodeHost::deliver() on the host's executor.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send(const raft::Message& message) = 0;
};

}  // namespace quorum::host
