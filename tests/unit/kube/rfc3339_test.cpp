#include "kube/rfc3339.h"

#include <gtest/gtest.h>

namespace autobuild::kube {
namespace {

using std::chrono::system_clock;

// 2026-11-23T10:00:00Z
const system_clock::time_point kT0 = system_clock::from_time_t(1795428000);

TEST(Rfc3339, TimeIsUtcWithSecondsAndMicroTimeWithMicroseconds) {
  EXPECT_EQ(formatRfc3339(kT0), "2026-11-23T10:00:00Z");
  EXPECT_EQ(formatRfc3339(kT0 + std::chrono::milliseconds(999)), "2026-11-23T10:00:00Z");
  EXPECT_EQ(formatMicroTime(kT0 + std::chrono::microseconds(1234)), "2026-11-23T10:00:00.001234Z");
}

TEST(Rfc3339, ParsesWhatTheApiServerWrites) {
  EXPECT_EQ(parseRfc3339("2026-11-23T10:00:00Z"), kT0);
  EXPECT_EQ(parseRfc3339("2026-11-23T10:00:00.001234Z"), kT0 + std::chrono::microseconds(1234));
  EXPECT_EQ(parseRfc3339("2026-11-23T11:30:00+01:30"), kT0);
}

TEST(Rfc3339, RejectsWhatIsNotATimestamp) {
  EXPECT_EQ(parseRfc3339(""), std::nullopt);
  EXPECT_EQ(parseRfc3339("2026-11-23"), std::nullopt);
  EXPECT_EQ(parseRfc3339("2026-11-23T10:00:00"), std::nullopt) << "no zone";
  EXPECT_EQ(parseRfc3339("2026-11-23T10:00:00.Z"), std::nullopt);
  EXPECT_EQ(parseRfc3339("2026-11-23T10:00:00Zjunk"), std::nullopt);
}

}  // namespace
}  // namespace autobuild::kube
