#!/usr/bin/env bash
# The changes to BuildKit that this project needs from upstream
# (docs/upstream.md), as patches (hack/upstream/*.patch) against the pinned
# BuildKit (tools/go.mod), and a buildkitd built with them, run beside the
# e2e daemon so that the two can be measured in one session. Nothing else
# uses the patched daemon: the tests run against BuildKit as users have it.
#
#   hack/upstream.sh check   the patches apply to the pinned BuildKit
#   hack/upstream.sh build   .cache/upstream/bin/buildkitd, patched
#   hack/upstream.sh test    BuildKit's own tests of the patched packages
#   hack/upstream.sh start   build, then run it on .cache/upstream/run/
#                            buildkitd.sock with the e2e daemon's config
#                            (after hack/e2e.sh up: its registry, its runc)
#   hack/upstream.sh env     export BUILDKIT_HOST=<that socket>
#   hack/upstream.sh stop
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${UPSTREAM_DIR:-$ROOT/.cache/upstream}
RUN=$DIR/run
SOCK=$RUN/buildkitd.sock
PATCHES=$(cd "${UPSTREAM_PATCHES:-$ROOT/hack/upstream}" && pwd)
E2E_BIN=${E2E_DIR:-$ROOT/.cache/e2e}/bin
E2E_CONFIG=${E2E_DIR:-$ROOT/.cache/e2e}/run/buildkitd.toml
GO=${GO:-go}
export CGO_ENABLED=0

die() { echo "hack/upstream.sh: $*" >&2; exit 1; }

# git apply as a plain patch(1) in DIR: never inside a repository around
# DIR (the module cache may sit in a checkout), where it would skip the
# paths outside DIR without a word.
apply_in() { # DIR git-apply-args...
  local dir=$1
  shift
  (cd "$dir" && GIT_CEILING_DIRECTORIES=$(dirname "$dir") git apply "$@")
}

# The pinned BuildKit's source directory, downloaded if need be.
pinned_dir() {
  (cd "$ROOT/tools" && $GO mod download github.com/moby/buildkit &&
    $GO list -m -f '{{.Dir}}' github.com/moby/buildkit)
}

patches() {
  local p=("$PATCHES"/*.patch)
  [[ -f ${p[0]} ]] || die "no patches in $PATCHES"
  printf '%s\n' "${p[@]}"
}

# A writable copy of the pinned BuildKit with the patches applied, in
# $DIR/src/buildkit.
patched_src() {
  local src
  src=$(pinned_dir)
  rm -rf "$DIR/src"
  mkdir -p "$DIR/src"
  cp -r "$src" "$DIR/src/buildkit"
  chmod -R u+w "$DIR/src/buildkit"
  local p
  while read -r p; do
    apply_in "$DIR/src/buildkit" "$p" || die "$(basename "$p") does not apply to $src"
  done < <(patches)
}

cmd_check() {
  local src p
  src=$(pinned_dir)
  while read -r p; do
    # --check reads only the files the patch names.
    apply_in "$src" --check "$p" || die "$(basename "$p") does not apply to $src"
  done < <(patches)
  echo "the patches apply to $(basename "$src")"
}

cmd_build() {
  patched_src
  # The tools module, with BuildKit replaced by the patched copy.
  rm -rf "$DIR/tools"
  mkdir -p "$DIR/tools" "$DIR/bin"
  cp -r "$ROOT/tools/." "$DIR/tools/"
  (cd "$DIR/tools" && $GO mod edit -replace "github.com/moby/buildkit=$DIR/src/buildkit" &&
    $GO build -ldflags '-s -w' -o "$DIR/bin/" github.com/moby/buildkit/cmd/buildkitd)
  echo "$DIR/bin/buildkitd"
}

cmd_test() {
  patched_src
  local pkgs
  # The directory of every file a patch writes ("+++ b/DIR/FILE").
  pkgs=$(sed -n 's|^+++ b/\(.*\)/[^/]*$|./\1|p' "$PATCHES"/*.patch | sort -u)
  # shellcheck disable=SC2086 # one argument per package
  (cd "$DIR/src/buildkit" && $GO test -count=1 $pkgs)
}

alive() { [[ -f $RUN/buildkitd.pid ]] && kill -0 "$(cat "$RUN/buildkitd.pid")" 2>/dev/null; }

cmd_start() {
  [[ -f $E2E_CONFIG ]] || die "no $E2E_CONFIG: run hack/e2e.sh up first"
  if alive; then echo "running on unix://$SOCK"; return 0; fi
  cmd_build >/dev/null
  mkdir -p "$RUN" "$DIR/root"
  rm -f "$SOCK"
  PATH="$E2E_BIN:$PATH" setsid "$DIR/bin/buildkitd" --root "$DIR/root" --addr "unix://$SOCK" \
    --config "$E2E_CONFIG" >"$RUN/buildkitd.log" 2>&1 </dev/null &
  echo $! >"$RUN/buildkitd.pid"
  for _ in $(seq 60); do
    "$E2E_BIN/buildctl" --addr "unix://$SOCK" debug workers >/dev/null 2>&1 && {
      echo "patched buildkitd on unix://$SOCK (pid $(cat "$RUN/buildkitd.pid"))"
      return 0
    }
    sleep 1
  done
  tail -20 "$RUN/buildkitd.log" >&2
  die "the patched buildkitd did not start"
}

cmd_stop() {
  if alive; then
    kill "$(cat "$RUN/buildkitd.pid")"
    for _ in $(seq 30); do alive || break; sleep 1; done
  fi
  rm -f "$RUN/buildkitd.pid" "$SOCK"
}

case ${1:-} in
check) cmd_check ;;
build) cmd_build ;;
test) cmd_test ;;
start) cmd_start ;;
env) echo "export BUILDKIT_HOST=unix://$SOCK" ;;
stop) cmd_stop ;;
*) die "usage: hack/upstream.sh check|build|test|start|env|stop" ;;
esac
