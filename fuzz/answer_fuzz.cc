// libFuzzer: the readers of the upstreams' answers (src/providers/), which
// take bytes from the network: the bank's authorization answer and its
// decrypted payload, Nova Post's token answer, both classifiers, the error
// body reader and Retry-After.
//
// Input: byte 0 picks the reader, bytes 1-2 are the HTTP status (0-999), the
// rest up to the first '\n' is a Retry-After value and what follows is the
// body. Beyond "no crash, no UB", each reader's contract is checked:
// - a session exactly when the verdict is kOk, with the headers and the
//   expiry the provider promises (within the years a timestamp may name);
// - a Nova Post session's upstream_state never holds the token again;
// - Retry-After never past kMaxRetryAfter, never negative;
// - an error text never past kMaxErrorTextChars and the "...".
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "jose/jwk.h"
#include "providers/alliance_answer.h"
#include "providers/alliance_classifier.h"
#include "providers/alliance_expiry.h"
#include "providers/error_body.h"
#include "providers/novapost_classifier.h"
#include "providers/novapost_provider.h"
#include "providers/retry_after.h"
#include "util/file_io.h"
#include "util/time_format.h"

namespace {

using namespace tokenwarden;
using namespace tokenwarden::providers;

std::optional<jose::EcKey> g_key;

// 2026-11-24 00:00:00 UTC: whole seconds, so lifetimes compare exactly.
const TimePoint kNow = FromUnixSeconds(1795478400);

[[noreturn]] void Fail(const char* what, const std::string& detail = "") {
  std::fprintf(stderr, "answer_fuzz: %s %s\n", what, detail.c_str());
  std::abort();
}

void CheckVerdict(const Verdict& v, const char* reader) {
  if (v.retry_after < Duration::zero() || v.retry_after > kMaxRetryAfter) Fail(reader, "retry_after out of range");
  if (v.action != Action::kOk && v.action != Action::kPassThrough && v.code.empty()) Fail(reader, "an error without a code");
}

void CheckResult(const AuthorizeResult& r, const char* reader) {
  CheckVerdict(r.verdict, reader);
  if (r.session.has_value() != (r.verdict.action == Action::kOk)) Fail(reader, "a session iff kOk");
}

// What the bank's timestamps can say: the instants ParseTimestamp reads.
bool InTimestampRange(TimePoint t) {
  return t >= FromUnixSeconds(kEarliestUnixSeconds) && t <= FromUnixSeconds(kLatestUnixSeconds);
}

void AllianceAnswer(int status, std::string_view retry_after, std::string_view body) {
  UpstreamResponse response{status, {{"retry-after", std::string(retry_after)}}, std::string(body)};
  AuthorizeResult r = DecodeAllianceAuthorization(response, *g_key, "v1", kNow, kNow);
  CheckResult(r, "DecodeAllianceAuthorization");
}

void AlliancePayload(std::string_view body) {
  AuthorizeResult r = AllianceSessionFromPayload(body, "v1", kNow);
  CheckResult(r, "AllianceSessionFromPayload");
  if (!r.session) return;
  const Session& s = *r.session;
  if (s.headers.size() != 3 || s.headers[0].name != "x-api_version" || s.headers[1].name != "x-device_id" ||
      s.headers[2].name != "x-refresh_token" || s.headers[1].value.reveal().empty() ||
      s.headers[2].value.reveal().empty()) {
    Fail("AllianceSessionFromPayload", "session headers");
  }
  // A stated expiry is a timestamp; none stated: 24 h, warned.
  if (!InTimestampRange(s.expires_at)) Fail("AllianceSessionFromPayload", "expiry out of range");
  if (s.expires_at == kNow + kAllianceSessionLifetime && r.verdict.code.empty()) {
    auto payload = nlohmann::json::parse(body, nullptr, false);
    if (!payload.contains("tokenExpirationDateTime") && !payload.contains("tokenExpiration")) {
      Fail("AllianceSessionFromPayload", "an assumed expiry without a warning");
    }
  }
  auto state = nlohmann::json::parse(s.upstream_state.reveal(), nullptr, false);
  if (!state.is_object()) Fail("AllianceSessionFromPayload", "upstream_state is not an object");
}

void NovaPostAnswer(std::string_view body) {
  AuthorizeResult r = NovaPostSession(body, kNow);
  CheckResult(r, "NovaPostSession");
  if (!r.session) return;
  const Session& s = *r.session;
  if (s.headers.size() != 1 || s.headers[0].name != "Authorization" || s.headers[0].value.reveal().empty()) {
    Fail("NovaPostSession", "session headers");
  }
  auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(s.expires_at - kNow).count();
  if (lifetime <= 0 || lifetime > kNovaPostLongestLifetimeSeconds) {
    Fail("NovaPostSession", "lifetime " + std::to_string(lifetime) + " s");
  }
  auto state = nlohmann::json::parse(s.upstream_state.reveal(), nullptr, false);
  if (!state.is_object() || state.contains("jwt")) Fail("NovaPostSession", "upstream_state keeps the token");
}

void Classifiers(int status, std::string_view retry_after, std::string_view body) {
  UpstreamResponse response{status, {{"Retry-After", std::string(retry_after)}}, std::string(body)};
  CheckVerdict(ClassifyAllianceAnswer(response, kNow), "ClassifyAllianceAnswer");
  CheckVerdict(ClassifyAllianceAuthorizeFailure(response, kNow), "ClassifyAllianceAuthorizeFailure");
  for (NovaPostCall call : {NovaPostCall::kAuthorize, NovaPostCall::kApi}) {
    Verdict v = ClassifyNovaPostAnswer(response, call, kNow);
    CheckVerdict(v, "ClassifyNovaPostAnswer");
    bool success = status >= 200 && status < 300;
    if (success ? v.action != Action::kOk || !v.code.empty() : v.code != "http_" + std::to_string(status)) {
      Fail("ClassifyNovaPostAnswer", "code '" + v.code + "' for HTTP " + std::to_string(status));
    }
  }
  Duration wait = ParseRetryAfter(retry_after, kNow);
  if (wait < Duration::zero() || wait > kMaxRetryAfter) Fail("ParseRetryAfter", "out of range");
  if (auto error = ParseErrorBody(body)) {
    if (error->code.empty() && error->text.empty()) Fail("ParseErrorBody", "an empty result");
    if (error->text.size() > kMaxErrorTextChars + 3) Fail("ParseErrorBody", "text not cut");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto text = ReadFile(std::string(TW_SHARED_DIR) + "/testdata/jose/key.json");
  if (!text.ok()) std::abort();
  auto key = jose::EcKey::FromJwkString(*text);
  if (!key.ok()) std::abort();
  g_key = *key;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  int reader = data[0] % 4;
  int status = (data[1] << 8 | data[2]) % 1000;
  std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);
  size_t newline = rest.find('\n');
  std::string_view retry_after = newline == std::string_view::npos ? std::string_view() : rest.substr(0, newline);
  std::string_view body = newline == std::string_view::npos ? rest : rest.substr(newline + 1);
  switch (reader) {
    case 0: AllianceAnswer(status, retry_after, body); break;
    case 1: AlliancePayload(body); break;
    case 2: NovaPostAnswer(body); break;
    default: Classifiers(status, retry_after, body); break;
  }
  return 0;
}
