#include "aggregator/ingest/write_token.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <strings.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "aggregator/pki/pem_file.h"

namespace wattline::aggregator {
namespace {

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::array<unsigned char, 32> Digest(std::string_view text) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

constexpr std::string_view kScheme = "bearer ";

}  // namespace

Result<std::string> LoadWriteToken(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return Status::IoError("write token file " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("write token file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::PermissionDenied("write token file " + path + " has mode " + mode +
                                    ": group and others must have no access (chmod 600)");
  }
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  std::string_view token = *text;
  while (!token.empty() && IsWhitespace(token.front())) token.remove_prefix(1);
  while (!token.empty() && IsWhitespace(token.back())) token.remove_suffix(1);
  if (token.empty()) return Status::InvalidArgument("write token file " + path + " is empty");
  if (std::any_of(token.begin(), token.end(),
                  [](char c) { return IsWhitespace(c) || static_cast<unsigned char>(c) < 0x20; })) {
    return Status::InvalidArgument("write token file " + path +
                                   " holds more than one token: no spaces or line breaks inside");
  }
  return std::string(token);
}

WriteTokenCheck::WriteTokenCheck(std::string_view token) : enabled_(!token.empty()) {
  if (enabled_) digest_ = Digest(token);
}

bool WriteTokenCheck::Matches(std::string_view authorization) const {
  if (!enabled_ || authorization.size() <= kScheme.size() ||
      strncasecmp(authorization.data(), kScheme.data(), kScheme.size()) != 0) {
    return false;
  }
  std::array<unsigned char, 32> presented = Digest(authorization.substr(kScheme.size()));
  return CRYPTO_memcmp(presented.data(), digest_.data(), digest_.size()) == 0;
}

}  // namespace wattline::aggregator
