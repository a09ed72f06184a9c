// crypto/receipt.h: ledger receipts.
// Invariants: a parsed receipt survives ReceiptToJson / ReceiptFromJson
// unchanged; VerifyReceipt (with the fuzz registry's ledger key and the
// tlog vectors' keys) only accepts an entry inside its checkpoint's tree,
// from the receipt's origin, and says so identically twice.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/receipt.h"
#include "tests/fuzz/fuzz_registry.h"

using namespace certledger;
using namespace certledger::crypto;

namespace {

const std::vector<NoteVerifier>& Keys() {
  static const std::vector<NoteVerifier>* keys = [] {
    auto* v = new std::vector<NoteVerifier>;
    fuzz::FuzzRegistry r;
    v->push_back(r.NoteVerifier());
    return v;
  }();
  return *keys;
}

bool Same(const Receipt& a, const Receipt& b) {
  return a.origin == b.origin && a.index == b.index && a.entry == b.entry &&
         a.inclusion_proof == b.inclusion_proof && a.checkpoint == b.checkpoint;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = ParseReceipt(in);
  if (!r.ok()) return 0;
  Json j = ReceiptToJson(*r);
  auto back = ReceiptFromJson(j);
  CERTLEDGER_FUZZ_CHECK(back.ok() && Same(*back, *r), "receipt JSON round trip");
  auto text = Canonicalize(j);
  CERTLEDGER_FUZZ_CHECK(text.ok(), "a receipt canonicalizes");
  auto reparsed = ParseReceipt(*text);
  CERTLEDGER_FUZZ_CHECK(reparsed.ok() && Same(*reparsed, *r), "receipt text round trip");
  auto v = VerifyReceipt(*r, Keys());
  if (v.ok()) {
    CERTLEDGER_FUZZ_CHECK(v->index == r->index && v->entry == r->entry, "verified entry");
    CERTLEDGER_FUZZ_CHECK(v->index >= 0 && v->index < v->checkpoint.size, "index in the tree");
    CERTLEDGER_FUZZ_CHECK(v->checkpoint.origin == r->origin, "origin matches");
  }
  auto again = VerifyReceipt(*r, Keys());
  CERTLEDGER_FUZZ_CHECK(again.ok() == v.ok(), "VerifyReceipt is deterministic");
  return 0;
}
