// How subcommands plug into the tokenwarden binary: each Add*Command registers
// a CLI11 subcommand whose callback sets `run`; main() calls it after parsing
// and exits with its code. Commands report failure as one line on stderr.
#ifndef TOKENWARDEN_CLI_COMMAND_H_
#define TOKENWARDEN_CLI_COMMAND_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string_view>

#include "tokenwarden/result.h"

namespace tokenwarden::cli {

using RunFn = std::function<int()>;

// Prints "tokenwarden: <message>" on stderr and returns exit code 1.
int Fail(std::string_view message);
int Fail(const Error& error);

}  // namespace tokenwarden::cli

#endif  // TOKENWARDEN_CLI_COMMAND_H_
