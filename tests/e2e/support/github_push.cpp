#include "tests/e2e/support/github_push.h"

#include "tests/e2e/support/http_client.h"

namespace autobuild::e2e {

SignedPush signedGitHubPush(const std::string& secret, const std::string& sha, const std::string& message) {
  nlohmann::json commit = {{"id", sha},
                           {"message", message},
                           {"timestamp", "2026-11-23T10:00:00Z"},
                           {"author", {{"name", "Ada"}}}};
  nlohmann::json body = {
      {"ref", "refs/heads/main"},
      {"before", std::string(40, '0')},
      {"after", sha},
      {"repository", {{"full_name", "acme/web"}, {"clone_url", "https://git.example.com/acme/web.git"}}},
      {"commits", {commit}},
      {"head_commit", commit}};
  std::string raw = body.dump();
  std::string delivery = sha.substr(0, 8) + "-" + sha.substr(8, 4) + "-" + sha.substr(12, 4) + "-" +
                         sha.substr(16, 4) + "-" + sha.substr(20, 12);
  return {{{"Content-Type", "application/json"},
           {"X-GitHub-Event", "push"},
           {"X-GitHub-Delivery", delivery},
           {"X-Hub-Signature-256", "sha256=" + hmacSha256Hex(secret, raw)}},
          raw};
}

nlohmann::json deploymentManifest(const std::string& name, const std::string& container) {
  return {{"metadata", {{"name", name}}},
          {"spec",
           {{"replicas", 1},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec",
               {{"containers",
                 {{{"name", container}, {"image", "registry.example.com/acme/" + name + ":1"}}}}}}}}}}};
}

}  // namespace autobuild::e2e
