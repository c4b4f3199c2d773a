#include "aggregator/rules/check_rules_command.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

class CheckRulesCommand : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.File(name);
    std::ofstream(path) << text;
    return path;
  }

  testing::TempDir dir_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CheckRulesCommand, AGoodFileIsOkWithItsRulesCounted) {
  const std::string path = Write("good.yml", R"(groups:
  - name: energy
    rules:
      - record: device:power_watts:avg1m
        expr: avg_over_time(power_watts[1m])
  - name: health
    interval: 30s
    rules:
      - alert: AgentSilent
        expr: time() - max by (agent) (timestamp(up)) > 300
        for: 5m
        annotations:
          summary: "{{ $labels.agent }} is silent"
)");
  EXPECT_EQ(RunCheckRulesCommand({path}, out_, err_), kCheckRulesExitOk) << err_.str();
  EXPECT_EQ(out_.str(), path + ": OK, 2 rules in 2 groups\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CheckRulesCommand, ABadExpressionIsPointedAtAndEveryFileIsChecked) {
  const std::string bad = Write("bad.yml", R"(groups:
  - name: energy
    rules:
      - record: device:power_watts:avg1m
        expr: avg_over_time(power_watts[1m]
)");
  const std::string good = Write("good.yml", "groups: []\n");
  EXPECT_EQ(RunCheckRulesCommand({bad, good}, out_, err_), kCheckRulesExitInvalid);
  EXPECT_NE(err_.str().find(bad + ":5:"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("group \"energy\", rule 1"), std::string::npos) << err_.str();
  EXPECT_EQ(out_.str(), good + ": OK, 0 rules in 0 groups\n") << "the second file still checked";
}

TEST_F(CheckRulesCommand, AMissingFileIsNamedAsARuleFile) {
  EXPECT_EQ(RunCheckRulesCommand({dir_.File("none.yml")}, out_, err_), kCheckRulesExitInvalid);
  EXPECT_EQ(err_.str(), "cannot read rule file " + dir_.File("none.yml") + "\n");
}

TEST_F(CheckRulesCommand, NoFileIsAUsageError) {
  EXPECT_EQ(RunCheckRulesCommand({}, out_, err_), kCheckRulesExitUsage);
  EXPECT_NE(err_.str().find("usage:"), std::string::npos);
}

}  // namespace
}  // namespace wattline::aggregator
