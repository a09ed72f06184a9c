// certverify's command line: `certverify FILE.json|FILE.pdf|URL|CODE
// [--trust DIR] [--registry BASE] [--policy FILE] [--json] [--lang ru|en]`.
// Usage, modes and exit codes: `certverify --help` and docs/verifier.md.
#ifndef CERTLEDGER_VERIFIER_CLI_H_
#define CERTLEDGER_VERIFIER_CLI_H_

namespace certledger::verifier {

// The whole program; returns the exit code (verifier/report.h Verdict, 6 for
// a policy not met, 64 for a usage error). Writes the report to stdout and
// diagnostics to stderr. Reads the system clock unless --at is given.
int Main(int argc, char** argv);

}  // namespace certledger::verifier

#endif  // CERTLEDGER_VERIFIER_CLI_H_
