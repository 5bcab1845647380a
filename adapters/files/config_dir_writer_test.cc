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
                                              {Drift::Kind::kMissing, "gone.cnf", 8},
                                              {Drift::Kind::kExtra, "stray.cnf", 0}}));
  EXPECT_EQ(report.drift[0].to_string(),
            "edited.cnf: modified locally; replicated version 7 restored");
  EXPECT_EQ(read(tmp / "config/edited.cnf"), "replicated\n");
  EXPECT_EQ(read(tmp / "config/gone.cnf"), "g\n");
  EXPECT_FALSE(fs::exists(tmp / "config/stray.cnf"));
  EXPECT_TRUE(w->sync(files).value().drift.empty());  // restored: nothing left to report
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
    ASSERT_FALSE(r.has_value()) << path;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << path;
    EXPECT_NE(r.error().message().find("refusing path"), std::string::npos) << path;
  }
  EXPECT_FALSE(fs::exists(tmp / "escape.cnf"));
}

TEST(ConfigDirWriter, NeverWritesThroughASymlinkedDirectory) {
  TempDir tmp;
  std::unique_ptr<ConfigDirWriter> w = open_writer(tmp);
  fs::create_directory(tmp / "outside");
  fs::create_directory_symlink(tmp / "outside", tmp / "config/sub");
  Result<SyncReport> r = w->sync({{"sub/x.cnf", file("x", 1)}});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("not a directory"), std::string::npos) << r.error().message();
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
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("a.cnf"), std::string::npos) << r.error().message();
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
