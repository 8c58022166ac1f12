#!/usr/bin/env bash
# Cost of a warm, fully cached build that mounts one secret
# (docs/performance.md, "Sound verification on cached builds"): what the
# secret digest step and the scan add to the edit-build loop.
#
# Through `securefile build` (the frontend in-process, its own static
# binary shared as the tool) against the daemon BUILDKIT_HOST names
# (eval "$(hack/e2e.sh env)"). Each row is the median of RUNS builds, the
# variants alternating so that they share the machine's noise:
#
#   off:  --no-verify (the secret digest step still runs);
#   on:   verification on (digest step, then the scan of the merged layers);
#   base, base-off: on and off with a CLI built from BASE_REV (default:
#         none), to compare with an earlier design.
#
# Usage: hack/bench-cached-secret.sh [RUNS] (default 7); BASE_REV=rev.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-7}
BASE=${E2E_BASE_IMAGE:-localhost:5000/busybox:latest}
: "${BUILDKIT_HOST:?set BUILDKIT_HOST (eval \"\$(hack/e2e.sh env)\")}"

work=$(mktemp -d)
trap 'git -C "$ROOT" worktree remove --force "$work/base-src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
(cd "$ROOT" && CGO_ENABLED=0 go build -o "$work/securefile" ./cmd/securefile)
variants=(off on)
if [[ -n ${BASE_REV:-} ]]; then
  git -C "$ROOT" worktree add --detach "$work/base-src" "$BASE_REV" >/dev/null 2>&1
  (cd "$work/base-src" && CGO_ENABLED=0 go build -o "$work/securefile-base" ./cmd/securefile)
  variants+=(base base-off)
fi
mkdir -p "$work/ctx"
cat >"$work/ctx/Securefile" <<'SF'
arg BASE
secret token { }

image app from "${BASE}" {
  run "echo one > /one"
  run "wc -c < /run/secrets/token > /len" {
    secret token
  }
  run "echo three > /three"
}
SF
head -c 24 /dev/urandom | base64 >"$work/token"

build() { # VARIANT
  local bin=$work/securefile flags=()
  case $1 in
  off) flags+=(--no-verify) ;;
  base) bin=$work/securefile-base ;;
  base-off) bin=$work/securefile-base flags+=(--no-verify) ;;
  esac
  local t0 t1
  t0=$(date +%s%N)
  "$bin" build --progress=quiet --build-arg BASE="$BASE" --secret id=token,src="$work/token" \
    "${flags[@]}" "$work/ctx" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}

for v in "${variants[@]}"; do build "$v" >/dev/null; done # fill the cache
declare -A times
for i in $(seq "$RUNS"); do
  for v in "${variants[@]}"; do times[$v]+="$(build "$v") "; done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "warm cached build with one secret, median of $RUNS (ms)"
for v in "${variants[@]}"; do
  printf '%-8s %s   (%s)\n' "$v" "$(echo "${times[$v]}" | median)" "${times[$v]}"
done
