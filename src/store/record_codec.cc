#include "store/record_codec.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "jose/base64url.h"
#include "util/file_io.h"

namespace tokenwarden::store {
namespace {

constexpr std::string_view kMagic = "TWR1";
constexpr size_t kNonce = 12;
constexpr size_t kTag = 16;

long long Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint FromMillis(long long ms) { return TimePoint(std::chrono::milliseconds(ms)); }

std::string Aad(std::string_view account) { return "tokenwarden-record-v1:" + std::string(account); }

Error Damaged(std::string_view why) {
  return MakeError(ErrorCode::kDataLoss, "stored record " + std::string(why));
}

}  // namespace

std::string SerializeRecord(const AccountRecord& r, uint64_t version) {
  nlohmann::json j = {{"version", version},
                      {"last_used_ms", Millis(r.last_used)},
                      {"needs_support", r.needs_support},
                      {"support_message", r.support_message}};
  nlohmann::json earlier = nlohmann::json::array();
  for (TimePoint t : r.earlier_expiries) earlier.push_back(Millis(t));
  j["earlier_expires_at_ms"] = earlier;
  if (r.session) {
    const Session& s = *r.session;
    nlohmann::json headers = nlohmann::json::array();
    for (const auto& h : s.headers) headers.push_back({h.name, h.value.reveal()});
    j["session"] = {{"account", s.account}, {"provider", s.provider}, {"generation", s.generation},
                    {"issued_at_ms", Millis(s.issued_at)}, {"expires_at_ms", Millis(s.expires_at)},
                    {"refresh_at_ms", Millis(s.refresh_at)}, {"headers", headers},
                    {"upstream_state", s.upstream_state.reveal()}};
  }
  return j.dump();
}

Result<VersionedRecord> ParseRecord(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return Damaged("is not a JSON object");
  try {
    VersionedRecord out;
    out.version = j.at("version").get<uint64_t>();
    out.record.last_used = FromMillis(j.at("last_used_ms").get<long long>());
    out.record.needs_support = j.at("needs_support").get<bool>();
    out.record.support_message = j.at("support_message").get<std::string>();
    // Absent in records written before session limits were tracked.
    for (const auto& t : j.value("earlier_expires_at_ms", nlohmann::json::array())) {
      out.record.earlier_expiries.push_back(FromMillis(t.get<long long>()));
    }
    if (j.contains("session")) {
      const auto& js = j["session"];
      Session s;
      s.account = js.at("account").get<std::string>();
      s.provider = js.at("provider").get<std::string>();
      s.generation = js.at("generation").get<uint64_t>();
      s.issued_at = FromMillis(js.at("issued_at_ms").get<long long>());
      s.expires_at = FromMillis(js.at("expires_at_ms").get<long long>());
      s.refresh_at = FromMillis(js.at("refresh_at_ms").get<long long>());
      for (const auto& h : js.at("headers")) {
        s.headers.push_back({h.at(0).get<std::string>(), Secret(h.at(1).get<std::string>())});
      }
      s.upstream_state = Secret(js.at("upstream_state").get<std::string>());
      out.record.session = std::move(s);
    }
    return out;
  } catch (const nlohmann::json::exception&) {
    return Damaged("lacks a field or has one of the wrong type");
  }
}

Result<RecordCipher> RecordCipher::Create(Secret master_key) {
  if (master_key.size() != kMasterKeyBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "the master key must be 32 bytes");
  }
  return RecordCipher(std::move(master_key));
}

Result<std::string> RecordCipher::Seal(std::string_view account, const AccountRecord& record,
                                       uint64_t version) const {
  std::string plain = SerializeRecord(record, version);
  std::string out(kMagic);
  out.resize(kMagic.size() + kNonce + plain.size() + kTag);
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + kMagic.size());
  auto* ct = nonce + kNonce;
  std::string aad = Aad(account);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = RAND_bytes(nonce, kNonce) == 1 && ctx &&
            EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                               reinterpret_cast<const unsigned char*>(key_.reveal().data()), nonce) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), ct, &len, reinterpret_cast<const unsigned char*>(plain.data()),
                              static_cast<int>(plain.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), nullptr, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, ct + plain.size()) == 1;
  SecureZero(plain.data(), plain.size());
  if (!ok) return MakeError(ErrorCode::kInternal, "sealing the record failed");
  return out;
}

Result<VersionedRecord> RecordCipher::Open(std::string_view account, std::string_view blob) const {
  if (blob.size() < kMagic.size() + kNonce + kTag || blob.substr(0, kMagic.size()) != kMagic) {
    return Damaged("is not a tokenwarden record");
  }
  auto* nonce = reinterpret_cast<const unsigned char*>(blob.data() + kMagic.size());
  size_t ct_len = blob.size() - kMagic.size() - kNonce - kTag;
  auto* ct = nonce + kNonce;
  std::string tag(blob.substr(blob.size() - kTag));
  std::string plain(ct_len, '\0');
  std::string aad = Aad(account);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = ctx &&
            EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                               reinterpret_cast<const unsigned char*>(key_.reveal().data()), nonce) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, ct,
                              static_cast<int>(ct_len)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), nullptr, &len) == 1;
  if (!ok) {
    SecureZero(plain.data(), plain.size());
    return Damaged("does not open with this master key for account '" + std::string(account) +
                   "' (another key, another account's file, or damaged)");
  }
  auto parsed = ParseRecord(plain);
  SecureZero(plain.data(), plain.size());
  return parsed;
}

Result<Secret> LoadOrCreateMasterKey(const std::filesystem::path& key_file) {
  auto decode = [](std::string_view text, std::string_view from) -> Result<Secret> {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    auto raw = jose::Base64UrlDecode(text);
    if (!raw.ok() || raw->size() != kMasterKeyBytes) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(from) + " must hold 32 bytes in base64url (43 characters)");
    }
    return Secret(std::move(*raw));
  };
  if (const char* env = std::getenv(kMasterKeyEnv)) return decode(env, kMasterKeyEnv);
  auto existing = ReadFile(key_file, 4096);
  if (existing.ok()) {
    auto key = decode(*existing, "master key file " + key_file.string());
    SecureZero(existing->data(), existing->size());
    return key;
  }
  if (existing.error().code != ErrorCode::kNotFound) return std::move(existing).error();
  std::string raw(kMasterKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1) {
    return MakeError(ErrorCode::kInternal, "no randomness for a master key");
  }
  std::string text = jose::Base64UrlEncode(raw) + "\n";
  auto st = WriteNewFile(key_file, text, 0600);
  SecureZero(text.data(), text.size());
  if (!st.ok()) {
    SecureZero(raw.data(), raw.size());
    // Another process may have created it first: use theirs.
    if (st.error().code == ErrorCode::kAlreadyExists) return LoadOrCreateMasterKey(key_file);
    return std::move(st).error();
  }
  return Secret(std::move(raw));
}

}  // namespace tokenwarden::store
