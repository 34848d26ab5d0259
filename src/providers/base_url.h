// A provider's configured base URL, checked once at construction.
#ifndef TOKENWARDEN_PROVIDERS_BASE_URL_H_
#define TOKENWARDEN_PROVIDERS_BASE_URL_H_

#include <string>
#include <string_view>

#include "http/client/http_client.h"
#include "tokenwarden/result.h"

namespace tokenwarden::providers {

// Drops trailing slashes from `url` (paths are appended as "/..."), then
// requires it non-empty, accepted by `client` (parse, https or loopback
// http) and without a query. Errors begin with `field` ("novapost
// base_urls[1]") and never show a query value.
Status NormalizeBaseUrl(std::string& url, const http::HttpClient& client,
                        std::string_view field);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_BASE_URL_H_
