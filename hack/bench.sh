#!/usr/bin/env bash
# The benchmark table (docs/performance.md, "The benchmark table"): one
# markdown table, each row securefile against the equivalent build with
# BuildKit's built-in Dockerfile frontend (dockerfile.v0, through buildctl),
# on the same daemon in the same run.
#
# Against the daemon BUILDKIT_HOST names (eval "$(hack/e2e.sh env)", after
# make e2e-start), with the local registry's busybox and Debian bases and
# frontend image. Nothing is fetched from the internet: the Go toolchain of
# row 6 is the host's (go env GOROOT), copied into an image built here and
# pushed to the local registry as $REGISTRY/bench/go:<go version>.
#
# Every timed row is the median of RUNS builds per variant, the variants
# alternating (ours, theirs, ours, …) so that they share the machine's
# noise; each warm row first builds every variant once to fill the cache.
# A ratio is securefile ÷ Dockerfile frontend: below 1 we are faster (or
# smaller). Rows 4, 5 and 7 with verification on include the leak scan,
# or for a cached build (rows 4 and 7) the reuse of its verdict; the
# script only times builds, so it does not depend on how verification
# works. Without an output, `securefile build` asks for no result (rows 2,
# 4 and 7) and buildctl gets one: row 4 also builds to a local directory,
# where both return one.
#
# Usage: hack/bench.sh [RUNS]      RUNS: $BENCH_RUNS, else 5
#        BENCH_QUICK=1 hack/bench.sh   one run of each row, less work per
#                                      stage, 4 builds at once in row 7
#                                      (make test checks the script so)
# Environment: BENCH_WARM_FACTOR (rows 2-4 take WARM_FACTOR x RUNS samples:
# a warm build takes about 0.1 s, and one build's noise, about 20 ms, would
# hide the 10 % the issue's ratios are about; default 7; quick: 1),
# BENCH_CONC_FACTOR (row 7 takes CONC_FACTOR x RUNS samples: one round of
# 16 builds varies by ±15 %; default 3; quick: 1),
# BENCH_CONCURRENCY (row 7, default 16; quick: 4), BENCH_GO_BENCHTIME
# (row 8, default 1s; quick: 1x), SECUREFILE (a CLI binary to use instead
# of `make build`'s), E2E_BASE_IMAGE, E2E_DEBIAN_IMAGE,
# E2E_FRONTEND_IMAGE, E2E_REGISTRY (hack/e2e.sh env sets the last three).
#
# Any failed build fails the script. Its temporary directory, and any build
# still running (row 7 runs builds in the background, and a quick run its
# go tests), are removed or stopped on exit, whatever the reason. What it
# leaves is in the daemon and the registry: the build cache (each
# `securefile build` with a secret sends its tool binary, 3.7 MB, kept as
# a snapshot until BuildKit collects it) and the toolchain image of row 6.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

