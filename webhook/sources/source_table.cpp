#include "webhook/sources/source_table.h"

#include <array>
#include <stdexcept>
#include <string>

#include "webhook/sources/providers.h"

namespace autobuild::webhook {
namespace {

struct Entry {
  api::SourceType type;
  const Source& (*source)();
};

constexpr std::array kSources{
    Entry{api::SourceType::GitHub, gitHubSource},  Entry{api::SourceType::GitLab, gitLabSource},
    Entry{api::SourceType::Gitee, giteeSource},    Entry{api::SourceType::Gogs, gogsSource},
    Entry{api::SourceType::Gitea, giteaSource},    Entry{api::SourceType::DockerHub, dockerHubSource},
    Entry{api::SourceType::API, apiTriggerSource},
};

}  // namespace

const Source& sourceFor(api::SourceType type) {
  for (const Entry& entry : kSources) {
    if (entry.type == type) return entry.source();
  }
  throw std::logic_error("no webhook source for source type " + std::to_string(static_cast<int>(type)));
}

}  // namespace autobuild::webhook
