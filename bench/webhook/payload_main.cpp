// webhook-bench-payload: writes one signed GitHub push (github_push.h) for the throughput run: the body
// to a file, the X-Hub-Signature-256 value to standard output.
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "bench/webhook/github_push.h"

int main(int argc, char** argv) {
  autobuild::bench::GitHubPushOptions options;
  std::string secret;
  std::string body_file;
  CLI::App app{"webhook-bench-payload: a signed GitHub push of about 7.5 KB"};
  app.add_option("--secret", secret, "the webhook secret that signs the body")->required();
  app.add_option("--sha", options.head_sha, "the head commit (40 hex digits)")->required();
  app.add_option("--subject", options.head_subject, "the head commit's first line")->required();
  app.add_option("--repository", options.repository, "owner/name")->capture_default_str();
  app.add_option("--branch", options.branch, "the pushed branch")->capture_default_str();
  app.add_option("--body-out", body_file, "where to write the body")->required();
  CLI11_PARSE(app, argc, argv);

  try {
    const std::string body = autobuild::bench::gitHubPushBody(options);
    std::ofstream out(body_file, std::ios::binary);
    out << body;
    out.close();
    if (!out) {
      std::cerr << "webhook-bench-payload: cannot write " << body_file << "\n";
      return 1;
    }
    std::cout << autobuild::bench::gitHubSignature(secret, body) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "webhook-bench-payload: " << e.what() << "\n";
    return 1;
  }
}
