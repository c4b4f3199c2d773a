// Documents of a Shelly Pro 3EM (triphase) with live, changing readings, made
// by the simulator's own generator (tests/sim/shelly_pro3em_status.h): the
// bytes the agent gets from shelly-pro3em-sim, without a server.
#ifndef WATTLINE_BENCH_PRO3EM_DOCUMENTS_H_
#define WATTLINE_BENCH_PRO3EM_DOCUMENTS_H_

#include <cstdint>
#include <string>

#include "tests/sim/shelly_pro3em_model.h"
#include "tests/sim/shelly_pro3em_status.h"

namespace wattline::bench {

class Pro3emDocuments {
 public:
  // Readings start at `start_unix_ms`. Meters with different seeds read
  // differently; a fixed seed keeps runs comparable.
  explicit Pro3emDocuments(int64_t start_unix_ms, uint64_t seed = 7);

  // Shelly.GetStatus (about 1.2 KiB) and EM.GetStatus (em:0 alone) at
  // `now_unix_ms`, which must not go backwards.
  std::string ShellyGetStatus(int64_t now_unix_ms);
  std::string EmStatus(int64_t now_unix_ms);

 private:
  sim::Pro3emFacts facts_;
  sim::ShellyPro3emModel model_;
};

}  // namespace wattline::bench

#endif  // WATTLINE_BENCH_PRO3EM_DOCUMENTS_H_
