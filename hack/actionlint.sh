#!/usr/bin/env bash
# hack/actionlint.sh: check the GitHub workflows (make actionlint, run by
# make lint) with actionlint at the version of the tool directive in
# tools/go.mod, built from its Go module into .cache/bin (docs/dependencies.md).
# Any finding fails.
#
# actionlint runs shellcheck and pyflakes on run: scripts when it finds them
# on PATH. That is switched off, so that make lint gives the same verdict on
# every machine (GitHub's runners have shellcheck, this project's setup does
# not install it). To see its notes too, install it and run
# `.cache/bin/actionlint .github/workflows/*.yml`.
set -euo pipefail

GO=${GO:-go}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$ROOT/.cache/bin

# go build is incremental: after the first build this is a cache lookup.
mkdir -p "$BIN"
(cd "$ROOT/tools" && CGO_ENABLED=0 "$GO" build -o "$BIN/actionlint" github.com/rhysd/actionlint/cmd/actionlint)

shopt -s nullglob
workflows=("$ROOT"/.github/workflows/*.yml "$ROOT"/.github/workflows/*.yaml)
shopt -u nullglob
# No workflow at all is a broken checkout, not a clean one.
(( ${#workflows[@]} > 0 )) || { echo "actionlint: no workflows in $ROOT/.github/workflows" >&2; exit 1; }

cd "$ROOT"
"$BIN/actionlint" -shellcheck= -pyflakes= "${workflows[@]#"$ROOT"/}"
