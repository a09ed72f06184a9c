#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "crypto/random.h"

int main(int argc, char** argv) {
  if (!certledger::crypto::Init()) return 1;
  return Catch::Session().run(argc, argv);
}
