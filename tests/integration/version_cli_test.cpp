// `rsconform --version` prints the CMake project version (the one the Debian
// package carries) and exits 0, without a subcommand.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/tshark_oracle.hpp"

namespace rsconform {
namespace {

TEST(VersionCli, PrintsTheProjectVersion) {
  auto run = test_support::run_with_deadline(
      {std::string(RSCONFORM_BINARY_DIR) + "/harness/app/rsconform", "--version"},
      std::chrono::seconds{30});
  ASSERT_EQ(run.exit_status, 0) << run.err;
  EXPECT_EQ(run.out, "rsconform " RSCONFORM_VERSION "\n");
  EXPECT_EQ(run.err, "");
}

}  // namespace
}  // namespace rsconform
