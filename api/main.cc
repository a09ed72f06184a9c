#include "api/cli.h"

int main(int argc, char** argv) { return certledger::api::Main(argc, argv); }