QUICK=${BENCH_QUICK:-0}
[[ $QUICK == [01] ]] || { echo "BENCH_QUICK=$QUICK: want 0 or 1" >&2; exit 2; }
RUNS=${1:-${BENCH_RUNS:-5}}
[[ $QUICK == 1 ]] && RUNS=1
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "RUNS=$RUNS: want a positive integer" >&2; exit 2; }
WARM_FACTOR=${BENCH_WARM_FACTOR:-7}
[[ $QUICK == 1 ]] && WARM_FACTOR=1
[[ $WARM_FACTOR =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_WARM_FACTOR=$WARM_FACTOR: want a positive integer" >&2; exit 2; }
CONC_FACTOR=${BENCH_CONC_FACTOR:-3}
[[ $QUICK == 1 ]] && CONC_FACTOR=1
[[ $CONC_FACTOR =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_CONC_FACTOR=$CONC_FACTOR: want a positive integer" >&2; exit 2; }
CONCURRENCY=${BENCH_CONCURRENCY:-16}
[[ $QUICK == 1 ]] && CONCURRENCY=${BENCH_CONCURRENCY:-4}
[[ $CONCURRENCY =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_CONCURRENCY=$CONCURRENCY: want a positive integer" >&2; exit 2; }
REGISTRY=${E2E_REGISTRY:-localhost:5000}
BASE=${E2E_BASE_IMAGE:-$REGISTRY/busybox:latest}
DEBIAN=${E2E_DEBIAN_IMAGE:-$REGISTRY/debian:bookworm}
FRONTEND=${E2E_FRONTEND_IMAGE:-$REGISTRY/ourorg/securefile:latest}

# Row 8: the Go benchmarks, one row each, as "label|package|ours|theirs".
# ours and theirs are benchmark names as `go test -bench` prints them,
# without the -GOMAXPROCS suffix; theirs may be empty (no Dockerfile
# equivalent, "—"). Each package runs once, with every top-level benchmark
# these rows name (-bench='^(A|B)$'), -count=RUNS, and each row is the
# median ns/op. BenchmarkLower times securefile (parse + lower + marshal)
# and dockerfile2llb (which parses inside) on the same shapes in one run.
GO_BENCH_ROWS=(
  "lowering 1×1,000 steps (parse + lower + marshal)|./internal/lower|BenchmarkLower/linear-1000/securefile+parse|BenchmarkLower/linear-1000/dockerfile2llb"
  "lowering 1×8,000 steps (parse + lower + marshal)|./internal/lower|BenchmarkLower/linear-8000/securefile+parse|BenchmarkLower/linear-8000/dockerfile2llb"
  "lowering a 1,000-stage fan-in (parse + lower + marshal)|./internal/lower|BenchmarkLower/fanin-1000/securefile+parse|BenchmarkLower/fanin-1000/dockerfile2llb"
  "parse + check 10,000 steps, DSL|./grammar|BenchmarkLoad10000Steps/dsl|"
  "parse + check 10,000 steps, TOML|./grammar|BenchmarkLoad10000Steps/toml|"
)
GO_BENCHTIME=${BENCH_GO_BENCHTIME:-1s}
[[ $QUICK == 1 ]] && GO_BENCHTIME=1x

# Work per stage of rows 1–3: a sleep and a shell loop (CPU), small enough
# that BuildKit's own scheduling is a visible part of the time.
SLEEP=1 LOOPS=20000
[[ $QUICK == 1 ]] && SLEEP=0.1 LOOPS=1000
# Row 10: the directory beside small.txt, in 1 MB files.
BIG_MB=100

: "${BUILDKIT_HOST:?set BUILDKIT_HOST (eval \"\$(hack/e2e.sh env)\")}"
for c in buildctl jq curl go; do
  command -v "$c" >/dev/null || { echo "$c not found (eval \"\$(hack/e2e.sh env)\" puts buildctl on PATH)" >&2; exit 1; }
done

load=$(cut -d' ' -f1-3 /proc/loadavg) # before this script adds to it
work=$(mktemp -d "${TMPDIR:-/tmp}/securefile-bench.XXXXXX")
bg=() # pids of background builds (row 7)
declare -A gobg=() # package -> pid (and process group) of its go test (row 8)
cleanup() {
  local p
  for p in "${bg[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${gobg[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  for p in "${bg[@]}" "${gobg[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# quietly CMD...: run a build, its output kept aside and shown only when
# it fails, which fails the script (not a subshell: exit ends the script).
quietly() {
  if ! "$@" >"$work/out" 2>&1; then
    log "failed: $*"
    tail -n 40 "$work/out" >&2
    exit 1
  fi
}

# timed FUNC: run FUNC once and append its wall time (ms) to its list.
timed() {
  local t0 t1
  t0=$(date +%s%N)
  "$1"
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000)) >>"$work/t.$1"
}

# alternate FUNC...: RUNS rounds, each running every FUNC once, in order;
# alternate_warm: WARM_FACTOR x RUNS rounds.
alternate() { rounds "$RUNS" "$@"; }
alternate_warm() { rounds $((WARM_FACTOR * RUNS)) "$@"; }
rounds() { # N FUNC...
  local i f n=$1
  shift
  for ((i = 0; i < n; i++)); do
    for f; do timed "$f"; done
  done
}

median() { sort -n | awk '{a[NR] = $1} END {if (NR == 0) exit 1; print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
med() { median <"$work/t.$1"; } # median ms of FUNC
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "—"}'; }
ms() { awk -v v="$1" 'BEGIN {printf (v >= 10000 ? "%.1f s" : "%d ms"), (v >= 10000 ? v / 1000 : v)}'; }
ns() { awk -v v="$1" 'BEGIN {if (v >= 1e9) printf "%.2f s", v / 1e9; else if (v >= 1e6) printf "%.2f ms", v / 1e6; else printf "%.1f µs", v / 1e3}'; }
bytes() { awk -v v="$1" 'BEGIN {if (v >= 1e6) printf "%.2f MB", v / 1e6; else if (v >= 1e3) printf "%.1f kB", v / 1e3; else printf "%d B", v}'; }

# manifest REF [DIGEST]: the registry's manifest (or index) of an image of
# the local registry, or of DIGEST in its repository.
accept='application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'
manifest() {
  local repo=${1#*/} tag=latest
  if [[ $repo == *@* ]]; then
    tag=${repo#*@} repo=${repo%@*}
  elif [[ $repo == *:* ]]; then
    tag=${repo##*:} repo=${repo%:*}
  fi
  curl -fsS -H "Accept: $accept" "http://$REGISTRY/v2/$repo/manifests/${2:-$tag}"
}

rows=()
row() { rows+=("| $1 | $2 | $3 | $4 |"); } # WHAT OURS THEIRS RATIO
timed_row() { # WHAT OURS_FUNC THEIRS_FUNC
  local a b
  a=$(med "$2") b=$(med "$3")
  # every sample on stderr, so that a noisy row can be seen for what it is
  log "$1: $2 [$(paste -sd' ' "$work/t.$2")] ms, $3 [$(paste -sd' ' "$work/t.$3")] ms"
  row "$1" "$(ms "$a")" "$(ms "$b")" "$(ratio "$a" "$b")"
}

if [[ -n ${SECUREFILE:-} ]]; then
  sf=$SECUREFILE
else
  # The CLI as `make build` makes it (static, the tool binary embedded
  # when the Makefile says so), into the temporary directory.
  log "building the CLI (make build BIN=$work)"
  quietly make --no-print-directory -C "$ROOT" build BIN="$work"
  sf=$work/securefile
fi

# Row 8's Go benchmarks: one `go test` per package, with every top-level
# benchmark GO_BENCH_ROWS names there. A full run runs them at row 8, alone
# on the machine; a quick run (whose numbers are not for quoting) starts
# them now, beside the builds, each in a process group of its own so that
# cleanup stops the test binary with it.
declare -A gopkgs=()
for r in "${GO_BENCH_ROWS[@]}"; do
  IFS='|' read -r _ pkg ours theirs <<<"$r"
  for name in $ours $theirs; do
    top=${name%%/*}
    [[ " ${gopkgs[$pkg]:-} " == *" $top "* ]] || gopkgs[$pkg]+=" $top"
  done
done
gobench_out() { echo "$work/gobench.$(echo "$1" | tr -c 'A-Za-z0-9\n' _)"; }
gobench_cmd() { # PKG: its go test command line, in goargs
  local tops
  tops=$(echo ${gopkgs[$1]} | tr ' ' '|')
  goargs=(go -C "$ROOT" test -run='^$' -bench="^($tops)\$" -benchtime="$GO_BENCHTIME" -count="$RUNS" "$1")
}
gobench_start() {
  local pkg
  for pkg in "${!gopkgs[@]}"; do
    gobench_cmd "$pkg"
    # setsid: a process group of its own, led by this pid (a child of the
    # script is no group leader, so setsid does not fork), which cleanup
    # can stop as one, the test binary with it.
    setsid "${goargs[@]}" >"$(gobench_out "$pkg")" 2>&1 &
    gobg[$pkg]=$!
  done
}
gobench_finish() {
  local pkg out
  log "row 8: Go benchmarks (-benchtime=$GO_BENCHTIME -count=$RUNS)"
  for pkg in "${!gopkgs[@]}"; do
    out=$(gobench_out "$pkg")
    if [[ -n ${gobg[$pkg]:-} ]]; then
      if ! wait "${gobg[$pkg]}"; then
        unset "gobg[$pkg]"
        tail -n 40 "$out" >&2
        die "go test -bench in $pkg failed"
      fi
      unset "gobg[$pkg]"
    elif gobench_cmd "$pkg" && ! "${goargs[@]}" >"$out" 2>&1; then
      tail -n 40 "$out" >&2
      die "go test -bench in $pkg failed"
    fi
  done
}
[[ $QUICK == 1 ]] && gobench_start

# The two ways of building: our CLI (the frontend in-process, its own
# binary shared as the tool) and buildctl with a named frontend.
sfbuild() { quietly "$sf" build --progress=quiet "$@"; }
bkbuild() { quietly buildctl build --progress=quiet "$@"; }
dfbuild() { # DIR [buildctl flags]
  local d=$1
  shift
  bkbuild --frontend dockerfile.v0 --local context="$d" --local dockerfile="$d" "$@"
}
gwbuild() { # DIR [buildctl flags]
  local d=$1
  shift
  bkbuild --frontend gateway.v0 --opt source="$FRONTEND" --local context="$d" --local dockerfile="$d" "$@"
}
nonce() { echo "n$(date +%s%N)$RANDOM"; }

# ------------------------------------------------------------ rows 1–3
# Four independent stages, each a sleep and a loop, and an image copying
# from all four: BuildKit runs the four at once.
mkdir -p "$work/par"
{
  echo "arg BASE = \"$BASE\""
  echo "arg NONCE"
  for s in one two three four; do
    printf '\nstage %s from "${BASE}" {\n  run "sleep %s; i=0; while [ $i -lt %d ]; do i=$((i + 1)); done; echo ${NONCE} > /%s.txt"\n}\n' "$s" "$SLEEP" "$LOOPS" "$s"
  done
  printf '\nimage parts from "${BASE}" {\n'
  for s in one two three four; do printf '  copy "/%s.txt" from %s to "/parts/"\n' "$s" "$s"; done
  echo "}"
} >"$work/par/Securefile"
{
  echo "ARG BASE=$BASE"
  for s in one two three four; do
    printf '\nFROM ${BASE} AS %s\nARG NONCE\nRUN sleep %s; i=0; while [ $i -lt %d ]; do i=$((i + 1)); done; echo $NONCE > /%s.txt\n' "$s" "$SLEEP" "$LOOPS" "$s"
  done
  printf '\nFROM ${BASE}\n'
  for s in one two three four; do printf 'COPY --from=%s /%s.txt /parts/\n' "$s" "$s"; done
} >"$work/par/Dockerfile"

par_cold_sf() { sfbuild --build-arg NONCE="$(nonce)" "$work/par"; }
par_cold_df() { dfbuild "$work/par" --opt build-arg:NONCE="$(nonce)"; }
warm=warm-$(nonce)
par_warm_sf() { sfbuild --build-arg NONCE="$warm" "$work/par"; }
par_warm_df() { dfbuild "$work/par" --opt build-arg:NONCE="$warm"; }
par_warm_gw() { gwbuild "$work/par" --opt build-arg:NONCE="$warm"; }
par_warm_df3() { par_warm_df; } # row 3's own Dockerfile timings

log "rows 1-3: 4-stage parallel build"
par_cold_sf # the first build of this file on the daemon is not timed
alternate par_cold_sf par_cold_df
par_warm_sf
par_warm_df
alternate_warm par_warm_sf par_warm_df
par_warm_gw
alternate_warm par_warm_gw par_warm_df3
timed_row "1. cold 4-stage parallel build (\`securefile build\`)" par_cold_sf par_cold_df
timed_row "2. warm fully cached build, in-process (\`securefile build\`)" par_warm_sf par_warm_df
timed_row "3. warm fully cached build through the image (gateway.v0)" par_warm_gw par_warm_df3

# ------------------------------------------------------- rows 4, 5 and 7
# Three steps, the middle one mounting a secret (hack/bench-cached-secret.sh);
# NONCE is in the first step, so a new one rebuilds all three.
mkdir -p "$work/sec"
head -c 24 /dev/urandom | base64 >"$work/token"
cat >"$work/sec/Securefile" <<SF
arg BASE = "$BASE"
arg NONCE
secret token { }

image app from "\${BASE}" {
  run "echo one > /one; echo \${NONCE} > /nonce"
  run "wc -c < /run/secrets/token > /len" {
    secret token
  }
  run "echo three > /three"
}
SF
cat >"$work/sec/Dockerfile" <<DF
ARG BASE=$BASE
FROM \${BASE}
ARG NONCE
RUN echo one > /one; echo \$NONCE > /nonce
RUN --mount=type=secret,id=token wc -c < /run/secrets/token > /len
RUN echo three > /three
DF
secret=(--secret id=token,src="$work/token")
sec_build_on() { sfbuild "${secret[@]}" --build-arg NONCE="$1" "${@:2}" "$work/sec"; }
sec_build_off() { sfbuild "${secret[@]}" --no-verify --build-arg NONCE="$1" "${@:2}" "$work/sec"; }
sec_build_df() { dfbuild "$work/sec" "${secret[@]}" --opt build-arg:NONCE="$1" "${@:2}"; }
sec_warm_on() { sec_build_on "$warm"; }
sec_warm_off() { sec_build_off "$warm"; }
sec_warm_df() { sec_build_df "$warm"; }
# Row 4 to a local directory: a result the daemon records the provenance
# of (without an output securefile build asks for none; docs/performance.md,
# "The daemon's provenance of a merged result").
sec_local_on() { sec_build_on "$warm" --output type=local,dest="$work/out-sec-on"; }
sec_local_off() { sec_build_off "$warm" --output type=local,dest="$work/out-sec-off"; }
sec_local_df() { sec_build_df "$warm" --output type=local,dest="$work/out-sec-df"; }
sec_cold_on() { sec_build_on "$(nonce)"; }
sec_cold_off() { sec_build_off "$(nonce)"; }
sec_cold_df() { sec_build_df "$(nonce)"; }

log "rows 4-5: secret builds"
sec_warm_on
sec_warm_off
sec_warm_df
alternate_warm sec_warm_on sec_warm_off sec_warm_df
sec_local_on
sec_local_off
sec_local_df
alternate_warm sec_local_on sec_local_off sec_local_df
alternate sec_cold_on sec_cold_off sec_cold_df
timed_row "4. warm secret build, verification on" sec_warm_on sec_warm_df
timed_row "4. warm secret build, \`--no-verify\`" sec_warm_off sec_warm_df
timed_row "4. the same to \`--output type=local\`, verification on" sec_local_on sec_local_df
timed_row "4. the same to \`--output type=local\`, \`--no-verify\`" sec_local_off sec_local_df
timed_row "5. cold secret build, verification on" sec_cold_on sec_cold_df
timed_row "5. cold secret build, \`--no-verify\`" sec_cold_off sec_cold_df

# ---------------------------------------------------------------- row 6
# A Go toolchain image made offline: the Debian base (busybox when the
# registry has no Debian) plus the host's GOROOT from a local named context.
goversion=$(go env GOVERSION)
goimg=$REGISTRY/bench/go:$goversion
gobase=$DEBIAN
manifest "$DEBIAN" >/dev/null 2>&1 || gobase=$BASE
mkdir -p "$work/gotool"
cat >"$work/gotool/Dockerfile" <<DF
FROM $gobase
COPY --from=goroot . /usr/local/go
ENV PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=0 \\
    GOMODCACHE=/root/go/pkg/mod GOCACHE=/root/.cache/go-build
DF
log "row 6: the Go toolchain image $goimg (from $gobase and $(go env GOROOT))"
dfbuild "$work/gotool" --local goroot="$(go env GOROOT)" --opt context:goroot=local:goroot \
  --output type=image,name="$goimg",push=true

# A small HTTP service, no dependencies; each timed build first edits
# version.go, as a developer's one-file change.
for v in sf df; do
  mkdir -p "$work/go-$v"
  printf 'module example.com/svc\n\ngo 1.22\n' >"$work/go-$v/go.mod"
  cat >"$work/go-$v/main.go" <<'GO'
package main

import (
	"log"
	"net/http"
)

func main() {
	http.HandleFunc("/", hello)
	log.Fatal(http.ListenAndServe(":8080", nil))
}
GO
  cat >"$work/go-$v/hello.go" <<'GO'
package main

import (
	"encoding/json"
	"net/http"
)

func hello(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"hello": r.URL.Path, "version": version})
}
GO
done
cat >"$work/go-sf/Securefile" <<SF
arg GOIMG = "$goimg"
arg BASE = "$BASE"

cache gomod {
  target = "/root/go/pkg/mod"
  id = "securefile-bench-gomod"
}
cache gobuild {
  target = "/root/.cache/go-build"
  id = "securefile-bench-gobuild"
}

stage build from "\${GOIMG}" {
  workdir "/src"
  copy "go.mod" to "./"
  run "go mod download" {
    cache gomod
  }
  copy "." to "."
  run "go build -o /out/svc ." {
    cache gomod
    cache gobuild
  }
}

image svc from "\${BASE}" {
  entrypoint = ["/svc"]
  copy "/out/svc" from build to "/svc"
}
SF
cat >"$work/go-df/Dockerfile" <<DF
ARG GOIMG=$goimg
ARG BASE=$BASE
FROM \${GOIMG} AS build
WORKDIR /src
COPY go.mod ./
RUN --mount=type=cache,id=dockerfile-bench-gomod,target=/root/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,id=dockerfile-bench-gomod,target=/root/go/pkg/mod \\
    --mount=type=cache,id=dockerfile-bench-gobuild,target=/root/.cache/go-build \\
    go build -o /out/svc .

FROM \${BASE}
ENTRYPOINT ["/svc"]
COPY --from=build /out/svc /svc
DF
goedit() { printf 'package main\n\nconst version = "%s"\n' "$(nonce)" >"$work/go-$1/version.go"; }
go_sf() { goedit sf && sfbuild "$work/go-sf"; }
go_df() { goedit df && dfbuild "$work/go-df"; }
log "row 6: Go service after a one-file edit"
go_sf # fill the caches (the first build compiles the standard library)
go_df
alternate go_sf go_df
timed_row "6. Go service rebuilt after a one-file edit, module and build cache mounts" go_sf go_df

# ---------------------------------------------------------------- row 7
# CONCURRENCY warm secret builds at once (the file of row 4), each its own
# client; the time is until the last one ends.
concurrently() { # CMD...: run CMD CONCURRENCY times at once, fail if any fails
  local i p failed=0
  bg=()
  for ((i = 0; i < CONCURRENCY; i++)); do
    # A simple command, so that $! is the build itself (cleanup stops it).
    "$@" >"$work/conc.$i" 2>&1 &
    bg+=($!)
  done
  for i in "${!bg[@]}"; do
    p=${bg[$i]}
    if ! wait "$p"; then
      failed=1
      log "concurrent build $i failed: $*"
      tail -n 20 "$work/conc.$i" >&2
    fi
  done
  bg=()
  ((failed == 0)) || exit 1
}
conc_on() { concurrently "$sf" build --progress=quiet "${secret[@]}" --build-arg NONCE="$warm" "$work/sec"; }
conc_off() { concurrently "$sf" build --progress=quiet "${secret[@]}" --no-verify --build-arg NONCE="$warm" "$work/sec"; }
conc_dfs() {
  concurrently buildctl build --progress=quiet --frontend dockerfile.v0 --local context="$work/sec" \
    --local dockerfile="$work/sec" "${secret[@]}" --opt build-arg:NONCE="$warm"
}
log "row 7: $CONCURRENCY concurrent warm secret builds"
rounds $((CONC_FACTOR * RUNS)) conc_on conc_off conc_dfs
timed_row "7. $CONCURRENCY concurrent warm secret builds, verification on" conc_on conc_dfs
timed_row "7. $CONCURRENCY concurrent warm secret builds, \`--no-verify\`" conc_off conc_dfs

# ---------------------------------------------------------------- row 8
gobench_finish
# gons PKG NAME: median ns/op of benchmark NAME in PKG's output.
gons() {
  local out
  out=$(gobench_out "$1")
  awk -v want="$2" '$1 ~ /^Benchmark/ { n = $1; sub(/-[0-9]+$/, "", n); if (n != want) next
      for (i = 3; i < NF; i++) if ($(i + 1) == "ns/op") print $i }' "$out" | median ||
    die "no ns/op for $2 in the output of go test -bench $1"
}
for r in "${GO_BENCH_ROWS[@]}"; do
  IFS='|' read -r what pkg ours theirs <<<"$r"
  a=$(gons "$pkg" "$ours")
  if [[ -n $theirs ]]; then
    b=$(gons "$pkg" "$theirs")
    row "8. $what" "$(ns "$a")" "$(ns "$b")" "$(ratio "$a" "$b")"
  else
    row "8. $what" "$(ns "$a")" "—" "—"
  fi
done

# ---------------------------------------------------------------- row 9
# The bytes of the frontend image's layers (compressed, as pulled), from
# the registry's manifest: for an index, the manifest of the daemon's
# platform (linux/<host arch>); attestation manifests are not counted.
log "row 9: frontend image size"
m=$(manifest "$FRONTEND") || die "cannot read the manifest of $FRONTEND"
if jq -e '.manifests' >/dev/null <<<"$m"; then
  arch=$(go env GOARCH)
  d=$(jq -r --arg a "$arch" '[.manifests[] | select(.platform.os == "linux" and .platform.architecture == $a)][0].digest // empty' <<<"$m")
  [[ -n $d ]] || die "$FRONTEND has no linux/$arch manifest"
  m=$(manifest "$FRONTEND" "$d")
fi
size=$(jq '[.layers[].size] | add' <<<"$m")
row "9. frontend image size (layers, compressed)" "$(bytes "$size")" "— (built in)" "—"

# --------------------------------------------------------------- row 10
# Context bytes sent for a build that copies one small file from a
# context that also holds a BIG_MB directory. Method: the daemon reports
# each transfer of a local directory as a vertex status whose id is
# "transferring NAME:" with the bytes so far in "current"; buildctl
# --progress=rawjson prints every status. The number is the sum, over
# transfers of the main context (NAME "context"), of the last (largest)
# value; the build file's own transfer ("dockerfile") is not counted. Both
# go through buildctl, ours through the image (gateway.v0), so both are
# read the same way. The directory is written anew before each build, so
# the daemon's copy of an earlier transfer does not hide what is sent.
log "row 10: context bytes for copy small.txt beside ${BIG_MB} MB"
mkdir -p "$work/ctx"
echo "small" >"$work/ctx/small.txt"
printf 'arg BASE = "%s"\n\nimage small from "${BASE}" {\n  copy "small.txt" to "/"\n}\n' "$BASE" >"$work/ctx/Securefile"
printf 'ARG BASE=%s\nFROM ${BASE}\nCOPY small.txt /\n' "$BASE" >"$work/ctx/Dockerfile"
freshbig() {
  local i
  rm -rf "$work/ctx/big"
  mkdir -p "$work/ctx/big"
  for ((i = 0; i < BIG_MB; i++)); do head -c 1000000 /dev/urandom >"$work/ctx/big/$i.bin"; done
}
sent() { # FRONTEND-FLAGS...: context bytes of one build
  freshbig
  if ! buildctl build --progress=rawjson "$@" --local context="$work/ctx" --local dockerfile="$work/ctx" \
    >/dev/null 2>"$work/raw.json"; then
    tail -n 20 "$work/raw.json" >&2
    die "the build of row 10 failed"
  fi
  jq -s '[.[] | .statuses // [] | .[] | select(.id == "transferring context:") | {k: (.vertex + .id), v: .current}]
         | group_by(.k) | map(max_by(.v).v) | add // 0' "$work/raw.json"
}
ctx_sf=$(sent --frontend gateway.v0 --opt source="$FRONTEND")
ctx_df=$(sent --frontend dockerfile.v0)
row "10. context bytes sent, \`copy \"small.txt\"\` beside ${BIG_MB} MB" "$(bytes "$ctx_sf")" "$(bytes "$ctx_df")" "$(ratio "$ctx_sf" "$ctx_df")"

# ---------------------------------------------------------------- table
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ {printf "%.1f GB", $2 * 1024 / 1e9}' /proc/meminfo)
echo "Machine: $(nproc) CPUs ($cpu), $mem RAM; $(uname -sr); $(go env GOVERSION); $(buildctl --version | awk '{print $1, $3}') (daemon: $BUILDKIT_HOST); load average at start: $load"
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); securefile $(git -C "$ROOT" describe --tags --always --dirty 2>/dev/null || echo '?'); runs: $RUNS (warm rows 2-4: $((WARM_FACTOR * RUNS)), row 7: $((CONC_FACTOR * RUNS)))$([[ $QUICK == 1 ]] && echo ' (BENCH_QUICK=1: less work per stage; a check that the script runs, not numbers to quote)')"
echo
echo "| what | securefile | Dockerfile frontend | ratio |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
on_off() { ratio "$(med "$1")" "$(med "$2")"; }
echo "Verification on ÷ \`--no-verify\`: warm $(on_off sec_warm_on sec_warm_off) (to a local directory $(on_off sec_local_on sec_local_off)), cold $(on_off sec_cold_on sec_cold_off), $CONCURRENCY concurrent $(on_off conc_on conc_off) (the issue's goal: ≤ 1.2)."
