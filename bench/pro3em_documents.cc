#include "bench/pro3em_documents.h"

namespace wattline::bench {

Pro3emDocuments::Pro3emDocuments(int64_t start_unix_ms, uint64_t seed)
    : facts_{"shellypro3em-c8f09e9e3779", "C8F09E9E3779", start_unix_ms, true,
             sim::Pro3emProfile::kTriphase},
      model_(seed, start_unix_ms) {}

std::string Pro3emDocuments::ShellyGetStatus(int64_t now_unix_ms) {
  const sim::Pro3emStatusMethod method{sim::Pro3emStatusMethod::kShellyGetStatus, 0};
  return sim::Pro3emStatusText(method, 0, facts_, model_, now_unix_ms);
}

std::string Pro3emDocuments::EmStatus(int64_t now_unix_ms) {
  const sim::Pro3emStatusMethod method{sim::Pro3emStatusMethod::kEm, 1};
  return sim::Pro3emStatusText(method, 0, facts_, model_, now_unix_ms);
}

}  // namespace wattline::bench
