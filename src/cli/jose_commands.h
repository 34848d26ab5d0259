// keygen, jwe, jws and jwt: the JOSE layer on the command line.
#ifndef TOKENWARDEN_CLI_JOSE_COMMANDS_H_
#define TOKENWARDEN_CLI_JOSE_COMMANDS_H_

#include "cli/command.h"

namespace tokenwarden::cli {

void AddKeygenCommand(CLI::App& root, RunFn& run);
void AddJweCommand(CLI::App& root, RunFn& run);
void AddJwsCommand(CLI::App& root, RunFn& run);
void AddJwtCommand(CLI::App& root, RunFn& run);

}  // namespace tokenwarden::cli

#endif  // TOKENWARDEN_CLI_JOSE_COMMANDS_H_
