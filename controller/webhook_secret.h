// The Secret the controller creates for an AutoBuild whose secretRef names no existing Secret.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "api/autobuild.h"

namespace autobuild::controller {

// 32 bytes from OpenSSL's cryptographic generator, hex-encoded (64 characters).
std::string generateWebhookSecret();

// The Secret object: name and key from the (defaulted) secretRef, the value, the label
// app.kubernetes.io/managed-by=autobuild, and an ownerReference to the AutoBuild so that deleting the
// AutoBuild garbage-collects it.
nlohmann::json webhookSecretObject(const api::AutoBuild& autobuild, const std::string& value);

}  // namespace autobuild::controller
