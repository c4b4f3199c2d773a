#include "aggregator/api/api_response.h"

#include <utility>

namespace wattline::aggregator {

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
}

HttpResponse SuccessResponse(std::string_view data, const std::vector<std::string>& warnings) {
  return JsonResponse(200, EncodeSuccess(data, warnings));
}

HttpResponse ErrorResponse(ApiErrorType type, std::string_view message) {
  return JsonResponse(ApiErrorHttpStatus(type), EncodeError(type, message));
}

HttpResponse InvalidParam(std::string_view name, std::string_view message) {
  return ErrorResponse(ApiErrorType::kBadData,
                       "invalid parameter \"" + std::string(name) + "\": " + std::string(message));
}

}  // namespace wattline::aggregator
