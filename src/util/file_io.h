// Small file helpers shared by the CLI and the stores.
#ifndef TOKENWARDEN_UTIL_FILE_IO_H_
#define TOKENWARDEN_UTIL_FILE_IO_H_

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "tokenwarden/result.h"

namespace tokenwarden {

// Reads a whole file; refuses files larger than max_bytes (kResourceExhausted).
Result<std::string> ReadFile(const std::filesystem::path& path, size_t max_bytes = 1 << 20);

// Reads a stream to its end, refusing more than max_bytes.
Result<std::string> ReadAll(std::FILE* in, size_t max_bytes);

// Writes `data` to a new file `path` with `mode`, failing if it exists
// (never replaces a key by accident). Synced to disk when it returns.
Status WriteNewFile(const std::filesystem::path& path, std::string_view data, mode_t mode);

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_FILE_IO_H_
