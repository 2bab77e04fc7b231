#include "bench/webhook/latency_histogram.h"

#include <gtest/gtest.h>

namespace autobuild::bench {
namespace {

LatencyHistogram histogram(std::initializer_list<std::pair<std::uint64_t, std::uint64_t>> latencies) {
  LatencyHistogram h;
  for (const auto& [microseconds, requests] : latencies)
    for (std::uint64_t i = 0; i < requests; ++i) h.record(microseconds);
  return h;
}

TEST(LatencyHistogramTest, PercentilesRankAsWrkDoes) {
  LatencyHistogram h;
  for (std::uint64_t us = 1; us <= 100; ++us) h.record(us);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.percentile(50), 51u);  // rank round(50 + 0.5)
  EXPECT_EQ(h.percentile(99), 100u);
  EXPECT_EQ(h.percentile(100), 100u);
}

TEST(LatencyHistogramTest, EmptyHistogramAnswersZero) {
  EXPECT_EQ(LatencyHistogram().percentile(99), 0u);
}

TEST(LatencyHistogramTest, WrkCorrectionMakesFivePausesInAThousandItsP99) {
  // 995 answers in 100 µs, 5 paused to 3 ms; 114 µs apart on average.
  const auto measured = histogram({{100, 995}, {3000, 5}});
  EXPECT_EQ(measured.percentile(99), 100u);

  const auto as_wrk = measured.withWrkCorrection(114);
  // Each pause adds 25 requests: 2886, 2772, ... down to 150 µs.
  EXPECT_EQ(as_wrk.count(), 1000u + 5 * 25);
  EXPECT_EQ(as_wrk.percentile(99), 2772u);
  EXPECT_EQ(as_wrk.percentile(50), 100u);
}

TEST(LatencyHistogramTest, WrkCorrectionLeavesAnswersUnderTwoIntervalsAlone) {
  const auto measured = histogram({{100, 10}, {227, 1}});
  const auto as_wrk = measured.withWrkCorrection(114);
  EXPECT_EQ(as_wrk.count(), 11u);
  EXPECT_EQ(as_wrk.percentile(99), 227u);
}

TEST(LatencyHistogramTest, WrkCorrectionAddsDownToOneIntervalExclusive) {
  // 228 µs is two intervals: it adds 114, which is not above one interval, so nothing.
  EXPECT_EQ(histogram({{228, 1}}).withWrkCorrection(114).count(), 1u);
  // 229 adds 115 only.
  const auto as_wrk = histogram({{229, 1}}).withWrkCorrection(114);
  EXPECT_EQ(as_wrk.count(), 2u);
  EXPECT_EQ(as_wrk.percentile(1), 115u);
}

TEST(LatencyHistogramTest, NoIntervalNoCorrection) {
  EXPECT_EQ(histogram({{100, 3}, {5000, 1}}).withWrkCorrection(0).count(), 4u);
}

}  // namespace
}  // namespace autobuild::bench
