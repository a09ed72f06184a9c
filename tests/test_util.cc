#include "tests/test_util.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "crypto/random.h"

namespace certledger::testing {

std::filesystem::path SharedPath(std::string_view rel) {
  return std::filesystem::path(CERTLEDGER_SHARED_DIR) / std::string(rel);
}

std::filesystem::path SourcePath(std::string_view rel) {
  return std::filesystem::path(CERTLEDGER_SOURCE_DIR) / std::string(rel);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot read " << path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::filesystem::path& path, std::string_view data) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) FAIL("cannot write " << path);
}

Json SharedJson(std::string_view rel) {
  auto j = crypto::ParseJson(ReadFile(SharedPath(rel)));
  INFO(rel << ": " << j.status().ToString());
  REQUIRE(j.ok());
  return *j;
}

crypto::Hash HashFromHex(std::string_view hex) {
  std::string raw = Unhex(hex);
  REQUIRE(raw.size() == crypto::Hash().size());
  crypto::Hash h;
  std::copy(raw.begin(), raw.end(), h.begin());
  return h;
}

std::vector<crypto::Hash> HashesFromHex(const Json& hex_list) {
  std::vector<crypto::Hash> out;
  for (const auto& x : hex_list) out.push_back(HashFromHex(x.get<std::string>()));
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("bad hex");
  };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(nib(hex[i]) * 16 + nib(hex[i + 1]));
  }
  return out;
}

TempDir::TempDir() {
  const char* base = std::getenv("CERTLEDGER_TEST_TMP");
  std::filesystem::path root = base ? base : std::filesystem::temp_directory_path();
  std::filesystem::create_directories(root);
  path_ = root / ("t-" + Hex(crypto::RandomBytes(8)));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace certledger::testing
