# INTERFACE targets carrying the language level, warnings and sanitizers.
# Every target of ours links them PRIVATE (STYLE.md, "Targets and arrows").
add_library(certledger_settings INTERFACE)
target_compile_features(certledger_settings INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)
target_include_directories(certledger_settings INTERFACE ${CMAKE_SOURCE_DIR})
# Our headers are included from the repo root ("crypto/json.h") by every target.
include_directories(${CMAKE_SOURCE_DIR})

add_library(certledger_warnings INTERFACE)
target_compile_options(certledger_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter)
# In a unity build GCC sees each .cc as an included header and warns about
# types in a .cc's anonymous namespace used by its other types.
if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(certledger_warnings INTERFACE -Wno-subobject-linkage)
endif()

if(CERTLEDGER_SANITIZE)
  target_compile_options(certledger_settings INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(certledger_settings INTERFACE -fsanitize=address,undefined)
endif()
# The writer, syncer and helper threads of registry/internal/db.cc, the
# server's workers and the ledger's background thread share state.
if(CERTLEDGER_SANITIZE_THREAD)
  target_compile_options(certledger_settings INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(certledger_settings INTERFACE -fsanitize=thread)
endif()

# libFuzzer builds (tests/fuzz/, scripts/fuzz.sh): every library is
# instrumented for coverage and runs under ASan + UBSan; only the fuzz
# targets link libFuzzer's main (-fsanitize=fuzzer, tests/fuzz/CMakeLists.txt).
if(CERTLEDGER_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CERTLEDGER_FUZZ needs clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
  target_compile_options(certledger_settings INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(certledger_settings INTERFACE -fsanitize=address,undefined)
endif()
