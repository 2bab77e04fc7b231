// TriggerRecorder against an in-process API server stand-in: what it writes to the AutoBuild's status
// and Events, when it writes, and how it gets through conflicts and failures.
#include "webhook/trigger_recorder.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include <gtest/gtest.h>

#include "kube/transport.h"

namespace autobuild::webhook {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kAutoBuildPath = "/apis/autobuild.dev/v1alpha1/namespaces/shop/autobuilds/web";

// The API server as far as the recorder uses it: one AutoBuild whose status PATCHes are applied (when
// their resourceVersion is current), Events accepted. Failures can be scripted for the next status
// requests. Thread-safe: the recorder and the Event recorder call it from their own threads.
class FakeApiServer : public kube::Transport {
 public:
  kube::HttpResponse send(const kube::HttpRequest& request) override {
    std::unique_lock lock(mutex_);
    requests_.push_back(request.method + " " + request.target);
    changed_.notify_all();
    if (request.target.starts_with("/api/v1/namespaces/shop/events")) {
      if (request.method == "POST") {
        ++events_created_;
        return {201, {}, request.body};
      }
      ++events_updated_;
      return {200, {}, "{}"};
    }
    if (!failures_.empty()) {
      auto failure = std::move(failures_.front());
      failures_.pop_front();
      lock.unlock();  // a failure may act on the server itself
      return failure();
    }
    if (request.method == "GET" && request.target == kAutoBuildPath) return {200, {}, object_.dump()};
    if (request.method == "PATCH" && request.target == std::string(kAutoBuildPath) + "/status") {
      const json patch = json::parse(request.body);
      if (patch["metadata"]["resourceVersion"] != object_["metadata"]["resourceVersion"]) {
        return {409, {}, R"({"kind":"Status","code":409,"reason":"Conflict","message":"modified"})"};
      }
      object_["status"].merge_patch(patch["status"]);
      object_["metadata"]["resourceVersion"] = std::to_string(++version_);
      ++status_writes_;
      return {200, {}, object_.dump()};
    }
    throw std::logic_error("unexpected request: " + request.method + " " + request.target);
  }

  kube::StreamResponse stream(const kube::HttpRequest& request) override {
    throw std::logic_error("unexpected stream: " + request.target);
  }
  void shutdown() override {}
  const std::string& server() const override { return server_; }

  // Someone else (another replica) counts a trigger: the recorder's next PATCH is a conflict.
  void countElsewhere() {
    std::lock_guard lock(mutex_);
    object_["status"]["triggerCount"] = object_["status"].value("triggerCount", 0) + 1;
    object_["metadata"]["resourceVersion"] = std::to_string(++version_);
  }
  void failNext(std::function<kube::HttpResponse()> failure) {
    std::lock_guard lock(mutex_);
    failures_.push_back(std::move(failure));
  }
  void remove() {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < 20; ++i) {
      failures_.push_back([] {
        return kube::HttpResponse{
            404, {}, R"({"kind":"Status","code":404,"reason":"NotFound","message":"gone"})"};
      });
    }
  }

  json status() {
    std::lock_guard lock(mutex_);
    return object_["status"];
  }
  int statusWrites() {
    std::lock_guard lock(mutex_);
    return status_writes_;
  }
  int eventsCreated() {
    std::lock_guard lock(mutex_);
    return events_created_;
  }
  int eventsUpdated() {
    std::lock_guard lock(mutex_);
    return events_updated_;
  }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  // Waits (bounded) until `condition` holds: the recorder works on its own thread.
  bool waitFor(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, 10ms);
    }
    return condition();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  json object_ = {
      {"apiVersion", "autobuild.dev/v1alpha1"},
      {"kind", "AutoBuild"},
      {"metadata", {{"name", "web"}, {"namespace", "shop"}, {"uid", "u-1"}, {"resourceVersion", "1"}}},
      {"status", {{"triggerCount", 7}}}};
  int version_ = 1;
  int status_writes_ = 0;
  int events_created_ = 0;
  int events_updated_ = 0;
  std::deque<std::function<kube::HttpResponse()>> failures_;
  std::vector<std::string> requests_;
  std::string server_ = "https://fake:6443";
};

api::AutoBuild autoBuild() {
  api::AutoBuild a;
  a.ns = "shop";
  a.name = "web";
  a.uid = "u-1";
  return a;
}

TriggerRecord triggerRecord(const std::string& result, const std::string& revision,
                            const std::string& event_reason, const std::string& event_message) {
  api::LastTrigger last;
  last.source = "GitHub";
  last.delivery_id = "d-" + revision;
  last.revision = revision;
  last.branch = "main";
  last.message = "fix login";
  last.result = result;
  return {last, kube::EventType::Normal, event_reason, event_message};
}

