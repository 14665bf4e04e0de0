#!/usr/bin/env bash
# Shell-driven tests of `aimsgate evidence verify|report|keygen`: exit codes, messages
# and outputs as a user sees them. Usage: cli_test.sh AIMSGATE EVIDENCE_FIXTURE
set -u
AIMSGATE=$1
FIXTURE=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() {  # check NAME EXPECTED_RC ACTUAL_RC
  if [ "$2" != "$3" ]; then echo "FAIL: $1: exit $3, expected $2"; fails=$((fails + 1)); else echo "ok: $1"; fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then echo "ok: $1"; else echo "FAIL: $1: '$3' not in $2:"; head -c 2000 "$2"; fails=$((fails + 1)); fi
}

"$AIMSGATE" evidence keygen --out "$T" >"$T/keygen.out" 2>&1; check keygen 0 $?
contains keygen-keyid "$T/keygen.out" "keyId "
[ "$(stat -c %a "$T/evidence-signing.key")" = 600 ]; check keygen-mode 0 $?
"$AIMSGATE" evidence keygen --out "$T" >/dev/null 2>"$T/keygen2.err"; check keygen-no-overwrite 2 $?
contains keygen-no-overwrite-msg "$T/keygen2.err" "refusing to overwrite"
mkdir "$T/other" && "$AIMSGATE" evidence keygen --out "$T/other" >/dev/null 2>&1

"$FIXTURE" "$T/e.jsonl" 25 "$T/evidence-signing.key" 10; check fixture 0 $?
"$AIMSGATE" evidence verify "$T/e.jsonl" --pubkey "$T/evidence-signing.pub" >"$T/v.out" 2>"$T/v.err"; check verify-ok 0 $?
contains verify-summary "$T/v.out" "OK, hash chain intact, signed (3 signatures verified): 25 records, 3 checkpoints (3 signed)"
contains verify-signatures "$T/v.out" "OK, hash chain intact, signed (3 signatures verified)"
"$AIMSGATE" evidence verify "$T/e.jsonl" >"$T/v2.out" 2>&1; check verify-nokey 0 $?
contains verify-nokey-says "$T/v2.out" "OK, hash chain intact, signatures NOT verified (no public key)"
"$AIMSGATE" evidence verify "$T/e.jsonl" --pubkey "$T/other/evidence-signing.pub" >/dev/null 2>"$T/v3.err"; check verify-wrong-key 1 $?
contains verify-wrong-key-line "$T/v3.err" "$T/e.jsonl:12: error:"
"$AIMSGATE" evidence verify "$T/e.jsonl" --format json >"$T/v.json" 2>/dev/null; check verify-json 0 $?
contains verify-json-records "$T/v.json" '"records":25'

# One-byte edit on line 7 (a record's message or name).
cp "$T/e.jsonl" "$T/t.jsonl"
sed -i '7s/model-/modeL-/' "$T/t.jsonl"
"$AIMSGATE" evidence verify "$T/t.jsonl" >/dev/null 2>"$T/t.err"; check verify-edit 1 $?
contains verify-edit-line "$T/t.err" "$T/t.jsonl:7: error: hash mismatch"
# Deleted line 3.
sed '3d' "$T/e.jsonl" >"$T/d.jsonl"
"$AIMSGATE" evidence verify "$T/d.jsonl" >/dev/null 2>"$T/d.err"; check verify-delete 1 $?
contains verify-delete-line "$T/d.err" "$T/d.jsonl:3: error: seq 4, expected 3"
# Truncated two records after the second checkpoint (start, 10 records, cp, 10, cp = 23 lines).
head -n 25 "$T/e.jsonl" >"$T/tr.jsonl"
"$AIMSGATE" evidence verify "$T/tr.jsonl" >"$T/tr.out" 2>&1; check verify-truncated-default 0 $?
contains verify-truncated-tail "$T/tr.out" "unsigned tail: 2 records"
"$AIMSGATE" evidence verify --require-closed "$T/tr.jsonl" >/dev/null 2>"$T/tr.err"; check verify-truncated-closed 1 $?
contains verify-truncated-line "$T/tr.err" "$T/tr.jsonl:26: error: log does not end with a closing checkpoint"
# Unreadable file and usage errors.
"$AIMSGATE" evidence verify "$T/missing.jsonl" >/dev/null 2>"$T/m.err"; check verify-missing 2 $?
contains verify-missing-msg "$T/m.err" "$T/missing.jsonl: error: cannot open"
"$AIMSGATE" evidence verify >/dev/null 2>&1; check verify-usage 2 $?
"$AIMSGATE" evidence verify "$T/e.jsonl" --pubkey "$T/e.jsonl" >/dev/null 2>&1; check verify-bad-pubkey 2 $?
cat "$T/e.jsonl" | "$AIMSGATE" evidence verify - >/dev/null 2>&1; check verify-stdin 0 $?

# Reports: two replicas merged.
"$FIXTURE" "$T/evidence-pod-b.jsonl" 5 "" 1000
"$AIMSGATE" evidence report "$T/e.jsonl" "$T/evidence-pod-b.jsonl" --pubkey "$T/evidence-signing.pub" \
  --format html --output "$T/r.html" 2>"$T/r.err"; check report-html 1 $?   # pod-b is unsigned
contains report-html-checkpoint-error "$T/r.err" "evidence-pod-b.jsonl:7: error: checkpoint is not signed"
"$AIMSGATE" evidence report "$T/e.jsonl" "$T/evidence-pod-b.jsonl" --format html --output "$T/r.html" 2>"$T/r.err"; check report-html-nokey 0 $?
contains report-html-records "$T/r.html" 'data-metric="records">30<'
contains report-html-verified "$T/r.html" 'data-verified="true"'
"$AIMSGATE" evidence report "$T/e.jsonl" --format md --output "$T/r.md" 2>/dev/null; check report-md 0 $?
contains report-md-table "$T/r.md" "| Control | Pass | Fail | Waived | Error | Skip | Rate |"
"$AIMSGATE" evidence report "$T/e.jsonl" --format csv --output "$T/r.csv" 2>/dev/null; check report-csv 0 $?
[ "$(wc -l <"$T/r.csv")" = 51 ]; check report-csv-rows 0 $?   # header + 25 records x 2 results
"$AIMSGATE" evidence report "$T/t.jsonl" --format md --output "$T/t.md" 2>/dev/null; check report-tampered 1 $?
contains report-tampered-says "$T/t.md" "**Integrity: FAILED**"
"$AIMSGATE" evidence report "$T/e.jsonl" --format pdf >/dev/null 2>&1; check report-bad-format 2 $?
"$AIMSGATE" evidence report "$T/e.jsonl" --since yesterday >/dev/null 2>&1; check report-bad-since 2 $?
"$AIMSGATE" evidence report "$T/e.jsonl" --since 2999-01-01 --format csv --output "$T/empty.csv" 2>/dev/null; check report-since-future 0 $?
[ "$(wc -l <"$T/empty.csv")" = 1 ]; check report-since-filters 0 $?

echo "$fails failure(s)"
[ "$fails" = 0 ]
