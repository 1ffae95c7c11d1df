#!/usr/bin/env bash
# Brings a fresh Debian machine (or a ready one, in seconds) to the point where a target runs:
# installs missing Debian packages, installs npm packages from the lock file, and builds only
# what changed (native library + tests + tools, wasm module, TypeScript package, demo).
#
#   scripts/setup.sh build   native + wasm + TypeScript
#   scripts/setup.sh test    build + sanitizer build + fuzzers + everything the test suite needs
#   scripts/setup.sh fuzz    the libFuzzer targets only (clang)
#   scripts/setup.sh demo    wasm + TypeScript + the demo page
#   scripts/setup.sh bench   build (release native tools included)
set -euo pipefail

target="${1:-build}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '[setup] %s\n' "$*" >&2; }

# ---- Debian packages --------------------------------------------------------------------------
packages=(cmake ninja-build g++ emscripten libeigen3-dev catch2)
case "$target" in
  test) packages+=(chromium clang libclang-rt-14-dev python3 python3-numpy python3-pandas python3-sklearn clang-format) ;;
  bench) packages+=(chromium) ;;
  # -fsanitize=fuzzer links libclang_rt.fuzzer from libclang-rt-14-dev (Debian's clang lacks it).
  fuzz) packages+=(clang libclang-rt-14-dev) ;;
  demo | build) ;;
  *) log "unknown target '$target' (build, test, demo, bench, fuzz)"; exit 2 ;;
esac

missing=()
for pkg in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  if [[ "$(id -u)" != 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ---- npm packages -----------------------------------------------------------------------------
stamp=node_modules/.recwasm-lock-stamp
if [[ ! -f "$stamp" ]] || ! cmp -s package-lock.json "$stamp"; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

# ---- builds -----------------------------------------------------------------------------------
# Emscripten's optimiser needs Debian's node modules (acorn) on the path.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
jobs="$(nproc 2>/dev/null || echo 2)"

build_native() {  # dir, extra cmake args...
  local dir="$1"
  shift
  if [[ ! -f "$dir/build.ninja" ]]; then
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  fi
  cmake --build "$dir" --parallel "$jobs"
}

build_wasm() {
  if [[ ! -f build/wasm/build.ninja ]]; then
    emcmake cmake -S . -B build/wasm -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build build/wasm --parallel "$jobs"
}

# The native tests (and the fuzz corpus replays) again under AddressSanitizer + UBSan, with
# debug info for readable reports; run by the `sanitize` test stage.
build_sanitized() {
  if [[ ! -f build/native-asan/build.ninja ]]; then
    cmake -S . -B build/native-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DRECWASM_SANITIZE=ON >/dev/null
  fi
  cmake --build build/native-asan --parallel "$jobs"
}

# libFuzzer targets (tests/fuzz), clang with ASan + UBSan; run by scripts/fuzz.mjs.
build_fuzzers() {
  if [[ ! -f build/fuzz/build.ninja ]]; then
    cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_COMPILER=clang++ -DRECWASM_FUZZ=ON >/dev/null
  fi
  cmake --build build/fuzz --parallel "$jobs"
}

# The same module without -msimd128, for the benchmark's SIMD comparison (never shipped).
build_wasm_nosimd() {
  if [[ ! -f build/wasm-nosimd/build.ninja ]]; then
    emcmake cmake -S . -B build/wasm-nosimd -G Ninja -DCMAKE_BUILD_TYPE=Release -DRECWASM_SIMD=OFF \
      -DRECWASM_WASM_OUT_DIR="$root/build/wasm-nosimd/out" >/dev/null
  fi
  cmake --build build/wasm-nosimd --parallel "$jobs"
}

build_typescript() {
  npx --no-install tsc -p tsconfig.json
  chmod +x dist/cli.js
}

build_demo() {
  npx --no-install vite build demo --logLevel warn
}

case "$target" in
  build)
    build_native build/native
    build_wasm
    build_typescript
    ;;
  bench)
    build_native build/native
    build_wasm
    build_wasm_nosimd
    build_typescript
    ;;
  test)
    build_native build/native
    build_wasm
    build_typescript
    build_demo
    build_sanitized
    build_fuzzers
    ;;
  fuzz)
    build_fuzzers
    ;;
  demo)
    build_wasm
    build_typescript
    build_demo
    ;;
esac
log "ready ($target)"