class TriggerRecorderTest : public ::testing::Test {
 protected:
  std::unique_ptr<TriggerRecorder> makeRecorder(std::chrono::milliseconds min_interval) {
    kube::ClientOptions options;
    options.max_retries = 0;  // the recorder's own retries are what is tested
    client_ = std::make_shared<kube::Client>(server_, options);
    events_ = std::make_unique<kube::EventRecorder>(client_, "autobuild-webhook", "test");
    TriggerRecorder::Options recorder_options;
    recorder_options.min_interval = min_interval;
    recorder_options.retry_backoff = 1ms;
    return std::make_unique<TriggerRecorder>(client_, *events_, recorder_options);
  }

  std::shared_ptr<FakeApiServer> server_ = std::make_shared<FakeApiServer>();
  std::shared_ptr<kube::Client> client_;
  std::unique_ptr<kube::EventRecorder> events_;
};

TEST_F(TriggerRecorderTest, WritesTheLastTriggerTheCountAndAnEvent) {
  auto recorder = makeRecorder(1h);
  recorder->record(autoBuild(), triggerRecord("RolledOut", "abc", "Triggered", "rolls out abc"));
  ASSERT_TRUE(server_->waitFor([&] { return server_->statusWrites() == 1; }));
  const json status = server_->status();
  EXPECT_EQ(status["triggerCount"], 8);
  EXPECT_EQ(status["lastTrigger"]["result"], "RolledOut");
  EXPECT_EQ(status["lastTrigger"]["revision"], "abc");
  EXPECT_EQ(status["lastTrigger"]["deliveryID"], "d-abc");
  EXPECT_EQ(status["lastTrigger"]["source"], "GitHub");
  EXPECT_FALSE(status["lastTrigger"].value("time", "").empty());
  events_->flush(5s);
  EXPECT_EQ(server_->eventsCreated(), 1);
}

TEST_F(TriggerRecorderTest, RecordsThatWaitForTheIntervalBecomeOneWrite) {
  auto recorder = makeRecorder(1h);
  recorder->record(autoBuild(), triggerRecord("Ignored", "a1", "TriggerIgnored", "no keyword"));
  ASSERT_TRUE(server_->waitFor([&] { return server_->statusWrites() == 1; }));
  // Within the hour: held back, then written together.
  recorder->record(autoBuild(), triggerRecord("Ignored", "a2", "TriggerIgnored", "no keyword"));
  recorder->record(autoBuild(), triggerRecord("Ignored", "a3", "TriggerIgnored", "no keyword"));
  recorder->record(autoBuild(), triggerRecord("RolledOut", "a4", "Triggered", "rolls out a4"));
  EXPECT_EQ(server_->statusWrites(), 1);
  ASSERT_TRUE(recorder->flush(10s));
  EXPECT_EQ(server_->statusWrites(), 2);
  const json status = server_->status();
  EXPECT_EQ(status["triggerCount"], 7 + 4);
  EXPECT_EQ(status["lastTrigger"]["revision"], "a4") << "the latest record is the last trigger";
  EXPECT_EQ(status["lastTrigger"]["result"], "RolledOut");
  events_->flush(5s);
  // "no keyword" twice more became one more occurrence of its Event; "rolls out a4" is an Event of its own.
  EXPECT_EQ(server_->eventsCreated(), 2);
  EXPECT_EQ(server_->eventsUpdated(), 1);
}

TEST_F(TriggerRecorderTest, ARecordAfterTheIntervalIsWrittenWithoutAFlush) {
  auto recorder = makeRecorder(1ms);
  recorder->record(autoBuild(), triggerRecord("Ignored", "b1", "TriggerIgnored", "no keyword"));
  ASSERT_TRUE(server_->waitFor([&] { return server_->statusWrites() == 1; }));
  recorder->record(autoBuild(), triggerRecord("Ignored", "b2", "TriggerIgnored", "no keyword"));
  ASSERT_TRUE(server_->waitFor([&] { return server_->statusWrites() == 2; }));
  EXPECT_EQ(server_->status()["triggerCount"], 9);
}

