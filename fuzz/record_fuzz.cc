// libFuzzer: the stored-record reader (src/store/record_codec.cc), which
// reads a record's JSON with a hand-written SAX state machine. Its input is
// authenticated (AES-GCM under the master key), so only our writer makes
// it; the reader must still never crash, overflow or leak on any bytes.
//
// A record it accepts must survive the round trip: written and read again,
// it reads back to the same record (compared as written), with the same
// version.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/record_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tokenwarden::store::ParseRecord;
  using tokenwarden::store::SerializeRecord;
  auto first = ParseRecord(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!first.ok()) {
    if (first.error().code != tokenwarden::ErrorCode::kDataLoss) {
      std::fprintf(stderr, "a refused record must read as kDataLoss: %s\n", first.error().message.c_str());
      std::abort();
    }
    return 0;
  }
  std::string written = SerializeRecord(first->record, first->version);
  auto again = ParseRecord(written);
  if (!again.ok()) {
    std::fprintf(stderr, "our own record does not read back: %s\n", again.error().message.c_str());
    std::abort();
  }
  if (again->version != first->version || SerializeRecord(again->record, again->version) != written) {
    std::fprintf(stderr, "a record changed on its round trip\n");
    std::abort();
  }
  return 0;
}
