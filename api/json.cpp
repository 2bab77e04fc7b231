#include "api/json.h"

#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>

namespace autobuild::api {

namespace {

using nlohmann::json;

std::string childPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string itemPath(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

// Reads the fields of one JSON object, reporting wrong types under `path`. An absent object (or one of
// the wrong type, already reported by the parent) reads as empty, so callers need no special case.
class ObjectReader {
 public:
  ObjectReader(const json* object, std::string path, std::vector<FieldError>& errors)
      : object_(object), path_(std::move(path)), errors_(errors) {}

  bool present() const { return object_ != nullptr; }

  // The field, or nullptr when it is absent or null (Kubernetes treats both alike).
  const json* field(std::string_view key) const {
    if (object_ == nullptr) return nullptr;
    auto it = object_->find(key);
    if (it == object_->end() || it->is_null()) return nullptr;
    return &*it;
  }

  ObjectReader object(std::string_view key) const {
    const json* value = field(key);
    if (value != nullptr && !value->is_object()) {
      fail(key, "must be an object");
      value = nullptr;
    }
    return ObjectReader(value, childPath(path_, key), errors_);
  }

  // Fills `out` from the object under `key` with `fill(reader, value)`; leaves it empty when absent.
  template <typename T, typename Fill>
  void readOptional(std::string_view key, std::optional<T>& out, Fill fill) const {
    ObjectReader child = object(key);
    if (!child.present()) return;
    T value{};
    fill(child, value);
    out = std::move(value);
  }

  void read(std::string_view key, std::string& out) const {
    const json* value = field(key);
    if (value == nullptr) return;
    if (!value->is_string()) return fail(key, "must be a string");
    out = value->get<std::string>();
  }

  void read(std::string_view key, bool& out) const {
    const json* value = field(key);
    if (value == nullptr) return;
    if (!value->is_boolean()) return fail(key, "must be a boolean");
    out = value->get<bool>();
  }

  void read(std::string_view key, std::int64_t& out) const {
    const json* value = field(key);
    if (value == nullptr) return;
    if (!value->is_number_integer()) return fail(key, "must be an integer");
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return fail(key, "must be a 64-bit integer");
    }
    out = value->get<std::int64_t>();
  }

  void read(std::string_view key, int& out) const {
    std::int64_t wide = out;
    const std::size_t before = errors_.size();
    read(key, wide);
    if (errors_.size() != before) return;
    if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
      return fail(key, "must be a 32-bit integer");
    }
    out = static_cast<int>(wide);
  }

  void read(std::string_view key, std::vector<std::string>& out) const {
    const json* value = field(key);
    if (value == nullptr) return;
    if (!value->is_array()) return fail(key, "must be an array");
    std::vector<std::string> items;
    bool all_strings = true;
    for (std::size_t i = 0; i < value->size(); ++i) {
      const json& item = (*value)[i];
      if (!item.is_string()) {
        errors_.push_back({itemPath(childPath(path_, key), i), "must be a string"});
        all_strings = false;
        continue;
      }
      items.push_back(item.get<std::string>());
    }
    if (all_strings) out = std::move(items);
  }

  // Each item of an array of objects; wrong items are reported and skipped.
  template <typename Visit>
  void forEachObject(std::string_view key, Visit visit) const {
    const json* value = field(key);
    if (value == nullptr) return;
    if (!value->is_array()) return fail(key, "must be an array");
    for (std::size_t i = 0; i < value->size(); ++i) {
      const std::string path = itemPath(childPath(path_, key), i);
      const json& item = (*value)[i];
      if (!item.is_object()) {
        errors_.push_back({path, "must be an object"});
        continue;
      }
      visit(ObjectReader(&item, path, errors_));
    }
  }

  void fail(std::string_view key, std::string message) const {
    errors_.push_back({childPath(path_, key), std::move(message)});
  }

