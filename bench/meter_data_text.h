// Meter data (meter_data.h) as Prometheus text exposition lines with
// millisecond timestamps, the form VictoriaMetrics and the aggregator take on
// POST /api/v1/import/prometheus:
//
//   power_watts{agent="home-001",device="panel",phase="a"} -1234.5 1764633600000
//
// The series are named and labelled as wattline-agent ships a Pro 3EM's
// (docs/sources.md), plus the label agent, which the aggregator adds to what
// comes from its agents and which an import must carry itself: each home's
// agent is home-NNN (numbered from 001), its meter the device "panel".
// Values have the decimals meter_data.h states (trailing zeros kept).
//
// Thread-safety: a formatter is used by one thread at a time.
#ifndef WATTLINE_BENCH_METER_DATA_TEXT_H_
#define WATTLINE_BENCH_METER_DATA_TEXT_H_

#include <string>
#include <vector>

#include "bench/meter_data.h"

namespace wattline::bench {

class MeterDataTextFormatter {
 public:
  explicit MeterDataTextFormatter(int devices);

  // Appends the lines of every series of `step` to `out`,
  // kMeterDataSeriesPerDevice per home. REQUIRES: step.devices.size() is the
  // `devices` given at construction.
  void Append(const MeterStep& step, std::string* out) const;

 private:
  // "name{labels} " of every series, in the order Append writes them.
  std::vector<std::string> prefixes_;
};

}  // namespace wattline::bench

#endif  // WATTLINE_BENCH_METER_DATA_TEXT_H_
