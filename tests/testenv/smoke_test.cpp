// What the tests built on the control plane rely on: its controllers work, the API server can be
// stopped and started, etcd can be compacted, RBAC applies to ServiceAccounts, and nothing outlives
// the test binary however it ends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/testenv/child_process.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::testenv {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;

// Waiting for controllers is waiting for eventual consistency: the limit only bounds a broken run.
bool eventually(const std::function<bool()>& condition,
                std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return true;
}

// The message of the std::runtime_error `action` throws; fails the test when it does not throw.
std::string errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a std::runtime_error";
  return "";
}

std::string controlPlaneScript() {
  return std::string(AUTOBUILD_TESTENV_SOURCE_DIR) + "/control-plane";
}

// Processes whose command line names `dir`: what a control plane in `dir` runs.
std::vector<std::string> processesOf(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (auto& c : cmdline) c = c == '\0' ? ' ' : c;
    if (cmdline.find(dir) != std::string::npos) found.push_back(name + ": " + cmdline);
  }
  return found;
}

TEST(ControlPlaneTest, AdminKubeconfigReachesTheApiServerOnLoopback) {
  auto& cp = controlPlane();
  EXPECT_THAT(cp.server(), MatchesRegex(R"(https://127\.0\.0\.1:[0-9]+)"));
  EXPECT_TRUE(std::filesystem::exists(cp.kubeconfig()));
  EXPECT_EQ(cp.kubectl({"get", "namespace", "default", "--output", "jsonpath={.metadata.name}"}), "default");
  EXPECT_EQ(cp.kubectl({"auth", "can-i", "*", "*"}), "yes\n");
}

TEST(ControlPlaneTest, ControllerManagerCreatesReplicaSetsAndCollectsGarbage) {
  auto& cp = controlPlane();
  cp.kubectl({"create", "namespace", "smoke-deploy"});
  cp.kubectl({"apply", "--filename", "-"}, R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: smoke-deploy}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "registry.example.com/web:1"}]}
)");
  auto owners = [&] {
    return cp.kubectl(
        {"get", "replicasets", "--namespace", "smoke-deploy", "--output",
         R"(jsonpath={range .items[*]}{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {end})"});
  };
  EXPECT_TRUE(eventually([&] { return owners().find("Deployment/web ") != std::string::npos; })) << owners();

  // There is no kubelet: the ReplicaSet's Pod exists and stays Pending.
  EXPECT_TRUE(eventually([&] {
    return cp.kubectl({"get", "pods", "--namespace", "smoke-deploy", "--output",
                       "jsonpath={.items[*].status.phase}"}) == "Pending";
  }));

  cp.kubectl({"delete", "deployment", "web", "--namespace", "smoke-deploy", "--wait=false"});
  EXPECT_TRUE(eventually([&] { return owners().empty(); })) << owners();
}

TEST(ControlPlaneTest, ApiServerServesTheSameDataAfterARestart) {
  auto& cp = controlPlane();
  cp.kubectl({"create", "configmap", "before-restart", "--from-literal=k=v"});

  cp.stopApiServer();
  EXPECT_THAT(errorOf([&] {
                cp.kubectl({"get", "namespaces"});
              }),
              AllOf(HasSubstr("kubectl get namespaces failed"), HasSubstr("refused")));
  cp.stopApiServer();  // already stopped: nothing to do

  cp.startApiServer();
  EXPECT_EQ(cp.kubectl({"get", "configmap", "before-restart", "--output", "jsonpath={.data.k}"}), "v");
  EXPECT_THAT(errorOf([&] { cp.startApiServer(); }),
              HasSubstr("kube-apiserver of " + cp.dir() + " is already running"));
}

TEST(ControlPlaneTest, CompactionExpiresWatchesFromOlderResourceVersions) {
  auto& cp = controlPlane();
  const std::string version = cp.kubectl({"create", "configmap", "compacted", "--from-literal=k=1",
                                          "--output", "jsonpath={.metadata.resourceVersion}"});
  cp.kubectl({"label", "configmap", "compacted", "step=2"});
  cp.kubectl({"label", "configmap", "compacted", "step=3", "--overwrite"});
  const std::string watch =
      "/api/v1/namespaces/default/"
      "configmaps?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dcompacted&resourceVersion=" +
      version;

  EXPECT_THAT(cp.kubectl({"get", "--raw", watch}),
              AllOf(HasSubstr(R"("type":"MODIFIED")"), Not(HasSubstr(R"("code":410)"))));
  cp.compactEtcd();
  EXPECT_THAT(cp.kubectl({"get", "--raw", watch}),
              AllOf(HasSubstr(R"("type":"ERROR")"), HasSubstr(R"("code":410)")));
  cp.compactEtcd();  // nothing written since: compacting at the same revision again is no error
}

