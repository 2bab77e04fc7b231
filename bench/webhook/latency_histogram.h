// Round-trip times of requests sent one after another, and what wrk prints for the same requests.
//
// wrk (4.x, src/stats.c `stats_correct`) corrects its latency histogram for coordinated omission before
// printing it: for every request that took at least twice the mean interval between requests on a
// connection, it adds the requests it assumes a steady sender would have had waiting behind it, one per
// interval, with latencies falling by an interval each. At one connection the interval is the server's
// own mean round trip, so a faster server has more of its requests counted late and more added for each
// pause of the machine: pauses in fewer than one request of a thousand can make up its p99.
#pragma once

#include <cstdint>
#include <map>

namespace autobuild::bench {

class LatencyHistogram {
 public:
  void record(std::uint64_t microseconds);
  std::uint64_t count() const { return count_; }

  // The latency at or below which `percent` of the requests fall, ranked as wrk ranks them; 0 when empty.
  std::uint64_t percentile(double percent) const;

  // The histogram wrk would print for these requests, `interval` microseconds apart on average on one
  // connection.
  LatencyHistogram withWrkCorrection(std::uint64_t interval) const;

 private:
  std::map<std::uint64_t, std::uint64_t> counts_;  // microseconds -> requests
  std::uint64_t count_ = 0;
};

}  // namespace autobuild::bench
