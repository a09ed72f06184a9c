// Small text checks shared by the registry's input validation.
#ifndef CERTLEDGER_REGISTRY_INTERNAL_TEXT_H_
#define CERTLEDGER_REGISTRY_INTERNAL_TEXT_H_

#include <algorithm>
#include <cstddef>
#include <string>

namespace certledger::registry::internal {

// Non-empty, at most `max` bytes, no C0 control character and no DEL.
inline bool PrintableText(const std::string& s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace certledger::registry::internal

#endif  // CERTLEDGER_REGISTRY_INTERNAL_TEXT_H_
