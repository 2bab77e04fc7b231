// Runs a function over the indices 0..count-1 on a fixed number of threads: how the benchmark creates
// and writes thousands of objects as fast as the API server takes them.
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace autobuild::bench {

// Calls fn(i) once for every i, on `threads` threads taking the next index as they finish one. The
// first exception thrown stops the handing out of indices and is rethrown here once every thread ended.
template <typename Fn>
void parallelFor(std::size_t count, int threads, Fn fn) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < count && !failed; i = next++) {
        try {
          fn(i);
        } catch (...) {
          std::lock_guard lock(error_mutex);
          if (!first_error) first_error = std::current_exception();
          failed = true;
        }
      }
    });
  }
  for (auto& thread : pool) thread.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace autobuild::bench
