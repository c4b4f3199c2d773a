// libFuzzer target for the alert template parser and executor. Every input
// is a template: parsing must return a Result, never crash, hang or leak; a
// parse error reads "LINE: message"; a parsed template expands (or fails)
// within the output limit. Seeds are in
// aggregator/rules/fuzz_corpus/alert_template/.
//
//   The fuzz build (tests/fuzz) makes it: alert_template_fuzz
//   ./alert_template_fuzz aggregator/rules/fuzz_corpus/alert_template/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string_view>

#include "aggregator/rules/alert_template.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using wattline::Label;
  using wattline::Labels;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  wattline::Result<wattline::aggregator::AlertTemplate> parsed =
      wattline::aggregator::ParseAlertTemplate(text);
  if (!parsed.ok()) {
    const std::string message = parsed.status().message();
    const size_t colon = message.find(": ");
    Require(colon != std::string::npos && colon > 0);
    for (size_t i = 0; i < colon; ++i) Require(message[i] >= '0' && message[i] <= '9');
    return 0;
  }
  static const Labels* const kLabels =
      new Labels{{"__name__", "m"}, {"instance", "host:9100"}, {"job", "node"}, {"x", "1e3"}};
  static const Labels* const kExternal = new Labels{{"region", "eu"}};
  for (double value : {1.5, std::numeric_limits<double>::quiet_NaN(), -1e300}) {
    const wattline::aggregator::AlertTemplateData template_data{kLabels, kExternal, "http://x/",
                                                                value};
    wattline::Result<std::string> expanded = parsed->Expand(template_data);
    if (expanded.ok()) Require(expanded->size() <= (size_t{1} << 20));
  }
  return 0;
}
