// The `certledger` command line: parses the subcommand, builds the objects,
// runs, and maps the final Status to an exit code. Only Main and config.cc
// read argv or the environment (STYLE.md, "main() and configuration").
#ifndef CERTLEDGER_API_CLI_H_
#define CERTLEDGER_API_CLI_H_

namespace certledger::api {

int Main(int argc, char** argv);

}  // namespace certledger::api

#endif  // CERTLEDGER_API_CLI_H_
