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

if(CERTLEDGER_SANITIZE)
  target_compile_options(certledger_settings INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(certledger_settings INTERFACE -fsanitize=address,undefined)
endif()
