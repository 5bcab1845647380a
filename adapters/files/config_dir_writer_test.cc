// Tests of the config directory writer on a real temporary directory.
#include "adapters/files/config_dir_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/base/crc32c.h"

namespace quorum::adapters::files {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "quorum-files-XXXXXX").string();
    path_ = ::mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(std::string_view name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

using Files = std::map<std::string, config_sync::FileEntry>;

config_sync::FileEntry file(std::string content, LogIndex version) {
  const std::uint32_t checksum = crc32c(content);
  return config_sync::FileEntry{std::move(content), version, checksum};
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

std::unique_ptr<ConfigDirWriter> open_writer(const TempDir& tmp) {
  Result<std::unique_ptr<ConfigDirWriter>> writer =
      ConfigDirWriter::open({tmp / "config", tmp / "manifest", 0640});
  EXPECT_TRUE(writer.has_value()) << writer.error().to_string();
  return std::move(writer).value();
}

TEST(ConfigDirWriter, WritesEveryFileWithItsContentAndMode) {
  TempDir tmp;
  std::unique_ptr<ConfigDirWriter> w = open_writer(tmp);
  Files files{{"cmon.cnf", file("a=1\n", 3)}, {"clusters/c1.cnf", file("b=2\n", 4)}};
  SyncReport report = w->sync(files).value();
  EXPECT_EQ(report.files_written, 2u);
  EXPECT_TRUE(report.drift.empty());
  EXPECT_EQ(read(tmp / "config/cmon.cnf"), "a=1\n");
  EXPECT_EQ(read(tmp / "config/clusters/c1.cnf"), "b=2\n");
  struct stat st {};
  ASSERT_EQ(::stat((tmp / "config/cmon.cnf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  // Nothing left behind but the files themselves.
  EXPECT_FALSE(fs::exists(tmp / "config/.quorum-tmp.cmon.cnf"));
}

TEST(ConfigDirWriter, ReplacesAtomicallyAndCleansLeftoverTempFiles) {
  TempDir tmp;
  std::unique_ptr<ConfigDirWriter> w = open_writer(tmp);
  ASSERT_TRUE(w->sync({{"cmon.cnf", file("old\n", 3)}}).has_value());
  // A crash between create and rename leaves a temp file: the next sync removes it silently.
  write(tmp / "config/.quorum-tmp.cmon.cnf", "half-writ");
  SyncReport report = w->sync({{"cmon.cnf", file("new\n", 5)}}).value();
  EXPECT_TRUE(report.drift.empty());
  EXPECT_EQ(report.files_written, 1u);
  EXPECT_EQ(read(tmp / "config/cmon.cnf"), "new\n");
  EXPECT_FALSE(fs::exists(tmp / "config/.quorum-tmp.cmon.cnf"));
}

TEST(ConfigDirWriter, DeletesFilesRemovedFromTheMapWithoutReportingDrift) {
  TempDir tmp;
  std::unique_ptr<ConfigDirWriter> w = open_writer(tmp);
  ASSERT_TRUE(w->sync({{"a.cnf", file("a", 1)}, {"b.cnf", file("b", 2)}}).has_value());
  SyncReport report = w->sync({{"a.cnf", file("a", 1)}}).value();
  EXPECT_EQ(report.files_deleted, 1u);
  EXPECT_TRUE(report.drift.empty());
  EXPECT_FALSE(fs::exists(tmp / "config/b.cnf"));
}

TEST(ConfigDirWriter, DetectsAndRestoresDrift) {
  TempDir tmp;
  std::unique_ptr<ConfigDirWriter> w = open_writer(tmp);
  Files files{{"edited.cnf", file("replicated\n", 7)}, {"gone.cnf", file("g\n", 8)}};
  ASSERT_TRUE(w->sync(files).has_value());
  write(tmp / "config/edited.cnf", "edited by hand\n");
  fs::remove(tmp / "config/gone.cnf");
  write(tmp / "config/stray.cnf", "nobody replicated me\n");

  SyncReport report = w->sync(files).value();
  EXPECT_EQ(report.drift, (std::vector<Drift>{{Drift::Kind::kModified, "edited.cnf", 7},
                                              {Drift::Kind::kMissing, "gone.cnf", 8}}));
  EXPECT_EQ(report.drift[0].to_string(),
            "edited.cnf: modified locally; replicated version 7 restored");
  EXPECT_EQ(read(tmp / "config/edited.cnf"), "replicated\n");
  EXPECT_EQ(read(tmp / "config/gone.cnf"), "g\n");
  // A file nobody replicated is the operator's: kept and listed, never deleted by default.
  EXPECT_EQ(report.unmanaged, (std::vector<std::string>{"stray.cnf"}));
  EXPECT_EQ(read(tmp / "config/stray.cnf"), "nobody replicated me\n");
  EXPECT_TRUE(report.errors.empty());
  report = w->sync(files).value();
  EXPECT_TRUE(report.drift.empty());  // restored: nothing left to report
  EXPECT_EQ(report.unmanaged, (std::vector<std::string>{"stray.cnf"}));
}

TEST(ConfigDirWriter, UnmanagedFilesAreDeletedOnlyWithTheExplicitOption) {
  TempDir tmp;
  fs::create_directories(tmp / "config/sub");
  write(tmp / "config/operator.cnf", "mine\n");
  write(tmp / "config/sub/deep.cnf", "also mine\n");
  {
    std::unique_ptr<ConfigDirWriter> keep = open_writer(tmp);
    SyncReport report = keep->sync({{"a.cnf", file("a", 1)}}).value();
    EXPECT_EQ(report.unmanaged, (std::vector<std::string>{"operator.cnf", "sub/deep.cnf"}));
    EXPECT_EQ(report.files_deleted, 0u);
    EXPECT_TRUE(fs::exists(tmp / "config/operator.cnf"));
    EXPECT_TRUE(fs::exists(tmp / "config/sub/deep.cnf"));
  }
  ConfigDirOptions options{tmp / "config", tmp / "manifest", 0640};
  options.delete_unmanaged = true;
  std::unique_ptr<ConfigDirWriter> purge = ConfigDirWriter::open(options).value();
  SyncReport report = purge->sync({{"a.cnf", file("a", 1)}}).value();
  EXPECT_TRUE(report.unmanaged.empty());
  EXPECT_EQ(report.drift, (std::vector<Drift>{{Drift::Kind::kExtra, "operator.cnf", 0},
                                              {Drift::Kind::kExtra, "sub/deep.cnf", 0}}));
  EXPECT_EQ(report.files_deleted, 2u);
  EXPECT_FALSE(fs::exists(tmp / "config/operator.cnf"));
  EXPECT_TRUE(fs::exists(tmp / "config/a.cnf"));
}

// The defect of issue 9 item 1: one path that cannot be written stopped every other file.
TEST(ConfigDirWriter, OnePathThatCannotBeWrittenFailsAloneAndTheOthersStillLand) {
  TempDir tmp;
  std::unique_ptr<ConfigDirWriter> w = open_writer(tmp);
  fs::create_directories(tmp / "config/a/b");  // a directory stands where the file a/b goes
  write(tmp / "config/a/b/keep", "x");
  write(tmp / "config/f", "operator file");  // a file stands where the directory f/ goes
  Files files{{"a/b", file("dir-as-file", 1)},
              {"f/g.cnf", file("file-as-dir", 2)},
              {"ok1.cnf", file("one", 3)},
              {"z/ok2.cnf", file("two", 4)}};
  Result<SyncReport> r = w->sync(files);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].path, "a/b");
  EXPECT_NE(r->errors[0].message.find("Is a directory"), std::string::npos) << r->errors[0].message;
  EXPECT_EQ(r->errors[1].path, "f/g.cnf");
  EXPECT_NE(r->errors[1].message.find("not a directory"), std::string::npos) << r->errors[1].message;
  EXPECT_EQ(read(tmp / "config/ok1.cnf"), "one");
  EXPECT_EQ(read(tmp / "config/z/ok2.cnf"), "two");
  EXPECT_EQ(read(tmp / "config/f"), "operator file");
  // Once the obstacles are gone, the failed paths land on the next sync.
  fs::remove_all(tmp / "config/a/b");
  fs::remove(tmp / "config/f");
  r = w->sync(files);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->errors.empty());
  EXPECT_EQ(read(tmp / "config/a/b"), "dir-as-file");
  EXPECT_EQ(read(tmp / "config/f/g.cnf"), "file-as-dir");
}

TEST(ConfigDirWriter, RefusesThePathsOfItsOwnTemporaryFiles) {
  TempDir tmp;
  std::unique_ptr<ConfigDirWriter> w = open_writer(tmp);
  SyncReport report = w->sync({{".quorum-tmp.x", file("x", 1)}, {"ok", file("y", 2)}}).value();
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].message.find("temporary prefix"), std::string::npos);
  EXPECT_EQ(read(tmp / "config/ok"), "y");
  EXPECT_FALSE(fs::exists(tmp / "config/.quorum-tmp.x"));
}

