// crypto/checkpoint.h and crypto/signed_note.h: C2SP tlog-checkpoint bodies,
// signed notes and verifier keys.
// Invariants: ParseCheckpoint is exact (FormatCheckpoint(parse(x)) == x);
// ParseVerifierKey is exact; OpenNote's text is the note's prefix, every
// verified signature line is in the note and re-verifies, and a note that
// opens re-opens identically.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/checkpoint.h"
#include "crypto/signed_note.h"
#include "tests/fuzz/fuzz_registry.h"

using namespace certledger;
using namespace certledger::crypto;

namespace {

const std::vector<NoteVerifier>& Keys() {
  static const std::vector<NoteVerifier>* keys = [] {
    auto* v = new std::vector<NoteVerifier>;
    fuzz::FuzzRegistry r;
    v->push_back(r.NoteVerifier());
    // The keys of ../shared/vectors/tlog (signed_note.json, tiles_example.vkey).
    for (const char* vkey :
         {"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
          "example.com/rfc6962-vectors+560534ad+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4",
          "example.com/tiles-example+d8dd73e6+ASmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X"}) {
      v->push_back(fuzz::Must(ParseVerifierKey(vkey)));
    }
    return v;
  }();
  return *keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto cp = ParseCheckpoint(in); cp.ok()) {
    auto text = FormatCheckpoint(*cp);
    CERTLEDGER_FUZZ_CHECK(text.ok() && *text == in, "checkpoint parse/format is exact");
  }
  if (auto vk = ParseVerifierKey(in); vk.ok()) {
    CERTLEDGER_FUZZ_CHECK(FormatVerifierKey(*vk) == in, "verifier key parse/format is exact");
  }
  if (auto note = OpenNote(in, Keys()); note.ok()) {
    CERTLEDGER_FUZZ_CHECK(!note->verified.empty(), "an opened note has a verified signature");
    CERTLEDGER_FUZZ_CHECK(in.substr(0, note->text.size()) == note->text,
                          "the note text is the note's prefix");
    CERTLEDGER_FUZZ_CHECK(in.size() > note->text.size() && in[note->text.size()] == '\n',
                          "a blank line follows the text");
    for (const NoteSignature& s : note->verified) {
      CERTLEDGER_FUZZ_CHECK(in.find(FormatNoteSignatureLine(s)) != std::string_view::npos,
                            "a verified signature line is in the note");
      bool ok = false;
      for (const NoteVerifier& k : Keys()) {
        if (k.name() == s.name && k.key_id() == s.key_id) {
          ok = k.Verify(note->text, s.signature).ok();
        }
      }
      CERTLEDGER_FUZZ_CHECK(ok, "a verified signature re-verifies");
    }
    auto again = OpenNote(in, Keys());
    CERTLEDGER_FUZZ_CHECK(again.ok() && again->text == note->text, "OpenNote is deterministic");
    // The checkpoint inside a verified note, if it is one, formats back.
    if (auto cp = ParseCheckpoint(note->text); cp.ok()) {
      auto text = FormatCheckpoint(*cp);
      CERTLEDGER_FUZZ_CHECK(text.ok() && *text == note->text, "note checkpoint round trip");
    }
  }
  return 0;
}
