// What a test starts an aggregator on, in the test's own directory: a PKI,
// a write token, and the start of a config that names them with the
// listeners on loopback ports the kernel picks.
#ifndef WATTLINE_TESTS_SUPPORT_AGGREGATOR_TEST_FILES_H_
#define WATTLINE_TESTS_SUPPORT_AGGREGATOR_TEST_FILES_H_

#include <string>

#include "common/status.h"
#include "common/testing/temp_dir.h"

namespace wattline::testing {

// `dir`/pki, made as `wattline-aggregator pki init` makes it, and `token` in
// `dir`/write-token, mode 0600 (the aggregator refuses a token others may
// read).
Status MakeAggregatorFiles(const TempDir& dir, const std::string& token);

// `data_dir`, then the ingest and API listeners on 127.0.0.1:0 with `dir`'s
// PKI and write token. It ends inside the api section: API options may
// follow it, as may sections of their own.
std::string LoopbackAggregatorConfig(const TempDir& dir, const std::string& data_dir);

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_SUPPORT_AGGREGATOR_TEST_FILES_H_
