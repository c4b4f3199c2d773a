#include "tests/support/aggregator_test_files.h"

#include <sys/stat.h>

#include "aggregator/pki/pki.h"
#include "tests/support/child_process.h"

namespace wattline::testing {

Status MakeAggregatorFiles(const TempDir& dir, const std::string& token) {
  aggregator::PkiInitOptions pki;
  pki.dir = dir.File("pki");
  WATTLINE_RETURN_IF_ERROR(aggregator::InitPki(pki));
  WriteFile(dir.File("write-token"), token);
  if (chmod(dir.File("write-token").c_str(), 0600) != 0) {
    return Status::IoError("cannot chmod " + dir.File("write-token"));
  }
  return Status::Ok();
}

std::string LoopbackAggregatorConfig(const TempDir& dir, const std::string& data_dir) {
  return "data_dir: " + data_dir +
         "\ningest:\n  listen: 127.0.0.1:0\n  pki_dir: " + dir.File("pki") +
         "\napi:\n  listen: 127.0.0.1:0\n  write_token_file: " + dir.File("write-token") + "\n";
}

}  // namespace wattline::testing
