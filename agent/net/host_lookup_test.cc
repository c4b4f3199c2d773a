#include "agent/net/host_lookup.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace wattline::agent {
namespace {

bool Contains(const std::vector<std::string>& addresses, const std::string& address) {
  return std::find(addresses.begin(), addresses.end(), address) != addresses.end();
}

TEST(HostLookup, ResolvesLocalhostToLoopback) {
  auto addresses = LookupHost("localhost");
  ASSERT_TRUE(addresses.ok()) << addresses.status().ToString();
  EXPECT_TRUE(Contains(*addresses, "127.0.0.1") || Contains(*addresses, "::1"));
}

TEST(HostLookup, NumericAddressIsReturnedAsIs) {
  auto v4 = LookupHost("192.0.2.7");
  ASSERT_TRUE(v4.ok()) << v4.status().ToString();
  EXPECT_EQ(*v4, std::vector<std::string>{"192.0.2.7"});
  auto v6 = LookupHost("2001:db8::7");
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_EQ(*v6, std::vector<std::string>{"2001:db8::7"});
}

TEST(HostLookup, EmptyNameIsInvalidArgument) {
  EXPECT_EQ(LookupHost("").status().code(), Status::Code::kInvalidArgument);
}

// An unknown name is not tested here: proving it fails means asking the
// system's DNS server, which a test must not do. cross/checks/resolve_check.cc
// tests it against a DNS server of its own, in a network namespace.

}  // namespace
}  // namespace wattline::agent
