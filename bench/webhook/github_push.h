// A GitHub push delivery as GitHub sends it, for the webhook benchmarks: a realistic payload of about
// 7.5 KB (the repository object with its URLs and counters, the organization, the sender, three commits
// with multi-line messages and file lists, head_commit) and the headers that sign it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace autobuild::bench {

struct GitHubPushOptions {
  std::string repository = "acme/web";  // full_name; the clone URL is https://github.com/<it>.git
  std::string branch = "main";
  std::string head_sha;  // 40 hex digits: head_commit.id and `after`
  // The head commit's first line; whether it contains "@<keyword>" decides whether the push triggers.
  std::string head_subject;
};

// The JSON body, byte for byte as signed.
std::string gitHubPushBody(const GitHubPushOptions& options);

// "sha256=<hex HMAC-SHA256(secret, body)>", the X-Hub-Signature-256 value.
std::string gitHubSignature(const std::string& secret, const std::string& body);

// Content-Type, X-GitHub-Event: push, X-GitHub-Delivery and X-Hub-Signature-256.
std::vector<std::pair<std::string, std::string>> gitHubPushHeaders(const std::string& secret,
                                                                   const std::string& body,
                                                                   const std::string& delivery_id);

}  // namespace autobuild::bench
