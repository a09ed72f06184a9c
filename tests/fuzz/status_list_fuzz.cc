// crypto/status_list.h: W3C Bitstring Status List.
// Input starting with 'u' is an encodedList; anything else is JSON, tried as
// a BitstringStatusListEntry and as a BitstringStatusListCredential.
// Invariants: a decoded list has at least 131,072 bits, re-encodes and
// decodes to the same bits; parsed entries respect the spec's limits; every
// lookup into a parsed list answers or fails cleanly.
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/json.h"
#include "crypto/status_list.h"
#include "tests/fuzz/fuzz_registry.h"

using namespace certledger;
using namespace certledger::crypto;

namespace {

// Small enough for fast runs; large enough for the spec's 16 KiB minimum.
constexpr std::size_t kMaxBytes = 1u << 20;

void CheckList(const Bitstring& list) {
  CERTLEDGER_FUZZ_CHECK(list.size() >= Bitstring::kMinBits && list.size() % 8 == 0, "list size");
  CERTLEDGER_FUZZ_CHECK(!list.Get(list.size()).ok(), "Get past the end fails");
  CERTLEDGER_FUZZ_CHECK(list.Get(list.size() - 1).ok(), "Get of the last bit works");
  auto enc = list.Encode();
  CERTLEDGER_FUZZ_CHECK(enc.ok(), "a decoded list encodes");
  auto dec = Bitstring::Decode(*enc, kMaxBytes);
  CERTLEDGER_FUZZ_CHECK(dec.ok() && dec->bytes() == list.bytes(), "list round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (!in.empty() && in[0] == 'u') {
    auto list = Bitstring::Decode(in, kMaxBytes);
    if (list.ok()) CheckList(*list);
    return 0;
  }
  auto json = ParseJson(in);
  if (!json.ok()) return 0;
  std::optional<StatusListEntry> entry;
  if (auto e = ParseStatusListEntry(*json); e.ok()) {
    CERTLEDGER_FUZZ_CHECK(e->status_size >= 1 && e->status_size <= 32, "statusSize range");
    CERTLEDGER_FUZZ_CHECK(
        e->status_size == 1 || e->status_messages.size() == (std::size_t{1} << e->status_size),
        "statusMessage count");
    CERTLEDGER_FUZZ_CHECK(!e->status_list_credential.empty(), "statusListCredential");
    entry = *e;
  }
  // A credential carrying its own entry (as the seeds do) is looked up in
  // itself, so LookupStatus sees fuzzed entries and lists together.
  if (json->is_object() && json->contains("credentialStatus")) {
    if (auto e = ParseStatusListEntry((*json)["credentialStatus"]); e.ok()) entry = *e;
  }
  if (auto lc = ParseStatusListCredential(*json, kMaxBytes); lc.ok()) {
    CheckList(lc->list);
    if (entry) {
      StatusListEntry e = *entry;
      e.status_list_credential = lc->id;
      if (!lc->status_purposes.empty()) e.status_purpose = lc->status_purposes[0];
      auto v = LookupStatus(e, *lc);
      if (v.ok()) {
        CERTLEDGER_FUZZ_CHECK(e.status_size == 32 || *v < (uint64_t{1} << e.status_size),
                              "status fits statusSize");
      }
    }
  }
  return 0;
}