TEST(ControlPlaneTest, RbacDeniesAServiceAccountUntilARoleBindingAllowsIt) {
  auto& cp = controlPlane();
  const std::string kubeconfig = cp.serviceAccountKubeconfig("smoke-rbac", "reader");
  const std::vector<std::string> list = {"--kubeconfig", kubeconfig, "get", "--raw",
                                         "/api/v1/namespaces/smoke-rbac/configmaps"};

  EXPECT_THAT(errorOf([&] { cp.kubectl(list); }),
              AllOf(HasSubstr("(Forbidden)"), HasSubstr("system:serviceaccount:smoke-rbac:reader")));

  cp.kubectl({"create", "role", "configmap-reader", "--namespace", "smoke-rbac", "--verb=list",
              "--resource=configmaps"});
  cp.kubectl({"create", "rolebinding", "reader", "--namespace", "smoke-rbac", "--role=configmap-reader",
              "--serviceaccount=smoke-rbac:reader"});
  EXPECT_TRUE(eventually([&] {
    try {
      return cp.kubectl(list).find(R"("kind":"ConfigMapList")") != std::string::npos;
    } catch (const std::runtime_error&) {
      return false;
    }
  }));
  // The binding grants what it names and nothing else.
  EXPECT_THAT(errorOf([&] {
                cp.kubectl({"--kubeconfig", kubeconfig, "get", "secrets", "--namespace", "smoke-rbac"});
              }),
              HasSubstr("(Forbidden)"));

  // Asking again finds the ServiceAccount there and gives the same credentials.
  EXPECT_EQ(cp.serviceAccountKubeconfig("smoke-rbac", "reader"), kubeconfig);
  EXPECT_THAT(cp.kubectl(list), HasSubstr(R"("kind":"ConfigMapList")"));
}

TEST(ControlPlaneTest, KubectlFailureCarriesItsErrorOutput) {
  auto& cp = controlPlane();
  EXPECT_THAT(errorOf([&] {
                cp.kubectl({"get", "configmap", "no-such-configmap"});
              }),
              AllOf(HasSubstr("kubectl get configmap no-such-configmap failed (exit code 1)"),
                    HasSubstr(R"(configmaps "no-such-configmap" not found)")));
  EXPECT_THAT(
      errorOf([&] {
        cp.kubectl({"apply", "--filename", "-"}, "kind: [unclosed");
      }),
      AllOf(HasSubstr("kubectl apply --filename - failed (exit code 1)"), HasSubstr("error parsing STDIN")));
}

// A CRD of group smoke.autobuild.dev with this plural and kind.
std::string smokeCrd(const std::string& plural, const std::string& kind) {
  return "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
         "metadata: {name: " +
         plural +
         ".smoke.autobuild.dev}\n"
         "spec:\n  group: smoke.autobuild.dev\n  scope: Namespaced\n"
         "  names: {plural: " +
         plural + ", kind: " + kind +
         "}\n"
         "  versions: [{name: v1, served: true, storage: true,\n"
         "              schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: "
         "true}}}]\n";
}

// Right after its creation, while kubectl wait --for=condition would fail on its null conditions.
TEST(ControlPlaneTest, WaitForEstablishedReturnsOnceTheCrdServes) {
  auto& cp = controlPlane();
  cp.kubectl({"apply", "--filename", "-"}, smokeCrd("gadgets", "Gadget"));
  cp.waitForEstablished({"gadgets.smoke.autobuild.dev"});
  EXPECT_THAT(cp.kubectl({"get", "gadgets", "--all-namespaces"}), IsEmpty());
}

// A second CRD with the kind of the first is never Established (its names are not accepted).
TEST(ControlPlaneTest, WaitForEstablishedNamesTheCrdThatIsNot) {
  auto& cp = controlPlane();
  cp.kubectl({"apply", "--filename", "-"}, smokeCrd("widgets", "Widget"));
  cp.kubectl({"apply", "--filename", "-"}, smokeCrd("widgetsagain", "Widget"));
  EXPECT_THAT(errorOf([&] {
                cp.waitForEstablished({"widgets.smoke.autobuild.dev", "widgetsagain.smoke.autobuild.dev"},
                                      std::chrono::seconds(2));
              }),
              HasSubstr("CustomResourceDefinition widgetsagain.smoke.autobuild.dev is not Established after "
                        "2000 ms"));
  EXPECT_THAT(errorOf([&] { cp.waitForEstablished({"nothings.smoke.autobuild.dev"}); }),
              HasSubstr(R"("nothings.smoke.autobuild.dev" not found)"));
}

TEST(ControlPlaneTest, AdoptingADirectoryWithoutKubeconfigFails) {
  const std::string missing = controlPlane().dir() + "/no-such/kubeconfig";
  EXPECT_THAT(errorOf([&] { ControlPlane(controlPlane().dir() + "/no-such", missing); }),
              HasSubstr("kubeconfig " + missing));
}

