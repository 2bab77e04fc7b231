#include "bench/webhook/latency_histogram.h"

#include <cmath>

namespace autobuild::bench {

void LatencyHistogram::record(std::uint64_t microseconds) {
  ++counts_[microseconds];
  ++count_;
}

std::uint64_t LatencyHistogram::percentile(double percent) const {
  const auto rank =
      static_cast<std::uint64_t>(std::llround(percent / 100.0 * static_cast<double>(count_) + 0.5));
  std::uint64_t seen = 0;
  for (const auto& [latency, requests] : counts_) {
    seen += requests;
    if (seen >= rank) return latency;
  }
  return counts_.empty() ? 0 : counts_.rbegin()->first;
}

LatencyHistogram LatencyHistogram::withWrkCorrection(std::uint64_t interval) const {
  LatencyHistogram corrected = *this;
  if (interval == 0) return corrected;
  // Only recorded latencies add requests (wrk's additions land below the latency being visited).
  for (auto it = counts_.lower_bound(2 * interval); it != counts_.end(); ++it) {
    const auto [latency, requests] = *it;
    for (std::uint64_t added = latency - interval; added > interval; added -= interval) {
      corrected.counts_[added] += requests;
      corrected.count_ += requests;
    }
  }
  return corrected;
}

}  // namespace autobuild::bench
