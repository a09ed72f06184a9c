// Ledger receipts: proof that an entry was publicly logged, checkable offline
// with only the ledger's public key. A receipt is the entry bytes, its leaf
// index, the RFC 6962 inclusion proof and the C2SP signed checkpoint it is
// proven against. Published format (JSON; stored beside credentials and
// embedded in PDFs):
//
//   {"type": "LedgerReceipt", "origin": "<host>/ledger", "index": 12,
//    "entry": "<entry bytes>", "inclusionProof": ["<base64 hash>", ...],
//    "checkpoint": "<signed note text>"}
//
// Do not rename fields: receipt format. Pure functions; thread-safe.
#ifndef CERTLEDGER_CRYPTO_RECEIPT_H_
#define CERTLEDGER_CRYPTO_RECEIPT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/checkpoint.h"
#include "crypto/json.h"
#include "crypto/merkle.h"
#include "crypto/signed_note.h"
#include "crypto/status.h"

namespace certledger::crypto {

struct Receipt {
  std::string origin;
  int64_t index = 0;
  std::string entry;
  std::vector<Hash> inclusion_proof;
  std::string checkpoint;  // signed note
};

Json ReceiptToJson(const Receipt& receipt);
// kInvalidArgument "receipt.malformed" with what is wrong.
Result<Receipt> ReceiptFromJson(const Json& json);
Result<Receipt> ParseReceipt(std::string_view text);

struct VerifiedReceipt {
  Checkpoint checkpoint;  // the checkpoint the entry is proven against
  int64_t index = 0;
  std::string entry;
};

// Checks the checkpoint's signature with `ledger_keys` (C2SP signed-note),
// that its origin is the receipt's, and the inclusion proof of the entry
// (RFC 9162 section 2.1.3.2). Errors: "receipt.malformed"; the OpenNote
// errors ("note.no-verified-signature" when signed by no known ledger key);
// "receipt.origin-mismatch"; "merkle.bad-proof" when the entry is not in the
// tree (a forged or altered receipt).
Result<VerifiedReceipt> VerifyReceipt(const Receipt& receipt,
                                      std::span<const NoteVerifier> ledger_keys);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_RECEIPT_H_
