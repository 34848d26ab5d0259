// Answers the drop-in listener gives in an upstream's own shape, so that a
// client's own error handling (the bank's SDK re-authorizing on
// b_unknown_device, stopping on b_auth_token_expired) does the right thing.
#ifndef TOKENWARDEN_AGENT_UPSTREAM_REPLIES_H_
#define TOKENWARDEN_AGENT_UPSTREAM_REPLIES_H_

#include <string_view>

#include "agent/account_runtime.h"
#include "http/message.h"

namespace tokenwarden::agent {

enum class Upstream { kAlliance, kNovaPost };

// The upstream a request is meant for, judged from its path and headers
// alone: the bank's paths (/api-gateway/, /ecom/) or its x-device_id header;
// Nova Post otherwise.
Upstream UpstreamOf(const http::Request& request);

// The bank's error body (PROTOCOLS.md "Errors"): requestId, serviceId,
// msgCode, msgType "ERROR", msgText, isLocalized, msgAttrs, errorCauses.
http::Response AllianceError(int status, std::string_view msg_code, std::string_view text);

// Nova Post's error body: {"message": text}.
http::Response NovaPostError(int status, std::string_view text);

// An error in the shape of `upstream`; `code` is the bank's msgCode.
http::Response UpstreamError(Upstream upstream, int status, std::string_view code, std::string_view text);

// The answer when `account` can give no session, as its upstream would say
// it: access closed (the bank's b_auth_token_expired, 401; Nova Post 401),
// else unavailable (b_server_is_overloaded / 503, with Retry-After).
http::Response NoSessionUpstreamReply(const AccountRuntime& account, const Error& error, const Clock& clock);

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_UPSTREAM_REPLIES_H_