TEST(ControlPlaneScriptTest, CommandsOnADirectoryWithoutControlPlaneFail) {
  const std::string empty = controlPlane().dir() + "/empty";
  for (const char* command : {"compact", "start-apiserver"}) {
    auto result = runChildProcess({controlPlaneScript(), command, empty});
    EXPECT_EQ(result.exit_code, 1) << command;
    EXPECT_THAT(result.err, HasSubstr(empty + " has no control plane")) << command;
  }
  auto usage = runChildProcess({controlPlaneScript(), "no-such-command"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("up DIR [--owner-pid PID]"));
}

TEST(ChildProcessTest, MissingProgramFailsToStart) {
  EXPECT_THROW(runChildProcess({"/no-such-program"}), std::system_error);
}

// The child processes of OwnerEndsTest: each is this binary running one of these, with the
// environment variable set, so it starts its own control plane and ends without TearDown.
bool isOwnerChild() {
  return std::getenv("AUTOBUILD_TESTENV_SMOKE_CHILD") != nullptr;
}
TEST(OwnerEndsChild, Exit) {
  if (!isOwnerChild()) GTEST_SKIP() << "runs as a child of OwnerEndsTest";
  std::exit(0);
}
TEST(OwnerEndsChild, Sigterm) {
  if (!isOwnerChild()) GTEST_SKIP() << "runs as a child of OwnerEndsTest";
  std::raise(SIGTERM);
}
TEST(OwnerEndsChild, Sigkill) {
  if (!isOwnerChild()) GTEST_SKIP() << "runs as a child of OwnerEndsTest";
  std::raise(SIGKILL);
}

// The directory in the environment's "control plane in DIR ready" line of a child's output.
std::string startedControlPlane(const std::string& output) {
  const std::string prefix = "control plane in ";
  const auto start = output.find(prefix);
  if (start == std::string::npos) return "";
  const auto begin = start + prefix.size();
  const auto end = output.find(" ready", begin);
  return end == std::string::npos ? "" : output.substr(begin, end - begin);
}

struct OwnerEnding {
  ChildProcessResult result;
  std::string dir;                             // the child's control plane
  std::vector<std::string> running_when_gone;  // its processes right after the child was reaped
};

// The three children run at once, which also has three control planes start side by side.
class OwnerEndsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::map<std::string, std::future<OwnerEnding>> running;
    for (const char* name : {"Exit", "Sigterm", "Sigkill"}) {
      running[name] = std::async(std::launch::async, [name] {
        OwnerEnding ending;
        ending.result = runChildProcess(
            {"/proc/self/exe", std::string("--gtest_filter=OwnerEndsChild.") + name}, "",
            {"AUTOBUILD_TESTENV_SMOKE_CHILD=1", "GTEST_SHARD_INDEX=0", "GTEST_TOTAL_SHARDS=1"});
        ending.dir = startedControlPlane(ending.result.err);
        if (!ending.dir.empty()) ending.running_when_gone = processesOf(ending.dir);
        return ending;
      });
    }
    for (auto& [name, future] : running) endings[name] = future.get();
  }
  static void TearDownTestSuite() {
    for (const auto& [name, ending] : endings) {
      if (!ending.dir.empty() && processesOf(ending.dir).empty()) std::filesystem::remove_all(ending.dir);
    }
  }

  // The ending of OwnerEndsChild.<name>, after checking the child started a control plane and ended
  // with `exit_code`.
  static const OwnerEnding& ending(const std::string& name, int exit_code) {
    const auto& ending = endings[name];
    EXPECT_EQ(ending.result.exit_code, exit_code) << ending.result.out << ending.result.err;
    EXPECT_FALSE(ending.dir.empty()) << "no control plane started:\n"
                                     << ending.result.out << ending.result.err;
    return ending;
  }

  static std::map<std::string, OwnerEnding> endings;
};
std::map<std::string, OwnerEnding> OwnerEndsTest::endings;

TEST_F(OwnerEndsTest, ExitStopsTheControlPlaneBeforeTheProcessIsGone) {
  const auto& exited = ending("Exit", 0);
  ASSERT_FALSE(exited.dir.empty());
  EXPECT_THAT(exited.running_when_gone, IsEmpty());
}

TEST_F(OwnerEndsTest, SigtermLeavesNoProcessBehind) {
  const auto& terminated = ending("Sigterm", 128 + SIGTERM);
  ASSERT_FALSE(terminated.dir.empty());
  EXPECT_TRUE(eventually([&] { return processesOf(terminated.dir).empty(); }, std::chrono::seconds(30)))
      << ::testing::PrintToString(processesOf(terminated.dir));
}

TEST_F(OwnerEndsTest, SigkillLeavesNoProcessBehind) {
  const auto& killed = ending("Sigkill", 128 + SIGKILL);
  ASSERT_FALSE(killed.dir.empty());
  EXPECT_TRUE(eventually([&] { return processesOf(killed.dir).empty(); }, std::chrono::seconds(30)))
      << ::testing::PrintToString(processesOf(killed.dir));
}

}  // namespace
}  // namespace autobuild::testenv
