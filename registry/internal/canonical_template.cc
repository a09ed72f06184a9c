#include "registry/internal/canonical_template.h"

#include "crypto/data_integrity.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace certledger::registry::internal {

namespace {

constexpr int kProofHole = 99;  // the `proof` member: where the template is cut in two

Status TemplateError(const std::string& msg) {
  return Status::Internal("credential.template", "credential template: " + msg);
}

}  // namespace

Result<std::string> CanonicalContent(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  CERTLEDGER_RETURN_IF_ERROR(crypto::AppendCanonicalString(s, &out));
  out.pop_back();
  out.erase(0, 1);
  return out;
}

CanonicalTemplate::Marker::Marker()
    : nonce_("hole" + crypto::HexEncode(crypto::RandomBytes(16)) + "-") {}

std::string CanonicalTemplate::Marker::Hole(int i) const {
  return nonce_ + (i < 10 ? "0" : "") + std::to_string(i);
}

Result<CanonicalTemplate> CanonicalTemplate::Create(Json doc, const Marker& m, int holes,
                                                    std::initializer_list<int> numbers) {
  if (holes < 0 || holes >= kProofHole) return TemplateError("too many holes");
  std::vector<bool> is_number(static_cast<size_t>(holes), false);
  for (int n : numbers) {
    if (n < 0 || n >= holes) return TemplateError("a number hole out of range");
    is_number[static_cast<size_t>(n)] = true;
  }
  CanonicalTemplate t;
  t.context_ = doc["@context"];
  doc["proof"] = m.Hole(kProofHole);
  CERTLEDGER_ASSIGN_OR_RETURN(std::string text, crypto::Canonicalize(doc));
  // "proof" is never the first member: "@context" sorts before it.
  const std::string proof_member = ",\"proof\":\"" + m.Hole(kProofHole) + "\"";
  const size_t at = text.find(proof_member);
  if (at == std::string::npos) return TemplateError("no proof member in the template");
  CERTLEDGER_RETURN_IF_ERROR(
      Cut(std::string_view(text).substr(0, at), m, holes, is_number, &t.pre_));
  CERTLEDGER_RETURN_IF_ERROR(
      Cut(std::string_view(text).substr(at + proof_member.size()), m, holes, is_number, &t.post_));
  return t;
}

// Cuts `text` at every placeholder.
Status CanonicalTemplate::Cut(std::string_view text, const Marker& m, int holes,
                              const std::vector<bool>& numbers, std::vector<Piece>* out) {
  const std::string& nonce = m.nonce();
  size_t i = 0;
  for (;;) {
    size_t at = text.find(nonce, i);
    if (at == std::string_view::npos) {
      out->push_back({std::string(text.substr(i)), -1});
      return Status::Ok();
    }
    size_t end = at + nonce.size() + 2;
    if (end > text.size()) return TemplateError("truncated placeholder");
    const int hole = (text[end - 2] - '0') * 10 + (text[end - 1] - '0');
    if (hole < 0 || hole >= holes) return TemplateError("unexpected placeholder");
    size_t literal_end = at;
    if (numbers[static_cast<size_t>(hole)]) {  // "<placeholder>" -> the number
      if (at == 0 || text[at - 1] != '"' || end >= text.size() || text[end] != '"') {
        return TemplateError("a number placeholder is not a whole string");
      }
      literal_end = at - 1;
      ++end;
    }
    out->push_back({std::string(text.substr(i, literal_end - i)), hole});
    i = end;
  }
}

void CanonicalTemplate::Write(const std::vector<Piece>& pieces, std::span<const std::string> v,
                              std::string* out) {
  size_t n = 0;
  for (const Piece& p : pieces) n += p.text.size() + (p.hole >= 0 ? v[p.hole].size() : 0);
  out->clear();
  out->reserve(n);
  for (const Piece& p : pieces) {
    out->append(p.text);
    if (p.hole >= 0) out->append(v[p.hole]);
  }
}

void CanonicalTemplate::Fill(std::span<const std::string> values, std::string* pre,
                             std::string* post) const {
  Write(pre_, values, pre);
  Write(post_, values, post);
}

Result<ProofTemplate> ProofTemplate::Create(const Json& context, const std::string& created,
                                            const crypto::Signer& signer) {
  // As AddProof (3.3.1 steps 1-3): the signer's key id, the document's @context.
  crypto::ProofOptions po;
  po.created = created;
  po.verification_method = signer.KeyId();
  CERTLEDGER_ASSIGN_OR_RETURN(Json config, crypto::ProofConfigFor(Json{{"@context", context}}, po));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string canonical_config, crypto::Canonicalize(config));
  ProofTemplate t;
  t.config_hash = crypto::Sha256(canonical_config);
  const std::string marker = "proofvalue" + crypto::HexEncode(crypto::RandomBytes(16));
  config["proofValue"] = marker;
  CERTLEDGER_ASSIGN_OR_RETURN(std::string text, crypto::Canonicalize(config));
  const size_t at = text.find("\"" + marker + "\"");
  if (at == std::string::npos) return TemplateError("no proofValue in the proof template");
  t.pre = text.substr(0, at);
  t.post = text.substr(at + marker.size() + 2);
  return t;
}

Result<std::string> SignFromTemplate(const CanonicalTemplate& t, const ProofTemplate& proof,
                                     std::span<const std::string> values,
                                     const crypto::Signer& signer, ProofShape shape) {
  std::string pre, post;
  t.Fill(values, &pre, &post);
  const std::string_view doc[] = {pre, post};
  CERTLEDGER_ASSIGN_OR_RETURN(std::string proof_value,
                              crypto::ProofValueForCanonical(proof.config_hash, doc, signer));
  const bool set = shape == ProofShape::kSetOfOne;
  std::string cred;
  cred.reserve(pre.size() + post.size() + proof.pre.size() + proof.post.size() +
               proof_value.size() + 16);
  cred += pre;
  cred += set ? ",\"proof\":[" : ",\"proof\":";
  cred += proof.pre;
  cred += '"';
  cred += proof_value;
  cred += '"';
  cred += proof.post;
  if (set) cred += ']';
  cred += post;
  return cred;
}

}  // namespace certledger::registry::internal
