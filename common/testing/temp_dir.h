// A directory that exists for the life of the object, for tests.
#ifndef WATTLINE_COMMON_TESTING_TEMP_DIR_H_
#define WATTLINE_COMMON_TESTING_TEMP_DIR_H_

#include <filesystem>
#include <string>

namespace wattline::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace wattline::testing

#endif  // WATTLINE_COMMON_TESTING_TEMP_DIR_H_
