// Codec of the ownership state machine (ownership.proto): commands and the snapshot section.
// Wire layer: engine/core + protobuf.
#include <fmt/format.h>

#include <utility>

#include "engine/core/base/assert.h"
#include "engine/wire/codec.h"
#include "engine/wire/codec_detail.h"
#include "engine/wire/codec_ownership_pb.h"

namespace quorum::wire {
namespace {

namespace own = ownership;
using RepeatedTags = google::protobuf::RepeatedPtrField<pb::OwnershipTag>;

// Field-count guards (see codec_raft.cc): adding a field to one of these types stops this from
// compiling until the codec carries it.
[[maybe_unused]] void field_count_guards(const own::RegisterController& reg,
                                         const own::AddCluster& add, const own::Release& rel,
                                         const own::Controller& c, const own::Cluster& cl) {
  [[maybe_unused]] const auto& [r1, r2, r3, r4, r5, r6, r7] = reg;
  [[maybe_unused]] const auto& [a1, a2, a3, a4] = add;
  [[maybe_unused]] const auto& [l1, l2, l3, l4] = rel;
  [[maybe_unused]] const auto& [c1, c2, c3, c4, c5, c6, c7, c8] = c;
  [[maybe_unused]] const auto& [k1, k2, k3, k4, k5, k6, k7, k8, k9] = cl;
  static_assert(std::variant_size_v<own::Command> == 12);
}

void tags_to_proto(const own::Tags& tags, RepeatedTags* out) {
  out->Reserve(static_cast<int>(tags.size()));
  for (const auto& [key, value] : tags) {
    pb::OwnershipTag* t = out->Add();
    t->set_key(key);
    t->set_value(value);
  }
}

Result<own::Tags> tags_from_proto(RepeatedTags* in) {
  own::Tags tags;
  for (pb::OwnershipTag& t : *in) {
    if (!tags.empty() && !(tags.rbegin()->first < t.key())) {
      return Status::corruption("tags are not sorted by key or a key repeats");
    }
    tags.emplace_hint(tags.end(), std::move(*t.mutable_key()), std::move(*t.mutable_value()));
  }
  return tags;
}

pb::OwnershipRole role_to_proto(own::ControllerRole role) {
  switch (role) {
    case own::ControllerRole::kActive:
      return pb::OWNERSHIP_ROLE_ACTIVE;
    case own::ControllerRole::kStandby:
      return pb::OWNERSHIP_ROLE_STANDBY;
  }
  QUORUM_ASSERT(false, "unknown controller role {}", static_cast<int>(role));
  QUORUM_UNREACHABLE();
}

Result<own::ControllerRole> role_from_proto(int role) {
  switch (role) {
    case pb::OWNERSHIP_ROLE_ACTIVE:
      return own::ControllerRole::kActive;
    case pb::OWNERSHIP_ROLE_STANDBY:
      return own::ControllerRole::kStandby;
    default:
      return Status::corruption(fmt::format("controller role {} is unspecified or unknown", role));
  }
}

pb::OwnershipControllerState controller_state_to_proto(own::ControllerState state) {
  switch (state) {
    case own::ControllerState::kJoining:
      return pb::OWNERSHIP_CONTROLLER_STATE_JOINING;
    case own::ControllerState::kActive:
      return pb::OWNERSHIP_CONTROLLER_STATE_ACTIVE;
    case own::ControllerState::kDraining:
      return pb::OWNERSHIP_CONTROLLER_STATE_DRAINING;
    case own::ControllerState::kGone:
      break;
  }
  QUORUM_ASSERT(false, "controller state {} is never stored", static_cast<int>(state));
  QUORUM_UNREACHABLE();
}

Result<own::ControllerState> controller_state_from_proto(int state) {
  switch (state) {
    case pb::OWNERSHIP_CONTROLLER_STATE_JOINING:
      return own::ControllerState::kJoining;
    case pb::OWNERSHIP_CONTROLLER_STATE_ACTIVE:
      return own::ControllerState::kActive;
    case pb::OWNERSHIP_CONTROLLER_STATE_DRAINING:
      return own::ControllerState::kDraining;
    default:
      return Status::corruption(
          fmt::format("controller state {} is unspecified or unknown", state));
  }
}

pb::OwnershipClusterState cluster_state_to_proto(own::ClusterState state) {
  switch (state) {
    case own::ClusterState::kUnowned:
      return pb::OWNERSHIP_CLUSTER_STATE_UNOWNED;
    case own::ClusterState::kOwned:
      return pb::OWNERSHIP_CLUSTER_STATE_OWNED;
    case own::ClusterState::kHandingOver:
      return pb::OWNERSHIP_CLUSTER_STATE_HANDING_OVER;
  }
  QUORUM_ASSERT(false, "unknown cluster state {}", static_cast<int>(state));
  QUORUM_UNREACHABLE();
}

Result<own::ClusterState> cluster_state_from_proto(int state) {
  switch (state) {
    case pb::OWNERSHIP_CLUSTER_STATE_UNOWNED:
      return own::ClusterState::kUnowned;
    case pb::OWNERSHIP_CLUSTER_STATE_OWNED:
      return own::ClusterState::kOwned;
    case pb::OWNERSHIP_CLUSTER_STATE_HANDING_OVER:
      return own::ClusterState::kHandingOver;
    default:
      return Status::corruption(fmt::format("cluster state {} is unspecified or unknown", state));
  }
}

// ---- commands ----

struct ToProto {
  pb::OwnershipCommand* out;
  void operator()(const own::RegisterController& c) const {
    pb::OwnershipRegisterController* p = out->mutable_register_controller();
    p->set_id(c.id);
    p->set_name(c.name);
    p->set_address(c.address);
    p->set_weight(c.weight);
    tags_to_proto(c.tags, p->mutable_tags());
    p->set_role(role_to_proto(c.role));
    p->set_auto_recovery(c.auto_recovery);
  }
  void operator()(const own::DeregisterController& c) const {
    out->mutable_deregister_controller()->set_id(c.id);
  }
  void operator()(const own::SetWeight& c) const {
    out->mutable_set_weight()->set_id(c.id);
    out->mutable_set_weight()->set_weight(c.weight);
  }
  void operator()(const own::Drain& c) const { out->mutable_drain()->set_id(c.id); }
  void operator()(const own::Activate& c) const { out->mutable_activate()->set_id(c.id); }
  void operator()(const own::Promote& c) const {
    out->mutable_promote()->set_id(c.id);
    out->mutable_promote()->set_force(c.force);
  }
  void operator()(const own::AddCluster& c) const {
    pb::OwnershipAddCluster* p = out->mutable_add_cluster();
    p->set_id(c.id);
    p->set_name(c.name);
    tags_to_proto(c.tags, p->mutable_tags());
    p->set_auto_recovery(c.auto_recovery);
  }
  void operator()(const own::RemoveCluster& c) const {
    out->mutable_remove_cluster()->set_id(c.id);
  }
  void operator()(const own::Pin& c) const {
    out->mutable_pin()->set_cluster(c.cluster);
    out->mutable_pin()->set_owner(c.owner);
  }
  void operator()(const own::Unpin& c) const { out->mutable_unpin()->set_id(c.cluster); }
  void operator()(const own::Assign& c) const {
    pb::OwnershipAssign* p = out->mutable_assign();
    p->set_cluster(c.cluster);
    p->set_to(c.to);
    p->set_expected_epoch(c.expected_epoch);
  }
  void operator()(const own::Release& c) const {
    pb::OwnershipRelease* p = out->mutable_release();
    p->set_cluster(c.cluster);
    p->set_from(c.from);
    p->set_expected_epoch(c.expected_epoch);
    p->set_to(c.to);
  }
};

Result<own::Command> register_from_proto(pb::OwnershipRegisterController* p) {
  Result<own::Tags> tags = tags_from_proto(p->mutable_tags());
  if (!tags) return Status::corruption("register controller: " + tags.error().message());
  Result<own::ControllerRole> role = role_from_proto(p->role());
  if (!role) return Status::corruption("register controller: " + role.error().message());
  return own::Command{own::RegisterController{
      p->id(), std::move(*p->mutable_name()), std::move(*p->mutable_address()), p->weight(),
      std::move(*tags), *role, p->auto_recovery()}};
}

Result<own::Command> add_cluster_from_proto(pb::OwnershipAddCluster* p) {
  Result<own::Tags> tags = tags_from_proto(p->mutable_tags());
  if (!tags) return Status::corruption("add cluster: " + tags.error().message());
  return own::Command{
      own::AddCluster{p->id(), std::move(*p->mutable_name()), std::move(*tags),
                      p->auto_recovery()}};
}

// ---- snapshot ----

void controller_to_proto(const own::Controller& c, pb::OwnershipController* p) {
  p->set_id(c.id);
  p->set_name(c.name);
  p->set_address(c.address);
  p->set_weight(c.weight);
  tags_to_proto(c.tags, p->mutable_tags());
  p->set_role(role_to_proto(c.role));
  p->set_auto_recovery(c.auto_recovery);
  p->set_state(controller_state_to_proto(c.state));
}

void cluster_to_proto(const own::Cluster& cl, pb::OwnershipCluster* p) {
  p->set_id(cl.id);
  p->set_name(cl.name);
  tags_to_proto(cl.tags, p->mutable_tags());
  p->set_pinned_owner(cl.pinned_owner);
  p->set_auto_recovery(cl.auto_recovery);
  p->set_owner(cl.owner);
  p->set_epoch(cl.epoch);
  p->set_state(cluster_state_to_proto(cl.state));
  p->set_handover_to(cl.handover_to);
}

Result<own::Controller> controller_from_proto(pb::OwnershipController* p) {
  const std::string where = fmt::format("controller {}: ", p->id());
  Result<own::Tags> tags = tags_from_proto(p->mutable_tags());
  if (!tags) return Status::corruption(where + tags.error().message());
  Result<own::ControllerRole> role = role_from_proto(p->role());
  if (!role) return Status::corruption(where + role.error().message());
  Result<own::ControllerState> state = controller_state_from_proto(p->state());
  if (!state) return Status::corruption(where + state.error().message());
  return own::Controller{p->id(),  std::move(*p->mutable_name()), std::move(*p->mutable_address()),
                         p->weight(), std::move(*tags),          *role,
                         p->auto_recovery(), *state};
}

Result<own::Cluster> cluster_from_proto(pb::OwnershipCluster* p) {
  const std::string where = fmt::format("cluster {}: ", p->id());
  Result<own::Tags> tags = tags_from_proto(p->mutable_tags());
  if (!tags) return Status::corruption(where + tags.error().message());
  Result<own::ClusterState> state = cluster_state_from_proto(p->state());
  if (!state) return Status::corruption(where + state.error().message());
  own::Cluster cl;
  cl.id = p->id();
  cl.name = std::move(*p->mutable_name());
  cl.tags = std::move(*tags);
  cl.pinned_owner = p->pinned_owner();
  cl.auto_recovery = p->auto_recovery();
  cl.owner = p->owner();
  cl.epoch = p->epoch();
  cl.state = *state;
  cl.handover_to = p->handover_to();
  return cl;
}

Status records_from_proto(pb::OwnershipSnapshot* in, own::Snapshot* out) {
  if (static_cast<std::size_t>(in->controllers_size()) > own::kControllersMax ||
      static_cast<std::size_t>(in->clusters_size()) > own::kClustersMax) {
    return Status::corruption(fmt::format("{} controllers and {} clusters, above the limits",
                                          in->controllers_size(), in->clusters_size()));
  }
  for (pb::OwnershipController& p : *in->mutable_controllers()) {
    if (!out->controllers.empty() && !(out->controllers.rbegin()->first < p.id())) {
      return Status::corruption(fmt::format("controller {} is not after {} (ids sorted, unique)",
                                            p.id(), out->controllers.rbegin()->first));
    }
    Result<own::Controller> c = controller_from_proto(&p);
    if (!c) return c.error();
    out->controllers.emplace_hint(out->controllers.end(), c->id, std::move(*c));
  }
  for (pb::OwnershipCluster& p : *in->mutable_clusters()) {
    if (!out->clusters.empty() && !(out->clusters.rbegin()->first < p.id())) {
      return Status::corruption(fmt::format("cluster {} is not after {} (ids sorted, unique)",
                                            p.id(), out->clusters.rbegin()->first));
    }
    Result<own::Cluster> cl = cluster_from_proto(&p);
    if (!cl) return cl.error();
    out->clusters.emplace_hint(out->clusters.end(), cl->id, std::move(*cl));
  }
  return Status::ok();
}

}  // namespace

void ownership_command_to_proto(const own::Command& command, pb::OwnershipCommand* out) {
  std::visit(ToProto{out}, command);
  QUORUM_ASSERT(out->command_case() != pb::OwnershipCommand::COMMAND_NOT_SET);
}

Result<own::Command> ownership_command_from_proto(pb::OwnershipCommand* in) {
  switch (in->command_case()) {
    case pb::OwnershipCommand::kRegisterController:
      return register_from_proto(in->mutable_register_controller());
    case pb::OwnershipCommand::kDeregisterController:
      return own::Command{own::DeregisterController{in->deregister_controller().id()}};
    case pb::OwnershipCommand::kSetWeight:
      return own::Command{own::SetWeight{in->set_weight().id(), in->set_weight().weight()}};
    case pb::OwnershipCommand::kDrain:
      return own::Command{own::Drain{in->drain().id()}};
    case pb::OwnershipCommand::kActivate:
      return own::Command{own::Activate{in->activate().id()}};
    case pb::OwnershipCommand::kPromote:
      return own::Command{own::Promote{in->promote().id(), in->promote().force()}};
    case pb::OwnershipCommand::kAddCluster:
      return add_cluster_from_proto(in->mutable_add_cluster());
    case pb::OwnershipCommand::kRemoveCluster:
      return own::Command{own::RemoveCluster{in->remove_cluster().id()}};
    case pb::OwnershipCommand::kPin:
      return own::Command{own::Pin{in->pin().cluster(), in->pin().owner()}};
    case pb::OwnershipCommand::kUnpin:
      return own::Command{own::Unpin{in->unpin().id()}};
    case pb::OwnershipCommand::kAssign: {
      const pb::OwnershipAssign& p = in->assign();
      return own::Command{own::Assign{p.cluster(), p.to(), p.expected_epoch()}};
    }
    case pb::OwnershipCommand::kRelease: {
      const pb::OwnershipRelease& p = in->release();
      return own::Command{own::Release{p.cluster(), p.from(), p.expected_epoch(), p.to()}};
    }
    case pb::OwnershipCommand::COMMAND_NOT_SET:
      break;
  }
  return Status::corruption("no command or a command of an unknown kind");
}

void ownership_snapshot_to_proto(const OwnershipSnapshot& snapshot, pb::OwnershipSnapshot* out) {
  const std::string reason = own::validate_state(snapshot.applied_index, snapshot.state);
  QUORUM_ASSERT(reason.empty(), "encoding an invalid ownership snapshot: {}", reason);
  out->set_applied_index(snapshot.applied_index);
  out->mutable_controllers()->Reserve(static_cast<int>(snapshot.state.controllers.size()));
  for (const auto& [id, c] : snapshot.state.controllers) controller_to_proto(c, out->add_controllers());
  out->mutable_clusters()->Reserve(static_cast<int>(snapshot.state.clusters.size()));
  for (const auto& [id, cl] : snapshot.state.clusters) cluster_to_proto(cl, out->add_clusters());
}

Result<OwnershipSnapshot> ownership_snapshot_from_proto(pb::OwnershipSnapshot* in) {
  OwnershipSnapshot snapshot;
  snapshot.applied_index = in->applied_index();
  Status status = records_from_proto(in, &snapshot.state);
  if (!status.is_ok()) return status;
  const std::string reason = own::validate_state(snapshot.applied_index, snapshot.state);
  if (!reason.empty()) return Status::corruption(reason);
  return snapshot;
}

std::string encode_ownership_command(const own::Command& command) {
  pb::OwnershipCommand out;
  ownership_command_to_proto(command, &out);
  return detail::serialize(out);
}

Result<own::Command> decode_ownership_command(std::string_view bytes) {
  pb::OwnershipCommand in;
  if (!detail::parse(bytes, &in)) {
    return Status::corruption("ownership command: not a valid protobuf");
  }
  Result<own::Command> command = ownership_command_from_proto(&in);
  if (!command) return Status::corruption("ownership command: " + command.error().message());
  return command;
}

std::string encode_ownership_snapshot(const OwnershipSnapshot& snapshot) {
  pb::OwnershipSnapshot out;
  ownership_snapshot_to_proto(snapshot, &out);
  return detail::serialize(out);
}

Result<OwnershipSnapshot> decode_ownership_snapshot(std::string_view bytes) {
  pb::OwnershipSnapshot in;
  if (!detail::parse(bytes, &in)) {
    return Status::corruption("ownership snapshot: not a valid protobuf");
  }
  Result<OwnershipSnapshot> snapshot = ownership_snapshot_from_proto(&in);
  if (!snapshot) return Status::corruption("ownership snapshot: " + snapshot.error().message());
  return snapshot;
}

}  // namespace quorum::wire
