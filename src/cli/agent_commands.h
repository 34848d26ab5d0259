// serve: run the agent. status, token, authorize: talk to a running agent.
#ifndef TOKENWARDEN_CLI_AGENT_COMMANDS_H_
#define TOKENWARDEN_CLI_AGENT_COMMANDS_H_

#include "cli/command.h"

namespace tokenwarden::cli {

void AddServeCommand(CLI::App& root, RunFn& run);
void AddOperatorCommands(CLI::App& root, RunFn& run);

}  // namespace tokenwarden::cli

#endif  // TOKENWARDEN_CLI_AGENT_COMMANDS_H_