TEST(ConfigDirWriter, ManifestTellsCatchUpFromDriftAfterARestart) {
  TempDir tmp;
  ASSERT_TRUE(open_writer(tmp)->sync({{"a.cnf", file("v1", 1)}, {"b.cnf", file("b", 2)}}));
  write(tmp / "config/b.cnf", "hand edit while the daemon was down");
  // While this node was down, a.cnf changed to version 9 in the replicated map.
  std::unique_ptr<ConfigDirWriter> w = open_writer(tmp);
  EXPECT_TRUE(w->manifest_warning().empty());
  SyncReport report = w->sync({{"a.cnf", file("v9", 9)}, {"b.cnf", file("b", 2)}}).value();
  EXPECT_EQ(report.drift, (std::vector<Drift>{{Drift::Kind::kModified, "b.cnf", 2}}));
  EXPECT_EQ(report.files_written, 2u);
  EXPECT_EQ(read(tmp / "config/a.cnf"), "v9");
}

TEST(ConfigDirWriter, DamagedManifestIsIgnoredWithAWarning) {
  TempDir tmp;
  ASSERT_TRUE(open_writer(tmp)->sync({{"a.cnf", file("v1", 1)}}));
  std::string manifest = read(tmp / "manifest");
  manifest[manifest.size() / 2] ^= 1;
  write(tmp / "manifest", manifest);
  std::unique_ptr<ConfigDirWriter> w = open_writer(tmp);
  EXPECT_NE(w->manifest_warning().find("damaged manifest"), std::string::npos);
}

