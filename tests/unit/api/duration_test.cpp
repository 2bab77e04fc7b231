#include "api/duration.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace autobuild::api {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

struct Valid {
  const char* text;
  nanoseconds expected;
};

// The accepted forms and values of Go's time.ParseDuration (its own test table).
TEST(ParseDuration, ReadsWhatGoReads) {
  const Valid cases[] = {
      {"0", nanoseconds(0)},
      {"5s", seconds(5)},
      {"30s", seconds(30)},
      {"1478s", seconds(1478)},
      {"-5s", seconds(-5)},
      {"+5s", seconds(5)},
      {"-0", nanoseconds(0)},
      {"+0", nanoseconds(0)},
      {"5.0s", seconds(5)},
      {"5.6s", seconds(5) + milliseconds(600)},
      {"5.s", seconds(5)},
      {".5s", milliseconds(500)},
      {"1.004s", seconds(1) + milliseconds(4)},
      {"100.00100s", seconds(100) + milliseconds(1)},
      {"10ns", nanoseconds(10)},
      {"11us", microseconds(11)},
      {"12\u00b5s", microseconds(12)},
      {"12\u03bcs", microseconds(12)},
      {"13ms", milliseconds(13)},
      {"15m", minutes(15)},
      {"16h", hours(16)},
      {"30m", minutes(30)},
      {"1h30m", hours(1) + minutes(30)},
      {"3h30m", hours(3) + minutes(30)},
      {"1.5h", hours(1) + minutes(30)},
      {"10.5s4m", minutes(4) + seconds(10) + milliseconds(500)},
      {"-2m3.4s", -(minutes(2) + seconds(3) + milliseconds(400))},
      {"1h2m3s4ms5us6ns",
       hours(1) + minutes(2) + seconds(3) + milliseconds(4) + microseconds(5) + nanoseconds(6)},
      {"39h9m14.425s", hours(39) + minutes(9) + seconds(14) + milliseconds(425)},
      {"52763797000ns", nanoseconds(52763797000)},
      {"0.3333333333333333333h", minutes(20)},
      {"9007199254740993ns", nanoseconds((std::int64_t{1} << 53) + 1)},
      {"9223372036854775807ns", nanoseconds(std::numeric_limits<std::int64_t>::max())},
      {"9223372036854775.807us", nanoseconds(std::numeric_limits<std::int64_t>::max())},
      {"9223372036s854ms775us807ns", nanoseconds(std::numeric_limits<std::int64_t>::max())},
      {"-9223372036854775808ns", nanoseconds(std::numeric_limits<std::int64_t>::min())},
      {"-9223372036854775.808us", nanoseconds(std::numeric_limits<std::int64_t>::min())},
      {"-9223372036s854ms775us808ns", nanoseconds(std::numeric_limits<std::int64_t>::min())},
      {"-2562047h47m16.854775808s", nanoseconds(std::numeric_limits<std::int64_t>::min())},
      {"0.100000000000000000000h", minutes(6)},
      {"0.830103483285477580700h", minutes(49) + seconds(48) + nanoseconds(372539827)},
  };
  for (const Valid& c : cases) {
    const std::optional<nanoseconds> parsed = parseDuration(c.text);
    ASSERT_TRUE(parsed.has_value()) << c.text;
    EXPECT_EQ(parsed->count(), c.expected.count()) << c.text;
  }
}

TEST(ParseDuration, RejectsWhatGoRejects) {
  for (const char* text : {"",
                           "3",
                           "-",
                           "s",
                           ".",
                           "-.",
                           ".s",
                           "+.s",
                           "1d",
                           "1h30",
                           "30 m",
                           "1h 30m",
                           "m30",
                           "\x85\x85",
                           "\xff\xff",
                           "hello \xff\xff world",
                           "9223372036854775808ns",
                           "9223372036854775.808us",
                           "9223372036854ms775us808ns",
                           "9223372036s854ms775us808ns",
                           "-9223372036854775809ns",
                           "100000000000000000000h",
                           "3000000h"}) {
    EXPECT_EQ(parseDuration(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace autobuild::api
