#include "kube/logging.h"

#include <chrono>
#include <ctime>
#include <memory>
#include <stdexcept>

#include <unistd.h>

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "kube/buffered_fd_sink.h"

namespace autobuild::kube {
namespace {

// Lines at info and below reach stderr within this interval (klog flushes every 5 s); warnings and
// errors at once, with everything before them.
constexpr auto kFlushInterval = std::chrono::seconds(1);
constexpr std::size_t kBufferBytes = 64 * 1024;

// {"time":"2026-11-23T10:00:00.123Z","level":"info","msg":"..."}; nlohmann escapes the message and
// replaces invalid UTF-8, so a hostile string in a message cannot break the line.
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto since_epoch = msg.time.time_since_epoch();
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs).count();
    std::time_t t = secs.count();
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
    nlohmann::json line = {{"time", stamp},
                           {"level", spdlog::level::to_string_view(msg.level).data()},
                           {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

void setupLogging(const std::string& level, const std::string& format) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    throw std::invalid_argument("--log-level: unknown level \"" + level +
                                "\" (trace, debug, info, warn, error)");
  }
  auto logger = std::make_shared<spdlog::logger>(
      "autobuild", std::make_shared<BufferedFdSink>(STDERR_FILENO, kBufferBytes));
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else if (format == "text") {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  } else {
    throw std::invalid_argument("--log-format: unknown format \"" + format + "\" (text, json)");
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  spdlog::flush_every(kFlushInterval);
}

}  // namespace autobuild::kube
