// Proves that host names resolve in the static agent on its target CPU, with
// the agent's own code (agent/net/loadable_modules_static.cc, host_lookup.cc)
// and cpp-httplib linked as in the agent (its static initializer sets OpenSSL
// up before main()). cross/checks/run-resolve-check.sh runs it under qemu,
// without a sysroot, in private namespaces whose /etc/hosts,
// /etc/nsswitch.conf and /etc/resolv.conf are test files, whose DNS server is
// cross/checks/dns_stub.py, and with an openssl.cnf that names a module.
//
// Usage: resolve_check [--no-configure] EXPECTATION...
//   NAME=ADDRESS    NAME resolves, and ADDRESS is one of its addresses
//   NAME=-          NAME does not exist (kNotFound)
//   --no-configure  skip ConfigureLoadableModules(): glibc's own behaviour
// Ends with "resolve_check: N passed, M failed"; exits non-zero on a failure.

#include <httplib.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "agent/net/host_lookup.h"
#include "agent/net/loadable_modules.h"

namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using wattline::Status;
  int first = 1;
  bool configure = true;
  if (argc > 1 && std::string_view(argv[1]) == "--no-configure") {
    configure = false;
    first = 2;
  }
  if (configure) {
    Status status = wattline::agent::ConfigureLoadableModules();
    if (!status.ok()) {
      std::fprintf(stderr, "resolve_check: %s\n", status.ToString().c_str());
      return 1;
    }
  }
  std::printf("loadable modules: %s\n",
              configure ? std::string(wattline::agent::LoadableModulesMode()).c_str()
                        : "glibc's choice for hosts (/etc/nsswitch.conf)");
  // An HTTPS client as the agent makes one: OpenSSL is fully initialised.
  httplib::SSLClient client("127.0.0.1", 1);
  int passed = 0, failed = 0;
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t equals = arg.find('=');
    if (equals == std::string::npos) {
      std::fprintf(stderr, "resolve_check: expected NAME=ADDRESS or NAME=-, got %s\n", argv[i]);
      return 2;
    }
    const std::string name = arg.substr(0, equals), want = arg.substr(equals + 1);
    auto addresses = wattline::agent::LookupHost(name);
    bool ok = false;
    std::string got;
    if (want == "-") {
      ok = !addresses.ok() && addresses.status().code() == Status::Code::kNotFound;
      got = addresses.ok() ? Join(*addresses) : addresses.status().ToString();
    } else if (addresses.ok()) {
      got = Join(*addresses);
      ok = (" " + got + " ").find(" " + want + " ") != std::string::npos;
    } else {
      got = addresses.status().ToString();
    }
    std::printf("%s %s -> %s (want %s)\n", ok ? "ok  " : "FAIL", name.c_str(), got.c_str(),
                want == "-" ? "not found" : want.c_str());
    (ok ? passed : failed)++;
  }
  std::printf("resolve_check: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
