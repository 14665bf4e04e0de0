#!/bin/sh
# aimsgate background audit: evaluate every workload already running, the way admission would.
#
#   audit.sh [aimsgate check arguments...]      e.g. audit.sh --rules=builtin:iso42001
#
# 1. lists the resource types of AUDIT_KINDS that the cluster serves (`kubectl api-resources`), so a
#    cluster without KServe, Seldon or KubeRay is audited for the rest instead of failing;
# 2. `kubectl get <kinds> -A -o json` into a file (a List);
# 3. `aimsgate check -` on it with the given packs, writing PolicyReports and evidence (source: audit):
#    skip results are only counted, objects a listed controller owns are not reported twice, and each
#    namespace's results are split into reports under 1 MiB (aimsgate, aimsgate-2, ...), all labelled
#    aimsgate.io/run=<this run's Unix time>;
# 4. `kubectl apply --server-side` of the PolicyReports, if the wgpolicyk8s.io CRDs are installed, then
#    `kubectl delete` of the aimsgate reports of earlier runs (a namespace that needs fewer parts now,
#    or has no audited workload left).
# Plain kubectl and aimsgate, no API client of our own. POSIX sh, no pipes (no pipefail in dash):
# each step writes a file and its exit status is checked.
#
# Environment:
#   AUDIT_KINDS      comma-separated resource types, as `kubectl api-resources -o name` prints them
#                    (pods,deployments.apps,inferenceservices.serving.kserve.io,...)     required
#   WORK_DIR         scratch directory (default /tmp/aimsgate-audit)
#   EVIDENCE_FILE    evidence log to append to (default $WORK_DIR/evidence.jsonl); "" = no evidence
#   EVIDENCE_KEY     Ed25519 private key (PEM) that signs the evidence checkpoints; "" = unsigned
#   PRINT_EVIDENCE   "true": copy this run's evidence to stdout (when WORK_DIR does not outlive the pod)
#   APPLY_REPORTS    "false": print the reports instead of applying them (default true)
#   KUBECTL, AIMSGATE  the commands to run (default kubectl, aimsgate)
# Exit status: 0 when the audit ran (violations are findings, not failures), else the failing step's.
set -eu

KUBECTL=${KUBECTL:-kubectl}
AIMSGATE=${AIMSGATE:-aimsgate}
WORK_DIR=${WORK_DIR:-/tmp/aimsgate-audit}
EVIDENCE_FILE=${EVIDENCE_FILE-$WORK_DIR/evidence.jsonl}
EVIDENCE_KEY=${EVIDENCE_KEY:-}
PRINT_EVIDENCE=${PRINT_EVIDENCE:-false}
APPLY_REPORTS=${APPLY_REPORTS:-true}
: "${AUDIT_KINDS:?AUDIT_KINDS must list the resource types to audit}"

log() { printf '%s aimsgate-audit: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

mkdir -p "$WORK_DIR"
served="$WORK_DIR/api-resources.txt"
list="$WORK_DIR/cluster-list.json"
reports="$WORK_DIR/policyreports.yaml"

if ! "$KUBECTL" api-resources --verbs=list -o name >"$served"; then
  log "error: kubectl api-resources failed"
  exit 2
fi

kinds=""
old_ifs=$IFS
IFS=,
for kind in $AUDIT_KINDS; do
  if grep -qxF -- "$kind" "$served"; then
    kinds="${kinds:+$kinds,}$kind"
  else
    log "skipping $kind: not served by this cluster"
  fi
done
IFS=$old_ifs
if [ -z "$kinds" ]; then
  log "error: none of the resource types is served: $AUDIT_KINDS"
  exit 2
fi

log "listing $kinds"
if ! "$KUBECTL" get "$kinds" --all-namespaces -o json >"$list"; then
  log "error: kubectl get failed"
  exit 2
fi

evidence_start=0
if [ -n "$EVIDENCE_FILE" ]; then
  set -- --evidence="$EVIDENCE_FILE" --evidence-source=audit "$@"
  if [ -n "$EVIDENCE_KEY" ]; then
    set -- --evidence-key="$EVIDENCE_KEY" "$@"
  fi
  if [ -f "$EVIDENCE_FILE" ]; then
    evidence_start=$(wc -l <"$EVIDENCE_FILE")
  fi
fi

# One time for the whole run: the evaluation, the reports' timestamps and their aimsgate.io/run label.
run=$(date -u +%s)
now=$(date -u -d "@$run" +%Y-%m-%dT%H:%M:%SZ)

log "evaluating"
status=0
"$AIMSGATE" check - --format=policyreport --output="$reports" --fail-on=never --now="$now" "$@" <"$list" || status=$?
if [ "$status" -ne 0 ]; then
  log "error: aimsgate check exited with $status"
  exit "$status"
fi

if [ "$PRINT_EVIDENCE" = true ] && [ -n "$EVIDENCE_FILE" ] && [ -f "$EVIDENCE_FILE" ]; then
  tail -n "+$((evidence_start + 1))" "$EVIDENCE_FILE"
fi

if [ "$APPLY_REPORTS" != true ]; then
  log "APPLY_REPORTS=$APPLY_REPORTS: printing the reports instead of applying them"
  cat "$reports"
  exit 0
fi
if ! grep -qxF policyreports.wgpolicyk8s.io "$served"; then
  log "PolicyReport CRD (wgpolicyk8s.io) not installed: reports not applied; the evidence holds the results"
  exit 0
fi
if [ ! -s "$reports" ]; then
  log "no reports to apply"
  exit 0
fi
log "applying policy reports"
"$KUBECTL" apply --server-side --force-conflicts --field-manager=aimsgate-audit -f "$reports"
log "removing the reports of earlier runs"
"$KUBECTL" delete policyreports.wgpolicyk8s.io,clusterpolicyreports.wgpolicyk8s.io --all-namespaces \
  -l "app.kubernetes.io/managed-by=aimsgate,aimsgate.io/run!=$run" --ignore-not-found
log "done"
