// A spdlog sink that gathers formatted lines in memory and writes them to a file descriptor in one
// write(2) when the buffer is full or on flush(). An unbuffered line per request costs a system call
// per request; the owner decides when lines must reach the descriptor (spdlog's flush_on and
// flush_every), as klog does with its periodic flush.
#pragma once

#include <cstddef>
#include <mutex>

#include <spdlog/sinks/base_sink.h>

namespace autobuild::kube {

class BufferedFdSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // Writes once `limit` bytes are waiting. Does not own `fd`.
  BufferedFdSink(int fd, std::size_t limit);
  // Writes what is left.
  ~BufferedFdSink() override;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  void writeBuffered();  // mutex_ held

  const int fd_;
  const std::size_t limit_;
  spdlog::memory_buf_t buffer_;
};

}  // namespace autobuild::kube
