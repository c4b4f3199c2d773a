// The text import (POST /api/v1/import/prometheus): Prometheus's text
// exposition format with optional millisecond timestamps, as
// VictoriaMetrics accepts it on the same path. One sample a line:
//
//   line     = blank | comment | sample
//   comment  = *space "#" *any                      (HELP and TYPE too)
//   sample   = *space name *space [labels] 1*space value [1*space timestamp] *space
//   name     = [a-zA-Z_:] *[a-zA-Z0-9_:]
//   labels   = "{" *space [label *("," *space label) ["," *space]] "}" *space
//   label    = lname *space "=" *space '"' *(char | escape) '"' *space
//   lname    = [a-zA-Z_] *[a-zA-Z0-9_]
//   escape   = "\\" | "\"" | "\n"    (another backslash pair is kept as it is,
//                                      as VictoriaMetrics does)
//   value    = a number as Go's ParseFloat reads it: 1.5, -2e3, NaN, +Inf, -Inf
//   timestamp= [+-] 1*digit             ms since the Unix epoch
//   space    = " " | "\t"
//
// Lines end in "\n" (a "\r" before it is ignored). A sample without a
// timestamp, or with timestamp 0 (as VictoriaMetrics), gets
// `default_timestamp_ms`. A label with an empty value is absent. The metric
// name becomes the label "__name__"; samples are grouped per series
// (series_grouper.h).
//
// Errors: InvalidArgument "line L, column C: expected ..." for the first
// malformed line (columns count bytes from 1); nothing is returned then.
//
// Thread-safety: pure function.
#ifndef WATTLINE_AGGREGATOR_INGEST_PROM_TEXT_IMPORT_H_
#define WATTLINE_AGGREGATOR_INGEST_PROM_TEXT_IMPORT_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "common/status.h"

namespace wattline::aggregator {

[[nodiscard]] Result<std::vector<SeriesSamples>> ParsePromText(std::string_view text,
                                                               int64_t default_timestamp_ms);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_INGEST_PROM_TEXT_IMPORT_H_
