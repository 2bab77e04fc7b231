#include "bench/webhook/github_push.h"

#include <array>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <nlohmann/json.hpp>

namespace autobuild::bench {
namespace {

// Field order as GitHub sends it, so the body reads like a real delivery.
using Json = nlohmann::ordered_json;

std::string toHex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex.push_back(kDigits[bytes[i] >> 4]);
    hex.push_back(kDigits[bytes[i] & 0x0f]);
  }
  return hex;
}

// A stable, SHA-shaped id for the older commits of the push, derived from the head SHA.
std::string olderSha(const std::string& head, char salt) {
  std::string sha = head;
  for (char& c : sha) {
    const int digit = (c >= 'a' ? c - 'a' + 10 : c - '0') ^ (salt & 0x0f);
    c = "0123456789abcdef"[digit];
  }
  return sha;
}

Json account(const std::string& login, long id, const std::string& type) {
  const std::string api = "https://api.github.com/users/" + login;
  return Json{{"login", login},
              {"id", id},
              {"node_id", "MDQ6VXNlcj" + std::to_string(id)},
              {"avatar_url", "https://avatars.githubusercontent.com/u/" + std::to_string(id) + "?v=4"},
              {"gravatar_id", ""},
              {"url", api},
              {"html_url", "https://github.com/" + login},
              {"followers_url", api + "/followers"},
              {"following_url", api + "/following{/other_user}"},
              {"organizations_url", api + "/orgs"},
              {"repos_url", api + "/repos"},
              {"events_url", api + "/events{/privacy}"},
              {"type", type},
              {"site_admin", false}};
}

Json person(const std::string& name, const std::string& email, const std::string& username) {
  return Json{{"name", name}, {"email", email}, {"username", username}};
}

Json commit(const std::string& repository, const std::string& sha, const std::string& message,
            const std::string& timestamp, Json modified) {
  const Json author = person("Zoë Müller", "zoe@acme.example", "zmuller");
  return Json{{"id", sha},
              {"tree_id", olderSha(sha, 't')},
              {"distinct", true},
              {"message", message},
              {"timestamp", timestamp},
              {"url", "https://github.com/" + repository + "/commit/" + sha},
              {"author", author},
              {"committer", author},
              {"added", Json::array()},
              {"removed", Json::array()},
              {"modified", std::move(modified)}};
}

Json repositoryObject(const std::string& full_name) {
  const std::string owner = full_name.substr(0, full_name.find('/'));
  const std::string name = full_name.substr(full_name.find('/') + 1);
  const std::string api = "https://api.github.com/repos/" + full_name;
  Json owner_object = account(owner, 5318547, "Organization");
  owner_object["name"] = owner;
  owner_object["email"] = nullptr;
  return Json{{"id", 718203991},
              {"node_id", "R_kgDOKs7xVw"},
              {"name", name},
              {"full_name", full_name},
              {"private", true},
              {"owner", owner_object},
              {"html_url", "https://github.com/" + full_name},
              {"description", "Acme storefront — web front end and session service"},
              {"fork", false},
              {"url", "https://github.com/" + full_name},
              {"forks_url", api + "/forks"},
              {"keys_url", api + "/keys{/key_id}"},
              {"collaborators_url", api + "/collaborators{/collaborator}"},
              {"teams_url", api + "/teams"},
              {"hooks_url", api + "/hooks"},
              {"events_url", api + "/events"},
              {"assignees_url", api + "/assignees{/user}"},
              {"branches_url", api + "/branches{/branch}"},
              {"tags_url", api + "/tags"},
              {"git_refs_url", api + "/git/refs{/sha}"},
              {"statuses_url", api + "/statuses/{sha}"},
              {"languages_url", api + "/languages"},
              {"stargazers_url", api + "/stargazers"},
              {"contributors_url", api + "/contributors"},
              {"commits_url", api + "/commits{/sha}"},
              {"comments_url", api + "/comments{/number}"},
              {"contents_url", api + "/contents/{+path}"},
              {"compare_url", api + "/compare/{base}...{head}"},
              {"archive_url", api + "/{archive_format}{/ref}"},
              {"downloads_url", api + "/downloads"},
              {"issues_url", api + "/issues{/number}"},
              {"pulls_url", api + "/pulls{/number}"},
              {"milestones_url", api + "/milestones{/number}"},
              {"labels_url", api + "/labels{/name}"},
              {"releases_url", api + "/releases{/id}"},
              {"deployments_url", api + "/deployments"},
              {"created_at", 1699605600},
              {"updated_at", "2026-11-23T09:12:44Z"},
              {"pushed_at", 1763891883},
              {"git_url", "git://github.com/" + full_name + ".git"},
              {"ssh_url", "git@github.com:" + full_name + ".git"},
              {"clone_url", "https://github.com/" + full_name + ".git"},
              {"svn_url", "https://github.com/" + full_name},
              {"homepage", "https://shop.acme.example"},
              {"size", 48213},
              {"stargazers_count", 12},
              {"watchers_count", 12},
              {"language", "Go"},
              {"has_issues", true},
              {"has_projects", false},
              {"has_downloads", true},
              {"has_wiki", false},
              {"has_pages", false},
              {"has_discussions", false},
              {"forks_count", 3},
              {"mirror_url", nullptr},
              {"archived", false},
              {"disabled", false},
              {"open_issues_count", 7},
              {"license", nullptr},
              {"allow_forking", false},
              {"is_template", false},
              {"web_commit_signoff_required", false},
              {"topics", {"storefront", "kubernetes"}},
              {"visibility", "private"},
              {"forks", 3},
              {"open_issues", 7},
              {"watchers", 12},
              {"default_branch", "main"},
              {"stargazers", 12},
              {"master_branch", "main"},
              {"organization", owner},
              {"custom_properties", Json::object()}};
}

}  // namespace