TEST(ConfigDirWriter, RefusesAHostilePath) {
  TempDir tmp;
  std::unique_ptr<ConfigDirWriter> w = open_writer(tmp);
  for (std::string path : {"../escape.cnf", "/etc/passwd", "a/../../b", ""}) {
    Result<SyncReport> r = w->sync({{path, file("x", 1)}});
    ASSERT_TRUE(r.has_value()) << path;
    ASSERT_EQ(r->errors.size(), 1u) << path;
    EXPECT_EQ(r->errors[0].path, path);
    EXPECT_NE(r->errors[0].message.find("refusing path"), std::string::npos) << path;
  }
  EXPECT_FALSE(fs::exists(tmp / "escape.cnf"));
}

TEST(ConfigDirWriter, NeverWritesThroughASymlinkedDirectory) {
  TempDir tmp;
  std::unique_ptr<ConfigDirWriter> w = open_writer(tmp);
  fs::create_directory(tmp / "outside");
  fs::create_directory_symlink(tmp / "outside", tmp / "config/sub");
  Result<SyncReport> r = w->sync({{"sub/x.cnf", file("x", 1)}});
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].message.find("not a directory"), std::string::npos) << r->errors[0].message;
  EXPECT_FALSE(fs::exists(tmp / "outside/x.cnf"));
}

TEST(ConfigDirWriter, ReplacesASymlinkedFileInsteadOfWritingThroughIt) {
  TempDir tmp;
  std::unique_ptr<ConfigDirWriter> w = open_writer(tmp);
  write(tmp / "target", "precious");
  fs::create_symlink(tmp / "target", tmp / "config/a.cnf");
  SyncReport report = w->sync({{"a.cnf", file("x", 1)}}).value();
  EXPECT_EQ(report.drift.size(), 1u);
  EXPECT_EQ(read(tmp / "target"), "precious");
  EXPECT_FALSE(fs::is_symlink(tmp / "config/a.cnf"));
  EXPECT_EQ(read(tmp / "config/a.cnf"), "x");
}

TEST(ConfigDirWriter, UnwritableDirectoryGivesAClearStatus) {
  TempDir tmp;
  write(tmp / "not-a-dir", "file");
  // A config_dir below a regular file cannot be created (root bypasses permission bits, so the
  // test uses ENOTDIR rather than chmod).
  Result<std::unique_ptr<ConfigDirWriter>> w =
      ConfigDirWriter::open({tmp / "not-a-dir/config", "", 0640});
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().code(), StatusCode::kIoError);
  EXPECT_EQ(w.error().message(),
            fmt::format("config_dir {}: mkdir: Not a directory", tmp / "not-a-dir/config"));
  // A directory standing where a file must go: the write fails and names the file.
  std::unique_ptr<ConfigDirWriter> ok = open_writer(tmp);
  fs::create_directory(tmp / "config/a.cnf");
  fs::create_directory(tmp / "config/a.cnf/inner");
  write(tmp / "config/a.cnf/inner/f", "x");
  Result<SyncReport> r = ok->sync({{"a.cnf", file("x", 1)}});
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].message.find("a.cnf"), std::string::npos) << r->errors[0].message;
}

TEST(ConfigDirWriter, ManifestInsideConfigDirIsRefused) {
  TempDir tmp;
  Result<std::unique_ptr<ConfigDirWriter>> w =
      ConfigDirWriter::open({tmp / "config", tmp / "config/manifest", 0640});
  ASSERT_FALSE(w.has_value());
  EXPECT_NE(w.error().message().find("must lie outside"), std::string::npos);
}

}  // namespace
}  // namespace quorum::adapters::files
