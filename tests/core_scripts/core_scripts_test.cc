// Runs every tests/core_scripts/**/*.txt as one test (STYLE.md 6.7). Each script opens with a `#`
// paragraph (goal and method) and alternates commands and expected transcripts; see
// tests/support/script_runner.h for the commands. QUORUM_REWRITE=1 rewrites the expected blocks
// with the actual output: review that diff like code.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/script_format.h"
#include "tests/support/script_runner.h"

namespace quorum::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> script_files() {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(QUORUM_CORE_SCRIPTS_DIR)) {
    if (entry.is_regular_file() && entry.path().extension() == ".txt" &&
        entry.path().filename() != "CMakeLists.txt") {
      files.push_back(fs::relative(entry.path(), QUORUM_CORE_SCRIPTS_DIR).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string test_name(const std::string& file) {
  std::string name;
  for (char c : file.substr(0, file.size() - 4)) {
    name += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
  }
  return name;
}

class CoreScript : public ::testing::TestWithParam<std::string> {};

TEST_P(CoreScript, TranscriptMatches) {
  const fs::path path = fs::path(QUORUM_CORE_SCRIPTS_DIR) / GetParam();
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  Script script;
  std::string error;
  ASSERT_TRUE(parse_script(text.str(), &script, &error)) << path << ": " << error;
  ASSERT_FALSE(script.blocks.empty()) << path << ": no command";
  ASSERT_EQ(script.blocks.front().preamble.rfind('#', 0), 0u)
      << path << ": a script opens with a # paragraph stating its goal and method";
  const std::vector<std::string> outputs = run_script(script);
  const char* rewrite = std::getenv("QUORUM_REWRITE");
  if (rewrite != nullptr && std::string(rewrite) == "1") {
    std::ofstream(path) << render_script(script, outputs);
    return;
  }
  for (std::size_t i = 0; i < script.blocks.size(); ++i) {
    EXPECT_EQ(script.blocks[i].expected, outputs[i])
        << path.string() << ":" << script.blocks[i].line << ": " << script.blocks[i].command;
  }
  for (const std::string& output : outputs) {
    EXPECT_EQ(output.find("VIOLATION"), std::string::npos) << path << ": " << output;
  }
}

INSTANTIATE_TEST_SUITE_P(Scripts, CoreScript, ::testing::ValuesIn(script_files()),
                         [](const auto& param_info) { return test_name(param_info.param); });

}  // namespace
}  // namespace quorum::testing
