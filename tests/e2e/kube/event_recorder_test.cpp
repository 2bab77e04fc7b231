// Events as `kubectl describe` shows them: fields filled in, repeats counted on one Event.
#include <algorithm>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "gated_transport.h"
#include "kube/event_recorder.h"
#include "kube_test.h"

namespace autobuild::kube::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class EventRecorderTest : public KubeTest {
 protected:
  void SetUp() override {
    KubeTest::SetUp();
    subject = client->create(resources::ConfigMaps, ns, configMap("subject"));
    // Objects from the API carry no kind in some answers; the caller passes a full reference.
    subject["apiVersion"] = "v1";
    subject["kind"] = "ConfigMap";
  }

  std::vector<Json> eventsAbout(const Json& object) {
    ListOptions options;
    options.field_selector = "involvedObject.uid=" + object["metadata"]["uid"].get<std::string>();
    return client->list(resources::Events, object["metadata"].value("namespace", "default"), options).items;
  }

  // A client over `transport` whose own rate limit never holds a burst of Events back.
  static std::shared_ptr<Client> unlimitedClient(std::shared_ptr<Transport> transport) {
    ClientOptions options;
    options.qps = 1000;
    options.burst = 1000;
    return std::make_shared<Client>(std::move(transport), options);
  }

  Json subject;
};

TEST_F(EventRecorderTest, RecordsAnEventWithEveryField) {
  EventRecorder recorder(client, "autobuild-controller", "controller-0");
  recorder.record(subject, EventType::Normal, "Triggered", "rolled out web to 1cdc0a9a");
  recorder.flush(30s);

  auto events = eventsAbout(subject);
  ASSERT_EQ(events.size(), 1u);
  const Json& event = events[0];
  EXPECT_THAT(event["metadata"]["name"].get<std::string>(), MatchesRegex("subject\\.[0-9a-f]{16}"));
  EXPECT_EQ(event["metadata"]["namespace"], ns);
  EXPECT_EQ(event["involvedObject"]["kind"], "ConfigMap");
  EXPECT_EQ(event["involvedObject"]["apiVersion"], "v1");
  EXPECT_EQ(event["involvedObject"]["name"], "subject");
  EXPECT_EQ(event["involvedObject"]["namespace"], ns);
  EXPECT_EQ(event["involvedObject"]["uid"], subject["metadata"]["uid"]);
  EXPECT_EQ(event["reason"], "Triggered");
  EXPECT_EQ(event["message"], "rolled out web to 1cdc0a9a");
  EXPECT_EQ(event["type"], "Normal");
  EXPECT_EQ(event["source"]["component"], "autobuild-controller");
  EXPECT_EQ(event["reportingComponent"], "autobuild-controller");
  EXPECT_EQ(event["reportingInstance"], "controller-0");
  EXPECT_EQ(event["count"], 1);
  const std::string rfc3339 = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z";
  EXPECT_THAT(event["firstTimestamp"].get<std::string>(), MatchesRegex(rfc3339));
  EXPECT_EQ(event["firstTimestamp"], event["lastTimestamp"]);
}

TEST_F(EventRecorderTest, RepeatIncrementsTheCountOfTheSameEvent) {
  EventRecorder recorder(client, "autobuild-webhook", "webhook-0");
  recorder.record(subject, EventType::Warning, "TriggerRejected", "signature mismatch");
  recorder.flush(30s);
  std::this_thread::sleep_for(1100ms);  // so that lastTimestamp, in seconds, moves on
  recorder.record(subject, EventType::Warning, "TriggerRejected", "signature mismatch");
  recorder.record(subject, EventType::Warning, "TriggerRejected", "signature mismatch");
  recorder.flush(30s);

  auto events = eventsAbout(subject);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["count"], 3);
  EXPECT_EQ(events[0]["type"], "Warning");
  EXPECT_GT(events[0]["lastTimestamp"].get<std::string>(), events[0]["firstTimestamp"].get<std::string>());
}

TEST_F(EventRecorderTest, DifferentMessagesAreDifferentEvents) {
  EventRecorder recorder(client, "autobuild-controller", "controller-0");
  recorder.record(subject, EventType::Normal, "Triggered", "revision a");
  recorder.record(subject, EventType::Normal, "Triggered", "revision b");
  recorder.record(subject, EventType::Warning, "Triggered", "revision a");
  recorder.flush(30s);
  EXPECT_EQ(eventsAbout(subject).size(), 3u);
}

TEST_F(EventRecorderTest, RepeatAfterTheEventWasDeletedCreatesANewOne) {
  EventRecorder recorder(client, "autobuild-controller", "controller-0");
  recorder.record(subject, EventType::Normal, "Triggered", "again");
  recorder.flush(30s);
  auto first = eventsAbout(subject);
  ASSERT_EQ(first.size(), 1u);
  client->remove(resources::Events, ns, first[0]["metadata"]["name"].get<std::string>());

  recorder.record(subject, EventType::Normal, "Triggered", "again");
  recorder.flush(30s);
  auto second = eventsAbout(subject);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0]["metadata"]["name"], first[0]["metadata"]["name"]);
  EXPECT_EQ(second[0]["count"], 1);
}

