// Helpers shared by the test executables: paths to ../shared, file reading,
// hex, and a per-test temporary directory (ccache's TestContext).
#ifndef CERTLEDGER_TESTS_TEST_UTIL_H_
#define CERTLEDGER_TESTS_TEST_UTIL_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/json.h"
#include "crypto/merkle.h"

namespace certledger::testing {

// ../shared/<rel>, as configured by CMake.
std::filesystem::path SharedPath(std::string_view rel);
// <repo>/<rel>.
std::filesystem::path SourcePath(std::string_view rel);
// ../shared/<rel> parsed strictly (crypto::ParseJson); fails the test otherwise.
Json SharedJson(std::string_view rel);
// A 32-byte hash from 64 hex digits; fails the test otherwise.
crypto::Hash HashFromHex(std::string_view hex);
std::vector<crypto::Hash> HashesFromHex(const Json& hex_list);
// The whole file; fails the current test if it cannot be read.
std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, std::string_view data);
std::string Hex(std::string_view bytes);
// REQUIRES: valid lowercase/uppercase hex of even length.
std::string Unhex(std::string_view hex);

// A fresh directory, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace certledger::testing

#endif  // CERTLEDGER_TESTS_TEST_UTIL_H_
