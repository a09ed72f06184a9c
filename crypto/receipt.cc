#include "crypto/receipt.h"

#include "crypto/encoding.h"

namespace certledger::crypto {
namespace {

Status Malformed(const std::string& what) {
  return Status::InvalidArgument("receipt.malformed", "ledger receipt: " + what);
}

}  // namespace

Json ReceiptToJson(const Receipt& r) {
  Json proof = Json::array();
  for (const Hash& h : r.inclusion_proof) proof.push_back(Base64Encode(AsStringView(h)));
  return Json{{"type", "LedgerReceipt"},
              {"origin", r.origin},
              {"index", r.index},
              {"entry", r.entry},
              {"inclusionProof", std::move(proof)},
              {"checkpoint", r.checkpoint}};
}

Result<Receipt> ReceiptFromJson(const Json& j) {
  if (!j.is_object()) return Malformed("not a JSON object");
  if (!j.contains("type") || j["type"] != "LedgerReceipt") {
    return Malformed("\"type\" must be \"LedgerReceipt\"");
  }
  Receipt r;
  for (const char* k : {"origin", "entry", "checkpoint"}) {
    if (!j.contains(k) || !j[k].is_string()) return Malformed(std::string("\"") + k + "\" missing");
  }
  r.origin = j["origin"].get<std::string>();
  r.entry = j["entry"].get<std::string>();
  r.checkpoint = j["checkpoint"].get<std::string>();
  if (!j.contains("index") || !j["index"].is_number_integer() || j["index"].get<int64_t>() < 0) {
    return Malformed("\"index\" must be a non-negative integer");
  }
  r.index = j["index"].get<int64_t>();
  if (!j.contains("inclusionProof") || !j["inclusionProof"].is_array() ||
      j["inclusionProof"].size() > 64) {
    return Malformed("\"inclusionProof\" must be an array of at most 64 hashes");
  }
  for (const Json& h : j["inclusionProof"]) {
    if (!h.is_string()) return Malformed("proof hashes must be base64 strings");
    auto raw = Base64Decode(h.get<std::string>());
    if (!raw.ok() || raw->size() != kHashSize) return Malformed("a proof hash is not 32 bytes");
    Hash hash;
    std::copy(raw->begin(), raw->end(), hash.begin());
    r.inclusion_proof.push_back(hash);
  }
  return r;
}

Result<Receipt> ParseReceipt(std::string_view text) {
  auto j = ParseJson(text);
  if (!j.ok()) return Malformed(j.status().message());
  return ReceiptFromJson(*j);
}

Result<VerifiedReceipt> VerifyReceipt(const Receipt& r, std::span<const NoteVerifier> ledger_keys) {
  CERTLEDGER_ASSIGN_OR_RETURN(Note note, OpenNote(r.checkpoint, ledger_keys));
  CERTLEDGER_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(note.text));
  if (cp.origin != r.origin) {
    return Status::InvalidArgument("receipt.origin-mismatch",
                                   "the receipt names ledger \"" + r.origin +
                                       "\" but its checkpoint is from \"" + cp.origin + "\"");
  }
  if (r.index < 0 || r.index >= cp.size) {
    return Status::InvalidArgument("merkle.bad-proof",
                                   "entry index " + std::to_string(r.index) +
                                       " is outside the checkpoint's tree of size " +
                                       std::to_string(cp.size));
  }
  CERTLEDGER_RETURN_IF_ERROR(
      CheckRecord(r.inclusion_proof, cp.size, cp.root, r.index, LeafHash(r.entry)));
  return VerifiedReceipt{std::move(cp), r.index, r.entry};
}

}  // namespace certledger::crypto
