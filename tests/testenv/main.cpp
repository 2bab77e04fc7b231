// main() for test binaries that need a control plane: link autobuild_testenv_main.
#include <gtest/gtest.h>

#include "tests/testenv/control_plane_environment.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // GoogleTest owns and deletes the environment.
  ::testing::AddGlobalTestEnvironment(new autobuild::testenv::ControlPlaneEnvironment);
  return RUN_ALL_TESTS();
}
