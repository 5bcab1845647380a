#include "tools/quorumd/api_host.h"

namespace quorum::quorumd {

ApiNodeStatus NodeHostApi::node() const {
  const raft::Node& node = host_.node();
  return ApiNodeStatus{node.role(),         node.term(),          node.leader_id(),
                       node.commit_index(), node.applied_index(), node.last_index()};
}

}  // namespace quorum::quorumd
