#!/usr/bin/env bash
# Fails when an #include crosses a dependency arrow that DESIGN.md forbids,
# or a third-party header appears outside the folder that owns it (STYLE.md).
set -u
cd "$1" || exit 2
fail=0
check() { # folder, forbidden-include-regex, why
  [ -d "$1" ] || return 0
  hits=$(grep -rnE "#include +\"($2)/" "$1" --include='*.h' --include='*.cc' 2>/dev/null)
  if [ -n "$hits" ]; then echo "$1/ must not include $2/ ($3):"; echo "$hits"; fail=1; fi
}
check crypto "registry|render|verifier|api" "crypto depends on nothing of ours"
check verifier "registry|render|api" "the verifier depends on crypto only"
check registry "render|verifier|api" "registry depends on crypto only"
check render "api|verifier" "render depends on registry types and crypto"
# render may include only registry/model/*.h.
hits=$(grep -rnE '#include +"registry/' render --include='*.h' --include='*.cc' 2>/dev/null | grep -v '"registry/model/')
if [ -n "$hits" ]; then echo "render/ may include only registry/model/:"; echo "$hits"; fail=1; fi
owned() { # header-regex, allowed-folders-regex
  hits=$(grep -rlE "#include +[<\"]($1)" --include='*.h' --include='*.cc' crypto registry render verifier api 2>/dev/null | grep -vE "^($2)/")
  if [ -n "$hits" ]; then echo "<$1> included outside $2/:"; echo "$hits"; fail=1; fi
}
owned 'httplib\.h' 'api|verifier'
owned 'sodium\.h|openssl/' 'crypto|api'
owned 'hpdf\.h|qrcodegen' 'render'
owned 'SQLiteCpp/' 'registry'
# Our own headers expose only our types: no third-party header in a .h except nlohmann's JSON.
hits=$(grep -rnE '#include +<(sodium|openssl/|httplib|hpdf|qrcodegen|SQLiteCpp/|zlib|qpdf/|zbar)' --include='*.h' crypto registry render verifier api 2>/dev/null | grep -v '/internal/')
if [ -n "$hits" ]; then echo "third-party headers in public headers:"; echo "$hits"; fail=1; fi
[ $fail -eq 0 ] && echo "architecture: all includes follow the arrows"
exit $fail
