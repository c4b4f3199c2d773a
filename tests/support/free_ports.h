// Loopback ports for test servers, chosen at run time so that tests never
// collide on a fixed port.
#ifndef WATTLINE_TESTS_SUPPORT_FREE_PORTS_H_
#define WATTLINE_TESTS_SUPPORT_FREE_PORTS_H_

#include <vector>

namespace wattline::testing {

// A free port on 127.0.0.1 for each entry of `ports`, all different: the
// sockets stay bound until every port is known, then close for the server
// to take (a race another process could win; callers retry the start).
// False when a socket could not be bound.
bool PickFreePorts(std::vector<int*> ports);

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_SUPPORT_FREE_PORTS_H_
