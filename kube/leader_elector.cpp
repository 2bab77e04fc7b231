#include "kube/leader_elector.h"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

#include "kube/api_error.h"
#include "kube/rfc3339.h"

namespace autobuild::kube {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::int64_t steadyMillis(Clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

// The fields of the election record; a change in any of them is a sign of life from the holder.
std::string recordOf(const Json& spec) {
  Json record = Json::object();
  for (const char* field :
       {"holderIdentity", "leaseDurationSeconds", "acquireTime", "renewTime", "leaseTransitions"}) {
    auto it = spec.find(field);
    record[field] = it == spec.end() ? Json() : *it;
  }
  return record.dump();
}

std::string holderOf(const Json& spec) {
  auto it = spec.find("holderIdentity");
  return it != spec.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t transitionsOf(const Json& spec) {
  auto it = spec.find("leaseTransitions");
  return it != spec.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

LeaderElector::LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config)
    : client_(std::move(client)), config_(std::move(config)) {
  const std::string lease = config_.lease_namespace + "/" + config_.lease_name;
  if (config_.lease_namespace.empty() || config_.lease_name.empty()) {
    throw std::invalid_argument("leader election: the Lease namespace and name are required");
  }
  if (config_.identity.empty())
    throw std::invalid_argument("leader election on Lease " + lease + ": empty identity");
  // client-go's constraints: a leader must notice it failed to renew before others may take over, and
  // a candidate's jittered wait (1.2 retry periods at most past the first) must fit in the renew deadline.
  if (config_.lease_duration <= config_.renew_deadline) {
    throw std::invalid_argument("leader election on Lease " + lease +
                                ": lease duration must exceed renew deadline");
  }
  if (config_.renew_deadline.count() <= config_.retry_period.count() * 12 / 10 ||
      config_.retry_period.count() <= 0) {
    throw std::invalid_argument(
        "leader election on Lease " + lease +
        ": renew deadline must exceed 1.2 times the retry period, which must be positive");
  }
  // The Lease requests run on their own client over the same transport: each must give up early
  // enough that a leader whose renewal hangs notices before the others see its Lease expire, i.e.
  // renew deadline + two requests (get and update) <= lease duration.
  ClientOptions options;
  options.max_retries = 0;
  options.request_timeout =
      std::max(std::chrono::milliseconds(100),
               std::min(config_.renew_deadline, config_.lease_duration - config_.renew_deadline) / 2);
  std::shared_ptr<Transport> transport(client_, &client_->transport());
  lease_client_ = std::make_shared<Client>(std::move(transport), options);
  what_ = "Lease " + lease + " as " + config_.identity;
}

LeaderElector::~LeaderElector() {
  stop();
}

void LeaderElector::start() {
  if (thread_.joinable() || stopping_.load()) {
    throw std::logic_error("leader election on " + what_ + ": start() called twice or after stop()");
  }
  thread_ = std::thread([this] { run(); });
}

void LeaderElector::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool LeaderElector::healthy() const {
  if (stopping_.load()) return false;
  std::int64_t now = steadyMillis(Clock::now());
  if (leading_.load()) return now - last_renew_ms_.load() <= config_.renew_deadline.count();
  std::int64_t contact = last_contact_ms_.load();
  return contact != 0 && now - contact <= config_.lease_duration.count();
}

void LeaderElector::run() {
  std::mt19937_64 random{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.0, 1.2);
  while (!stopping_.load()) {
    // As a candidate: try every retry period plus up to 1.2 more (client-go's jitter) so candidates
    // spread out.
    while (!stopping_.load() && !tryAcquireOrRenew()) {
      auto wait = config_.retry_period + std::chrono::duration_cast<std::chrono::milliseconds>(
                                             config_.retry_period * jitter(random));
      if (!sleepFor(wait)) break;
    }
    if (stopping_.load()) break;

    leading_ = true;
    spdlog::info("leader election: leading on {}", what_);
    invoke("on_started_leading", config_.on_started_leading);
    // As the leader: renew every retry period; give up once renew deadline passed without a renewal.
    while (sleepFor(config_.retry_period)) {
      if (tryAcquireOrRenew()) continue;
      auto since = std::chrono::milliseconds(steadyMillis(Clock::now()) - last_renew_ms_.load());
      if (since > config_.renew_deadline) {
        spdlog::error("leader election: lost {}: not renewed for {} ms", what_, since.count());
        break;
      }
    }
    if (stopping_.load()) release();
    leading_ = false;
    invoke("on_stopped_leading", config_.on_stopped_leading);
  }
}

bool LeaderElector::tryAcquireOrRenew() {
  const auto started = Clock::now();
  const std::string now = formatMicroTime(std::chrono::system_clock::now());
  const std::int64_t duration_seconds =
      std::max<std::int64_t>(1, (config_.lease_duration.count() + 999) / 1000);
  Json desired = {{"holderIdentity", config_.identity},
                  {"leaseDurationSeconds", duration_seconds},
                  {"acquireTime", now},
                  {"renewTime", now},
                  {"leaseTransitions", 0}};
  try {
    Json lease;
    try {
      lease = lease_client_->get(resources::Leases, config_.lease_namespace, config_.lease_name);
    } catch (const ApiError& e) {
      if (!e.isNotFound()) throw;
      Json created = {{"apiVersion", "coordination.k8s.io/v1"},
                      {"kind", "Lease"},
                      {"metadata", {{"name", config_.lease_name}, {"namespace", config_.lease_namespace}}},
                      {"spec", desired}};
      lease_client_->create(resources::Leases, config_.lease_namespace, created);
      observe(recordOf(desired), config_.identity, started);
      last_contact_ms_ = steadyMillis(started);
      last_renew_ms_ = steadyMillis(started);
      reportSuccess();
      return true;
    }
    last_contact_ms_ = steadyMillis(started);
    reportSuccess();

    Json spec = lease.value("spec", Json::object());
    const std::string holder = holderOf(spec);
    observe(recordOf(spec), holder, started);
    // Expiry is judged by this candidate's own clock from when it last saw the record change, never by
    // comparing the holder's renewTime with the local clock: the clocks of two machines may differ.
    if (!holder.empty() && holder != config_.identity && started < observed_at_ + config_.lease_duration) {
      return false;
    }
    if (holder == config_.identity) {
      desired["acquireTime"] = spec.value("acquireTime", now);
      desired["leaseTransitions"] = transitionsOf(spec);
    } else {
      desired["leaseTransitions"] = transitionsOf(spec) + 1;
    }
    for (auto& [field, value] : desired.items()) lease["spec"][field] = value;
    lease_client_->update(resources::Leases, config_.lease_namespace, lease);
    observe(recordOf(desired), config_.identity, started);
    last_renew_ms_ = steadyMillis(started);
    return true;
  } catch (const ApiError& e) {
    // Another candidate got there first (Conflict, AlreadyExists): the normal course of an election.
    if (e.isConflict() || e.isAlreadyExists()) {
      spdlog::debug("leader election on {}: lost a race: {}", what_, e.what());
      return false;
    }
    reportFailure(e.what());
    return false;
  } catch (const std::exception& e) {
    reportFailure(e.what());
    return false;
  }
}

void LeaderElector::release() {
  try {
    Json lease = lease_client_->get(resources::Leases, config_.lease_namespace, config_.lease_name);
    Json& spec = lease["spec"];
    if (holderOf(spec) != config_.identity) return;
    const std::string now = formatMicroTime(std::chrono::system_clock::now());
    spec["holderIdentity"] = "";
    spec["leaseDurationSeconds"] = 1;
    spec["acquireTime"] = now;
    spec["renewTime"] = now;
    lease_client_->update(resources::Leases, config_.lease_namespace, lease);
    spdlog::info("leader election: released {}", what_);
  } catch (const std::exception& e) {
    spdlog::warn("leader election: could not release {}; others take over once it expires: {}", what_,
                 e.what());
  }
}

void LeaderElector::observe(const std::string& record, const std::string& holder, Clock::time_point at) {
  if (record != observed_record_) {
    observed_record_ = record;
    observed_at_ = at;
  }
  if (holder.empty() || holder == reported_leader_) return;
  reported_leader_ = holder;
  if (holder != config_.identity)
    spdlog::info("leader election: {} leads on Lease {}/{}", holder, config_.lease_namespace,
                 config_.lease_name);
  if (config_.on_new_leader) {
    try {
      config_.on_new_leader(holder);
    } catch (const std::exception& e) {
      spdlog::error("leader election on {}: on_new_leader failed: {}", what_, e.what());
    }
  }
}

void LeaderElector::reportSuccess() {
  if (!failing_) return;
  failing_ = false;
  spdlog::info("leader election on {}: the API server answers again", what_);
}

void LeaderElector::reportFailure(const std::string& why) {
  // Every retry period would repeat the same line: log the first failure, the rest at debug.
  if (failing_) {
    spdlog::debug("leader election on {}: {}", what_, why);
    return;
  }
  failing_ = true;
  spdlog::warn("leader election on {}: {}", what_, why);
}

void LeaderElector::invoke(const char* name, const std::function<void()>& callback) {
  if (!callback) return;
  try {
    callback();
  } catch (const std::exception& e) {
    spdlog::error("leader election on {}: {} failed: {}", what_, name, e.what());
  }
}

bool LeaderElector::sleepFor(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, d, [this] { return stopping_.load(); });
}

}  // namespace autobuild::kube
