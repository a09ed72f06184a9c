# Every third-party dependency, from Debian 12 packages (scripts/setup.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)            # OpenSSL::Crypto, OpenSSL::SSL
find_package(ZLIB 1.2 REQUIRED)               # ZLIB::ZLIB
find_package(SQLiteCpp 3.1 REQUIRED)          # SQLiteCpp
find_package(nlohmann_json 3.11 REQUIRED)     # nlohmann_json::nlohmann_json
find_package(CLI11 2.1 REQUIRED)              # CLI11::CLI11
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)   # PkgConfig::SODIUM
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib>=0.11)  # PkgConfig::HTTPLIB
pkg_check_modules(QRCODEGEN REQUIRED IMPORTED_TARGET qrcodegencpp>=1.8) # PkgConfig::QRCODEGEN
pkg_check_modules(QPDF REQUIRED IMPORTED_TARGET libqpdf>=11)           # PkgConfig::QPDF
pkg_check_modules(ZBAR REQUIRED IMPORTED_TARGET zbar>=0.23)            # PkgConfig::ZBAR
find_package(PNG 1.6 REQUIRED)                # PNG::PNG (QR photos/scans for zbar)
find_package(JPEG REQUIRED)                   # JPEG::JPEG (libjpeg62-turbo)
find_library(HPDF_LIBRARY NAMES hpdf REQUIRED)                         # libharu
find_path(HPDF_INCLUDE_DIR NAMES hpdf.h REQUIRED)
add_library(certledger_hpdf INTERFACE)
target_link_libraries(certledger_hpdf INTERFACE ${HPDF_LIBRARY})
target_include_directories(certledger_hpdf INTERFACE ${HPDF_INCLUDE_DIR})
find_path(DATE_TZ_INCLUDE_DIR NAMES date/tz.h REQUIRED)               # Howard Hinnant's date
find_library(DATE_TZ_LIBRARY NAMES date-tz REQUIRED)
add_library(certledger_date INTERFACE)
target_link_libraries(certledger_date INTERFACE ${DATE_TZ_LIBRARY})
target_include_directories(certledger_date INTERFACE ${DATE_TZ_INCLUDE_DIR})
# Debian builds libdate-tz against the system tzdata (/usr/share/zoneinfo); the
# headers must agree or tzdb's layout differs (dateTargets.cmake sets the same).
target_compile_definitions(certledger_date INTERFACE USE_OS_TZDB=1)
if(CERTLEDGER_BUILD_TESTS)
  find_package(Catch2 2.13 REQUIRED)          # Catch2::Catch2, <catch2/catch.hpp>
endif()
if(CERTLEDGER_BUILD_BENCH)
  find_package(benchmark 1.7 REQUIRED)        # benchmark::benchmark
endif()