 private:
  const json* object_;
  std::string path_;
  std::vector<FieldError>& errors_;
};

template <typename Enum, typename Parse>
void readEnum(const ObjectReader& reader, std::string_view key, Enum& out, Parse parse, const char* allowed) {
  const json* value = reader.field(key);
  if (value == nullptr) return;
  if (!value->is_string()) return reader.fail(key, "must be a string");
  const std::string name = value->get<std::string>();
  if (auto parsed = parse(name)) {
    out = *parsed;
  } else {
    reader.fail(key, std::string("must be one of ") + allowed + ", not \"" + name + "\"");
  }
}

void readSource(const ObjectReader& reader, Source& source) {
  if (reader.field("type") == nullptr) {
    reader.fail("type", "required");
  } else {
    readEnum(reader, "type", source.type, parseSourceType,
             "GitHub, GitLab, Gitee, Gogs, Gitea, DockerHub, API");
  }
  reader.read("repository", source.repository);
  reader.read("branches", source.branches);
  reader.read("tags", source.tags);
}

void readBuild(const ObjectReader& reader, Build& build) {
  reader.read("image", build.image);
  if (const json* tmpl = reader.field("template")) {
    if (tmpl->is_object()) {
      build.template_ = *tmpl;
    } else {
      reader.fail("template", "must be an object");
    }
  }
  reader.read("timeout", build.timeout);
  reader.read("historyLimit", build.history_limit);
  reader.read("serviceAccountName", build.service_account_name);
  reader.readOptional(
      "pushSecretRef", build.push_secret_ref,
      [](const ObjectReader& ref, LocalObjectReference& value) { ref.read("name", value.name); });
}

void readSpec(const ObjectReader& reader, AutoBuildSpec& spec) {
  // The source type is required even when spec or spec.source is missing altogether.
  readSource(reader.object("source"), spec.source);
  reader.object("trigger").read("keyword", spec.trigger.keyword);
  ObjectReader secret_ref = reader.object("secretRef");
  secret_ref.read("name", spec.secret_ref.name);
  secret_ref.read("key", spec.secret_ref.key);
  ObjectReader target = reader.object("target");
  readEnum(target, "kind", spec.target.kind, parseTargetKind, "Deployment, StatefulSet, DaemonSet");
  target.read("name", spec.target.name);
  target.read("container", spec.target.container);
  reader.readOptional("build", spec.build, readBuild);
  reader.read("suspend", spec.suspend);
}

void readLastTrigger(const ObjectReader& reader, LastTrigger& trigger) {
  reader.read("time", trigger.time);
  reader.read("source", trigger.source);
  reader.read("deliveryID", trigger.delivery_id);
  reader.read("revision", trigger.revision);
  reader.read("branch", trigger.branch);
  reader.read("message", trigger.message);
  reader.read("result", trigger.result);
}

void readBuildRun(const ObjectReader& reader, BuildRun& run) {
  reader.read("revision", run.revision);
  reader.read("jobName", run.job_name);
  reader.read("phase", run.phase);
  reader.read("startTime", run.start_time);
  reader.read("completionTime", run.completion_time);
}

void readBuildStatus(const ObjectReader& reader, BuildStatus& build) {
  reader.readOptional("current", build.current, readBuildRun);
  reader.readOptional("last", build.last, readBuildRun);
}

void readStatus(const ObjectReader& reader, AutoBuildStatus& status) {
  reader.read("observedGeneration", status.observed_generation);
  reader.read("webhookPath", status.webhook_path);
  reader.read("webhookURL", status.webhook_url);
  reader.forEachObject("conditions", [&status](const ObjectReader& item) {
    Condition condition;
    item.read("type", condition.type);
    item.read("status", condition.status);
    item.read("reason", condition.reason);
    item.read("message", condition.message);
    item.read("observedGeneration", condition.observed_generation);
    item.read("lastTransitionTime", condition.last_transition_time);
    status.conditions.push_back(std::move(condition));
  });
  reader.readOptional("lastTrigger", status.last_trigger, readLastTrigger);
  reader.read("triggerCount", status.trigger_count);
  reader.readOptional("build", status.build, readBuildStatus);
}

// The object under `key`, made an object when it is absent or of another type.
json& objectAt(json& parent, const char* key) {
  json& child = parent[key];
  if (!child.is_object()) child = json::object();
  return child;
}

void setOrErase(json& object, const char* key, const std::string& value) {
  if (value.empty()) {
    object.erase(key);
  } else {
    object[key] = value;
  }
}

void setOrErase(json& object, const char* key, const std::vector<std::string>& values) {
  if (values.empty()) {
    object.erase(key);
  } else {
    object[key] = values;
  }
}

void writeBuild(const Build& build, json& out) {
  setOrErase(out, "image", build.image);
  if (build.template_.is_null()) {
    out.erase("template");
  } else {
    out["template"] = build.template_;
  }
  setOrErase(out, "timeout", build.timeout);
  out["historyLimit"] = build.history_limit;
  setOrErase(out, "serviceAccountName", build.service_account_name);
  if (build.push_secret_ref) {
    setOrErase(objectAt(out, "pushSecretRef"), "name", build.push_secret_ref->name);
  } else {
    out.erase("pushSecretRef");
  }
}

void writeSpec(const AutoBuildSpec& spec, json& out) {
  json& source = objectAt(out, "source");
  source["type"] = toString(spec.source.type);
  setOrErase(source, "repository", spec.source.repository);
  setOrErase(source, "branches", spec.source.branches);
  setOrErase(source, "tags", spec.source.tags);

  objectAt(out, "trigger")["keyword"] = spec.trigger.keyword;

  json& secret_ref = objectAt(out, "secretRef");
  setOrErase(secret_ref, "name", spec.secret_ref.name);
  setOrErase(secret_ref, "key", spec.secret_ref.key);

  json& target = objectAt(out, "target");
  target["kind"] = toString(spec.target.kind);
  setOrErase(target, "name", spec.target.name);
  setOrErase(target, "container", spec.target.container);

  if (spec.build) {
    writeBuild(*spec.build, objectAt(out, "build"));
  } else {
    out.erase("build");
  }
  out["suspend"] = spec.suspend;
}

}  // namespace

