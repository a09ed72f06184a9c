#include "crypto/checkpoint.h"

#include <cstring>
#include <limits>
#include <utility>

#include "crypto/encoding.h"
#include "crypto/signed_note.h"

namespace certledger::crypto {
namespace {

Status CheckpointMalformed(std::string msg) {
  return Status::InvalidArgument("checkpoint.malformed", std::move(msg));
}

// A non-empty line of valid UTF-8 without control characters (so without
// "\n" or "\r").
bool IsValidLine(std::string_view line) {
  return !line.empty() && line.find('\n') == std::string_view::npos && IsValidNoteText(line);
}

// tlog-checkpoint "Note text" item 2: "the ASCII decimal representation of
// the number of leaves in the tree, with no leading zeroes (unless the tree
// is empty, in which case the tree size is 0)".
bool ParseSize(std::string_view s, int64_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    int d = c - '0';
    if (v > (std::numeric_limits<int64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

}  // namespace

Result<std::string> FormatCheckpoint(const Checkpoint& c) {
  if (!IsValidLine(c.origin))
    return CheckpointMalformed("checkpoint origin must be a non-empty text line");
  if (c.size < 0) return CheckpointMalformed("checkpoint tree size must not be negative");
  std::string out = c.origin;
  out += '\n';
  out += std::to_string(c.size);
  out += '\n';
  out += Base64Encode(AsStringView(c.root));
  out += '\n';
  for (const std::string& ext : c.extensions) {
    // "Extension lines, if any, MUST be non-empty."
    if (!IsValidLine(ext))
      return CheckpointMalformed("checkpoint extension lines must be non-empty text");
    out += ext;
    out += '\n';
  }
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  // tlog-checkpoint "Note text": "a sequence of at least three non-empty
  // lines, separated by newlines (U+000A)"; a note text ends in a newline
  // (signed-note "Format").
  if (text.empty() || text.back() != '\n') {
    return CheckpointMalformed("checkpoint text does not end with a newline");
  }
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (line.empty()) {
      return CheckpointMalformed("checkpoint line " + std::to_string(lines.size() + 1) +
                                 " is empty");
    }
    if (!IsValidNoteText(line)) {
      return CheckpointMalformed("checkpoint line " + std::to_string(lines.size() + 1) +
                                 " contains a control character or invalid UTF-8");
    }
    lines.push_back(line);
    rest = rest.substr(nl + 1);
  }
  if (lines.size() < 3) {
    return CheckpointMalformed("checkpoint has " + std::to_string(lines.size()) +
                               " lines, need at least 3 (origin, size, root hash)");
  }

  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (!ParseSize(lines[1], &c.size)) {
    return CheckpointMalformed("tree size \"" + std::string(lines[1]) +
                               "\" is not a decimal int64 without leading zeros");
  }
  // Item 3: "the base64 encoding of the root" (RFC 4648 section 4, padded).
  Result<std::string> root = Base64Decode(lines[2]);
  if (!root.ok()) {
    return CheckpointMalformed("root hash \"" + std::string(lines[2]) +
                               "\" is not standard padded base64");
  }
  if (root->size() != kHashSize) {
    return CheckpointMalformed("root hash decodes to " + std::to_string(root->size()) +
                               " bytes, want 32");
  }
  std::memcpy(c.root.data(), root->data(), kHashSize);
  for (size_t i = 3; i < lines.size(); ++i) c.extensions.emplace_back(lines[i]);
  return c;
}

}  // namespace certledger::crypto
