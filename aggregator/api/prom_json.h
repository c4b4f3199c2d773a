// The JSON of Prometheus's HTTP API (web/api/v1), which Grafana's Prometheus
// data source reads:
//
//   {"status":"success","data":{"resultType":"vector","result":[
//     {"metric":{"__name__":"power_watts","device":"panel"},
//      "value":[1700000000.123,"230.5"]}]}}
//   {"status":"success","data":{"resultType":"matrix","result":[
//     {"metric":{...},"values":[[1700000000,"1"],[1700000015,"2"]]}]}}
//   {"status":"error","errorType":"bad_data","error":"..."}
//
// Timestamps are Unix seconds as JSON numbers with millisecond precision;
// sample values are strings (FormatSampleValue), so NaN and infinities
// survive JSON. Label objects keep the labels' order (sorted by name).
// Strings are escaped by nlohmann-json; invalid UTF-8 becomes U+FFFD.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_API_PROM_JSON_H_
#define WATTLINE_AGGREGATOR_API_PROM_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "aggregator/query/value.h"

namespace wattline::aggregator {

// Prometheus's errorType values.
enum class ApiErrorType { kBadData, kExecution, kTimeout, kInternal, kUnavailable, kNotFound };

// "bad_data", "execution", "timeout", "internal", "unavailable", "not_found".
std::string_view ApiErrorTypeName(ApiErrorType type);

// The HTTP status Prometheus answers with: bad_data 400, execution 422,
// timeout 503, internal 500, unavailable 503, not_found 404.
int ApiErrorHttpStatus(ApiErrorType type);

// Success envelopes of an instant query's vector and a range query's matrix.
std::string EncodeVectorResult(const Vector& vector);
std::string EncodeMatrixResult(const Matrix& matrix);
// {"resultType":"scalar","result":[1700000000,"2"]}; a string likewise.
std::string EncodeScalarResult(const Scalar& scalar);
std::string EncodeStringResult(const StringValue& string);
// Whichever of the four an instant query gave.
std::string EncodeQueryValue(const QueryValue& value);

// The error envelope.
std::string EncodeError(ApiErrorType type, std::string_view message);

// {"status":"success","data":<data>,"warnings":[...]} around `data` (JSON
// already), the warnings only when there are some, as Prometheus omits
// them: the metadata and rules endpoints' answers.
std::string EncodeSuccess(std::string_view data, const std::vector<std::string>& warnings = {});

// A sample value as Go's strconv.FormatFloat(v, 'f', -1, 64) writes it: the
// shortest digits that read back to the same double, never in exponent
// notation (1e21 is "1000000000000000000000", 1e-7 is "0.0000001"); "-0"
// keeps its sign; "NaN", "+Inf", "-Inf".
//
// Prometheus itself (util/jsonutil.MarshalFloat) switches to exponent
// notation below 1e-6 and from 1e21 on ("1e+21"); both forms parse to the
// same number in every client, including Grafana.
std::string FormatSampleValue(double value);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_API_PROM_JSON_H_