TEST_F(TriggerRecorderTest, RecordAndWaitReturnsOnceWrittenWhateverTheInterval) {
  auto recorder = makeRecorder(1h);
  recorder->record(autoBuild(), triggerRecord("Ignored", "c1", "TriggerIgnored", "no keyword"));
  ASSERT_TRUE(server_->waitFor([&] { return server_->statusWrites() == 1; }));
  recorder->recordAndWait(autoBuild(), triggerRecord("BuildStarted", "c2", "BuildStarted", "build started"),
                          10s);
  EXPECT_EQ(server_->statusWrites(), 2);
  EXPECT_EQ(server_->status()["lastTrigger"]["result"], "BuildStarted");
}

TEST_F(TriggerRecorderTest, AConflictWithAnotherReplicaIsReadAgainAndBothCount) {
  auto recorder = makeRecorder(1h);
  // The GET sees resourceVersion 1; the other replica's count lands before the PATCH.
  server_->failNext([this] {
    const json object = {{"metadata", {{"resourceVersion", "1"}}}, {"status", server_->status()}};
    server_->countElsewhere();
    return kube::HttpResponse{200, {}, object.dump()};
  });
  recorder->record(autoBuild(), triggerRecord("RolledOut", "d1", "Triggered", "rolls out d1"));
  ASSERT_TRUE(recorder->flush(10s));
  EXPECT_EQ(server_->status()["triggerCount"], 7 + 1 + 1);
  EXPECT_EQ(server_->status()["lastTrigger"]["revision"], "d1");
}

TEST_F(TriggerRecorderTest, AnApiServerThatFailsForAWhileIsRetried) {
  auto recorder = makeRecorder(1h);
  server_->failNext([] { return kube::HttpResponse{503, {}, R"({"kind":"Status","code":503})"}; });
  server_->failNext([]() -> kube::HttpResponse {
    throw kube::TransportError(kube::TransportError::Kind::Connect, "connection refused");
  });
  server_->failNext([] { return kube::HttpResponse{429, {}, R"({"kind":"Status","code":429})"}; });
  recorder->record(autoBuild(), triggerRecord("RolledOut", "e1", "Triggered", "rolls out e1"));
  ASSERT_TRUE(recorder->flush(10s));
  EXPECT_EQ(server_->statusWrites(), 1);
  EXPECT_EQ(server_->status()["triggerCount"], 8);
}

TEST_F(TriggerRecorderTest, AnApiServerThatKeepsFailingCostsThatRecordOnly) {
  auto recorder = makeRecorder(1ms);
  for (int i = 0; i < TriggerRecorder::Options{}.attempts; ++i) {
    server_->failNext([] { return kube::HttpResponse{500, {}, R"({"kind":"Status","code":500})"}; });
  }
  recorder->record(autoBuild(), triggerRecord("RolledOut", "f1", "Triggered", "rolls out f1"));
  ASSERT_TRUE(recorder->flush(10s));
  EXPECT_EQ(server_->statusWrites(), 0);
  recorder->record(autoBuild(), triggerRecord("RolledOut", "f2", "Triggered", "rolls out f2"));
  ASSERT_TRUE(recorder->flush(10s));
  EXPECT_EQ(server_->statusWrites(), 1);
  EXPECT_EQ(server_->status()["lastTrigger"]["revision"], "f2");
}

TEST_F(TriggerRecorderTest, ADeletedAutoBuildIsNotRetried) {
  auto recorder = makeRecorder(1h);
  server_->remove();
  recorder->record(autoBuild(), triggerRecord("Ignored", "g1", "TriggerIgnored", "no keyword"));
  ASSERT_TRUE(recorder->flush(10s));
  int reads = 0;
  for (const auto& r : server_->requests()) reads += r == std::string("GET ") + kAutoBuildPath;
  EXPECT_EQ(reads, 1);
}

TEST_F(TriggerRecorderTest, StopWritesWhatWaitsAndLaterRecordsAreWrittenAtOnce) {
  auto recorder = makeRecorder(1h);
  recorder->record(autoBuild(), triggerRecord("Ignored", "h1", "TriggerIgnored", "no keyword"));
  ASSERT_TRUE(server_->waitFor([&] { return server_->statusWrites() == 1; }));
  recorder->record(autoBuild(), triggerRecord("Ignored", "h2", "TriggerIgnored", "no keyword"));
  recorder->stop(10s);
  EXPECT_EQ(server_->statusWrites(), 2);
  recorder->record(autoBuild(), triggerRecord("RolledOut", "h3", "Triggered", "rolls out h3"));
  EXPECT_EQ(server_->statusWrites(), 3);
  EXPECT_EQ(server_->status()["lastTrigger"]["revision"], "h3");
  EXPECT_EQ(server_->status()["triggerCount"], 10);
}

}  // namespace
}  // namespace autobuild::webhook
