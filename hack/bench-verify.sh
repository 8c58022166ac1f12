#!/usr/bin/env bash
# Cost of leak verification on a 500 MB image (docs/performance.md).
#
# One step writes 500 MB of random data with a secret mounted; the image is
# built with verification on and off, against the daemon BUILDKIT_HOST names
# (eval "$(hack/e2e.sh env)"), through `securefile build`, which runs the
# frontend in-process and shares its own static binary as the scanner.
#
#   warm: the 500 MB step is cached; the time is the rest of the build, so
#         on minus off is the scan alone (it is never cached).
#   cold: a new NONCE each time, so the step runs again: the whole build.
#
# Usage: hack/bench-verify.sh [RUNS] (default 3); SIZE_MB (default 500).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-3}
SIZE_MB=${SIZE_MB:-500}
BASE=${E2E_BASE_IMAGE:-localhost:5000/busybox:latest}
: "${BUILDKIT_HOST:?set BUILDKIT_HOST (eval \"\$(hack/e2e.sh env)\")}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$ROOT" && CGO_ENABLED=0 go build -o "$work/securefile" ./cmd/securefile)
mkdir -p "$work/ctx"
cat >"$work/ctx/Securefile" <<SF
arg BASE
arg NONCE
secret token { }

image big from "\${BASE}" {
  run "head -c $((SIZE_MB * 1000 * 1000)) /dev/urandom > /data.bin && echo \${NONCE} > /nonce" {
    secret token
    env NONCE = "\${NONCE}"
  }
}
SF
head -c 24 /dev/urandom | base64 >"$work/token"

build() { # NONCE VERIFY(on|off)
  local flags=()
  [[ $2 == off ]] && flags+=(--no-verify)
  local t0 t1
  t0=$(date +%s.%N)
  "$work/securefile" build --progress=quiet --build-arg BASE="$BASE" --build-arg NONCE="$1" \
    --secret id=token,src="$work/token" "${flags[@]}" "$work/ctx" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}

fixed=warm-$RANDOM
build "$fixed" off >/dev/null # fill the cache
echo "size_mb=$SIZE_MB runs=$RUNS"
for i in $(seq "$RUNS"); do
  printf 'warm off %s\n' "$(build "$fixed" off)"
  printf 'warm on  %s\n' "$(build "$fixed" on)"
done
for i in $(seq "$RUNS"); do
  printf 'cold off %s\n' "$(build "cold-off-$i-$RANDOM" off)"
  printf 'cold on  %s\n' "$(build "cold-on-$i-$RANDOM" on)"
done
