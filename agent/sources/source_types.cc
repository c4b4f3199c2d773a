// The one list of source types. A new kind of device adds one line here.
#include <array>

#include "agent/shelly/shelly_gen2_http_source.h"
#include "agent/sources/source_type.h"

namespace wattline::agent {

std::span<const SourceType* const> SourceTypes() {
  static const std::array<const SourceType*, 1> kTypes = {
      &ShellyGen2HttpSourceType(),
  };
  return kTypes;
}

}  // namespace wattline::agent
