#!/usr/bin/env bash
# One-step set-up for aimsgate on Debian 12.
#   ./setup.sh          install what is missing (Debian packages), build into build/
#   ./setup.sh test     the same, then run the whole test suite
#   ./setup.sh sanitize build into build-asan/ with ASan+UBSan and run the unit tests there
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-build}

build_packages=(cmake ninja-build g++ pkg-config rapidjson-dev libyaml-cpp-dev libyaml-dev libre2-dev
  libssl-dev libgtest-dev libbenchmark-dev libcpp-httplib-dev libcli11-dev)
# Only the test suite needs these: real clients and validators the tests drive
# (chromium renders the auditor's HTML report headless in tests/evidence).
test_packages=(python3 python3-yaml python3-jsonschema openssl curl golang-go chromium
  golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev)

wanted=("${build_packages[@]}")
[ "$mode" != build ] && wanted+=("${test_packages[@]}")
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The model-signing interop tests sign with sigstore-js from npm (versions pinned in
# tests/model/interop/package-lock.json; they run on Node.js 18.17+ and 20).  Node
# from another source (e.g. NodeSource) is used as it is: only a missing npm is installed.
install_npm_test_packages() {
  if ! command -v npm >/dev/null; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  [ -d tests/model/interop/node_modules/@sigstore/sign ] ||
    npm ci --prefix tests/model/interop --no-audit --no-fund --loglevel=error >/dev/null
}

jobs=$(nproc)
case "$mode" in
  build)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIMSGATE_BENCH=OFF >/dev/null
    cmake --build build -j"$jobs" --target aimsgate
    ;;
  test)
    install_npm_test_packages
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIMSGATE_BENCH=ON >/dev/null
    cmake --build build -j"$jobs"
    ctest --test-dir build --output-on-failure -j"$jobs"
    ;;
  sanitize)
    install_npm_test_packages
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DAIMSGATE_SANITIZE=ON -DAIMSGATE_BENCH=OFF >/dev/null
    cmake --build build-asan -j"$jobs"
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE slow
    ;;
  *) echo "usage: $0 [build|test|sanitize]" >&2; exit 2 ;;
esac
