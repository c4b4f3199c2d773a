// HTTP responses in the shape of Prometheus's API (prom_json.h), shared by
// the query and metadata endpoints.
#ifndef WATTLINE_AGGREGATOR_API_API_RESPONSE_H_
#define WATTLINE_AGGREGATOR_API_API_RESPONSE_H_

#include <string>
#include <string_view>
#include <vector>

#include "aggregator/api/prom_json.h"
#include "aggregator/http/http_types.h"

namespace wattline::aggregator {

// An application/json response.
HttpResponse JsonResponse(int status, std::string body);

// 200 with the success envelope around `data`, JSON already (EncodeSuccess).
HttpResponse SuccessResponse(std::string_view data, const std::vector<std::string>& warnings = {});

// The error envelope with Prometheus's status code for `type`.
HttpResponse ErrorResponse(ApiErrorType type, std::string_view message);

// Prometheus's invalidParamError: bad_data `invalid parameter "<name>": ...`.
HttpResponse InvalidParam(std::string_view name, std::string_view message);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_API_API_RESPONSE_H_
