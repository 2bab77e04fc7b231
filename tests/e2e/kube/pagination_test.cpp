// Listing a large collection in pages: every object once, pages no larger than asked.
#include <map>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kube/informer.h"
#include "kube_test.h"

namespace autobuild::kube::e2e {
namespace {

// 1,000 ConfigMaps in a namespace shared by the suite's tests, created once.
class PaginationTest : public KubeTest {
 protected:
  static constexpr std::size_t kObjects = 1000;

  static void SetUpTestSuite() {
    auto admin = std::make_shared<Client>(adminConfig());
    bulk_ns_ = "e2e-pagination-" + randomSuffix();
    admin->create(resources::Namespaces, "",
                  {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", bulk_ns_}}}});
    // Four writers: the API server takes creates in parallel far faster than one after another.
    std::vector<std::thread> writers;
    std::vector<std::string> errors(4);
    for (std::size_t w = 0; w < 4; ++w) {
      writers.emplace_back([&admin, w, &errors] {
        try {
          for (std::size_t i = w; i < kObjects; i += 4) {
            admin->create(resources::ConfigMaps, bulk_ns_,
                          {{"apiVersion", "v1"},
                           {"kind", "ConfigMap"},
                           {"metadata", {{"name", "item-" + std::to_string(i)}, {"namespace", bulk_ns_}}},
                           {"data", {{"index", std::to_string(i)}}}});
          }
        } catch (const std::exception& e) {
          errors[w] = e.what();
        }
      });
    }
    for (auto& writer : writers) writer.join();
    for (const auto& error : errors) ASSERT_TRUE(error.empty()) << error;
  }

  static void TearDownTestSuite() {
    std::make_shared<Client>(adminConfig())
        ->remove(resources::Namespaces, "", bulk_ns_, Propagation::Background);
  }

  // How often each of the suite's ConfigMaps is among `items` (the namespace also holds others, such
  // as kube-root-ca.crt).
  static std::map<std::string, int> itemCounts(const std::vector<Json>& items) {
    std::map<std::string, int> counts;
    for (const auto& item : items) {
      std::string name = item["metadata"]["name"];
      if (name.rfind("item-", 0) == 0) ++counts[name];
    }
    return counts;
  }

  static void expectEachItemOnce(const std::vector<Json>& items) {
    auto counts = itemCounts(items);
    EXPECT_EQ(counts.size(), kObjects);
    for (const auto& [name, count] : counts) EXPECT_EQ(count, 1) << name;
  }

  static inline std::string bulk_ns_;
};

TEST_F(PaginationTest, ListFollowsContinueTokensPageByPage) {
  ListOptions options;
  options.limit = 100;
  std::vector<Json> all;
  int pages = 0;
  while (true) {
    ListPage page = client->list(resources::ConfigMaps, bulk_ns_, options);
    ++pages;
    EXPECT_LE(page.items.size(), 100u);
    EXPECT_FALSE(page.resource_version.empty());
    all.insert(all.end(), page.items.begin(), page.items.end());
    if (page.continue_token.empty()) break;
    options.continue_token = page.continue_token;
    ASSERT_LE(pages, 20) << "the continue tokens do not end";
  }
  EXPECT_GE(pages, 10);
  expectEachItemOnce(all);
}

TEST_F(PaginationTest, ListAllWithALimitReturnsEveryObjectOnce) {
  ListOptions options;
  options.limit = 100;
  ListPage everything = client->listAll(resources::ConfigMaps, bulk_ns_, options);
  EXPECT_TRUE(everything.continue_token.empty());
  EXPECT_FALSE(everything.resource_version.empty());
  expectEachItemOnce(everything.items);
}

TEST_F(PaginationTest, InformerListsInPagesAndCachesEveryObject) {
  InformerOptions options;
  options.ns = bulk_ns_;
  options.page_size = 100;
  std::vector<Json> added;  // outlives the informer, whose thread appends to it
  Informer informer(client, resources::ConfigMaps, options);
  InformerHandlers handlers;
  handlers.on_add = [&](const ObjectPtr& object) { added.push_back(*object); };
  informer.addHandlers(handlers);
  informer.start();
  ASSERT_TRUE(informer.waitForSync(60s));
  expectEachItemOnce(added);
  std::vector<Json> cached;
  for (const auto& object : informer.list()) cached.push_back(*object);
  expectEachItemOnce(cached);
  EXPECT_EQ(informer.get(bulk_ns_ + "/item-999")->at("data").at("index"), "999");
}

TEST_F(PaginationTest, ListWithALabelSelectorReturnsOnlyMatches) {
  client->create(resources::ConfigMaps, ns, configMap("labelled", {}, {{"tier", "gold"}}));
  client->create(resources::ConfigMaps, ns, configMap("plain"));
  ListOptions options;
  options.label_selector = "tier=gold";
  options.limit = 100;
  ListPage page = client->listAll(resources::ConfigMaps, ns, options);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0]["metadata"]["name"], "labelled");
}

}  // namespace
}  // namespace autobuild::kube::e2e
