// What the controller's caches keep of each object: only the fields it reads. The caches hold every
// AutoBuild, Secret and workload of the watched namespaces, so what is kept per object is most of the
// controller's memory.
#pragma once

#include <nlohmann/json.hpp>

namespace autobuild::controller {

// An AutoBuild: metadata.name, namespace, uid, resourceVersion, generation and deletionTimestamp; the
// spec; of the status, observedGeneration, webhookPath, webhookURL, conditions and build. Left out:
// managedFields and annotations (kubectl's last-applied copy of the object), labels, and the webhook's
// lastTrigger and triggerCount, which the controller writes but never reads.
nlohmann::json trimAutoBuild(nlohmann::json autobuild);

// A Secret as api::keepReferencedSecretData leaves it, less the labels, ownerReferences and uid: the
// controller reads only the data (or the mark that it was left out).
nlohmann::json trimSecret(nlohmann::json secret);

// A target workload: metadata.name, namespace, uid and resourceVersion. Only its existence matters.
nlohmann::json identityOnly(nlohmann::json object);

}  // namespace autobuild::controller
