// Signed GitHub pushes and the workloads they roll out, as the end-to-end suites send and create them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace autobuild::e2e {

struct SignedPush {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// A push of `sha` to main of acme/web whose head commit message is `message`, signed with `secret` as
// GitHub signs (X-Hub-Signature-256). The delivery id derives from `sha`: distinct pushes get distinct
// ids without a random generator shared across sender threads.
SignedPush signedGitHubPush(const std::string& secret, const std::string& sha, const std::string& message);

// A Deployment `name` with one replica of one container `container`, image
// registry.example.com/acme/<name>:1.
nlohmann::json deploymentManifest(const std::string& name, const std::string& container);

}  // namespace autobuild::e2e
