#!/usr/bin/env bash
# hack/dist.sh: the CLI binaries of a release and their checksums (make dist,
# docs/release.md).
#
#   VERSION=v1.2.3 [DIST=dist] [DIST_PLATFORMS=linux/amd64,...] \
#     [TOOL_IMAGE=docker.io/ourorg/securefile:1.2.3@sha256:...] \
#     [TOOL_PLATFORMS=linux/amd64,linux/arm64] hack/dist.sh
#
# Every CLI, whatever its own OS, embeds the securefile-tool for each of
# TOOL_PLATFORMS (internal/toolbin/build.sh, then -tags toolbin): a
# macOS or Windows CLI runs the leak scanner from it on a daemon of those
# platforms, with no image.
#
# writes, for each platform, DIST/securefile-<version>-<os>-<arch>[.exe] and
# DIST/SHA256SUMS (sha256sum format, exactly those binaries), so that a
# download is checked with `sha256sum -c --ignore-missing SHA256SUMS`.
#
# <version> is VERSION normalised: a release given as 1.2.3 or v1.2.3 is
# v1.2.3 (the tag's spelling, as in buildx's release assets), anything else
# (a git describe, "dev") is kept as it is. The binaries are linked with the
# same normalised version, so `securefile version` and the file name agree.
#
# hack/dist_test.go runs this script (go test ./hack).
set -euo pipefail

GO=${GO:-go}
VERSION=${VERSION-}
DIST=${DIST-dist}
DIST_PLATFORMS=${DIST_PLATFORMS-linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64}
TOOL_IMAGE=${TOOL_IMAGE-}
TOOL_PLATFORMS=${TOOL_PLATFORMS:-linux/amd64,linux/arm64}
MODULE=github.com/ourorg/securefile
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { printf 'dist: %s\n' "$*" >&2; exit 1; }

# ------------------------------------------------------------------ inputs

[[ -n $VERSION ]] || die "VERSION is empty (make dist sets it from git describe)"
# The version goes into file names, a URL and a -X linker flag: letters,
# digits, dot, dash and underscore only (a git describe, a tag, "dev").
[[ $VERSION =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] ||
  die "VERSION '$VERSION' may only hold letters, digits, '.', '-' and '_'"
if [[ $VERSION =~ ^v?([0-9]+\.[0-9]+\.[0-9]+)$ ]]; then
  VERSION=v${BASH_REMATCH[1]}
fi

if [[ -n $TOOL_IMAGE ]]; then
  # The CLI runs this image's binary inside BuildKit: only a reference
  # pinned by digest says which bytes that is (internal/version).
  [[ $TOOL_IMAGE =~ ^[a-z0-9][A-Za-z0-9._/:-]*@sha256:[0-9a-f]{64}$ ]] ||
    die "TOOL_IMAGE '$TOOL_IMAGE' is not an image reference pinned by digest (name[:tag]@sha256:<64 hex>)"
fi

[[ -n $DIST ]] || die "DIST is empty"
[[ -n $DIST_PLATFORMS ]] || die "DIST_PLATFORMS is empty"

# Every platform must be one the Go toolchain can build, given once.
supported=$("$GO" tool dist list) || die "go tool dist list failed"
declare -A seen=()
platforms=()
IFS=, read -r -a requested <<<"$DIST_PLATFORMS"
for p in "${requested[@]}"; do
  [[ $p =~ ^([a-z0-9]+)/([a-z0-9]+)(/(v[0-9]+))?$ ]] ||
    die "DIST_PLATFORMS: '$p' is not os/arch or os/arm/vN"
  os=${BASH_REMATCH[1]} arch=${BASH_REMATCH[2]} variant=${BASH_REMATCH[4]}
  if [[ -n $variant && ! ( $arch == arm && $variant =~ ^v[567]$ ) ]]; then
    die "DIST_PLATFORMS: '$p': only arm takes a variant (v5, v6, v7)"
  fi
  grep -qx "$os/$arch" <<<"$supported" || die "DIST_PLATFORMS: '$p' is not a platform Go builds for (go tool dist list)"
  [[ -z ${seen[$p]-} ]] || die "DIST_PLATFORMS: '$p' is listed twice"
  seen[$p]=1
  platforms+=("$p")
done

# ------------------------------------------------------------------ clean

# DIST is emptied first so that SHA256SUMS and the upload never pick up a
# binary of an earlier run. Only what this script writes is deleted: a
# DIST=. or a directory with anything else in it is refused, not wiped.
mkdir -p "$DIST"
DIST=$(cd "$DIST" && pwd)
[[ $DIST != "$ROOT" && $DIST != / ]] || die "DIST is $DIST: refusing to use it"
shopt -s nullglob dotglob
stale=()
for f in "$DIST"/*; do
  name=${f##*/}
  if [[ -f $f && ! -L $f && ( $name == SHA256SUMS || $name == securefile-* ) ]]; then
    stale+=("$f")
  else
    die "DIST $DIST holds $name, which is not a file hack/dist.sh writes: not deleting it (use an empty directory)"
  fi
done
shopt -u nullglob dotglob
(( ${#stale[@]} == 0 )) || rm -f -- "${stale[@]}"

# ------------------------------------------------------------------ build

# The tools first, for this tree's code: the CLIs below embed them.
GO=$GO TOOL_PLATFORMS=$TOOL_PLATFORMS "$ROOT/internal/toolbin/build.sh"

ldflags="-s -w -X $MODULE/internal/version.version=$VERSION"
[[ -z $TOOL_IMAGE ]] || ldflags+=" -X $MODULE/internal/version.toolImage=$TOOL_IMAGE"

names=()
for p in "${platforms[@]}"; do
  IFS=/ read -r os arch variant <<<"$p"
  name=securefile-$VERSION-$os-$arch${variant:+$variant}
  [[ $os != windows ]] || name+=.exe
  printf 'dist: %s\n' "$name" >&2
  env=(CGO_ENABLED=0 "GOOS=$os" "GOARCH=$arch")
  [[ -z $variant ]] || env+=("GOARM=${variant#v}")
  (cd "$ROOT" && env "${env[@]}" "$GO" build -tags toolbin -trimpath -ldflags "$ldflags" -o "$DIST/$name" ./cmd/securefile)
  names+=("$name")
done

# ------------------------------------------------------------------ checksums

# Sorted, so that the file does not depend on the order of DIST_PLATFORMS.
mapfile -t names < <(printf '%s\n' "${names[@]}" | LC_ALL=C sort)
(cd "$DIST" && sha256sum -- "${names[@]}" >SHA256SUMS)
printf 'dist: %s/SHA256SUMS (%d binaries, %s)\n' "$DIST" "${#names[@]}" "$VERSION" >&2
