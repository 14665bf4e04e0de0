#!/usr/bin/env bash
# Drives docs/ci/pre-commit in a scratch git repository: a denied manifest
# blocks the commit, a fixed one passes, an ignored one and unstaged edits are
# not checked, and AIMSGATE_ARGS reaches the binary.
# Usage: precommit_hook_test.sh AIMSGATE HOOK
set -euo pipefail
aimsgate=$(realpath "$1")
hook=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q repo && cd repo
git config user.email t@example.com && git config user.name t
cp "$hook" .git/hooks/pre-commit
export AIMSGATE="$aimsgate"
fails=0
check() {  # name, expected exit status, command...
  local name=$1 want=$2; shift 2
  local got=0
  "$@" >"$work/out" 2>&1 || got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL $name: exit $got, want $want"; sed 's/^/    /' "$work/out"; fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}

bad='apiVersion: apps/v1
kind: Deployment
metadata:
  name: scorer
  annotations: {aimsgate.io/system-id: scorer}
spec:
  template:
    spec:
      containers: [{name: m, image: "vllm/vllm-openai:v1"}]'
good='apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}'

echo "$good" > cm.yaml && git add cm.yaml
check "clean manifest commits" 0 git commit -q -m one
mkdir -p deploy && echo "$bad" > deploy/scorer.yaml && git add deploy/scorer.yaml
check "denied AI workload blocks the commit" 1 git commit -q -m two
grep -q "deploy/scorer.yaml" "$work/out" || { echo "FAIL report names deploy/scorer.yaml"; fails=$((fails + 1)); }
git reset -q deploy/scorer.yaml
printf 'deploy/\n' > .aimsgateignore && git add .aimsgateignore deploy/scorer.yaml
check "ignored manifest does not block" 0 git commit -q -m three
echo "$bad" > app.yaml && git add app.yaml && echo "$good" > app.yaml
check "the staged version is checked, not the working tree" 1 git commit -q -m four
git add app.yaml
check "the fixed file commits" 0 git commit -q -m five
echo "$bad" > late.yaml && git add late.yaml
AIMSGATE_ARGS='--fail-on never' check "AIMSGATE_ARGS reaches the binary" 0 git commit -q -m six
printf '\x7fELF\0\0\0' > blob.yaml && git add blob.yaml
check "a binary manifest blocks the commit" 1 git commit -q -m seven
grep -q "binary file" "$work/out" && grep -q "exit 2" "$work/out" ||
  { echo "FAIL binary manifest reported as an input error (exit 2)"; fails=$((fails + 1)); }
echo "$fails failed"
[ "$fails" -eq 0 ]
