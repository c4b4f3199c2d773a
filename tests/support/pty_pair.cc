#include "tests/support/pty_pair.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <utility>
#include <vector>

namespace wattline::testing {
namespace {

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

std::string PtyPair::FindSocat() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/socat";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

Result<std::unique_ptr<PtyPair>> PtyPair::Start(const std::string& dir, const std::string& name,
                                                int timeout_ms) {
  const std::string socat = FindSocat();
  if (socat.empty()) return Status::NotFound("socat is not installed (Debian package socat)");
  std::string end_a = dir + "/" + name + "_a";
  std::string end_b = dir + "/" + name + "_b";
  auto child = std::make_unique<ChildProcess>(
      std::vector<std::string>{socat, "-d", "-d", "pty,raw,echo=0,link=" + end_a,
                               "pty,raw,echo=0,link=" + end_b},
      dir + "/" + name + "_socat.log");
  // socat makes the links before it enters its transfer loop, and the ptys
  // buffer what is written before then, so the links are enough to go on.
  const bool linked =
      WaitFor([&] { return !child->Running() || (Exists(end_a) && Exists(end_b)); }, timeout_ms);
  if (!linked || !child->Running()) {
    const std::string log = child->Log();
    child->Stop(SIGKILL, 1000);
    return Status::Unavailable("socat made no pty pair in " + dir + ": " + log);
  }
  return std::unique_ptr<PtyPair>(
      new PtyPair(std::move(child), std::move(end_a), std::move(end_b)));
}

PtyPair::PtyPair(std::unique_ptr<ChildProcess> socat, std::string end_a, std::string end_b)
    : socat_(std::move(socat)), end_a_(std::move(end_a)), end_b_(std::move(end_b)) {}

PtyPair::~PtyPair() { socat_->Stop(SIGTERM, 2000); }

}  // namespace wattline::testing
