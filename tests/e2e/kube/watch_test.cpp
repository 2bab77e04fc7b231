// Raw watches: events arrive as they happen, a watch resumes from a resourceVersion across an API
// server restart, and a resourceVersion older than etcd's compaction is 410 Gone.
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kube/api_error.h"
#include "kube/watch_stream.h"
#include "kube_test.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::kube::e2e {
namespace {

using ::testing::HasSubstr;

class WatchTest : public KubeTest {
 protected:
  // Watches the test's own ConfigMaps (labelled), not those the controllers add to every namespace.
  std::unique_ptr<WatchStream> watchFrom(const std::string& resource_version, int timeout_seconds = 60) {
    WatchOptions options;
    options.label_selector = "e2e=watched";
    options.resource_version = resource_version;
    options.timeout_seconds = timeout_seconds;
    return client->watch(resources::ConfigMaps, ns, options);
  }

  // The next event that is not a bookmark.
  static std::optional<WatchEvent> nextChange(WatchStream& stream) {
    while (auto event = stream.next()) {
      if (event->type != WatchEvent::Type::Bookmark) return event;
    }
    return std::nullopt;
  }

  Json watched(const std::string& name, const Json& data = Json::object()) const {
    return configMap(name, data, {{"e2e", "watched"}});
  }

  std::string currentResourceVersion() { return client->list(resources::ConfigMaps, ns).resource_version; }
};

TEST_F(WatchTest, EventsArriveWhileTheWatchIsOpen) {
  // The server keeps this watch open for 60 s: each event must arrive long before that.
  auto stream = watchFrom(currentResourceVersion(), 60);
  auto reader = std::async(std::launch::async, [&] {
    std::vector<WatchEvent> events;
    for (int i = 0; i < 3; ++i) {
      auto event = nextChange(*stream);
      if (!event) break;
      events.push_back(std::move(*event));
    }
    return events;
  });

  Json object = client->create(resources::ConfigMaps, ns, watched("live", {{"step", "1"}}));
  object["data"]["step"] = "2";
  client->update(resources::ConfigMaps, ns, object);
  client->remove(resources::ConfigMaps, ns, "live");

  ASSERT_EQ(reader.wait_for(30s), std::future_status::ready)
      << "the events did not arrive while the watch was open";
  auto events = reader.get();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, WatchEvent::Type::Added);
  EXPECT_EQ(events[1].type, WatchEvent::Type::Modified);
  EXPECT_EQ(events[1].object["data"]["step"], "2");
  EXPECT_EQ(events[2].type, WatchEvent::Type::Deleted);
  for (const auto& event : events) EXPECT_EQ(event.object["metadata"]["name"], "live");
}

TEST_F(WatchTest, FirstEventArrivesBeforeTheNextIsMade) {
  auto stream = watchFrom(currentResourceVersion(), 60);
  for (int i = 0; i < 3; ++i) {
    std::string name = "step-" + std::to_string(i);
    client->create(resources::ConfigMaps, ns, watched(name));
    auto event = std::async(std::launch::async, [&] { return nextChange(*stream); });
    ASSERT_EQ(event.wait_for(30s), std::future_status::ready)
        << "no event for " << name << " while the watch is open";
    auto got = event.get();
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->type, WatchEvent::Type::Added);
    EXPECT_EQ(got->object["metadata"]["name"], name);
  }
}

TEST_F(WatchTest, CancelUnblocksAWaitingReader) {
  auto stream = watchFrom(currentResourceVersion(), 60);
  auto reader = std::async(std::launch::async, [&]() -> std::string {
    try {
      nextChange(*stream);
      return "ended without an error";
    } catch (const TransportError& e) {
      return e.kind() == TransportError::Kind::Cancelled ? "cancelled" : std::string("other: ") + e.what();
    }
  });
  std::this_thread::sleep_for(200ms);
  stream->cancel();
  ASSERT_EQ(reader.wait_for(10s), std::future_status::ready) << "cancel did not unblock next()";
  EXPECT_EQ(reader.get(), "cancelled");
}

TEST_F(WatchTest, ServerEndsTheWatchAfterItsTimeout) {
  auto stream = watchFrom(currentResourceVersion(), 1);
  auto end = std::async(std::launch::async, [&] { return nextChange(*stream); });
  ASSERT_EQ(end.wait_for(30s), std::future_status::ready);
  EXPECT_FALSE(end.get().has_value());
}

TEST_F(WatchTest, ResumesFromTheLastResourceVersionAfterAnApiServerRestart) {
  client->create(resources::ConfigMaps, ns, watched("before"));
  std::string resource_version = currentResourceVersion();
  auto stream = watchFrom(resource_version, 300);

  testenv::controlPlane().stopApiServer();
  // The connection is gone: the stream ends or breaks, it never hangs.
  auto broken = std::async(std::launch::async, [&]() -> bool {
    try {
      while (auto event = stream->next()) {
      }
      return true;
    } catch (const TransportError&) {
      return true;
    }
  });
  bool ended = broken.wait_for(60s) == std::future_status::ready;
  testenv::controlPlane().startApiServer();
  ASSERT_TRUE(ended) << "the watch did not notice the API server stop";
  // The watch is the subject here; the old client's pooled connections after a restart are
  // ClientVerbsTest.RequestsSucceedAfterTheApiServerRestarts's.
  client = newClient();

  client->create(resources::ConfigMaps, ns, watched("after"));
  auto resumed = watchFrom(resource_version, 60);
  auto event = nextChange(*resumed);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type, WatchEvent::Type::Added);
  EXPECT_EQ(event->object["metadata"]["name"], "after");
}

TEST_F(WatchTest, WatchFromACompactedResourceVersionIsGone) {
  std::string old_version = currentResourceVersion();
  client->create(resources::ConfigMaps, ns, watched("newer"));
  client->patch(resources::ConfigMaps, ns, "newer", PatchType::Merge, {{"data", {{"step", "2"}}}});
  testenv::controlPlane().compactEtcd();

  try {
    auto stream = watchFrom(old_version, 60);
    while (auto event = stream->next()) {
      ADD_FAILURE() << "an event from a compacted resourceVersion: " << event->object.dump();
    }
    FAIL() << "the watch from a compacted resourceVersion ended without 410 Gone";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isGone()) << e.what();
    EXPECT_EQ(e.status().code, 410);
  }
}

}  // namespace
}  // namespace autobuild::kube::e2e
