#include "kube/buffered_fd_sink.h"

#include <unistd.h>

#include <cerrno>

namespace autobuild::kube {

BufferedFdSink::BufferedFdSink(int fd, std::size_t limit) : fd_(fd), limit_(limit) {
  buffer_.reserve(limit);
}

BufferedFdSink::~BufferedFdSink() {
  std::lock_guard lock(mutex_);
  writeBuffered();
}

void BufferedFdSink::sink_it_(const spdlog::details::log_msg& msg) {
  formatter_->format(msg, buffer_);
  if (buffer_.size() >= limit_) writeBuffered();
}

void BufferedFdSink::flush_() {
  writeBuffered();
}

void BufferedFdSink::writeBuffered() {
  const char* data = buffer_.data();
  std::size_t left = buffer_.size();
  while (left > 0) {
    const ssize_t written = ::write(fd_, data, left);
    if (written < 0 && errno == EINTR) continue;
    // A log that cannot be written has nowhere to report it: what is left is dropped, as a console
    // sink drops what fwrite refuses.
    if (written <= 0) break;
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  buffer_.clear();
}

}  // namespace autobuild::kube
