// Integration: a pure function from the old tree state and new leaf hashes to
// the new root and the tiles that changed (tessera's
// storage/internal/integrate.go). All I/O goes through the HashReader the
// caller passes in.
//
// Thread-safe: a pure function (the reader is the caller's).
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
  // RFC 6962 consistency proof from `prove_from` to new_size (empty when
  // prove_from is 0 or not asked for), so the caller can check the new tree
  // extends the newest published checkpoint before signing it.
  std::vector<crypto::Hash> consistency;
};

// Grows the tree of `old_size` leaves by the leaves whose RFC 6962 leaf
// hashes are `new_leaf_hashes` (crypto::LeafHash of each entry).
// `old_hashes` must serve every stored hash of the tree of old_size. When
// 0 < prove_from <= old_size, also proves the new tree consistent with the
// tree of prove_from leaves. Errors: reader errors; kInvalidArgument for a
// prove_from out of range.
Result<Integration> Integrate(int64_t old_size, std::span<const crypto::Hash> new_leaf_hashes,
                              crypto::HashReader& old_hashes, int64_t prove_from = 0);

}  // namespace certledger::registry

#endif  // CERTLEDGER_REGISTRY_LEDGER_INTEGRATE_H_