std::string gitHubPushBody(const GitHubPushOptions& options) {
  if (options.head_sha.size() != 40) throw std::invalid_argument("head_sha must be 40 hex digits");
  const std::string& repo = options.repository;
  const std::string first = olderSha(options.head_sha, 'a');
  const std::string second = olderSha(options.head_sha, 'b');
  const std::string before = olderSha(options.head_sha, 'c');

  Json commits = Json::array();
  commits.push_back(commit(repo, first,
                           "Move the session store behind an interface\n\nThe cookie store and the Redis "
                           "store now share one interface, so the\nlogin handler no longer knows which "
                           "one it talks to.",
                           "2026-11-23T10:41:19+01:00", {"server/session.go", "server/store.go"}));
  commits.push_back(commit(repo, second,
                           "Test the session expiry at the boundary\n\nA session that expires in the same "
                           "second it is read counts as\nexpired, as the browser sees it.",
                           "2026-11-23T10:52:07+01:00", {"server/session_test.go"}));
  commits.push_back(commit(
      repo, options.head_sha,
      options.head_subject + "\n\nThe session cookie expired after 30 s because the max-age was "
                             "given\nin minutes. Café-tested by Zoë.\n\nCo-authored-by: Zoë Müller "
                             "<zoe@acme.example>",
      "2026-11-23T10:58:01+01:00", {"server/session.go", "server/session_test.go", "docs/sessions.md"}));

  const std::string org_api = "https://api.github.com/orgs/acme";
  const Json organization = {{"login", "acme"},
                             {"id", 5318547},
                             {"node_id", "MDEyOk9yZ2FuaXphdGlvbjUzMTg1NDc="},
                             {"url", org_api},
                             {"repos_url", org_api + "/repos"},
                             {"hooks_url", org_api + "/hooks"},
                             {"members_url", org_api + "/members{/member}"},
                             {"avatar_url", "https://avatars.githubusercontent.com/u/5318547?v=4"},
                             {"description", "Acme Corporation"}};
  Json body = {{"ref", "refs/heads/" + options.branch},
               {"before", before},
               {"after", options.head_sha},
               {"repository", repositoryObject(repo)},
               {"pusher", {{"name", "zmuller"}, {"email", "zoe@acme.example"}}},
               {"organization", organization},
               {"sender", account("zmuller", 2471934, "User")},
               {"created", false},
               {"deleted", false},
               {"forced", false},
               {"base_ref", nullptr},
               {"compare", "https://github.com/" + repo + "/compare/" + before.substr(0, 12) + "..." +
                               options.head_sha.substr(0, 12)},
               {"commits", commits},
               {"head_commit", commits.back()}};
  return body.dump();
}

std::string gitHubSignature(const std::string& secret, const std::string& body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac.data(),
           &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed in OpenSSL");
  }
  return "sha256=" + toHex(mac.data(), length);
}

std::vector<std::pair<std::string, std::string>> gitHubPushHeaders(const std::string& secret,
                                                                   const std::string& body,
                                                                   const std::string& delivery_id) {
  return {{"Content-Type", "application/json"}, {"User-Agent", "GitHub-Hookshot/1e2c4b3"},
          {"X-GitHub-Event", "push"},           {"X-GitHub-Delivery", delivery_id},
          {"X-GitHub-Hook-ID", "448113021"},    {"X-Hub-Signature-256", gitHubSignature(secret, body)}};
}

}  // namespace autobuild::bench
