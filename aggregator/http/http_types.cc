#include "aggregator/http/http_types.h"

#include <algorithm>
#include <cctype>

namespace wattline::aggregator {
namespace {

const std::string kEmpty;

}  // namespace

const std::string& HttpRequest::Param(const std::string& name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return kEmpty;
}

bool HttpRequest::HasParam(const std::string& name) const {
  for (const auto& param : params) {
    if (param.first == name) return true;
  }
  return false;
}

std::vector<std::string> HttpRequest::Params(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : params) {
    if (key == name) out.push_back(value);
  }
  return out;
}

const std::string& HttpRequest::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? kEmpty : it->second;
}

HttpResponse Refuse(int status, std::string message) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(message) + "\n";
  return response;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace wattline::aggregator
