// Codec of the application layer (apply.proto, config_sync.proto), the transport handshake
// (transport.proto) and the store identity (storage.proto). Wire layer: engine/core + protobuf.
#include <fmt/format.h>

#include <utility>

#include "engine/core/base/assert.h"
#include "engine/wire/codec.h"
#include "engine/wire/codec_detail.h"
#include "engine/wire/codec_history_pb.h"
#include "engine/wire/codec_ownership_pb.h"
#include "engine/wire/proto/apply.pb.h"
#include "engine/wire/proto/storage.pb.h"
#include "engine/wire/proto/transport.pb.h"

namespace quorum::wire {
namespace {

// Field-count guards (see codec_raft.cc): adding a field to one of these types stops this from
// compiling until the codec carries it.
[[maybe_unused]] void field_count_guards(const config_sync::Put& put,
                                         const config_sync::Delete& del,
                                         const config_sync::PutIfVersion& cas,
                                         const config_sync::FileEntry& file) {
  [[maybe_unused]] const auto& [put1, put2] = put;
  [[maybe_unused]] const auto& [del1] = del;
  [[maybe_unused]] const auto& [cas1, cas2, cas3] = cas;
  [[maybe_unused]] const auto& [file1, file2, file3] = file;
}

[[maybe_unused]] void field_count_guards(const AppSnapshot& snapshot, const Hello& hello,
                                         const StoreIdentity& identity) {
  [[maybe_unused]] const auto& [snapshot1, snapshot2, snapshot3, snapshot4] = snapshot;
  [[maybe_unused]] const auto& [hello1, hello2, hello3] = hello;
  [[maybe_unused]] const auto& [identity1, identity2, identity3] = identity;
}

std::string check_identity_fields(std::string_view cluster_id, NodeId node_id,
                                  std::uint32_t version) {
  if (cluster_id.empty()) return "cluster id is empty";
  if (cluster_id.size() > kClusterIdBytesMax) {
    return fmt::format("cluster id is {} bytes, above the limit of {}", cluster_id.size(),
                       kClusterIdBytesMax);
  }
  if (node_id == kNoNode) return "node id is 0";
  if (version == 0) return "version is 0";
  return {};
}

void config_to_proto(const config_sync::Command& command, pb::ConfigCommand* out) {
  if (const auto* put = std::get_if<config_sync::Put>(&command)) {
    pb::ConfigPut* p = out->mutable_put_file();
    p->set_path(put->path);
    p->set_content(put->content);
  } else if (const auto* del = std::get_if<config_sync::Delete>(&command)) {
    out->mutable_delete_file()->set_path(del->path);
  } else {
    const auto& cas = std::get<config_sync::PutIfVersion>(command);
    pb::ConfigPutIfVersion* p = out->mutable_put_file_if_version();
    p->set_path(cas.path);
    p->set_content(cas.content);
    p->set_expected_version(cas.expected_version);
  }
}

Result<config_sync::Command> config_from_proto(pb::ConfigCommand* in) {
  switch (in->command_case()) {
    case pb::ConfigCommand::kPutFile: {
      pb::ConfigPut* p = in->mutable_put_file();
      return config_sync::Command{
          config_sync::Put{std::move(*p->mutable_path()), std::move(*p->mutable_content())}};
    }
    case pb::ConfigCommand::kDeleteFile:
      return config_sync::Command{
          config_sync::Delete{std::move(*in->mutable_delete_file()->mutable_path())}};
    case pb::ConfigCommand::kPutFileIfVersion: {
      pb::ConfigPutIfVersion* p = in->mutable_put_file_if_version();
      return config_sync::Command{config_sync::PutIfVersion{
          std::move(*p->mutable_path()), std::move(*p->mutable_content()), p->expected_version()}};
    }
    case pb::ConfigCommand::COMMAND_NOT_SET:
      break;
  }
  return Status::corruption("config command: no command or a command of an unknown kind");
}

// Snapshot files must come sorted by path with no duplicate: the encoder writes them from a
// std::map, so anything else did not come from us.
std::string check_snapshot_files(const AppSnapshot& snapshot) {
  if (snapshot.config_files.size() > config_sync::kFilesMax) {
    return fmt::format("{} config files, above the limit of {}", snapshot.config_files.size(),
                       config_sync::kFilesMax);
  }
  for (const auto& [path, file] : snapshot.config_files) {
    std::string reason =
        config_sync::validate_file_entry(path, file, snapshot.config_applied_index);
    if (!reason.empty()) return fmt::format("config file '{}': {}", path, reason);
  }
  return {};
}

}  // namespace

Result<CommandFamily> decode_command_family(std::string_view payload) {
  pb::CommandPayload in;
  if (!detail::parse(payload, &in)) return Status::corruption("command: not a valid protobuf");
  switch (in.family_case()) {
    case pb::CommandPayload::kConfig:
      return CommandFamily::kConfig;
    case pb::CommandPayload::kOwnership:
      return CommandFamily::kOwnership;
    case pb::CommandPayload::kHistory:
      return CommandFamily::kHistory;
    case pb::CommandPayload::FAMILY_NOT_SET:
      break;
  }
  return Status::corruption("command: no family or a family unknown to this build");
}

std::string encode_config_command(const config_sync::Command& command) {
  pb::CommandPayload out;
  config_to_proto(command, out.mutable_config());
  QUORUM_ASSERT(out.family_case() == pb::CommandPayload::kConfig);
  return detail::serialize(out);
}

Result<config_sync::Command> decode_config_command(std::string_view payload) {
  pb::CommandPayload in;
  if (!detail::parse(payload, &in)) return Status::corruption("command: not a valid protobuf");
  if (in.family_case() != pb::CommandPayload::kConfig) {
    return Status::corruption("command: not of the config family");
  }
  return config_from_proto(in.mutable_config());
}

std::string encode_ownership_payload(const ownership::Command& command) {
  pb::CommandPayload out;
  ownership_command_to_proto(command, out.mutable_ownership());
  QUORUM_ASSERT(out.family_case() == pb::CommandPayload::kOwnership);
  return detail::serialize(out);
}

Result<ownership::Command> decode_ownership_payload(std::string_view payload) {
  pb::CommandPayload in;
  if (!detail::parse(payload, &in)) return Status::corruption("command: not a valid protobuf");
  if (in.family_case() != pb::CommandPayload::kOwnership) {
    return Status::corruption("command: not of the ownership family");
  }
  return ownership_command_from_proto(in.mutable_ownership());
}

std::string encode_app_snapshot(const AppSnapshot& snapshot) {
  const std::string reason = check_snapshot_files(snapshot);
  QUORUM_ASSERT(reason.empty(), "encoding an invalid app snapshot: {}", reason);
  pb::AppSnapshot out;
  pb::ConfigSnapshot* config = out.mutable_config();
  config->set_applied_index(snapshot.config_applied_index);
  config->mutable_files()->Reserve(static_cast<int>(snapshot.config_files.size()));
  for (const auto& [path, file] : snapshot.config_files) {
    pb::ConfigFile* f = config->add_files();
    f->set_path(path);
    f->set_content(file.content);
    f->set_version(file.version);
    f->set_checksum_crc32c(file.checksum);
  }
  if (snapshot.ownership.has_value()) {
    ownership_snapshot_to_proto(*snapshot.ownership, out.mutable_ownership());
  }
  if (snapshot.history.has_value()) {
    history_snapshot_to_proto(*snapshot.history, out.mutable_history());
  }
  return detail::serialize(out);
}

Result<AppSnapshot> decode_app_snapshot(std::string_view bytes) {
  pb::AppSnapshot in;
  if (!detail::parse(bytes, &in)) return Status::corruption("app snapshot: not a valid protobuf");
  if (!in.has_config()) return Status::corruption("app snapshot: no config section");
  pb::ConfigSnapshot* config = in.mutable_config();
  AppSnapshot snapshot;
  snapshot.config_applied_index = config->applied_index();
  const std::string* previous_path = nullptr;
  for (pb::ConfigFile& f : *config->mutable_files()) {
    if (previous_path != nullptr && !(*previous_path < f.path())) {
      return Status::corruption(fmt::format(
          "app snapshot: config file '{}' is not after '{}' (paths must be sorted and unique)",
          f.path(), *previous_path));
    }
    previous_path = &f.path();
    snapshot.config_files.emplace_hint(
        snapshot.config_files.end(), f.path(),
        config_sync::FileEntry{std::move(*f.mutable_content()), f.version(), f.checksum_crc32c()});
  }
  const std::string reason = check_snapshot_files(snapshot);
  if (!reason.empty()) return Status::corruption("app snapshot: " + reason);
  if (in.has_ownership()) {
    Result<OwnershipSnapshot> ownership = ownership_snapshot_from_proto(in.mutable_ownership());
    if (!ownership.has_value()) {
      return Status::corruption("app snapshot: ownership section: " + ownership.error().to_string());
    }
    snapshot.ownership = std::move(ownership).value();
  }
  if (in.has_history()) {
    Result<HistorySnapshot> history = history_snapshot_from_proto(in.history());
    if (!history.has_value()) {
      return Status::corruption("app snapshot: history section: " + history.error().to_string());
    }
    snapshot.history = std::move(history).value();
  }
  return snapshot;
}

std::string encode_hello(const Hello& hello) {
  const std::string reason =
      check_identity_fields(hello.cluster_id, hello.node_id, hello.protocol_version);
  QUORUM_ASSERT(reason.empty(), "encoding an invalid hello: {}", reason);
  pb::Hello out;
  out.set_cluster_id(hello.cluster_id);
  out.set_node_id(hello.node_id);
  out.set_protocol_version(hello.protocol_version);
  return detail::serialize(out);
}

Result<Hello> decode_hello(std::string_view bytes) {
  pb::Hello in;
  if (!detail::parse(bytes, &in)) return Status::corruption("hello: not a valid protobuf");
  Hello hello{std::move(*in.mutable_cluster_id()), in.node_id(), in.protocol_version()};
  const std::string reason =
      check_identity_fields(hello.cluster_id, hello.node_id, hello.protocol_version);
  if (!reason.empty()) return Status::corruption("hello: " + reason);
  return hello;
}

std::string encode_store_identity(const StoreIdentity& identity) {
  const std::string reason =
      check_identity_fields(identity.cluster_id, identity.node_id, identity.format_version);
  QUORUM_ASSERT(reason.empty(), "encoding an invalid store identity: {}", reason);
  pb::StoreIdentity out;
  out.set_cluster_id(identity.cluster_id);
  out.set_node_id(identity.node_id);
  out.set_format_version(identity.format_version);
  return detail::serialize(out);
}

Result<StoreIdentity> decode_store_identity(std::string_view bytes) {
  pb::StoreIdentity in;
  if (!detail::parse(bytes, &in)) return Status::corruption("store identity: not a valid protobuf");
  StoreIdentity identity{std::move(*in.mutable_cluster_id()), in.node_id(), in.format_version()};
  const std::string reason =
      check_identity_fields(identity.cluster_id, identity.node_id, identity.format_version);
  if (!reason.empty()) return Status::corruption("store identity: " + reason);
  return identity;
}

}  // namespace quorum::wire
