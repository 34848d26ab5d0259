#include "store/record_codec.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <optional>
#include <nlohmann/json.hpp>

#include "jose/base64url.h"
#include "util/fetched_cipher.h"
#include "util/file_io.h"
#include "util/time_format.h"

namespace tokenwarden::store {
namespace {

constexpr std::string_view kMagic = "TWR1";
constexpr size_t kNonce = 12;
constexpr size_t kTag = 16;

long long Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint FromMillis(long long ms) { return TimePoint(std::chrono::milliseconds(ms)); }

// A stored time lies within kLatestUnixSeconds of 1970, either way.
constexpr long long kTimeLimitMs = kLatestUnixSeconds * 1000;

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

namespace {

// A record's members, and one bit each for the ones read so far.
enum class Field {
  kUnknown, kVersion, kLastUsed, kNeedsSupport, kSupportMessage, kEarlier, kSession,
  kAccount, kProvider, kGeneration, kIssued, kExpires, kRefresh, kHeaders, kUpstreamState
};
constexpr unsigned Bit(Field f) { return 1u << static_cast<unsigned>(f); }

// Reads a record straight from the JSON events (nlohmann's SAX interface)
// into an AccountRecord: no JSON tree is built (a restore of 100,000
// accounts spent a quarter of its CPU building and reading the trees). Each
// string is copied out of the lexer at its exact size: a string moved out
// kept the lexer's doubling capacity (a third of a restored session's
// memory) and made the lexer grow a new buffer for the next one. The lexer's
// buffers wipe themselves when freed (WipingString), so the copies a
// growing buffer leaves behind hold no part of a token. Unknown members are skipped; known ones must have
// their type; the required ones must be present.
class RecordReader {
 public:
  using json = nlohmann::basic_json<std::map, std::vector, WipingString>;

  bool null() { return Scalar() && Skipping(); }
  bool boolean(bool v) {
    if (!Scalar()) return false;
    if (Skipping()) return true;
    if (field_ != Field::kNeedsSupport) return false;
    Took();
    out_.record.needs_support = v;
    return true;
  }
  bool number_integer(json::number_integer_t v) { return Integer(v, v >= 0); }
  bool number_unsigned(json::number_unsigned_t v) {
    if (v > static_cast<uint64_t>(INT64_MAX)) return Scalar() && Skipping();
    return Integer(static_cast<long long>(v), true);
  }
  // Any string type: nlohmann's binary formats, compiled in beside JSON,
  // pass a std::string here.
  template <class Text>
  bool number_float(json::number_float_t, const Text&) { return Scalar() && Skipping(); }
  bool binary(json::binary_t&) { return Scalar() && Skipping(); }
  bool string(json::string_t& v) {
    if (!Scalar()) return false;
    if (Skipping()) return true;
    if (Top() == Place::kHeader) {
      if (header_items_ == 0) {
        session().headers.push_back({std::string(v), Secret()});
      } else if (header_items_ == 1) {
        session().headers.back().value = Secret(std::string_view(v));
      } else {
        return false;
      }
      ++header_items_;
      return true;
    }
    switch (field_) {
      case Field::kSupportMessage: Took(); out_.record.support_message = std::string(v); return true;
      case Field::kAccount: Took(); session().account = std::string(v); return true;
      case Field::kProvider: Took(); session().provider = std::string(v); return true;
      case Field::kUpstreamState: Took(); session().upstream_state = Secret(std::string_view(v)); return true;
      default: return false;
    }
  }

  bool start_object(std::size_t) {
    if (stack_.empty()) return Push(Place::kRoot);
    if (Skipping()) return Push(Place::kSkip);
    if (Top() == Place::kRoot && field_ == Field::kSession) {
      out_.record.session.emplace();
      seen_ &= ~kSessionBits;
      return Push(Place::kSession);
    }
    return false;
  }
  bool key(json::string_t& k) {
    struct Name {
      Place place;
      std::string_view name;
      Field field;
    };
    static constexpr Name kNames[] = {
        {Place::kRoot, "version", Field::kVersion},
        {Place::kRoot, "last_used_ms", Field::kLastUsed},
        {Place::kRoot, "needs_support", Field::kNeedsSupport},
        {Place::kRoot, "support_message", Field::kSupportMessage},
        {Place::kRoot, "earlier_expires_at_ms", Field::kEarlier},
        {Place::kRoot, "session", Field::kSession},
        {Place::kSession, "account", Field::kAccount},
        {Place::kSession, "provider", Field::kProvider},
        {Place::kSession, "generation", Field::kGeneration},
        {Place::kSession, "issued_at_ms", Field::kIssued},
        {Place::kSession, "expires_at_ms", Field::kExpires},
        {Place::kSession, "refresh_at_ms", Field::kRefresh},
        {Place::kSession, "headers", Field::kHeaders},
        {Place::kSession, "upstream_state", Field::kUpstreamState},
    };
    field_ = Field::kUnknown;
    for (const Name& n : kNames) {
      if (n.place == Top() && n.name == std::string_view(k)) field_ = n.field;
    }
    return true;
  }
  bool end_object() {
    if (Top() == Place::kSession && (seen_ & kSessionBits) != kSessionBits) return false;
    if (Top() == Place::kRoot && (seen_ & kRootBits) != kRootBits) return false;
    return Pop();
  }
  bool start_array(std::size_t) {
    if (stack_.empty()) {
      not_object_ = true;
      return false;
    }
    if (Skipping()) return Push(Place::kSkip);
    if (Top() == Place::kRoot && field_ == Field::kEarlier) return Push(Place::kEarlier);
    if (Top() == Place::kSession && field_ == Field::kHeaders) {
      Took();
      return Push(Place::kHeaders);
    }
    if (Top() == Place::kHeaders) {
      header_items_ = 0;
      return Push(Place::kHeader);
    }
    return false;
  }
  bool end_array() {
    if (Top() == Place::kHeader && header_items_ != 2) return false;
    return Pop();
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    invalid_json_ = true;
    return false;
  }