json toJson(const BuildRun& run) {
  json out = json::object();
  setOrErase(out, "revision", run.revision);
  setOrErase(out, "jobName", run.job_name);
  setOrErase(out, "phase", run.phase);
  setOrErase(out, "startTime", run.start_time);
  setOrErase(out, "completionTime", run.completion_time);
  return out;
}

json toJson(const BuildStatus& build) {
  json out = json::object();
  if (build.current) out["current"] = toJson(*build.current);
  if (build.last) out["last"] = toJson(*build.last);
  return out;
}

ReadResult readAutoBuild(const json& object) {
  ReadResult result;
  AutoBuild& autobuild = result.autobuild;
  autobuild.raw = object;
  if (!object.is_object()) {
    result.errors.push_back({"", "an AutoBuild must be a JSON object"});
    return result;
  }
  ObjectReader root(&object, "", result.errors);
  ObjectReader metadata = root.object("metadata");
  metadata.read("namespace", autobuild.ns);
  metadata.read("name", autobuild.name);
  metadata.read("uid", autobuild.uid);
  metadata.read("resourceVersion", autobuild.resource_version);
  metadata.read("generation", autobuild.generation);
  readSpec(root.object("spec"), autobuild.spec);
  readStatus(root.object("status"), autobuild.status);
  return result;
}

InvalidAutoBuildError::InvalidAutoBuildError(const std::string& ns, const std::string& name,
                                             std::vector<FieldError> errors)
    : std::runtime_error("AutoBuild " + ns + "/" + name + ": " + toString(errors)),
      errors_(std::move(errors)) {}

AutoBuild parseAutoBuild(const json& object) {
  ReadResult result = readAutoBuild(object);
  if (!result.errors.empty()) {
    throw InvalidAutoBuildError(result.autobuild.ns, result.autobuild.name, std::move(result.errors));
  }
  return std::move(result.autobuild);
}

json toJson(const Condition& condition) {
  json out = {
      {"type", condition.type},
      {"status", condition.status},
      {"reason", condition.reason},
      {"message", condition.message},
      {"lastTransitionTime", condition.last_transition_time},
  };
  if (condition.observed_generation != 0) out["observedGeneration"] = condition.observed_generation;
  return out;
}

json statusToJson(const AutoBuild& autobuild) {
  const AutoBuildStatus& status = autobuild.status;
  json out = json::object();
  if (autobuild.raw.is_object()) {
    auto raw_status = autobuild.raw.find("status");
    if (raw_status != autobuild.raw.end() && raw_status->is_object()) out = *raw_status;
  }
  out["observedGeneration"] = status.observed_generation;
  setOrErase(out, "webhookPath", status.webhook_path);
  setOrErase(out, "webhookURL", status.webhook_url);
  if (status.conditions.empty()) {
    out.erase("conditions");
  } else {
    json conditions = json::array();
    for (const Condition& condition : status.conditions) conditions.push_back(toJson(condition));
    out["conditions"] = std::move(conditions);
  }
  if (status.last_trigger) {
    const LastTrigger& trigger = *status.last_trigger;
    json& last = objectAt(out, "lastTrigger");
    setOrErase(last, "time", trigger.time);
    setOrErase(last, "source", trigger.source);
    setOrErase(last, "deliveryID", trigger.delivery_id);
    setOrErase(last, "revision", trigger.revision);
    setOrErase(last, "branch", trigger.branch);
    setOrErase(last, "message", trigger.message);
    setOrErase(last, "result", trigger.result);
  } else {
    out.erase("lastTrigger");
  }
  out["triggerCount"] = status.trigger_count;
  if (status.build) {
    out["build"] = toJson(*status.build);
  } else {
    out.erase("build");
  }
  return out;
}

json toJson(const AutoBuild& autobuild) {
  json out = autobuild.raw.is_object() ? autobuild.raw : json::object();
  out["apiVersion"] = kApiVersion;
  out["kind"] = kKind;
  json& metadata = objectAt(out, "metadata");
  setOrErase(metadata, "namespace", autobuild.ns);
  setOrErase(metadata, "name", autobuild.name);
  setOrErase(metadata, "uid", autobuild.uid);
  setOrErase(metadata, "resourceVersion", autobuild.resource_version);
  if (autobuild.generation != 0) metadata["generation"] = autobuild.generation;
  writeSpec(autobuild.spec, objectAt(out, "spec"));
  out["status"] = statusToJson(autobuild);
  return out;
}

}  // namespace autobuild::api
