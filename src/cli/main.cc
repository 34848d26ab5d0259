// tokenwarden: one binary for the agent, the emulator and the JOSE tools.
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/agent_commands.h"
#include "cli/command.h"
#include "cli/jose_commands.h"
#include "emulator/emulate_command.h"

namespace tokenwarden::cli {

int Fail(std::string_view message) {
  std::string line(message);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fprintf(stderr, "tokenwarden: %s\n", line.c_str());
  return 1;
}

int Fail(const Error& error) { return Fail(error.message); }

}  // namespace tokenwarden::cli

int main(int argc, char** argv) {
  using tokenwarden::cli::RunFn;
  CLI::App app{
      "tokenwarden keeps Alliance Bank and Nova Post API sessions alive for your "
      "applications.\nRun 'tokenwarden COMMAND --help' for a command's options."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("tokenwarden 0.1.0"));
  RunFn run;
  tokenwarden::cli::AddKeygenCommand(app, run);
  tokenwarden::cli::AddJweCommand(app, run);
  tokenwarden::cli::AddJwsCommand(app, run);
  tokenwarden::cli::AddJwtCommand(app, run);
  tokenwarden::AddEmulateCommand(app, run);
  tokenwarden::cli::AddServeCommand(app, run);
  tokenwarden::cli::AddOperatorCommands(app, run);
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands({})) {
      found = found || sub->get_name() == argv[1];
      known += (known.empty() ? "" : ", ") + sub->get_name();
    }
    if (!found) {
      return tokenwarden::cli::Fail("unknown command '" + std::string(argv[1]) +
                                    "' (commands: " + known + "; see --help)");
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << app.version() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    return tokenwarden::cli::Fail(std::string(e.what()) + " (see --help)");
  }
  if (!run) return tokenwarden::cli::Fail("no command given (see --help)");
  return run();
}
