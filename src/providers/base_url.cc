#include "providers/base_url.h"

namespace tokenwarden::providers {

Status NormalizeBaseUrl(std::string& url, const http::HttpClient& client,
                        std::string_view field) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.empty())
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + " is empty");
  if (auto s = client.CheckUrl(url); !s.ok())
    return WithContext(s.error(), field);
  if (url.find('?') != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + " must not carry a query");
  }
  return OkStatus();
}

}  // namespace tokenwarden::providers
