// Log lines: buffered, written in order, at once from a warning on, and the formats they take.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "kube/buffered_fd_sink.h"
#include "kube/logging.h"
#include "temp_dir.h"

namespace autobuild::kube {
namespace {

using ::testing::HasSubstr;

// A pipe whose read end never blocks: reading tells what has been written so far.
class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
  }
  ~Pipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int writeEnd() const { return fds_[1]; }
  std::string drain() const {
    std::string out;
    char chunk[4096];
    ssize_t n;
    while ((n = ::read(fds_[0], chunk, sizeof chunk)) > 0) out.append(chunk, static_cast<std::size_t>(n));
    return out;
  }

 private:
  int fds_[2];
};

spdlog::logger loggerOn(std::shared_ptr<BufferedFdSink> sink) {
  spdlog::logger logger("test", std::move(sink));
  logger.set_pattern("%l %v");
  return logger;
}

TEST(BufferedFdSink, HoldsLinesUntilFlushAndWritesThemInOrder) {
  Pipe pipe;
  auto logger = loggerOn(std::make_shared<BufferedFdSink>(pipe.writeEnd(), 4096));
  logger.info("first");
  logger.info("second");
  EXPECT_EQ(pipe.drain(), "");
  logger.flush();
  EXPECT_EQ(pipe.drain(), "info first\ninfo second\n");
}

TEST(BufferedFdSink, WritesWithoutFlushOnceTheBufferIsFull) {
  Pipe pipe;
  auto logger = loggerOn(std::make_shared<BufferedFdSink>(pipe.writeEnd(), 32));
  logger.info("0123456789");
  EXPECT_EQ(pipe.drain(), "");
  logger.info("abcdefghij");
  logger.info("tail");
  EXPECT_EQ(pipe.drain(), "info 0123456789\ninfo abcdefghij\n");
}

TEST(BufferedFdSink, WritesWhatIsLeftWhenDestroyed) {
  Pipe pipe;
  {
    auto logger = loggerOn(std::make_shared<BufferedFdSink>(pipe.writeEnd(), 4096));
    logger.info("last words");
  }
  EXPECT_EQ(pipe.drain(), "info last words\n");
}

TEST(BufferedFdSink, DropsWhatTheDescriptorRefusesAndGoesOn) {
  auto logger = loggerOn(std::make_shared<BufferedFdSink>(-1, 4096));
  logger.info("nowhere to go");
  EXPECT_NO_THROW(logger.flush());
  logger.info("still nowhere");
  EXPECT_NO_THROW(logger.flush());
}

// Points stderr at a file for the test's length.
class StderrCapture {
 public:
  StderrCapture() : path_(dir_.path() + "/stderr") {
    saved_ = ::dup(STDERR_FILENO);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  ~StderrCapture() {
    spdlog::default_logger()->flush();
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
  }
  std::string text() const {
    std::ifstream in(path_);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

 private:
  testing::TempDir dir_;
  std::string path_;
  int saved_ = -1;
};

TEST(Logging, InfoLinesReachStderrWithinASecondAndAWarningAtOnceAfterThem) {
  StderrCapture stderr_file;
  setupLogging("info", "text");
  spdlog::debug("not at this level");
  spdlog::info("delivery answered");
  spdlog::warn("API server slow");
  EXPECT_THAT(stderr_file.text(), HasSubstr(" info delivery answered\n"));
  EXPECT_THAT(stderr_file.text(), HasSubstr(" warning API server slow\n"));
  EXPECT_LT(stderr_file.text().find("delivery answered"), stderr_file.text().find("API server slow"));

  spdlog::info("no warning after this one");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (stderr_file.text().find("no warning after") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_THAT(stderr_file.text(), HasSubstr(" info no warning after this one\n"));
  EXPECT_THAT(stderr_file.text(), ::testing::Not(HasSubstr("not at this level")));
}

TEST(Logging, JsonLinesEscapeWhatTheMessageCarries) {
  StderrCapture stderr_file;
  setupLogging("info", "json");
  spdlog::warn("commit \"x\"\nforged line \xff");
  const std::string text = stderr_file.text();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  const auto line = nlohmann::json::parse(text);
  EXPECT_EQ(line["level"], "warning");
  EXPECT_EQ(line["msg"], "commit \"x\"\nforged line \xEF\xBF\xBD");
  EXPECT_THAT(line["time"].get<std::string>(), ::testing::MatchesRegex("[0-9-]+T[0-9:.]+Z"));
}

TEST(Logging, RefusesAnUnknownLevelOrFormatNamingIt) {
  try {
    setupLogging("verbose", "text");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("--log-level: unknown level \"verbose\""));
  }
  try {
    setupLogging("info", "xml");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("--log-format: unknown format \"xml\""));
  }
}

}  // namespace
}  // namespace autobuild::kube
