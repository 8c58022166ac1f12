#!/usr/bin/env bash
# internal/toolbin/build.sh: the securefile-tool binaries the CLI embeds
# (package toolbin), one per linux platform, with their SHA256SUMS, in
# internal/toolbin/bin (make tools; make build and hack/dist.sh run it).
#
#   [TOOL_PLATFORMS=linux/amd64,linux/arm64] [GO=go] internal/toolbin/build.sh
#
# Static (cgo off), -trimpath, stripped: the binaries run in an empty
# container inside BuildKit. Every earlier tool binary is removed first,
# so that a CLI never embeds one of a platform no longer asked for, and
# SHA256SUMS is written last: a CLI compiled while this runs embeds no
# SHA256SUMS (no tool) or a stale one whose digests the CLI checks.
set -euo pipefail

GO=${GO:-go}
TOOL_PLATFORMS=${TOOL_PLATFORMS-linux/amd64,linux/arm64}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/internal/toolbin/bin

die() { printf 'toolbin: %s\n' "$*" >&2; exit 1; }

declare -A seen=()
platforms=()
if [[ -n $TOOL_PLATFORMS ]]; then
  IFS=, read -r -a requested <<<"$TOOL_PLATFORMS"
  for p in "${requested[@]}"; do
    # linux only: the tools run inside BuildKit, which runs linux.
    [[ $p =~ ^linux/([a-z0-9]+)(/(v[0-9]+))?$ ]] ||
      die "TOOL_PLATFORMS: '$p' is not linux/arch or linux/arm/vN"
    arch=${BASH_REMATCH[1]} variant=${BASH_REMATCH[3]}
    if [[ -n $variant && ! ( $arch == arm && $variant =~ ^v[567]$ ) ]]; then
      die "TOOL_PLATFORMS: '$p': only arm takes a variant (v5, v6, v7)"
    fi
    [[ -z ${seen[$p]-} ]] || die "TOOL_PLATFORMS: '$p' is listed twice"
    seen[$p]=1
    platforms+=("$p")
  done
fi

# Built beside bin/, not in it: bin/* is what the CLI embeds.
tmp=$(mktemp -d "$ROOT/internal/toolbin/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
names=()
for p in "${platforms[@]}"; do
  IFS=/ read -r _ arch variant <<<"$p"
  name=securefile-tool-linux-$arch${variant:+-$variant}
  env=(CGO_ENABLED=0 GOOS=linux "GOARCH=$arch")
  [[ -z $variant ]] || env+=("GOARM=${variant#v}")
  (cd "$ROOT" && env "${env[@]}" "$GO" build -trimpath -ldflags '-s -w' -o "$tmp/$name" ./cmd/securefile-tool)
  names+=("$name")
done

rm -f -- "$OUT/SHA256SUMS" "$OUT"/securefile-tool-linux-*
for n in "${names[@]}"; do mv -- "$tmp/$n" "$OUT/$n"; done
if (( ${#names[@]} > 0 )); then
  mapfile -t names < <(printf '%s\n' "${names[@]}" | LC_ALL=C sort)
  (cd "$OUT" && sha256sum -- "${names[@]}" >"$tmp/SHA256SUMS")
  mv -- "$tmp/SHA256SUMS" "$OUT/SHA256SUMS"
fi
printf 'toolbin: %s\n' "${names[@]:-none}" >&2
