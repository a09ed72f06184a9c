#include "api/cli.h"

#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "crypto/random.h"
#include "crypto/selfcheck.h"

namespace certledger::api {
namespace {

int RunSelfCheck() {
  Status s = crypto::SelfCheck();
  if (!s.ok()) {
    std::fprintf(stderr, "certledger: crypto self-check FAILED: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("certledger: crypto self-check passed (Ed25519, SHA-256, RFC 8785 JCS).\n");
  return 0;
}

int MainImpl(int argc, char** argv) {
  if (!crypto::Init()) {
    std::fprintf(stderr, "certledger: libsodium failed to initialise\n");
    return 1;
  }
  CLI::App app{"certledger: public registry of training vouchers and signed certificates"};
  app.require_subcommand(1);
  auto* selfcheck = app.add_subcommand("selfcheck", "check the cryptographic primitives");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (selfcheck->parsed()) return RunSelfCheck();
  return 2;
}

}  // namespace

int Main(int argc, char** argv) {
  try {
    return MainImpl(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "certledger: internal error: %s\n", e.what());
    return 1;
  }
}

}  // namespace certledger::api
