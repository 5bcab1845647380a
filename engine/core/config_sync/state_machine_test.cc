#include "engine/core/config_sync/state_machine.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/core/base/crc32c.h"
#include "engine/core/config_sync/invariants.h"

namespace quorum::config_sync {
namespace {

using Code = ApplyResult::Code;

TEST(StateMachine, PutStoresContentWithEntryIndexAsVersionAndCrcAsChecksum) {
  StateMachine machine;
  ApplyResult result = machine.apply(7, Put{"cmon.cnf", "hostname=a"});
  EXPECT_EQ(result.code, Code::kApplied);
  EXPECT_EQ(result.version, 7u);
  EXPECT_EQ(result.reason, "");
  const FileEntry* file = machine.find("cmon.cnf");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->content, "hostname=a");
  EXPECT_EQ(file->version, 7u);
  EXPECT_EQ(file->checksum, crc32c("hostname=a"));
  EXPECT_EQ(machine.applied_index(), 7u);
  EXPECT_EQ(check_state(machine), "");
}

TEST(StateMachine, PutOverwritesAndBumpsVersion) {
  StateMachine machine;
  (void)machine.apply(1, Put{"a", "one"});
  ApplyResult result = machine.apply(2, Put{"a", "two"});
  EXPECT_EQ(result.code, Code::kApplied);
  EXPECT_EQ(machine.find("a")->content, "two");
  EXPECT_EQ(machine.find("a")->version, 2u);
  EXPECT_EQ(machine.files().size(), 1u);
}

TEST(StateMachine, DeleteRemovesFile) {
  StateMachine machine;
  (void)machine.apply(1, Put{"a", "one"});
  ApplyResult result = machine.apply(2, Delete{"a"});
  EXPECT_EQ(result.code, Code::kApplied);
  EXPECT_EQ(result.version, 0u);
  EXPECT_EQ(machine.find("a"), nullptr);
  EXPECT_TRUE(machine.files().empty());
}

TEST(StateMachine, PutIfVersionWritesWhenVersionMatches) {
  StateMachine machine;
  EXPECT_EQ(machine.apply(1, PutIfVersion{"a", "one", 0}).code, Code::kApplied);
  ApplyResult result = machine.apply(2, PutIfVersion{"a", "two", 1});
  EXPECT_EQ(result.code, Code::kApplied);
  EXPECT_EQ(result.version, 2u);
  EXPECT_EQ(machine.find("a")->content, "two");
}

// Every rejection: the map stays as it was, the reason is given, the applied index advances.
struct Rejection {
  const char* name;
  Command command;
  Code code;
  const char* reason_part;
};

TEST(StateMachine, RejectsEachBadCommandWithAReasonAndChangesNoFile) {
  const std::vector<Rejection> cases = {
      {"absolute put", Put{"/etc/x", "c"}, Code::kInvalidPath, "absolute"},
      {"dotdot delete", Delete{"../x"}, Code::kInvalidPath, "\"..\""},
      {"empty cas path", PutIfVersion{"", "c", 0}, Code::kInvalidPath, "empty"},
      {"big put", Put{"b", std::string(kContentBytesMax + 1, 'x')}, Code::kTooLarge, "limit"},
      {"big cas", PutIfVersion{"a", std::string(kContentBytesMax + 1, 'x'), 1}, Code::kTooLarge,
       "limit"},
      {"missing delete", Delete{"nope"}, Code::kNotFound, "no such file"},
      {"stale cas", PutIfVersion{"a", "c", 99}, Code::kVersionMismatch, "current version is 1"},
      {"cas create on existing", PutIfVersion{"a", "c", 0}, Code::kVersionMismatch, "expected"},
      {"cas on missing", PutIfVersion{"nope", "c", 3}, Code::kVersionMismatch, "does not exist"},
  };
  for (const Rejection& c : cases) {
    StateMachine machine;
    (void)machine.apply(1, Put{"a", "one"});
    const StateMachine before = machine;
    ApplyResult result = machine.apply(5, c.command);
    EXPECT_EQ(result.code, c.code) << c.name;
    EXPECT_NE(result.reason.find(c.reason_part), std::string::npos)
        << c.name << ": " << result.reason;
    EXPECT_EQ(machine.files(), before.files()) << c.name;
    EXPECT_EQ(machine.applied_index(), 5u) << c.name;
    EXPECT_EQ(check_transition(before, machine), "") << c.name;
  }
}

TEST(StateMachine, VersionMismatchReportsCurrentVersion) {
  StateMachine machine;
  (void)machine.apply(4, Put{"a", "one"});
  ApplyResult result = machine.apply(5, PutIfVersion{"a", "two", 3});
  EXPECT_EQ(result.code, Code::kVersionMismatch);
  EXPECT_EQ(result.version, 4u);
}

TEST(StateMachine, RejectsNewFileBeyondFileLimitButUpdatesExistingOnes) {
  StateMachine machine;
  LogIndex index = 0;
  for (std::size_t i = 0; i < kFilesMax; ++i) {
    ASSERT_EQ(machine.apply(++index, Put{"f" + std::to_string(i), ""}).code, Code::kApplied);
  }
  ApplyResult result = machine.apply(++index, Put{"one-too-many", "x"});
  EXPECT_EQ(result.code, Code::kTooLarge);
  EXPECT_NE(result.reason.find("maximum"), std::string::npos);
  EXPECT_EQ(machine.find("one-too-many"), nullptr);
  EXPECT_EQ(machine.apply(++index, Put{"f0", "updated"}).code, Code::kApplied);
  EXPECT_EQ(machine.files().size(), kFilesMax);
}

TEST(StateMachine, AcceptsContentOfExactlyTheLimit) {
  StateMachine machine;
  EXPECT_EQ(machine.apply(1, Put{"a", std::string(kContentBytesMax, 'x')}).code, Code::kApplied);
}

TEST(StateMachineDeathTest, AssertsOnNonIncreasingIndex) {
  StateMachine machine;
  (void)machine.apply(3, Put{"a", "x"});
  EXPECT_DEATH((void)machine.apply(3, Put{"b", "y"}), "apply index 3 <= applied index 3");
}

// The same commands at the same indexes give the same state on every controller.
TEST(StateMachine, ApplyIsDeterministic) {
  const std::vector<Command> commands = {
      Put{"a", "1"},
      Put{"b/c", "2"},
      PutIfVersion{"a", "3", 11},
      Delete{"b/c"},
      Delete{"b/c"},
      PutIfVersion{"d", "4", 0},
      Put{"../bad", "5"},
      PutIfVersion{"a", "6", 1},
  };
  StateMachine first;
  StateMachine second;
  std::vector<Code> first_codes;
  std::vector<Code> second_codes;
  LogIndex index = 10;
  for (const Command& command : commands) {
    ++index;
    first_codes.push_back(first.apply(index, command).code);
    second_codes.push_back(second.apply(index, command).code);
    EXPECT_EQ(check_state(first), "");
  }
  EXPECT_EQ(first.files(), second.files());
  EXPECT_EQ(first_codes, second_codes);
  EXPECT_EQ(first.find("a")->content, "3");
  EXPECT_EQ(first.find("d")->version, 16u);
  EXPECT_EQ(first.find("b/c"), nullptr);
}

TEST(StateMachine, RestoreReplacesState) {
  StateMachine source;
  (void)source.apply(1, Put{"a", "one"});
  (void)source.apply(2, Put{"b", "two"});
  StateMachine target;
  (void)target.apply(1, Put{"old", "x"});
  ASSERT_TRUE(target.restore(source.applied_index(), source.files()).is_ok());
  EXPECT_EQ(target.files(), source.files());
  EXPECT_EQ(target.applied_index(), 2u);
  EXPECT_EQ(target.find("old"), nullptr);
}

struct BadSnapshot {
  const char* name;
  std::string path;
  FileEntry file;
  const char* reason_part;
};

TEST(StateMachine, RestoreRejectsCorruptSnapshotNamingThePathAndKeepsState) {
  const std::vector<BadSnapshot> cases = {
      {"bad path", "../x", FileEntry{"c", 1, crc32c("c")}, "'../x'"},
      {"bad checksum", "a", FileEntry{"c", 1, crc32c("c") ^ 1}, "checksum mismatch"},
      {"version zero", "a", FileEntry{"c", 0, crc32c("c")}, "version is 0"},
      {"version above applied", "a", FileEntry{"c", 11, crc32c("c")}, "above the applied"},
      {"content too big", "a",
       FileEntry{std::string(kContentBytesMax + 1, 'x'), 1,
                 crc32c(std::string(kContentBytesMax + 1, 'x'))},
       "limit"},
  };
  for (const BadSnapshot& c : cases) {
    StateMachine machine;
    (void)machine.apply(1, Put{"keep", "me"});
    const StateMachine before = machine;
    std::map<std::string, FileEntry> files = {{"fine", FileEntry{"f", 1, crc32c("f")}},
                                              {c.path, c.file}};
    Status status = machine.restore(10, files);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << c.name;
    EXPECT_NE(status.message().find(c.reason_part), std::string::npos)
        << c.name << ": " << status.message();
    EXPECT_NE(status.message().find("'" + c.path + "'"), std::string::npos) << c.name;
    EXPECT_EQ(machine.files(), before.files()) << c.name;
    EXPECT_EQ(machine.applied_index(), 1u) << c.name;
  }
}

// A file used as a directory, or a directory used as a file, cannot both exist in config_dir:
// refused at apply, on every controller alike, with a reason naming the other file.
TEST(StateMachine, RefusesAFileUsedAsADirectoryAndADirectoryUsedAsAFile) {
  const std::vector<Rejection> cases = {
      {"dir then file", Put{"a/b", "x"}, Code::kConflict, "directory of 'a/b/c.cnf'"},
      {"dir then file, cas", PutIfVersion{"a/b", "x", 0}, Code::kConflict, "cannot be a file"},
      {"dir prefix then file", Put{"a", "x"}, Code::kConflict, "directory of 'a/b/c.cnf'"},
      {"file then dir", Put{"z/y/x", "x"}, Code::kConflict, "'z' is a file"},
      {"file then deeper dir", Put{"z/y", "x"}, Code::kConflict, "cannot be a directory"},
      {"reserved temp prefix", Put{"d/.quorum-tmp.cmon.cnf", "x"}, Code::kInvalidPath,
       "reserved prefix"},
      {"reserved temp prefix dir", PutIfVersion{".quorum-tmp.x/y", "x", 0}, Code::kInvalidPath,
       "reserved prefix"},
  };
  for (const Rejection& c : cases) {
    StateMachine machine;
    ASSERT_EQ(machine.apply(1, Put{"a/b/c.cnf", "one"}).code, Code::kApplied);
    ASSERT_EQ(machine.apply(2, Put{"z", "two"}).code, Code::kApplied);
    const StateMachine before = machine;
    ApplyResult result = machine.apply(5, c.command);
    EXPECT_EQ(result.code, c.code) << c.name;
    EXPECT_NE(result.reason.find(c.reason_part), std::string::npos) << c.name << ": " << result.reason;
    EXPECT_EQ(machine.files(), before.files()) << c.name;
    EXPECT_EQ(check_state(machine), "") << c.name;
  }
}

TEST(StateMachine, NeighboursThatShareAPrefixButNoDirectoryAreNoConflict) {
  StateMachine machine;
  LogIndex index = 0;
  for (const char* path : {"a/b", "a/b.cnf", "a/b-x/c", "a/bc/d", "a.b/c", "a/b.d/e", ".quorum-tmp"}) {
    EXPECT_EQ(machine.apply(++index, Put{path, "x"}).code, Code::kApplied) << path;
  }
  // Once the directory is empty again, the path may become a file.
  ASSERT_EQ(machine.apply(++index, Put{"q/r", "x"}).code, Code::kApplied);
  ASSERT_EQ(machine.apply(++index, Delete{"q/r"}).code, Code::kApplied);
  EXPECT_EQ(machine.apply(++index, Put{"q", "x"}).code, Code::kApplied);
  EXPECT_EQ(check_state(machine), "");
}

TEST(StateMachine, RestoreAndCheckStateRefuseAFileThatIsAlsoADirectory) {
  std::map<std::string, FileEntry> files = {{"a", FileEntry{"c", 1, crc32c("c")}},
                                            {"a.x", FileEntry{"c", 1, crc32c("c")}},
                                            {"a/b", FileEntry{"c", 1, crc32c("c")}}};
  StateMachine machine;
  Status status = machine.restore(1, files);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("'a' is a file and also the directory of 'a/b'"), std::string::npos)
      << status.message();
  EXPECT_TRUE(machine.files().empty());
  EXPECT_NE(conflicting_paths_reason(files), "");
  files.erase("a/b");
  EXPECT_EQ(conflicting_paths_reason(files), "");
}

TEST(StateMachine, RestoreRejectsTooManyFiles) {
  std::map<std::string, FileEntry> files;
  for (std::size_t i = 0; i <= kFilesMax; ++i) {
    files["f" + std::to_string(i)] = FileEntry{"", 1, crc32c("")};
  }
  StateMachine machine;
  EXPECT_EQ(machine.restore(1, files).code(), StatusCode::kCorruption);
  EXPECT_TRUE(machine.files().empty());
}

}  // namespace
}  // namespace quorum::config_sync
