#include "crypto/learner_identity.h"

#include <cctype>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace certledger::crypto {
namespace {

std::string HashOf(std::string_view code_hex, std::string_view hashed_id) {
  return "sha256$" + HexEncode(AsStringView(Sha256(code_hex, hashed_id)));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string NormalizeLearnerId(std::string_view id) {
  std::string out;
  out.reserve(id.size());
  for (char c : id) {
    if (c != ' ' && c != '-') out += c;
  }
  return out;
}

std::string LearnerIdentityHash(std::string_view code_hex, std::string_view id) {
  return HashOf(code_hex, NormalizeLearnerId(id));
}

std::string NewIdentityCode() { return HexEncode(RandomBytes(16)); }

std::string FormatIdentityCode(std::string_view code_hex) {
  std::string out;
  out.reserve(code_hex.size() + code_hex.size() / 4);
  for (size_t i = 0; i < code_hex.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += '-';
    out += code_hex[i];
  }
  return out;
}

std::optional<std::string> ParseIdentityCode(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.empty() || out.size() > 128) return std::nullopt;
  return out;
}

bool LearnerIdentityMatches(std::string_view identity_hash, std::string_view code_hex,
                            std::string_view id) {
  const std::string want = Lower(identity_hash);
  if (want.rfind("sha256$", 0) != 0) return false;
  const std::string normalized = NormalizeLearnerId(id);
  if (HashOf(code_hex, normalized) == want) return true;
  return normalized != id && HashOf(code_hex, id) == want;
}

}  // namespace certledger::crypto
