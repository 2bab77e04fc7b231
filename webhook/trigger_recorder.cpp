#include "webhook/trigger_recorder.h"

#include <spdlog/spdlog.h>

#include "kube/rfc3339.h"

namespace autobuild::webhook {
namespace {

constexpr int kAttempts = 5;

nlohmann::json toJson(const api::LastTrigger& t) {
  nlohmann::json j = {{"time", t.time}, {"source", t.source}, {"result", t.result}};
  for (auto [key, value] : {std::pair{"deliveryID", &t.delivery_id}, std::pair{"revision", &t.revision},
                            std::pair{"branch", &t.branch}, std::pair{"message", &t.message}}) {
    if (!value->empty()) j[key] = *value;
  }
  return j;
}

}  // namespace

TriggerRecorder::TriggerRecorder(std::shared_ptr<kube::Client> client, kube::EventRecorder& events)
    : client_(std::move(client)), events_(events) {}

void TriggerRecorder::record(const api::AutoBuild& autobuild, TriggerRecord record) const {
  record.last.time = kube::nowRfc3339();
  std::string what = "record trigger on AutoBuild " + autobuild.ns + "/" + autobuild.name;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    try {
      nlohmann::json current = client_->get(api::AutoBuilds, autobuild.ns, autobuild.name);
      auto status = current.value("status", nlohmann::json::object());
      std::int64_t count = status.value("triggerCount", std::int64_t{0});
      // resourceVersion makes the merge patch conditional: a concurrent count from another replica
      // fails it with 409 and this one reads again.
      nlohmann::json patch = {
          {"metadata", {{"resourceVersion", current["metadata"].value("resourceVersion", "")}}},
          {"status", {{"lastTrigger", toJson(record.last)}, {"triggerCount", count + 1}}}};
      client_->patch(api::AutoBuilds, autobuild.ns, autobuild.name, kube::PatchType::Merge, patch, {},
                     "status");
      break;
    } catch (const kube::ApiError& e) {
      if (e.isConflict() && attempt < kAttempts) continue;
      spdlog::warn("{}: {}", what, e.what());
      break;
    } catch (const std::exception& e) {
      spdlog::warn("{}: {}", what, e.what());
      break;
    }
  }
  nlohmann::json involved = {
      {"apiVersion", api::kApiVersion},
      {"kind", api::kKind},
      {"metadata", {{"namespace", autobuild.ns}, {"name", autobuild.name}, {"uid", autobuild.uid}}}};
  events_.record(involved, record.event_type, record.event_reason, record.event_message);
}

}  // namespace autobuild::webhook
