#include "tests/sim/shelly_switch_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/sim/shelly_gen1_model.h"

namespace wattline::sim {
namespace {

constexpr int64_t kStart = 1'699'999'980'000;  // a whole minute

TEST(ShellySwitchModel, EnergyIsTheIntegralOfThePowerServed) {
  ShellySwitchModel model(4, /*bidirectional=*/false, 3, kStart);
  std::vector<SwitchReading> first = model.Read(kStart);
  std::vector<double> integral(4, 0.0);
  // Power is constant within a second: sample each second once.
  for (int64_t s = 0; s < 1800; ++s) {
    std::vector<SwitchReading> now = model.Read(kStart + s * 1000);
    for (size_t i = 0; i < 4; ++i) integral[i] += now[i].apower_w / 3600.0;
  }
  std::vector<SwitchReading> last = model.Read(kStart + 1800 * 1000);
  for (size_t i = 0; i < 4; ++i) {
    const double counted = last[i].aenergy.total_wh - first[i].aenergy.total_wh;
    // apower is rounded to 0.1 W, the total to 1 mWh.
    EXPECT_NEAR(counted, integral[i], 0.05 * 1800 / 3600.0 + 0.002) << "channel " << i;
    EXPECT_GT(counted, 0.0) << "channel " << i;
    EXPECT_EQ(last[i].ret_aenergy.total_wh, 0.0);
  }
}

TEST(ShellySwitchModel, ByMinuteHoldsTheLastCompleteMinutesInMilliwattHours) {
  ShellySwitchModel model(1, false, 5, kStart);
  double previous_total = model.Read(kStart)[0].aenergy.total_wh;
  std::vector<double> minute_wh;
  for (int m = 1; m <= 4; ++m) {
    const SwitchReading r = model.Read(kStart + m * 60'000)[0];
    minute_wh.push_back(r.aenergy.total_wh - previous_total);
    previous_total = r.aenergy.total_wh;
    EXPECT_EQ(r.aenergy.minute_ts, (kStart + m * 60'000) / 1000);
    EXPECT_NEAR(r.aenergy.by_minute_mwh[0], minute_wh.back() * 1000.0, 1.0) << "minute " << m;
    if (m >= 2) {
      EXPECT_NEAR(r.aenergy.by_minute_mwh[1], minute_wh[static_cast<size_t>(m) - 2] * 1000.0, 1.0);
    }
  }
}

TEST(ShellySwitchModel, BidirectionalChannelFeedsInAndCountsItApart) {
  ShellySwitchModel model(1, /*bidirectional=*/true, 9, kStart);
  const SwitchReading start = model.Read(kStart)[0];
  bool saw_export = false;
  double last_import = start.aenergy.total_wh;
  double last_export = start.ret_aenergy.total_wh;
  for (int64_t s = 0; s <= 1200; s += 7) {
    const SwitchReading r = model.Read(kStart + s * 1000)[0];
    if (r.apower_w < 0) {
      saw_export = true;
      EXPECT_LT(r.pf, 0.0);
    }
    EXPECT_GE(r.aenergy.total_wh, last_import);
    EXPECT_GE(r.ret_aenergy.total_wh, last_export);
    EXPECT_GT(r.current_a, 0.0);
    last_import = r.aenergy.total_wh;
    last_export = r.ret_aenergy.total_wh;
  }
  EXPECT_TRUE(saw_export);
  EXPECT_GT(last_export, 1.0);
}

TEST(ShellyGen1Model, ThreeEmTotalsAndEmSharedVoltage) {
  ShellyGen1Model three(Gen1Device::k3em, 4, kStart);
  ShellyGen1Model em(Gen1Device::kEm, 4, kStart);
  double last_total = 0;
  for (int64_t s = 0; s < 1200; s += 13) {
    const Gen1Reading r3 = three.Read(kStart + s * 1000);
    ASSERT_EQ(r3.emeters.size(), 3u);
    double sum = 0;
    for (const Gen1Emeter& e : r3.emeters) sum += e.power_w;
    EXPECT_NEAR(r3.total_power_w, sum, 1e-9);
    EXPECT_GE(r3.emeters[0].total_wh, last_total);
    last_total = r3.emeters[0].total_wh;

    const Gen1Reading r1 = em.Read(kStart + s * 1000);
    ASSERT_EQ(r1.emeters.size(), 2u);
    EXPECT_EQ(r1.emeters[0].voltage_v, r1.emeters[1].voltage_v);
    for (const Gen1Emeter& e : r1.emeters) {
      EXPECT_GE(e.reactive_var, 0.0);
      EXPECT_EQ(e.total_wh, std::round(e.total_wh * 10) / 10);
    }
  }
}

}  // namespace
}  // namespace wattline::sim