TEST_F(EventRecorderTest, LongMessagesAreTruncatedTo1024Bytes) {
  EventRecorder recorder(client, "autobuild-controller", "controller-0");
  recorder.record(subject, EventType::Warning, "BuildFailed", std::string(5000, 'e'));
  recorder.flush(30s);
  auto events = eventsAbout(subject);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["message"].get<std::string>(), std::string(1024, 'e'));
}

TEST_F(EventRecorderTest, ClusterScopedObjectsGetTheirEventsInDefault) {
  Json namespace_object = client->get(resources::Namespaces, "", ns);
  namespace_object["apiVersion"] = "v1";
  namespace_object["kind"] = "Namespace";
  EventRecorder recorder(client, "autobuild-controller", "controller-0");
  recorder.record(namespace_object, EventType::Normal, "Observed", "namespace seen");
  recorder.flush(30s);
  auto events = eventsAbout(namespace_object);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["metadata"]["namespace"], "default");
  EXPECT_EQ(events[0]["involvedObject"]["name"], ns);
  client->remove(resources::Events, "default", events[0]["metadata"]["name"].get<std::string>());
}

TEST_F(EventRecorderTest, DestructorWritesWhatIsQueued) {
  {
    EventRecorder recorder(client, "autobuild-controller", "controller-0");
    for (int i = 0; i < 5; ++i)
      recorder.record(subject, EventType::Normal, "Step", "step " + std::to_string(i));
  }
  EXPECT_EQ(eventsAbout(subject).size(), 5u);
}

TEST_F(EventRecorderTest, RecordNeverBlocksAndDropsBeyondTheQueueBound) {
  auto gate = std::make_shared<GatedTransport>(makeCpprestTransport(adminConfig()));
  auto slow = unlimitedClient(gate);
  EventRecorder recorder(slow, "autobuild-webhook", "webhook-0");
  gate->hold();  // the API server does not answer: the first write waits, the rest queue up
  for (int i = 0; i < 1100; ++i) {
    recorder.record(subject, EventType::Normal, "Burst", "event " + std::to_string(i));
  }
  gate->open();
  recorder.flush(120s);
  std::size_t written = eventsAbout(subject).size();
  EXPECT_GE(written, 1000u) << "the queue holds fewer than its bound";
  EXPECT_LT(written, 1100u) << "the queue is not bounded";
}

TEST_F(EventRecorderTest, DroppingIsLoggedOnceWhenItStartsAndOnceWhenItEnds) {
  std::ostringstream log;
  int written = 0;
  bool first_write_held = false;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  {
    auto gate = std::make_shared<GatedTransport>(makeCpprestTransport(adminConfig()));
    auto slow = unlimitedClient(gate);
    EventRecorder recorder(slow, "autobuild-webhook", "webhook-0");
    gate->hold();
    // The first write waits at the gate before the burst, so the queue never has room during it: 1000
    // queue, the rest are dropped, in one run of drops.
    recorder.record(subject, EventType::Normal, "Burst", "0");
    first_write_held = gate->waitUntilHeld(1, 30s);
    for (int i = 1; i < 1201; ++i) recorder.record(subject, EventType::Normal, "Burst", std::to_string(i));
    gate->open();
    recorder.flush(120s);
    written = static_cast<int>(eventsAbout(subject).size());
    recorder.record(subject, EventType::Normal, "After", "room again");
    recorder.flush(30s);
  }
  spdlog::set_default_logger(previous);
  EXPECT_TRUE(first_write_held) << "the recorder's first write never reached the API server";
  EXPECT_EQ(written, 1001);
  const std::string text = log.str();
  EXPECT_THAT(text, HasSubstr("event recorder queue full (1000 events): dropping Events until it has room"));
  EXPECT_THAT(text, HasSubstr("event recorder dropped " + std::to_string(1201 - written) +
                              " Events while its queue was full"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
}

TEST_F(EventRecorderTest, RejectedEventIsDroppedWithoutBlockingTheNext) {
  EventRecorder recorder(client, "autobuild-controller", "controller-0");
  Json ghost = {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata", {{"name", "ghost"}, {"namespace", "no-such-namespace-" + randomSuffix()}, {"uid", "x"}}}};
  recorder.record(ghost, EventType::Normal, "Lost", "the namespace does not exist");
  recorder.record(subject, EventType::Normal, "Kept", "this one is written");
  recorder.flush(30s);
  auto events = eventsAbout(subject);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["reason"], "Kept");
}

}  // namespace
}  // namespace autobuild::kube::e2e
