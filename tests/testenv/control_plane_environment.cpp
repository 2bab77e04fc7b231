#include "tests/testenv/control_plane_environment.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/testenv/control_plane.h"

namespace autobuild::testenv {
namespace {

std::unique_ptr<ControlPlane> running;
std::string start_failure;

std::string newStateDirectory() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/autobuild-testenv-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    throw std::runtime_error("cannot create a directory like " + pattern + ": " + std::strerror(errno));
  }
  return buffer.data();
}

}  // namespace

ControlPlane& controlPlane() {
  if (!running) {
    throw std::logic_error(start_failure.empty()
                               ? "no control plane: link the test binary with autobuild_testenv_main, whose "
                                 "environment starts it"
                               : "the control plane did not start: " + start_failure);
  }
  return *running;
}

void ControlPlaneEnvironment::SetUp() {
  std::string dir;
  try {
    dir = newStateDirectory();
    const auto started = std::chrono::steady_clock::now();
    running = std::make_unique<ControlPlane>(ControlPlane::start(dir));
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    std::fprintf(stderr, "[ testenv  ] control plane in %s ready in %.1f s at %s\n", running->dir().c_str(),
                 took.count(), running->server().c_str());
  } catch (const std::exception& e) {
    start_failure = e.what();
    GTEST_FAIL() << "starting the control plane in " << dir << " failed: " << e.what();
  }
}

void ControlPlaneEnvironment::TearDown() {
  if (!running) return;
  const bool keep =
      std::getenv("AUTOBUILD_TESTENV_KEEP") != nullptr || !::testing::UnitTest::GetInstance()->Passed();
  try {
    running->stop(!keep);
    if (keep) std::fprintf(stderr, "[ testenv  ] control plane state kept in %s\n", running->dir().c_str());
  } catch (const std::exception& e) {
    ADD_FAILURE() << "stopping the control plane in " << running->dir() << " failed: " << e.what();
  }
  running.reset();
}

}  // namespace autobuild::testenv
