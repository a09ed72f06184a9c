#include "crypto/signed_note.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "tests/test_util.h"

namespace certledger::crypto {
namespace {

using nlohmann::json;
using testing::Hex;
using testing::ReadFile;
using testing::SharedPath;
using testing::Unhex;

const json& NoteVectors() {
  static const json v = testing::SharedJson("vectors/tlog/signed_note.json");
  return v;
}

std::unique_ptr<Ed25519Signer> SignerFromSeedHex(const std::string& hex) {
  auto s = Ed25519Signer::Create(SecretBytes(Unhex(hex), InsecureSecretAccess::Get()));
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::string KeyIdHex(uint32_t id) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", id);
  return buf;
}

TEST_CASE("signed-note: key ID, verifier key and signed note are reproduced from the seed",
          "[crypto]") {
  const json& v = NoteVectors();
  std::string name = v["key_name"].get<std::string>();
  auto ed = SignerFromSeedHex(v["ed25519_seed_hex"].get<std::string>());
  CHECK(Hex(ed->PublicKey()) == v["public_key_hex"].get<std::string>());

  // key ID = SHA-256(name || 0x0A || 0x01 || key)[:4].
  std::string preimage = name + "\n\x01" + ed->PublicKey();
  CHECK(Hex(preimage) == v["key_id_preimage_hex"].get<std::string>());
  CHECK(Hex(AsStringView(Sha256(preimage)).substr(0, 4)) == v["key_id_hex"].get<std::string>());
  CHECK(KeyIdHex(NoteKeyId(name, ed->PublicKey())) == v["key_id_hex"].get<std::string>());

  Result<NoteSigner> signer = NoteSigner::Create(name, ed.get());
  REQUIRE(signer.ok());
  CHECK(KeyIdHex(signer->key_id()) == v["key_id_hex"].get<std::string>());
  Result<NoteVerifier> verifier = signer->Verifier();
  REQUIRE(verifier.ok());
  CHECK(FormatVerifierKey(*verifier) == v["verifier_key"].get<std::string>());

  std::string text = v["note_text"].get<std::string>();
  Result<std::string> sig = signer->Sign(text);
  REQUIRE(sig.ok());
  CHECK(Hex(*sig) == v["ed25519_signature_hex"].get<std::string>());
  CHECK(FormatNoteSignatureLine(NoteSignature{name, signer->key_id(), *sig}) ==
        v["signature_line"].get<std::string>());

  Result<std::string> note = SignNote(text, *signer);
  REQUIRE(note.ok());
  CHECK(*note == v["signed_note"].get<std::string>());

  // The variant with an extension line.
  std::string with_ext = v["signed_note_with_extension"].get<std::string>();
  std::string ext_text = with_ext.substr(0, with_ext.find("\n\n") + 1);
  CHECK(ext_text == text + "ledger-epoch 1\n");
  CHECK(*SignNote(ext_text, *signer) == with_ext);

  // Opening our own note returns the text and one verified signature.
  Result<Note> opened = OpenNote(*note, std::span(&*verifier, 1));
  REQUIRE(opened.ok());
  CHECK(opened->text == text);
  REQUIRE(opened->verified.size() == 1);
  CHECK(opened->verified[0] == NoteSignature{name, signer->key_id(), *sig});
  CHECK(opened->unverified.empty());
}

TEST_CASE("signed-note: verifier keys parse and format round trip", "[crypto]") {
  const json& v = NoteVectors();
  for (const std::string& vkey : {v["verifier_key"].get<std::string>(),
                                  v["other_key_same_name"]["verifier_key"].get<std::string>(),
                                  v["c2sp_spec_example"]["verifier_key"].get<std::string>()}) {
    Result<NoteVerifier> parsed = ParseVerifierKey(vkey);
    REQUIRE(parsed.ok());
    CHECK(FormatVerifierKey(*parsed) == vkey);
  }
  Result<NoteVerifier> parsed = ParseVerifierKey(v["verifier_key"].get<std::string>());
  CHECK(parsed->name() == v["key_name"].get<std::string>());
  CHECK(Hex(parsed->public_key()) == v["public_key_hex"].get<std::string>());
  CHECK(KeyIdHex(parsed->key_id()) == v["key_id_hex"].get<std::string>());
}

TEST_CASE("signed-note: malformed verifier keys are rejected", "[crypto]") {
  const std::string key64 = "AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
  const std::string name = "example.com/rfc6962-vectors";
  for (const std::string& bad :
       {std::string(""), name, name + "+560534ad", name + "+560534ad+",
        name + "+560534AD+" + key64,  // uppercase key ID
        name + "+560534ae+" + key64,  // key ID does not match
        name + "+560534a+" + key64, name + "+0560534ad+" + key64,
        name + "+560534ad+" + key64.substr(0, 43),  // not padded base64
        name + "+560534ad+Ag" + key64.substr(2),    // type 0x02
        name + "+560534ad+" + Base64Encode(std::string(33, '\x01').substr(0, 32)),
        "+560534ad+" + key64, "bad name+560534ad+" + key64, "bad\xc2\xa0name+560534ad+" + key64}) {
    INFO(bad);
    Result<NoteVerifier> r = ParseVerifierKey(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().slug() == "note.malformed");
  }
}

TEST_CASE("signed-note: the 12 accept/reject cases are decided as x/mod note.Open does",
          "[crypto]") {
  const json& v = NoteVectors();
  Result<NoteVerifier> verifier = ParseVerifierKey(v["verifier_key"].get<std::string>());
  REQUIRE(verifier.ok());
  REQUIRE(v["cases"].size() == 12);
  int accepted = 0;
  for (const auto& c : v["cases"]) {
    INFO(c["name"].get<std::string>());
    Result<Note> r = OpenNote(c["signed_note"].get<std::string>(), std::span(&*verifier, 1));
    if (c["expect"].get<std::string>() == "accept") {
      ++accepted;
      INFO(r.status().ToString());
      REQUIRE(r.ok());
      REQUIRE(r->verified.size() == 1);
      CHECK(r->verified[0].name == verifier->name());
      CHECK(r->verified[0].key_id == verifier->key_id());
      CHECK(r->text.back() == '\n');
    } else {
      REQUIRE_FALSE(r.ok());
      std::string xmod = c["xmod_error"].get<std::string>();
      std::string want = xmod.rfind("malformed", 0) == 0    ? "note.malformed"
                         : xmod.rfind("invalid", 0) == 0    ? "note.bad-signature"
                         : xmod.rfind("unverified", 0) == 0 ? "note.no-verified-signature"
                                                            : "?";
      CHECK(r.status().slug() == want);
      CHECK(r.status().code() == Code::kInvalidArgument);
    }
  }
  CHECK(accepted == 3);
}

TEST_CASE("signed-note: signatures from unknown keys are kept unverified", "[crypto]") {
  const json& v = NoteVectors();
  Result<NoteVerifier> verifier = ParseVerifierKey(v["verifier_key"].get<std::string>());
  Result<NoteVerifier> other =
      ParseVerifierKey(v["other_key_same_name"]["verifier_key"].get<std::string>());
  REQUIRE(verifier.ok());
  REQUIRE(other.ok());
  CHECK(verifier->name() == other->name());
  const std::string note = v["cases"][2]["signed_note"].get<std::string>();

  Result<Note> one = OpenNote(note, std::span(&*verifier, 1));
  REQUIRE(one.ok());
  REQUIRE(one->unverified.size() == 1);
  CHECK(one->unverified[0].name == other->name());
  CHECK(one->unverified[0].key_id == other->key_id());
  CHECK(KeyIdHex(one->unverified[0].key_id) == "9bc6be42");
  CHECK(one->unverified[0].signature.size() == 64);

  // Trusting both keys verifies both signatures.
  std::vector<NoteVerifier> both{*verifier, *other};
  Result<Note> two = OpenNote(note, both);
  REQUIRE(two.ok());
  CHECK(two->verified.size() == 2);
  CHECK(two->unverified.empty());

  // The other key's seed reproduces its vkey and its signature line.
  auto ed = SignerFromSeedHex(v["other_key_same_name"]["ed25519_seed_hex"].get<std::string>());
  Result<NoteSigner> s = NoteSigner::Create(other->name(), ed.get());
  REQUIRE(s.ok());
  CHECK(FormatVerifierKey(*s->Verifier()) ==
        v["other_key_same_name"]["verifier_key"].get<std::string>());
  auto mine = SignerFromSeedHex(v["ed25519_seed_hex"].get<std::string>());
  Result<NoteSigner> m = NoteSigner::Create(verifier->name(), mine.get());
  REQUIRE(m.ok());
  std::vector<NoteSigner> signers{*s, *m};
  CHECK(*SignNote(v["note_text"].get<std::string>(), signers) == note);
}

TEST_CASE("signed-note: the C2SP spec example verifies", "[crypto]") {
  const json& ex = NoteVectors()["c2sp_spec_example"];
  Result<NoteVerifier> verifier = ParseVerifierKey(ex["verifier_key"].get<std::string>());
  REQUIRE(verifier.ok());
  Result<Note> note = OpenNote(ex["signed_note"].get<std::string>(), std::span(&*verifier, 1));
  INFO(note.status().ToString());
  REQUIRE(note.ok());
  CHECK(note->text == "This is an example message.\n");
  CHECK(note->verified.size() == 1);
  CHECK(note->verified[0].name == "example.com/foo");
}

TEST_CASE("signed-note: the x/mod signer key string yields the same key", "[crypto]") {
  const json& v = NoteVectors();
  Result<XmodSignerKey> key = ParseXmodSignerKey(v["xmod_signer_key"].get<std::string>());
  REQUIRE(key.ok());
  CHECK(key->name == v["key_name"].get<std::string>());
  CHECK(KeyIdHex(key->key_id) == v["key_id_hex"].get<std::string>());
  Result<NoteSigner> signer = NoteSigner::Create(key->name, key->signer.get());
  REQUIRE(signer.ok());
  CHECK(*SignNote(v["note_text"].get<std::string>(), *signer) ==
        v["signed_note"].get<std::string>());

  std::string skey = v["xmod_signer_key"].get<std::string>();
  for (const std::string& bad : {std::string(""), skey.substr(8), "PUBLIC" + skey.substr(7),
                                 skey.substr(0, skey.find("560534ad")) + "560534ae" +
                                     skey.substr(skey.find("560534ad") + 8)}) {
    CHECK(ParseXmodSignerKey(bad).status().slug() == "note.malformed");
  }
}

TEST_CASE("signed-note: malformed notes and bad signatures are rejected", "[crypto]") {
  const json& v = NoteVectors();
  Result<NoteVerifier> verifier = ParseVerifierKey(v["verifier_key"].get<std::string>());
  REQUIRE(verifier.ok());
  const std::string note = v["signed_note"].get<std::string>();
  const std::string text = v["note_text"].get<std::string>();
  const std::string line = v["signature_line"].get<std::string>();
  auto open = [&](const std::string& n) { return OpenNote(n, std::span(&*verifier, 1)).status(); };

  CHECK(open(note).ok());
  CHECK(open("").slug() == "note.malformed");
  CHECK(open(text).slug() == "note.malformed");             // no signatures
  CHECK(open(text + "\n").slug() == "note.malformed");      // blank line, nothing after
  CHECK(open(note + "\n").slug() == "note.malformed");      // trailing blank line
  CHECK(open(note + "junk\n").slug() == "note.malformed");  // not a signature line
  CHECK(open(text + "\n\xe2\x80\x94 " + verifier->name() + " \n").slug() == "note.malformed");
  CHECK(open(text + "\n\xe2\x80\x94 " + verifier->name() + " AAAA\n").slug() == "note.malformed");
  CHECK(open(text + "\n\xe2\x80\x94  " + line.substr(4)).slug() == "note.malformed");
  CHECK(open("\xff" + note).slug() == "note.malformed");      // invalid UTF-8
  CHECK(open("a\tb\n\n" + line).slug() == "note.malformed");  // control character
  CHECK(open("a\x7f"
             "b\n\n" +
             line)
            .slug() == "note.bad-signature");  // DEL is allowed text

  // A second, bad signature from the trusted key fails the whole note.
  std::string bad_line = line;
  bad_line[bad_line.size() - 6] = bad_line[bad_line.size() - 6] == 'A' ? 'B' : 'A';
  CHECK(open(note + bad_line).slug() == "note.bad-signature");
  // A repeated good signature is listed once.
  Result<Note> twice = OpenNote(note + line, std::span(&*verifier, 1));
  REQUIRE(twice.ok());
  CHECK(twice->verified.size() == 1);

  // The text may contain blank lines: the last one separates.
  auto ed = SignerFromSeedHex(v["ed25519_seed_hex"].get<std::string>());
  Result<NoteSigner> signer = NoteSigner::Create(verifier->name(), ed.get());
  REQUIRE(signer.ok());
  Result<std::string> multi = SignNote("para one\n\npara two\n\n", *signer);
  REQUIRE(multi.ok());
  Result<Note> opened = OpenNote(*multi, std::span(&*verifier, 1));
  REQUIRE(opened.ok());
  CHECK(opened->text == "para one\n\npara two\n\n");

  // Too many signatures.
  std::string many = note;
  for (int i = 0; i < kMaxNoteSignatures; ++i) {
    many += "\xe2\x80\x94 other.example/" + std::to_string(i) + " AAAAAAAA\n";
  }
  CHECK(open(many).slug() == "note.malformed");
  std::string sixteen = note;
  for (int i = 0; i < 15; ++i) {
    sixteen += "\xe2\x80\x94 witness.example/" + std::to_string(i) + " AAAAAAAA\n";
  }
  Result<Note> ok16 = OpenNote(sixteen, std::span(&*verifier, 1));
  REQUIRE(ok16.ok());
  CHECK(ok16->unverified.size() == 15);

  // No verifiers at all: nothing verifies.
  CHECK(OpenNote(note, {}).status().slug() == "note.no-verified-signature");
}

TEST_CASE("signed-note: signing checks the text, the names and duplicate signers", "[crypto]") {
  auto ed = Ed25519Signer::Generate();
  Result<NoteSigner> a = NoteSigner::Create("a.example/log", ed.get());
  REQUIRE(a.ok());
  CHECK(SignNote("no newline", *a).status().slug() == "note.malformed");
  CHECK(SignNote("", *a).status().slug() == "note.malformed");
  CHECK(SignNote("tab\there\n", *a).status().slug() == "note.malformed");
  CHECK(SignNote("bad \xc3\x28 utf8\n", *a).status().slug() == "note.malformed");
  std::vector<NoteSigner> dup{*a, *a};
  CHECK(SignNote("hello\n", dup).status().slug() == "note.malformed");
  CHECK(SignNote("hello\n", std::span<const NoteSigner>()).status().slug() == "note.malformed");

  for (const char* bad :
       {"", "has space", "has+plus", "tab\tname", "nbsp\xc2\xa0name",
        "ideographic\xe3\x80\x80space", "en\xe2\x80\x82space", "bad\xffutf8", "nl\nname"}) {
    INFO(bad);
    CHECK_FALSE(IsValidNoteKeyName(bad));
    CHECK(NoteSigner::Create(bad, ed.get()).status().slug() == "note.malformed");
    CHECK(NoteVerifier::Create(bad, ed->PublicKey()).status().slug() == "note.malformed");
  }
  CHECK(IsValidNoteKeyName("example.com/log42"));
  CHECK(IsValidNoteKeyName("caf\xc3\xa9.example"));
  CHECK(NoteSigner::Create("x", nullptr).status().slug() == "note.malformed");
  CHECK(NoteVerifier::Create("x", "short").status().slug() == "note.malformed");

  // Two keys sign; each verifier alone accepts, keeping the other unverified.
  auto ed2 = Ed25519Signer::Generate();
  Result<NoteSigner> b = NoteSigner::Create("b.example/witness", ed2.get());
  REQUIRE(b.ok());
  std::vector<NoteSigner> both{*a, *b};
  Result<std::string> note = SignNote("hello\n", both);
  REQUIRE(note.ok());
  Result<NoteVerifier> vb = b->Verifier();
  Result<Note> opened = OpenNote(*note, std::span(&*vb, 1));
  REQUIRE(opened.ok());
  CHECK(opened->verified.size() == 1);
  CHECK(opened->verified[0].name == "b.example/witness");
  REQUIRE(opened->unverified.size() == 1);
  CHECK(opened->unverified[0].name == "a.example/log");
  // Re-emitting the unverified line gives the same bytes.
  CHECK(note->find(FormatNoteSignatureLine(opened->unverified[0])) != std::string::npos);
}

}  // namespace
}  // namespace certledger::crypto
