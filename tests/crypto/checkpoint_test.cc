#include "crypto/checkpoint.h"

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "tests/test_util.h"

namespace certledger::crypto {
namespace {

using nlohmann::json;
using testing::Hex;
using testing::ReadFile;
using testing::SharedPath;

TEST_CASE("checkpoint: exactly the valid cases of checkpoint_parse.json parse", "[crypto]") {
  json v = testing::SharedJson("vectors/tlog/checkpoint_parse.json");
  REQUIRE(v["cases"].size() == 18);
  int valid = 0;
  for (const auto& c : v["cases"]) {
    std::string text = c["text"].get<std::string>();
    INFO(c["name"].get<std::string>());
    Result<Checkpoint> cp = ParseCheckpoint(text);
    if (c["valid"].get<bool>()) {
      ++valid;
      REQUIRE(cp.ok());
      // Valid bodies format back to the same bytes.
      Result<std::string> again = FormatCheckpoint(*cp);
      REQUIRE(again.ok());
      CHECK(*again == text);
    } else {
      INFO("want error: " << c["error"].get<std::string>());
      REQUIRE_FALSE(cp.ok());
      CHECK(cp.status().slug() == "checkpoint.malformed");
      CHECK(cp.status().code() == Code::kInvalidArgument);
    }
  }
  CHECK(valid == 5);
}

TEST_CASE("checkpoint: fields are parsed from the note text", "[crypto]") {
  Result<Checkpoint> cp = ParseCheckpoint(
      "example.com/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\nfoo bar\nbaz\n");
  REQUIRE(cp.ok());
  CHECK(cp->origin == "example.com/log");
  CHECK(cp->size == 8);
  CHECK(Hex(AsStringView(cp->root)) ==
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  CHECK(cp->extensions == std::vector<std::string>{"foo bar", "baz"});

  Result<Checkpoint> max = ParseCheckpoint(
      "example.com/log\n9223372036854775807\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n");
  REQUIRE(max.ok());
  CHECK(max->size == INT64_MAX);
}

TEST_CASE("checkpoint: more malformed bodies are rejected", "[crypto]") {
  const std::string root = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";
  for (const std::string& text :
       {std::string(""), std::string("\n"), "o\n+8\n" + root + "\n", "o\n8\n" + root + " \n",
        "o\n\n" + root + "\n", std::string("o\n8\n\n"), "o\t1\n8\n" + root + "\n",
        "o\n8\n" + root + "\n\x01\n", "o\n8\n" + root + "\nbad \xff utf8\n",
        "o\n8\n" + root + "\n\n\n", "o\n99999999999999999999\n" + root + "\n",
        "o\n8\n" + root + "\r\n",
        std::string("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n"),  // non-canonical bits
        "o\n8\n" + root + "=\n"}) {
    INFO(text);
    CHECK(ParseCheckpoint(text).status().slug() == "checkpoint.malformed");
  }
}

TEST_CASE("checkpoint: formatting rejects what parsing would reject", "[crypto]") {
  Hash root = Sha256("");
  CHECK(*FormatCheckpoint(Checkpoint{"example.com/log", 0, root, {}}) ==
        "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  CHECK(FormatCheckpoint(Checkpoint{"", 0, root, {}}).status().slug() == "checkpoint.malformed");
  CHECK(FormatCheckpoint(Checkpoint{"a\nb", 0, root, {}}).status().slug() ==
        "checkpoint.malformed");
  CHECK(FormatCheckpoint(Checkpoint{"a", -1, root, {}}).status().slug() == "checkpoint.malformed");
  CHECK(FormatCheckpoint(Checkpoint{"a", 1, root, {""}}).status().slug() == "checkpoint.malformed");
  CHECK(FormatCheckpoint(Checkpoint{"a", 1, root, {"x\ny"}}).status().slug() ==
        "checkpoint.malformed");
  CHECK(FormatCheckpoint(Checkpoint{"a", 1, root, {"x\r"}}).status().slug() ==
        "checkpoint.malformed");
}

}  // namespace
}  // namespace certledger::crypto
