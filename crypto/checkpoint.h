// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint, copy in
// ../shared/specs/tlog-checkpoint.md): the note text of a signed tree head.
//
//   <origin>\n<decimal tree size>\n<base64 root hash>\n[<extension line>\n]...
//
// This is only the note *text*; signing and opening the note is
// crypto/signed_note.h. This file is the only place checkpoint bodies are
// built or parsed (STYLE.md, "Ledger"). Pure functions; thread-safe.
#ifndef CERTLEDGER_CRYPTO_CHECKPOINT_H_
#define CERTLEDGER_CRYPTO_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/merkle.h"
#include "crypto/status.h"

namespace certledger::crypto {

struct Checkpoint {
  // tlog-checkpoint "Note text" line 1: the log identity. Non-empty.
  std::string origin;
  // Line 2: the number of leaves. >= 0.
  int64_t size = 0;
  // Line 3: the RFC 6962 root of the tree of `size` leaves (SHA-256("") for 0).
  Hash root{};
  // Lines 4...: opaque, each non-empty, without the newline.
  std::vector<std::string> extensions;

  bool operator==(const Checkpoint&) const = default;
};

// The note text of `checkpoint`, ending in a newline. kInvalidArgument
// "checkpoint.malformed" if the origin or an extension line is empty or
// contains a control character (U+0000..U+001F) or invalid UTF-8, or size < 0.
Result<std::string> FormatCheckpoint(const Checkpoint& checkpoint);

// Parses checkpoint note text strictly: at least three lines, every line
// (the last included) ends in "\n", no line is empty, no control characters
// (so CRLF is rejected) and valid UTF-8; the size is decimal ASCII without
// sign or leading zeros (except "0") and fits in an int64; the root is
// standard padded base64 (RFC 4648 section 4) of exactly 32 bytes.
// kInvalidArgument "checkpoint.malformed" otherwise.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_CHECKPOINT_H_
