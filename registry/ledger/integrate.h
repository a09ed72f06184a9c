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
  // Hash tiles and entry bundles to write (C2SP tlog-tiles), each with its bytes.
  std::vector<std::pair<crypto::Tile, std::string>> tiles;
};

// Grows the tree of `old_size` leaves by `new_entries`.
// `old_hashes` must serve every stored hash of the tree of old_size.
// `bundle_prefix` holds the entries of the partly filled entry bundle at
// old_size, i.e. entries [old_size - old_size % 256, old_size).
// Errors: kInvalidArgument "ledger.bad-integration" when bundle_prefix has the
// wrong length; entry-size errors; reader errors.
Result<Integration> Integrate(int64_t old_size, std::span<const std::string> bundle_prefix,
                              std::span<const std::string> new_entries,
                              crypto::HashReader& old_hashes);

}  // namespace certledger::registry

#endif  // CERTLEDGER_REGISTRY_LEDGER_INTEGRATE_H_
