#include "kube/watch_stream.h"

#include <gtest/gtest.h>

#include "fake_transport.h"

namespace autobuild::kube {
namespace {

using testing::FakeLineStream;

const std::string kWhat = "apps/v1 deployments in namespace shop";

WatchStream streamOf(std::vector<std::string> lines) {
  return WatchStream(std::make_unique<FakeLineStream>(std::move(lines)), kWhat);
}

TEST(WatchStreamTest, DecodesEveryEventType) {
  auto stream = streamOf({
      R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}})",
      R"({"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"2"}}})",
      "",  // blank keep-alive lines are skipped
      R"({"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"3"}}})",
      R"({"type":"BOOKMARK","object":{"kind":"Deployment","metadata":{"resourceVersion":"4"}}})",
  });
  const WatchEvent::Type expected[] = {WatchEvent::Type::Added, WatchEvent::Type::Modified,
                                       WatchEvent::Type::Deleted, WatchEvent::Type::Bookmark};
  for (int i = 0; i < 4; ++i) {
    auto event = stream.next();
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->type, expected[i]);
    EXPECT_EQ(event->object["metadata"]["resourceVersion"], std::to_string(i + 1));
  }
  EXPECT_FALSE(stream.next().has_value());
}

TEST(WatchStreamTest, GoneErrorEventThrowsIsGone) {
  auto stream =
      streamOf({R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure",
    "message":"too old resource version: 5 (40)","reason":"Expired","code":410}})json"});
  try {
    stream.next();
    FAIL() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isGone());
    EXPECT_EQ(e.verb(), "watch");
    EXPECT_STREQ(
        e.what(),
        "watch apps/v1 deployments in namespace shop: 410 Expired: too old resource version: 5 (40)");
  }
}

TEST(WatchStreamTest, OtherErrorEventsThrowTheirStatus) {
  auto stream = streamOf({R"({"type":"ERROR","object":{"kind":"Status","code":500,"reason":"InternalError",
    "message":"etcd timeout"}})"});
  try {
    stream.next();
    FAIL() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_FALSE(e.isGone());
    EXPECT_EQ(e.status().code, 500);
    EXPECT_EQ(e.status().message, "etcd timeout");
  }
}

TEST(WatchStreamTest, LinesThatAreNotEventsAreTransportErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {"{not json", "watch " + kWhat + ": undecodable event (not JSON): {not json"},
      {R"({"object":{}})", "watch " + kWhat + R"(: event without a type: {"object":{}})"},
      {R"({"type":"RENAMED","object":{}})", "watch " + kWhat + ": unknown event type \"RENAMED\""},
      {R"({"type":"ADDED"})", "watch " + kWhat + ": ADDED event without an object"},
  };
  for (const auto& [line, message] : cases) {
    auto stream = streamOf({line});
    try {
      stream.next();
      ADD_FAILURE() << "no TransportError for " << line;
    } catch (const TransportError& e) {
      EXPECT_EQ(e.kind(), TransportError::Kind::Other);
      EXPECT_EQ(e.what(), message);
    }
  }
}

TEST(WatchStreamTest, ABrokenConnectionPassesThrough) {
  WatchStream stream(
      std::make_unique<FakeLineStream>(
          std::vector<std::string>{R"({"type":"ADDED","object":{}})"},
          TransportError(TransportError::Kind::Timeout, "https://x: nothing received for 330s")),
      kWhat);
  EXPECT_TRUE(stream.next().has_value());
  try {
    stream.next();
    FAIL() << "no TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Timeout);
  }
}

TEST(WatchStreamTest, CancelReachesTheLineStream) {
  auto lines = std::make_unique<FakeLineStream>(std::vector<std::string>{R"({"type":"ADDED","object":{}})"});
  const auto cancelled = lines->cancelledFlag();
  WatchStream stream(std::move(lines), kWhat);
  stream.cancel();
  EXPECT_TRUE(*cancelled);
  try {
    stream.next();
    FAIL() << "no TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Cancelled);
  }
}

}  // namespace
}  // namespace autobuild::kube
