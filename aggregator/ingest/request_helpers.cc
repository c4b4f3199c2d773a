#include "aggregator/ingest/request_helpers.h"

namespace wattline::aggregator {

std::string MediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return AsciiLower(type);
}

}  // namespace wattline::aggregator
