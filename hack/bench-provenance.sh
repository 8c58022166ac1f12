#!/usr/bin/env bash
# What the daemon spends after the frontend returns, per build, from its
# own build history (hack/historyspans): verification on and --no-verify,
# for a chain of 3 and of 10 steps (one mounting a secret), fully cached:
# without an output (securefile build then asks for no result), exported
# to a local directory (a result whose layers have no blobs) and as an OCI
# tarball (a result whose layers have blobs) (docs/performance.md, "The
# daemon's provenance of a merged result").
#
# Each variant has layers of its own (a nonce in the first step), so that
# no build sees blobs another variant's export made. Through
# `securefile build` against the daemon BUILDKIT_HOST names (eval
# "$(hack/e2e.sh env)"); medians of RUNS builds, the variants alternating.
#
# Usage: hack/bench-provenance.sh [RUNS] (default 9); SECUREFILE=bin to
# use a CLI already built (default: make build into a temporary directory).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-9}
BASE=${E2E_BASE_IMAGE:-localhost:5000/busybox:latest}
: "${BUILDKIT_HOST:?set BUILDKIT_HOST (eval \"\$(hack/e2e.sh env)\")}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sf=${SECUREFILE:-}
if [[ -z $sf ]]; then
  make --no-print-directory -C "$ROOT" build BIN="$work" >"$work/make.log" 2>&1 || { cat "$work/make.log" >&2; exit 1; }
  sf=$work/securefile
fi
(cd "$ROOT" && go build -o "$work/historyspans" ./hack/historyspans)

chain() { # DIR STEPS: the secret in step 2
  mkdir -p "$1"
  {
    echo 'arg BASE'
    echo 'arg NONCE'
    echo 'secret token { }'
    echo 'image app from "${BASE}" {'
    echo '  run "echo ${NONCE} > /nonce"'
    echo '  run "wc -c < /run/secrets/token > /len" {'
    echo '    secret token'
    echo '  }'
    for i in $(seq 3 "$2"); do echo "  run \"echo $i > /f$i\""; done
    echo '}'
  } >"$1/Securefile"
}
chain "$work/c3" 3
chain "$work/c10" 10
head -c 24 /dev/urandom | base64 >"$work/token"
nonce=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')

# VARIANT: steps-output-verify, e.g. 10-none-on
build() {
  local steps out verify flags=()
  IFS=- read -r steps out verify <<<"$1"
  [[ $verify == off ]] && flags+=(--no-verify)
  case $out in
  local) flags+=(--output "type=local,dest=$work/out") ;;
  oci) flags+=(--output "type=oci,dest=$work/out.tar") ;;
  esac
  local t0 t1
  t0=$(date +%s%N)
  "$sf" build --progress=quiet --build-arg BASE="$BASE" --build-arg NONCE="$nonce-$steps-$out" \
    --secret id=token,src="$work/token" "${flags[@]}" "$work/c$steps" >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; exit 1; }
  t1=$(date +%s%N)
  echo "$1 $(((t1 - t0) / 1000))" >>"$work/wall"
  echo "$1" >>"$work/order"
}

variants=()
for steps in 3 10; do for out in none local oci; do for verify in on off; do
  variants+=("$steps-$out-$verify")
done; done; done
for v in "${variants[@]}"; do build "$v"; done # fill the cache
: >"$work/wall"
: >"$work/order"
for _ in $(seq "$RUNS"); do
  for v in "${variants[@]}"; do build "$v"; done
done
total=$((RUNS * ${#variants[@]}))
"$work/historyspans" -n "$total" >"$work/spans"
[[ $(wc -l <"$work/spans") == "$total" ]] || { echo "bench-provenance: the daemon recorded other builds meanwhile" >&2; exit 1; }

python3 - "$work/order" "$work/spans" "$work/wall" <<'PY'
import sys, statistics
order = open(sys.argv[1]).read().split()
spans = [l.rstrip('\n').split('\t') for l in open(sys.argv[2])]
wall = {}
for line in open(sys.argv[3]):
    v, us = line.split()
    wall.setdefault(v, []).append(int(us) / 1000)
keys = {'Solve': 'moby.buildkit.v1.Control/Solve', 'history record': 'create_history_record',
        'its provenance': 'create_default_history_provenance'}
rows = {}
def fmt(xs):
    xs = [x for x in xs if x == x]  # a build with no result has no provenance span
    return f'{statistics.median(xs):.1f}' if xs else '—'
for v, rec in zip(order, spans):
    want = 'false' if v.endswith('-off') else '-'
    if rec[1] != want:
        sys.exit(f'bench-provenance: build {rec[0]} is not {v} (securefile-verify {rec[1]})')
    d = dict(f.split('=', 1) for f in rec[3:] if '=' in f)
    for k, name in keys.items():
        rows.setdefault(v, {}).setdefault(k, []).append(float(d.get(name, 'nan')))
print(f'medians of {len(wall[order[0]])} builds, ms')
print('| steps | output | verification | `securefile build` | daemon Solve | history record | its provenance |')
print('|---|---|---|---|---|---|---|')
for v in dict.fromkeys(order):
    steps, out, verify = v.split('-')
    r = rows[v]
    print(f"| {steps} | {out} | {verify} | {statistics.median(wall[v]):.0f} | " +
          ' | '.join(fmt(r[k]) for k in keys) + ' |')
PY
