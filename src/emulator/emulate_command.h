// `tokenwarden emulate`: serves the emulator until SIGINT or SIGTERM.
#ifndef TOKENWARDEN_EMULATOR_EMULATE_COMMAND_H_
#define TOKENWARDEN_EMULATOR_EMULATE_COMMAND_H_

#include <CLI/CLI.hpp>
#include <functional>

namespace tokenwarden {

void AddEmulateCommand(CLI::App& root, std::function<int()>& run);

}  // namespace tokenwarden

#endif  // TOKENWARDEN_EMULATOR_EMULATE_COMMAND_H_
