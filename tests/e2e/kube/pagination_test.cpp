// Listing a large collection in pages: every object once, pages no larger than asked.
#include <map>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kube/informer.h"
#include "kube_test.h"

namespace autobuild::kube::e2e {
namespace {

// The real transport, noting the `limit` of every list request it sends and the length of each answer.
class PageRecorder : public Transport {
 public:
  struct Page {
    int limit;
    std::size_t bytes;
  };

  explicit PageRecorder(std::shared_ptr<Transport> inner) : inner_(std::move(inner)) {}

  HttpResponse send(const HttpRequest& request) override {
    HttpResponse response = inner_->send(request);
    static const std::regex kLimit("[?&]limit=([0-9]+)");
    std::smatch limit;
    if (request.method == "GET" && std::regex_search(request.target, limit, kLimit)) {
      std::lock_guard lock(mutex_);
      pages_.push_back({std::stoi(limit[1]), response.body.size()});
    }
    return response;
  }
  StreamResponse stream(const HttpRequest& request) override { return inner_->stream(request); }
  void shutdown() override { inner_->shutdown(); }
  const std::string& server() const override { return inner_->server(); }

  std::vector<Page> pages() {
    std::lock_guard lock(mutex_);
    return pages_;
  }

 private:
  std::shared_ptr<Transport> inner_;
  std::mutex mutex_;
  std::vector<Page> pages_;
};

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

  static void expectEachCachedOnce(const Informer& informer) {
    std::vector<Json> cached;
    for (const auto& object : informer.list()) cached.push_back(*object);
    expectEachItemOnce(cached);
  }

  // An informer of the suite's namespace with these page options, synced; the pages its list asked for.
  static std::vector<PageRecorder::Page> informerPages(int page_size, std::size_t page_bytes,
                                                       int max_page_size) {
    auto recorder = std::make_shared<PageRecorder>(makeCpprestTransport(adminConfig()));
    InformerOptions options;
    options.ns = bulk_ns_;
    options.page_size = page_size;
    options.page_bytes = page_bytes;
    options.max_page_size = max_page_size;
    Informer informer(std::make_shared<Client>(recorder), resources::ConfigMaps, options);
    informer.start();
    EXPECT_TRUE(informer.waitForSync(60s));
    expectEachCachedOnce(informer);
    return recorder->pages();
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
  expectEachCachedOnce(informer);
  EXPECT_EQ(informer.get(bulk_ns_ + "/item-999")->at("data").at("index"), "999");
}

// With a byte budget, the first page is as small as asked and the later ones as large as the budget
// allows, in far fewer requests than pages of the first page's size.
TEST_F(PaginationTest, InformerSizesLaterPagesByTheirText) {
  constexpr std::size_t kBudget = 32 * 1024;
  auto pages = informerPages(10, kBudget, 500);
  ASSERT_GE(pages.size(), 2u);
  EXPECT_EQ(pages[0].limit, 10);
  EXPECT_LT(pages.size(), kObjects / 10 / 2) << "pages of ten would take over " << kObjects / 10;
  for (std::size_t i = 1; i < pages.size(); ++i) {
    EXPECT_GT(pages[i].limit, 10) << "page " << i;
    EXPECT_LE(pages[i].limit, 500) << "page " << i;
    // The ConfigMaps are alike, so a full page's text is near the budget.
    if (i + 1 < pages.size()) {
      EXPECT_LE(pages[i].bytes, 2 * kBudget) << "page " << i;
    }
  }
}

TEST_F(PaginationTest, InformerPagesStayWithinTheLargestPageSize) {
  auto pages = informerPages(50, 1024 * 1024 * 1024, 300);
  ASSERT_GE(pages.size(), 2u);
  EXPECT_EQ(pages[0].limit, 50);
  for (std::size_t i = 1; i < pages.size(); ++i) EXPECT_EQ(pages[i].limit, 300) << "page " << i;
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
