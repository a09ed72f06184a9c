#include "verifier/cli.h"

int main(int argc, char** argv) { return certledger::verifier::Main(argc, argv); }