  Result<VersionedRecord> Finish(bool parsed) {
    if (invalid_json_ || not_object_) return Damaged("is not a JSON object");
    if (time_out_of_range_) {
      return Damaged("holds a time out of range: " + std::to_string(*time_out_of_range_) + " ms since 1970");
    }
    if (!parsed || !root_closed_) return Damaged("lacks a field or has one of the wrong type");
    return std::move(out_);
  }

 private:
  enum class Place { kRoot, kSession, kEarlier, kHeaders, kHeader, kSkip };
  // The fields read so far, one bit each; the required ones per object.
  static constexpr unsigned kRootBits =
      Bit(Field::kVersion) | Bit(Field::kLastUsed) | Bit(Field::kNeedsSupport) | Bit(Field::kSupportMessage);
  static constexpr unsigned kSessionBits = Bit(Field::kAccount) | Bit(Field::kProvider) | Bit(Field::kGeneration) |
                                           Bit(Field::kIssued) | Bit(Field::kExpires) | Bit(Field::kRefresh) |
                                           Bit(Field::kHeaders) | Bit(Field::kUpstreamState);

  Place Top() const { return stack_.empty() ? Place::kSkip : stack_.back(); }
  Session& session() { return *out_.record.session; }
  bool Push(Place p) {
    stack_.push_back(p);
    return true;
  }
  bool Pop() {
    stack_.pop_back();
    if (stack_.empty()) root_closed_ = true;
    field_ = Field::kUnknown;
    return true;
  }
  // The value of the current field was taken.
  void Took() { seen_ |= Bit(field_); }
  // A container that is not ours, or one under an unknown member.
  bool Skipping() const {
    return Top() == Place::kSkip || ((Top() == Place::kRoot || Top() == Place::kSession) && field_ == Field::kUnknown);
  }
  // Where a scalar may stand: not as the whole document.
  bool Scalar() {
    if (stack_.empty()) not_object_ = true;
    return !stack_.empty();
  }

  bool Integer(long long v, bool non_negative) {
    if (!Scalar()) return false;
    if (Skipping()) return true;
    bool time = Top() == Place::kEarlier || field_ == Field::kLastUsed || field_ == Field::kIssued ||
                field_ == Field::kExpires || field_ == Field::kRefresh;
    if (time && (v > kTimeLimitMs || v < -kTimeLimitMs)) {
      time_out_of_range_ = v;
      return false;
    }
    if (Top() == Place::kEarlier) {
      out_.record.earlier_expiries.push_back(FromMillis(v));
      return true;
    }
    switch (field_) {
      case Field::kVersion:
        if (!non_negative) return false;
        Took();
        out_.version = static_cast<uint64_t>(v);
        return true;
      case Field::kLastUsed: Took(); out_.record.last_used = FromMillis(v); return true;
      case Field::kGeneration:
        if (!non_negative) return false;
        Took();
        session().generation = static_cast<uint64_t>(v);
        return true;
      case Field::kIssued: Took(); session().issued_at = FromMillis(v); return true;
      case Field::kExpires: Took(); session().expires_at = FromMillis(v); return true;
      case Field::kRefresh: Took(); session().refresh_at = FromMillis(v); return true;
      default: return false;
    }
  }

  VersionedRecord out_;
  std::vector<Place> stack_;
  Field field_ = Field::kUnknown;
  unsigned seen_ = 0;
  int header_items_ = 0;
  bool invalid_json_ = false;
  bool not_object_ = false;
  bool root_closed_ = false;
  std::optional<long long> time_out_of_range_;
};

}  // namespace

Result<VersionedRecord> ParseRecord(std::string_view text) {
  RecordReader reader;
  bool parsed = RecordReader::json::sax_parse(text, &reader, RecordReader::json::input_format_t::json, /*strict=*/true);
  return reader.Finish(parsed);
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
            EVP_EncryptInit_ex(ctx.get(), FetchedCipher("AES-256-GCM"), nullptr,
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
            EVP_DecryptInit_ex(ctx.get(), FetchedCipher("AES-256-GCM"), nullptr,
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
