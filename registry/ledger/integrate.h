// Integration: a pure function from the old tree state and new entries to the
// new root and the tiles that changed (tessera's storage/internal/integrate.go).
// All I/O goes through the HashReader the caller passes in.
#ifndef CERTLEDGER_REGISTRY_LEDGER_INTEGRATE_H_
#define CERTLEDGER_REGISTRY_LEDGER_INTEGRATE_H_

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "crypto/merkle.h"
#include "crypto/status.h"
#include "crypto/tlog_tiles.h"

namespace certledger::registry {

struct Integration {
  int64_t old_size = 0;
  int64_t new_size = 0;
  crypto::Hash new_root{};
  // Hash tiles to write (C2SP tlog-tiles), each with its bytes. Entry bundles
  // are not included: they are served from the entries themselves.
  std::vector<std::pair<crypto::Tile, std::string>> tiles;
};

// Grows the tree of `old_size` leaves by `new_entries`.
// `old_hashes` must serve every stored hash of the tree of old_size.
// Errors: reader errors.
Result<Integration> Integrate(int64_t old_size, std::span<const std::string> new_entries,
                              crypto::HashReader& old_hashes);

}  // namespace certledger::registry

#endif  // CERTLEDGER_REGISTRY_LEDGER_INTEGRATE_H_
