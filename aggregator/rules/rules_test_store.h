// For the rules' tests (rule_group_test.cc, rule_manager_test.cc,
// wattline_rules_test.cc): a real SampleStore in a temporary directory and
// an engine over it, on a fake clock at kRulesT0.
#ifndef WATTLINE_AGGREGATOR_RULES_RULES_TEST_STORE_H_
#define WATTLINE_AGGREGATOR_RULES_RULES_TEST_STORE_H_

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "aggregator/query/engine.h"
#include "aggregator/rules/rule_group.h"
#include "aggregator/storage/sample_store.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"

namespace wattline::aggregator {

inline constexpr int64_t kRulesT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

class RulesOverStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SampleStore::Open(dir_.File("s.db"), &clock_, StorageOptions{});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    engine_ = std::make_unique<Engine>(store_.get(), &clock_);
  }

  // What rules store goes into the store.
  StoreRuleSamples Storer() {
    return
        [this](const std::vector<SeriesSamples>& series) { return store_->Write(series).status(); };
  }

  testing::TempDir dir_;
  FakeClock clock_{kRulesT0};
  std::unique_ptr<SampleStore> store_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_RULES_RULES_TEST_STORE_H_
