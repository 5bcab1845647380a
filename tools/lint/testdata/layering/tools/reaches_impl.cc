// Planted violation: only engine/core/raft may include the Node's internals.
#include "engine/core/raft/node_impl.h"
