#include "bench/source_path.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace wattline::bench {

std::string ReadSourceFile(const std::string& path) {
  // The corpora are read from the tree, not copied: the bench measures what
  // the fuzzers and tests use.
  const std::string full = std::string(WATTLINE_SOURCE_DIR) + "/" + path;
  std::ifstream in(full, std::ios::binary);
  CheckSetup(in.good(), "cannot read " + full);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void CheckSetup(bool ok, std::string_view what) {
  if (!ok) Fail(what);
}

void Fail(std::string_view what) {
  std::fprintf(stderr, "source bench setup: %.*s\n", static_cast<int>(what.size()), what.data());
  std::exit(1);
}

}  // namespace wattline::bench
