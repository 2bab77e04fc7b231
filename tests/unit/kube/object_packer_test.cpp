#include "kube/object_packer.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace autobuild::kube {
namespace {

using nlohmann::json;

json autobuild(int i) {
  const std::string name = "app-" + std::to_string(10000 + i);
  const std::string id = std::string(40, static_cast<char>('a' + i % 6));
  const std::string url = "https://hooks.example.com/hooks/github/shop/" + name + "/" + id;
  return {{"metadata",
           {{"name", name},
            {"namespace", "shop"},
            {"uid", "5f0c3a8e-2b1d-4c7e-9a51-3d2f1e0b" + std::to_string(1000 + i)},
            {"resourceVersion", std::to_string(184523 + i)},
            {"generation", 1}}},
          {"spec",
           {{"source", {{"type", "GitHub"}, {"repository", "acme/" + name}, {"branches", {"main"}}}},
            {"secretRef", {{"name", name + "-webhook"}, {"key", "secret"}}},
            {"target", {{"kind", "Deployment"}, {"name", "web"}}}}},
          {"status",
           {{"observedGeneration", 1},
            {"webhookURL", url},
            {"conditions",
             {{{"type", "Ready"},
               {"status", "True"},
               {"reason", "Ready"},
               {"message", "webhook URL " + url},
               {"lastTransitionTime", "2026-11-24T11:40:12Z"}}}}}}};
}

TEST(ObjectPacker, ObjectsComeBackAsTheyWerePacked) {
  ObjectPacker packer;
  std::vector<json> objects = {
      autobuild(0),
      autobuild(1),
      json::object(),
      json{{"a", nullptr}},
      json{{"message", "ünïcödé ✓ \u0001 \"quoted\""}, {"n", -1.5}, {"big", 1ULL << 63}},
      json{{"list", json::array({1, "two", json::array(), json::object()})}}};
  std::vector<std::string> packed;
  for (const auto& o : objects) packed.push_back(packer.pack(o));
  for (std::size_t i = 0; i < objects.size(); ++i) EXPECT_EQ(packer.unpack(packed[i]), objects[i]) << i;
}

TEST(ObjectPacker, AnObjectLikeTheFirstPacksIntoAFractionOfItsCbor) {
  ObjectPacker packer;
  packer.pack(autobuild(0));
  const json second = autobuild(1);
  const std::string packed = packer.pack(second);
  const std::size_t cbor = json::to_cbor(second).size();
  EXPECT_LT(packed.size() * 3, cbor) << packed.size() << " packed bytes of " << cbor << " CBOR bytes";
  EXPECT_EQ(packer.unpack(packed), second);
}

TEST(ObjectPacker, AFirstObjectLargerThanTheDictionaryAndAnUnlikeObjectStillRoundTrip) {
  ObjectPacker packer;
  const json large = {{"data", std::string(100 * 1024, 'x') + "end"}};
  const std::string first = packer.pack(large);
  const json other = {{"kind", "ConfigMap"}, {"data", {{"k", std::string(3000, 'q')}}}};
  EXPECT_EQ(packer.unpack(packer.pack(other)), other);
  EXPECT_EQ(packer.unpack(first), large);
}

TEST(ObjectPacker, BytesNotFromThePackerAreRefusedWithAMessage) {
  ObjectPacker packer;
  EXPECT_THROW(
      {
        try {
          packer.unpack("anything");
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "unpack: nothing was packed yet");
          throw;
        }
      },
      std::runtime_error);
  const std::string packed = packer.pack(autobuild(0));
  EXPECT_THROW(packer.unpack("not a frame"), std::runtime_error);
  EXPECT_THROW(packer.unpack(std::string_view(packed).substr(0, packed.size() / 2)), std::runtime_error);
}

TEST(ObjectPacker, PacksAndUnpacksFromManyThreadsAtOnce) {
  ObjectPacker packer;
  const std::string first = packer.pack(autobuild(0));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const json object = autobuild(t * 1000 + i);
        EXPECT_EQ(packer.unpack(packer.pack(object)), object);
        EXPECT_EQ(packer.unpack(first), autobuild(0));
      }
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace
}  // namespace autobuild::kube
