// Credentials written from a canonical template: the RFC 8785 text of one
// credential is made once, with unique placeholders for the values that change
// from credential to credential, and cut into literal pieces and holes. A
// credential's canonical text is then the pieces with its values written in
// their canonical form: byte for byte what Canonicalize of the document built
// with those values gives (the values sit in the same places, keys do not
// move, and a string's canonical form does not depend on its neighbours: RFC
// 8785 section 3.2.2.2). Signed as eddsa-jcs-2022 (section 3.3) signs the
// document, with the proof configuration hashed once per template.
//
// Used for certificates (registry/certificates.cc: single issues and
// IssueBatch) and vouchers (registry/vouchers.cc). Internal to registry/.
#ifndef CERTLEDGER_REGISTRY_INTERNAL_CANONICAL_TEMPLATE_H_
#define CERTLEDGER_REGISTRY_INTERNAL_CANONICAL_TEMPLATE_H_

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/data_integrity.h"
#include "crypto/ed25519.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/status.h"

namespace certledger::registry::internal {

// The content of the RFC 8785 string of `s` without its quotes (section
// 3.2.2.2). "jcs.invalid-utf8" if `s` is not UTF-8.
Result<std::string> CanonicalContent(std::string_view s);

class CanonicalTemplate {
 public:
  // The placeholders of one template: random, so no stored text holds one.
  class Marker {
   public:
    Marker();
    // The placeholder string of hole `i` (0 <= i < 99).
    std::string Hole(int i) const;
    const std::string& nonce() const { return nonce_; }

   private:
    std::string nonce_;
  };

  // `doc` (without proof) holds m.Hole(i) where hole i's value goes, for
  // 0 <= i < `holes`; a hole in `numbers` stands for a number, whose
  // placeholder string loses its quotes. Fill then takes each hole's
  // canonical text: a string's content without quotes (CanonicalContent), a
  // number's RFC 8785 form.
  static Result<CanonicalTemplate> Create(Json doc, const Marker& m, int holes,
                                          std::initializer_list<int> numbers = {});

  // The credential's canonical text before and after where `proof` goes.
  // REQUIRES: values.size() >= the template's holes.
  void Fill(std::span<const std::string> values, std::string* pre, std::string* post) const;
  // The credential's @context (the proof configuration copies it).
  const Json& context() const { return context_; }

 private:
  struct Piece {
    std::string text;  // literal canonical text
    int hole = -1;     // then this hole, if any
  };
  static Status Cut(std::string_view text, const Marker& m, int holes,
                    const std::vector<bool>& numbers, std::vector<Piece>* out);
  static void Write(const std::vector<Piece>& pieces, std::span<const std::string> v,
                    std::string* out);

  std::vector<Piece> pre_, post_;
  Json context_;
};

// The proof of every credential of one template and signer: the same
// configuration (eddsa-jcs-2022 section 3.3.5), canonicalized and hashed once
// (3.3.4), and its canonical text with the proof object's proofValue member
// cut out.
struct ProofTemplate {
  crypto::Sha256Digest config_hash{};
  std::string pre, post;  // canonical proof object around the proofValue string

  static Result<ProofTemplate> Create(const Json& context, const std::string& created,
                                      const crypto::Signer& signer);
};

// How the proof sits in the signed credential: a single object (a Verifiable
// Credential Data Integrity proof, as crypto::AddProof adds it) or a set of
// one (Open Badges 3.0).
enum class ProofShape { kObject, kSetOfOne };

// A credential's RFC 8785 text from its templates and values (every hole
// filled): signed as eddsa-jcs-2022 section 3.3.1 does (the document is
// hashed without its proof, 3.3.4: pre || post), with the proof put in where
// "proof" sorts. Byte for byte Canonicalize of the document signed as a JSON
// tree.
Result<std::string> SignFromTemplate(const CanonicalTemplate& t, const ProofTemplate& proof,
                                     std::span<const std::string> values,
                                     const crypto::Signer& signer, ProofShape shape);

}  // namespace certledger::registry::internal

#endif  // CERTLEDGER_REGISTRY_INTERNAL_CANONICAL_TEMPLATE_H_
