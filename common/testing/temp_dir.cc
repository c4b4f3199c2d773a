#include "common/testing/temp_dir.h"

#include <stdlib.h>

#include <stdexcept>
#include <system_error>

namespace wattline::testing {

TempDir::TempDir() {
  std::string base = std::filesystem::temp_directory_path().string() + "/wattline-test-XXXXXX";
  if (mkdtemp(base.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = base;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace wattline::testing
