// The GoogleTest global environment that gives a test binary its control plane (see controlPlane()).
// SetUp starts one in a new directory under $TMPDIR (default /tmp); TearDown stops it and removes the
// directory, except when a test failed or AUTOBUILD_TESTENV_KEEP is set: then the directory stays,
// with its logs, and its path is printed. autobuild_testenv_main registers it.
#pragma once

#include <gtest/gtest.h>

namespace autobuild::testenv {

class ControlPlaneEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
};

}  // namespace autobuild::testenv
