#!/usr/bin/env bash
# A local BuildKit for the end-to-end tests and `make demo`: no Docker engine,
# no Docker Hub, nothing pulled from outside the Go module proxy and Debian.
#
# Provisioning (what changes the machine) is `setup` alone, which `make
# e2e-setup` and `make test` run; nothing else installs packages, writes
# outside .cache/e2e or registers anything with the kernel. `up`, `start` and
# `go test -tags e2e ./e2e` refuse (or skip) until it has been done.
#
#   hack/e2e.sh setup    (root) apt packages (with a policy-rc.d so that no
#                        service starts), the qemu-i386 binfmt handler,
#                        buildkitd/buildctl/mkimage (tools/ module), busybox base
#                        image layout (linux/amd64 + linux/386), Debian base
#                        image layout (debootstrap, built once); writes the
#                        stamp .cache/e2e/setup/done
#   hack/e2e.sh check    exit 0 when setup is done (stamp current, commands
#                        present, binfmt handler registered); else say what is
#                        missing and exit 1. Changes nothing.
#   hack/e2e.sh start    check, registry on 127.0.0.1:5000, buildkitd on a
#                        private socket, push localhost:5000/busybox:latest and
#                        localhost:5000/debian:bookworm
#   hack/e2e.sh image    build the frontend image from ./Dockerfile with binaries
#                        built on the host, one per platform, and push it (IMAGE,
#                        PUSH=0|1, PLATFORMS, VERSION, ATTEST=0|1, BUILDKIT_HOST;
#                        see cmd_image)
#   hack/e2e.sh up       check + rebuild what is stale under .cache/e2e (tools,
#                        image layouts; no network but the Go module proxy) +
#                        start + image
#   hack/e2e.sh stop     stop what start started (pid files)
#   hack/e2e.sh teardown stop, then unregister the binfmt handler setup registered
#                        (the apt packages stay)
#   hack/e2e.sh status   what is running
#   hack/e2e.sh env      print the export lines for a shell (eval "$(hack/e2e.sh env)")
#
# Every command is idempotent. Everything lives under .cache/e2e (E2E_DIR);
# `E2E_CLEAN=1 hack/e2e.sh stop` deletes the daemon's and registry's state too.
# Options: E2E_I386=0 (no linux/386), E2E_FORCE_BUILD=1 (rebuild the tools),
# E2E_SKIP_APT=1, E2E_REGISTRY_ADDR (127.0.0.1:5000), E2E_DEBIAN_MIRROR
# (default: the first Debian mirror of the host's apt sources).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
E2E_DIR=${E2E_DIR:-$ROOT/.cache/e2e}
BIN=$E2E_DIR/bin
RUN=$E2E_DIR/run
# What setup leaves: the stamp (the fingerprint below) and the markers of
# what it registered with the kernel, for teardown. Not under run/, which
# E2E_CLEAN=1 stop deletes.
SETUP=$E2E_DIR/setup
STAMP=$SETUP/done
SOCK=$RUN/buildkitd.sock
ADDR=unix://$SOCK
E2E_REGISTRY_ADDR=${E2E_REGISTRY_ADDR:-127.0.0.1:5000}
REGISTRY=localhost:${E2E_REGISTRY_ADDR##*:}   # how images are named
BASE_REF=$REGISTRY/busybox:latest
# Debian with git and ssh, for the tests that clone over ssh from a local
# sshd (e2e/sshgit_test.go); busybox has neither.
DEBIAN_SUITE=bookworm
DEBIAN_INCLUDE=git,openssh-client
DEBIAN_REF=$REGISTRY/debian:$DEBIAN_SUITE
IMAGE=${IMAGE:-$REGISTRY/ourorg/securefile:latest}
E2E_I386=${E2E_I386:-1}
# openssh-server: the tests start their own sshd (never the system service);
# git: BuildKit runs it on the host for `add git` sources; qemu-user-static:
# qemu-i386-static for the linux/386 builds (binfmt handler below) and
# qemu-aarch64-static, which e2e/image_index_test.go runs the arm64 frontend
# binary of the image with (directly, no handler). It stays last, where
# E2E_I386=1 used to add it, so that the stamp of such a setup stays current.
APT_PACKAGES=(runc busybox-static docker-registry openssh-client openssh-server git debootstrap curl qemu-user-static)
GO=${GO:-go}
# The stamp holds this: when the packages, platforms or Debian image the
# script wants change, the setup of an older checkout no longer counts.
FINGERPRINT="v1 apt=${APT_PACKAGES[*]} i386=$E2E_I386 debian=$DEBIAN_SUITE:$DEBIAN_INCLUDE"
# The tools are built like the project's tests (CGO off, no tags, no
# -trimpath) so that buildkitd, buildctl, the frontend binary and the e2e test
# binary share one Go build cache: the buildkit packages compile once.
export CGO_ENABLED=0
export PATH="$BIN:$PATH"

log() { printf '[e2e %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------ setup

apt_missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || echo "$p"
  done
}

setup_apt() {
  [[ ${E2E_SKIP_APT:-0} == 1 ]] && return 0
  local missing
  missing=$(apt_missing "${APT_PACKAGES[@]}")
  [[ -z $missing ]] && return 0
  log "apt-get install" $missing
  [[ $(id -u) == 0 ]] || die "need root to install: $missing"
  apt-get update -qq || log "WARNING: apt-get update reported errors; trying the install anyway"
  # docker-registry's postinst starts its own service on :5000 unless a
  # policy-rc.d forbids it: forbid it for this install if nothing does.
  local policy=/usr/sbin/policy-rc.d ours=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && ours=1
  fi
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
    [[ $ours == 0 ]] || rm -f $policy
    die "apt-get install $missing failed"
  }
  [[ $ours == 0 ]] || rm -f $policy
  # Debian's docker-registry enables a service on :5000 (with htpasswd auth)
  # where systemd runs; it would take our port.
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    systemctl disable --now docker-registry >/dev/null 2>&1 || true
    # An sshd on :22 that this script installed is not wanted either (one
    # that was installed before is the machine's own and left alone).
    if grep -qx openssh-server <<<"$missing"; then
      systemctl disable --now ssh >/dev/null 2>&1 || true
    fi
  fi
}

# needs_build OUT... : true when an output is missing or older than the tools module
needs_build() {
  [[ ${E2E_FORCE_BUILD:-0} == 1 ]] && return 0
  local o
  for o in "$@"; do
    [[ -x $BIN/$o ]] || return 0
    [[ $BIN/$o -nt $ROOT/tools/go.mod && $BIN/$o -nt $ROOT/tools/go.sum ]] || return 0
    [[ -z $(find "$ROOT/tools" -name '*.go' -newer "$BIN/$o" | head -1) ]] || return 0
  done
  return 1
}

setup_tools() {
  mkdir -p "$BIN"
  if ! needs_build buildkitd buildctl mkimage; then
    log "tools up to date ($BIN)"
    return 0
  fi
  local version t0=$SECONDS
  version=$(cd "$ROOT/tools" && $GO list -m -f '{{.Version}}' github.com/moby/buildkit)
  log "building buildkitd, buildctl ($version) and mkimage (a cold Go cache takes minutes)"
  (cd "$ROOT/tools" && $GO build \
    -ldflags "-s -w -X github.com/moby/buildkit/version.Version=$version" \
    -o "$BIN/" github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl ./cmd/mkimage)
  touch "$BIN/buildkitd" "$BIN/buildctl" "$BIN/mkimage"
  log "built tools in $((SECONDS - t0))s"
}

# The i386 busybox-static comes from Debian too. It is not Multi-Arch: same
# and cannot be installed next to the amd64 one, so download the .deb with a
# private apt state (its own lists, i386 only) and unpack it: the system's
# dpkg architectures and package lists are not touched.
fetch_i386_busybox() {
  local out=$1 d=$E2E_DIR/apt uri suite
  uri=$(debian_mirror)
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  rm -rf "$d"; mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/dl"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" >"$d/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
    -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o "Dir::State::status=/dev/null"
    -o "APT::Architecture=i386" -o "APT::Architectures::=i386" -o "Acquire::Languages=none"
    -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false"
    -o "APT::Sandbox::User=root" -qq)
  log "fetching busybox-static:i386 from $uri $suite"
  apt-get "${opts[@]}" update >/dev/null
  (cd "$d/dl" && apt-get "${opts[@]}" download busybox-static:i386 >/dev/null && dpkg-deb -x busybox-static_*_i386.deb root)
  install -m 0755 "$d/dl/root/bin/busybox" "$out"
  rm -rf "$d"
}

# debian_mirror: the first non-security Debian mirror of the host's apt
# sources (deb822 or one-line format), else deb.debian.org.
debian_mirror() {
  local uri
  uri=$( (grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | awk '{print $2}';
          grep -hE '^deb +(\[[^]]*\] +)?https?://' /etc/apt/sources.list 2>/dev/null | grep -v security |
            sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{print $1}') | head -1 || true)
  echo "${E2E_DEBIAN_MIRROR:-${uri:-http://deb.debian.org/debian}}"
}

# mkrootfs BUSYBOX DIR [LISTER]: busybox at /bin/busybox, a symlink per
# applet (--list-full: bin/sh, usr/bin/wget, ...), a minimal /etc.
mkrootfs() {
  local bb=$1 dir=$2 lister=${3:-$1} p
  rm -rf "$dir"; mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev,run}
  chmod 1777 "$dir/tmp"; chmod 700 "$dir/root"
  install -m 0755 "$bb" "$dir/bin/busybox"
  "$lister" --list-full | while read -r p; do
    [[ $p == bin/busybox || -e $dir/$p ]] || ln -s /bin/busybox "$dir/$p"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
}

setup_images() {
  local rootfs=$E2E_DIR/rootfs layout=$E2E_DIR/images/busybox plats=()
  local want="amd64"; [[ $E2E_I386 == 1 ]] && want="amd64 386"
  if [[ -f $layout/index.json && $(cat "$layout/.platforms" 2>/dev/null) == "$want" && $layout/index.json -nt $BIN/mkimage ]]; then
    log "busybox image layout up to date ($want)"
    return 0
  fi
  mkdir -p "$rootfs"
  mkrootfs /bin/busybox "$rootfs/amd64"
  plats+=("linux/amd64=$rootfs/amd64")
  if [[ $E2E_I386 == 1 ]]; then
    [[ -x $rootfs/busybox-i386 ]] || fetch_i386_busybox "$rootfs/busybox-i386"
    # the i386 binary cannot run here without qemu: list applets with the host's
    mkrootfs "$rootfs/busybox-i386" "$rootfs/386" /bin/busybox
    plats+=("linux/386=$rootfs/386")
  fi
  mkimage build -o "$layout" "${plats[@]}" >&2
  echo "$want" >"$layout/.platforms"
}

# The Debian base image: debootstrap once (about 30 s) into
# $E2E_DIR/rootfs/debian, kept while the suite and package list are the
# same; the layout is remade when mkimage is newer. A failure (no mirror
# reachable, say) is logged and does not stop the setup: the busybox tests
# can still run, and the tests that need this image fail saying it is
# missing from the registry.
DEBIAN_ROOT=$E2E_DIR/rootfs/debian
DEBIAN_WANT="$DEBIAN_SUITE minbase $DEBIAN_INCLUDE"

setup_debian() {
  local root=$DEBIAN_ROOT layout=$E2E_DIR/images/debian want=$DEBIAN_WANT
  if [[ $(cat "$root.done" 2>/dev/null) != "$want" ]]; then
    local mirror try t0=$SECONDS
    mirror=$(debian_mirror)
    rm -f "$root.done"
    for try in 1 2; do
      log "debootstrap $want from $mirror (try $try)"
      rm -rf "$root"
      if debootstrap --variant=minbase --include="$DEBIAN_INCLUDE" "$DEBIAN_SUITE" "$root" "$mirror" \
        >"$E2E_DIR/debootstrap.log" 2>&1; then
        echo "$want" >"$root.done"
        break
      fi
      log "debootstrap failed; last lines of $E2E_DIR/debootstrap.log:"
      tail -5 "$E2E_DIR/debootstrap.log" >&2
    done
    if [[ ! -f $root.done ]]; then
      rm -rf "$root" "$layout"
      log "WARNING: no Debian base image; the tests that need $DEBIAN_REF will fail"
      return 0
    fi
    # What the build's container provides itself (/dev, resolv.conf,
    # hostname), the host's copies debootstrap left, and caches.
    find "$root/dev" -mindepth 1 -delete
    rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/* "$root"/tmp/*
    rm -f "$root/etc/resolv.conf" "$root/etc/hostname" "$root/etc/machine-id"
    log "debootstrap done in $((SECONDS - t0))s ($(du -sh "$root" | cut -f1))"
  fi
  debian_layout
}

# debian_layout: the OCI layout of the debootstrapped root, remade when
# mkimage or the root is newer; nothing when there is no root (setup could
# not make it, and only setup runs debootstrap).
debian_layout() {
  local root=$DEBIAN_ROOT layout=$E2E_DIR/images/debian
  [[ $(cat "$root.done" 2>/dev/null) == "$DEBIAN_WANT" ]] || return 0
  if [[ -f $layout/index.json && $layout/index.json -nt $BIN/mkimage && $layout/index.json -nt $root.done ]]; then
    log "Debian image layout up to date"
    return 0
  fi
  mkimage build -cmd bash -o "$layout" "linux/amd64=$root" >&2
}

# i386 ELF binaries get ENOEXEC on this kernel, and BuildKit treats 386 as
# native on amd64 (so its own buildkit-qemu-i386 hook is never used): register
# qemu-i386-static with binfmt_misc. F opens the interpreter now, so it also
# works inside the build containers' mount namespaces.
setup_binfmt() {
  [[ $E2E_I386 == 1 ]] || return 0
  local bm=/proc/sys/fs/binfmt_misc
  mkdir -p "$SETUP"
  # markers of an older script, which kept them in run/
  if [[ -f $RUN/binfmt-i386.ours ]]; then mv "$RUN/binfmt-i386.ours" "$SETUP/"; fi
  if [[ -f $RUN/binfmt-misc.mounted ]]; then mv "$RUN/binfmt-misc.mounted" "$SETUP/"; fi
  if [[ -e $bm/qemu-i386 ]]; then
    [[ -f $SETUP/binfmt-i386.ours ]] || log "qemu-i386 binfmt handler already registered (not by us; left alone)"
    return 0
  fi
  if [[ ! -e $bm/register ]]; then
    mount -t binfmt_misc binfmt_misc $bm
    touch "$SETUP/binfmt-misc.mounted"
  fi
  # magic and mask as in qemu's scripts/qemu-binfmt-conf.sh
  printf '%s' ':qemu-i386:M::\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00:\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-i386-static:F' >$bm/register
  touch "$SETUP/binfmt-i386.ours"
  log "registered qemu-i386-static with binfmt_misc"
}

cmd_setup() {
  rm -f "$STAMP"
  setup_apt
  local c
  for c in runc busybox docker-registry; do command -v $c >/dev/null || die "$c not found"; done
  [[ $E2E_I386 == 0 ]] || [[ -x /usr/bin/qemu-i386-static ]] || die "/usr/bin/qemu-i386-static not found"
  command -v "$GO" >/dev/null || die "go not found"
  setup_binfmt
  # sshd's privilege separation directory, which its system service would
  # make: the ssh tests start their own sshd as root (under /run: gone at
  # reboot, like the binfmt handler).
  if [[ $(id -u) == 0 ]]; then mkdir -p /run/sshd; fi
  setup_tools
  setup_images
  setup_debian
  mkdir -p "$SETUP"
  echo "$FINGERPRINT" >"$STAMP"
  log "setup done ($STAMP)"
}

# setup_missing: one line per thing setup provides that is not there; cheap
# (no dpkg, no network), for check and for TestMain through it.
setup_missing() {
  local c
  if [[ ! -f $STAMP ]]; then
    echo "no setup stamp ($STAMP)"
  elif [[ $(cat "$STAMP") != "$FINGERPRINT" ]]; then
    echo "the setup stamp is of another version of hack/e2e.sh (it wants: $FINGERPRINT)"
  fi
  for c in runc busybox docker-registry curl git ssh; do
    command -v $c >/dev/null || echo "$c is not installed"
  done
  [[ -x /usr/sbin/sshd ]] || echo "/usr/sbin/sshd is not installed"
  [[ $(id -u) != 0 || -d /run/sshd ]] || echo "no /run/sshd (sshd's privilege separation directory)"
  for c in buildkitd buildctl mkimage; do
    [[ -x $BIN/$c ]] || echo "$BIN/$c is not built"
  done
  [[ -f $E2E_DIR/images/busybox/index.json ]] || echo "no busybox image layout"
  if [[ $E2E_I386 == 1 ]]; then
    [[ -x /usr/bin/qemu-i386-static ]] || echo "/usr/bin/qemu-i386-static is not installed"
    [[ -x $E2E_DIR/rootfs/busybox-i386 ]] || echo "no i386 busybox"
    # gone after a reboot, or after teardown
    [[ -e /proc/sys/fs/binfmt_misc/qemu-i386 ]] || echo "the qemu-i386 binfmt handler is not registered"
  fi
  return 0
}

cmd_check() {
  local missing
  missing=$(setup_missing)
  [[ -z $missing ]] && return 0
  printf 'the e2e setup is not done:\n%s\nrun: make e2e-setup (hack/e2e.sh setup, as root; it installs apt packages and registers a binfmt handler)\n' \
    "$(sed 's/^/  /' <<<"$missing")" >&2
  return 1
}

# refresh: rebuild what is stale under .cache/e2e after a checkout changed
# tools/ (no root, no network but the Go module proxy; setup made the rest).
refresh() {
  setup_tools
  setup_images
  debian_layout
}

# ------------------------------------------------------------------ start

# alive NAME: the process of NAME.pid runs and is ours (its command line names
# our state directory, so a reused pid is never taken for it).
alive() {
  local pid
  pid=$(cat "$RUN/$1.pid" 2>/dev/null) || return 1
  [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$E2E_DIR/"
}

wait_for() { # wait_for WHAT SECONDS CMD...
  local what=$1 deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { log "$what did not come up in time"; return 1; }
    sleep 0.2
  done
}

registry_up() { curl -fsS -o /dev/null "http://$E2E_REGISTRY_ADDR/v2/"; }

start_registry() {
  if alive registry; then return 0; fi
  if registry_up 2>/dev/null; then
    log "a registry not started by us already serves $E2E_REGISTRY_ADDR; using it"
    return 0
  fi
  mkdir -p "$E2E_DIR/registry"
  cat >"$RUN/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $E2E_DIR/registry
  delete:
    enabled: true
http:
  addr: $E2E_REGISTRY_ADDR
EOF
  setsid docker-registry serve "$RUN/registry.yml" >"$RUN/registry.log" 2>&1 </dev/null &
  echo $! >"$RUN/registry.pid"
  wait_for registry 20 registry_up || { tail -20 "$RUN/registry.log" >&2; exit 1; }
  log "registry on $E2E_REGISTRY_ADDR (pid $(cat "$RUN/registry.pid"))"
}

start_buildkitd() {
  if alive buildkitd; then return 0; fi
  rm -f "$SOCK"
  mkdir -p "$E2E_DIR/buildkit"
  # Plain-HTTP local registry; the entitlements the tests and examples ask for.
  # No CNI config is given, so the OCI worker runs steps in the host's network
  # namespace even for network = "default".
  cat >"$RUN/buildkitd.toml" <<EOF
insecure-entitlements = ["network.host", "security.insecure"]

[worker.oci]
  enabled = true
  binary = "runc"
  gc = true
  # BuildKit sizes its default GC from the disk's reported size, which on a
  # shared disk can be far more than is free: the tests' cache once filled
  # it. Bounded outright, and kept clear of the last few GB.
  maxUsedSpace = "15GB"
  minFreeSpace = "5GB"

[worker.containerd]
  enabled = false

[registry."$REGISTRY"]
  http = true
  insecure = true

[registry."$E2E_REGISTRY_ADDR"]
  http = true
  insecure = true
EOF
  setsid "$BIN/buildkitd" --root "$E2E_DIR/buildkit" --addr "$ADDR" --config "$RUN/buildkitd.toml" \
    >"$RUN/buildkitd.log" 2>&1 </dev/null &
  echo $! >"$RUN/buildkitd.pid"
  wait_for buildkitd 60 buildctl --addr "$ADDR" debug workers || { tail -30 "$RUN/buildkitd.log" >&2; exit 1; }
  log "buildkitd on $ADDR (pid $(cat "$RUN/buildkitd.pid")), platforms: $(buildctl --addr "$ADDR" debug workers | awk 'NR > 1 {print $2}')"
}

cmd_start() {
  cmd_check || exit 1
  ((${#SOCK} < 100)) || die "socket path too long for unix(7): $SOCK (set E2E_DIR to a shorter path)"
  mkdir -p "$RUN"
  start_registry
  start_buildkitd
  mkimage push "$E2E_DIR/images/busybox" "$BASE_REF" >&2
  if [[ -f $E2E_DIR/images/debian/index.json ]]; then
    mkimage push "$E2E_DIR/images/debian" "$DEBIAN_REF" >&2
  else
    log "WARNING: no Debian image layout (hack/e2e.sh setup makes it); $DEBIAN_REF not pushed"
  fi
}

# ------------------------------------------------------------------ image

# image_platform P: P normalized the way BuildKit spells $TARGETPLATFORM
# (containerd's rules: linux/arm is linux/arm/v7, linux/arm64/v8 is
# linux/arm64, linux/amd64/v1 is linux/amd64), which is the directory the
# Dockerfile copies the binary of P from. A platform Go cannot build for
# here is an error, not a guess.
image_platform() {
  local os arch variant rest
  IFS=/ read -r os arch variant rest <<<"$1"
  [[ -n $os && -n $arch && -z $rest ]] || die "PLATFORMS: bad platform \"$1\" (want os/arch[/variant])"
  [[ $os == linux ]] || die "PLATFORMS: $1: the frontend image is for linux only"
  case $arch/$variant in
    arm/) variant=v7 ;;
    arm/v[567]) ;;
    arm64/v8 | amd64/v1) variant= ;;
    amd64/v[234]) ;;
    */) ;;
    *) die "PLATFORMS: $1: unsupported variant" ;;
  esac
  echo "$os/$arch${variant:+/$variant}"
}

# image_binary PLATFORM DIR VERSION TRIMPATH: cross-compile the frontend for
# PLATFORM (normalized) into DIR/PLATFORM/securefile-frontend, static (CGO
# off), with no emulation: GOARM and GOAMD64 carry the variant.
image_binary() {
  local p=$1 dir=$2 version=$3 trimpath=$4 os arch variant
  IFS=/ read -r os arch variant <<<"$p"
  local env=(CGO_ENABLED=0 GOOS="$os" GOARCH="$arch")
  case $arch in
    arm) env+=(GOARM="${variant#v}") ;;
    amd64) env+=(GOAMD64="${variant:-v1}") ;;
  esac
  local flags=()
  [[ $trimpath == 1 ]] && flags+=(-trimpath)
  mkdir -p "$dir/$p"
  (cd "$ROOT" && env "${env[@]}" $GO build "${flags[@]}" \
    -ldflags "-s -w -X github.com/ourorg/securefile/internal/version.version=$version" \
    -o "$dir/$p/securefile-frontend" ./cmd/securefile-frontend) || die "go build for $p failed"
}

# image_repo REF: REF without its tag (localhost:5000/ourorg/x:1 ->
# localhost:5000/ourorg/x); a port is not a tag, and a digest is refused.
image_repo() {
  local ref=$1
  [[ $ref != *@* ]] || die "IMAGE: $ref: a digest cannot be pushed to"
  if [[ ${ref##*/} == *:* ]]; then echo "${ref%:*}"; else echo "$ref"; fi
}

# The frontend image, built offline: the binaries are compiled here, one per
# platform, and handed to the Dockerfile as the named context "binary", laid
# out as binary/<os>/<arch>[/<variant>]/securefile-frontend (docs/frontend.md);
# cmdline= makes the builtin Dockerfile frontend ignore any "# syntax=" line
# (which would pull docker/dockerfile from Docker Hub).
#
#   PLATFORMS  comma-separated (make image PLATFORMS=... ; RELEASE_PLATFORMS is
#              the release's list): one OCI index, each platform
#              cross-compiled here with -trimpath. Empty: the daemon's default
#              platform alone, built without -trimpath so that it shares the
#              Go build cache with the tests (the fast path of `up`).
#   VERSION    linked in and the org.opencontainers.image.version label
#              (default: git describe). A release vX.Y.Z (internal/version:
#              Release, Tags) is pushed as X.Y.Z, X.Y, X and latest of IMAGE's
#              repository instead of IMAGE's own tag.
#   ATTEST=1   provenance (mode=max) and SBOM attestations; ATTEST_SBOM=0
#              leaves the SBOM out, SBOM_GENERATOR replaces BuildKit's default
#              scanner image (docker/buildkit-syft-scanner, from Docker Hub).
#   IMAGE_DIGEST_FILE  where the digest of what was pushed (or written) goes
#              (default .cache/e2e/image-digest), for a release to pin
#              repo:X.Y.Z@sha256:... (hack/dist.sh TOOL_IMAGE).
cmd_image() {
  local host=${BUILDKIT_HOST:-$ADDR} dir=$E2E_DIR/frontend out version revision
  local push=${PUSH:-1} attest=${ATTEST:-0} sbom=${ATTEST_SBOM:-1}
  local digest_file=${IMAGE_DIGEST_FILE:-$E2E_DIR/image-digest}
  [[ $push == [01] ]] || die "PUSH=$push: want 0 or 1"
  [[ $attest == [01] ]] || die "ATTEST=$attest: want 0 or 1"
  [[ $sbom == [01] ]] || die "ATTEST_SBOM=$sbom: want 0 or 1"
  [[ -n ${BUILDKIT_HOST:-} ]] || alive buildkitd || die "no BuildKit: set BUILDKIT_HOST or run make e2e-start"
  command -v buildctl >/dev/null || die "buildctl not found: run hack/e2e.sh setup"
  [[ -f $ROOT/Dockerfile ]] || die "no Dockerfile in $ROOT"
  version=${VERSION:-$(git -C "$ROOT" describe --tags --always --dirty 2>/dev/null || echo dev)}
  revision=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || true)

  local repo names tag
  repo=$(image_repo "$IMAGE") || exit 1
  # the same rule as internal/version.Release and Tags
  if [[ $version =~ ^v?([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
    names=
    for tag in "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}" \
      "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}" latest; do
      names+=${names:+,}$repo:$tag
    done
  else
    names=$IMAGE
  fi

  local trimpath=1 list=() platforms=() p
  if [[ -n ${PLATFORMS:-} ]]; then
    IFS=, read -ra list <<<"$PLATFORMS"
  else
    # The first platform of the first worker is the one a build without
    # --opt platform gets.
    p=$(buildctl --addr "$host" debug workers | awk 'NR == 2 { split($2, a, ","); print a[1] }')
    [[ -n $p ]] || die "cannot tell the daemon's platform (buildctl debug workers); set PLATFORMS"
    list=("$p")
    trimpath=0
  fi
  for p in "${list[@]}"; do
    p=$(image_platform "$p") || exit 1
    [[ " ${platforms[*]} " != *" $p "* ]] || die "PLATFORMS: $p given twice"
    platforms+=("$p")
  done
  # A directory of this run's own: two image builds at once (a test of the
  # release index beside a rebuild of the default image) must not build
  # from each other's binaries. Removed when the script exits.
  mkdir -p "$E2E_DIR"
  dir=$(mktemp -d "$E2E_DIR/frontend.XXXXXX")
  # shellcheck disable=SC2064 # expanded now: dir is local to this function
  trap "rm -rf '$dir' '$dir.metadata.json'" EXIT
  for p in "${platforms[@]}"; do
    log "building cmd/securefile-frontend $version for $p"
    image_binary "$p" "$dir" "$version" $trimpath
  done

  # The names are a comma-separated list inside one CSV field: quoted.
  if [[ $push == 1 ]]; then
    out="type=image,\"name=$names\",push=true"
  else
    out="type=oci,\"name=$names\",dest=$E2E_DIR/securefile-image.tar"
  fi
  local opts=(--opt "platform=$(IFS=,; echo "${platforms[*]}")"
    --opt "build-arg:VERSION=$version" --opt "build-arg:REVISION=$revision")
  if [[ $attest == 1 ]]; then
    opts+=(--opt attest:provenance=mode=max)
    if [[ $sbom == 1 ]]; then
      opts+=(--opt "attest:sbom=${SBOM_GENERATOR:+generator=$SBOM_GENERATOR}")
    fi
  fi
  local meta=$dir.metadata.json
  rm -f "$meta"
  buildctl --addr "$host" build --progress="${PROGRESS:-quiet}" --frontend dockerfile.v0 \
    --opt cmdline= --opt filename=Dockerfile \
    --local context="$ROOT" --local dockerfile="$ROOT" \
    --local binary="$dir" --opt context:binary=local:binary \
    "${opts[@]}" --output "$out" --metadata-file "$meta"
  local digest
  digest=$(grep -o '"containerimage.digest": *"sha256:[0-9a-f]\{64\}"' "$meta" | grep -o 'sha256:[0-9a-f]*') ||
    die "no containerimage.digest in $meta"
  mkdir -p "$(dirname "$digest_file")"
  echo "$digest" >"$digest_file"
  if [[ $push == 1 ]]; then
    log "pushed ${names//,/ } ($digest, in $digest_file)"
  else
    log "wrote $E2E_DIR/securefile-image.tar ($digest, in $digest_file)"
  fi
}

# ------------------------------------------------------------------ stop

stop_pid() {
  local f=$RUN/$1.pid pid
  [[ -f $f ]] || return 0
  pid=$(cat "$f")
  if alive "$1"; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "$1 ($pid) ignored SIGTERM; killing it"; kill -KILL "$pid"; fi
    log "stopped $1 ($pid)"
  fi
  rm -f "$f"
}

cmd_stop() {
  set +e
  stop_pid buildkitd
  stop_pid registry
  rm -f "$SOCK"
  # mounts left behind by a killed buildkitd
  awk -v d="$E2E_DIR/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l
  if [[ ${E2E_CLEAN:-0} == 1 ]]; then
    # keep setup's markers of an older script (teardown reads them)
    mkdir -p "$SETUP"
    for f in binfmt-i386.ours binfmt-misc.mounted; do
      if [[ -f $RUN/$f ]]; then mv "$RUN/$f" "$SETUP/"; fi
    done
    rm -rf "$E2E_DIR/buildkit" "$E2E_DIR/registry" "$RUN"
    log "removed the buildkit and registry state"
  fi
  return 0
}

# teardown: undo what setup did to the running kernel (the binfmt handler,
# the binfmt_misc mount), only where setup's markers say it did it; the
# stamp goes too, so check asks for setup again.
cmd_teardown() {
  cmd_stop
  local d
  for d in "$SETUP" "$RUN"; do # run/: markers of an older script
    if [[ -f $d/binfmt-i386.ours ]]; then
      [[ -e /proc/sys/fs/binfmt_misc/qemu-i386 ]] && echo -1 >/proc/sys/fs/binfmt_misc/qemu-i386
      rm -f "$d/binfmt-i386.ours"
      log "unregistered the qemu-i386 binfmt handler"
    fi
    if [[ -f $d/binfmt-misc.mounted ]]; then
      umount /proc/sys/fs/binfmt_misc && rm -f "$d/binfmt-misc.mounted"
    fi
  done
  rm -f "$STAMP"
  return 0
}

cmd_status() {
  local n
  for n in registry buildkitd; do
    if alive $n; then echo "$n: running (pid $(cat "$RUN/$n.pid"))"; else echo "$n: not running"; fi
  done
  [[ -f $SETUP/binfmt-i386.ours ]] && echo "binfmt qemu-i386: registered by setup"
  alive buildkitd
}

cmd_env() {
  echo "export BUILDKIT_HOST=$ADDR"
  echo "export E2E_REGISTRY=$REGISTRY"
  echo "export E2E_FRONTEND_IMAGE=$IMAGE"
  echo "export E2E_DEBIAN_IMAGE=$DEBIAN_REF"
  echo "export PATH=$BIN:\$PATH"
}

case ${1:-} in
  setup) cmd_setup ;;
  check) cmd_check ;;
  start) cmd_start ;;
  image) cmd_image ;;
  up) cmd_check || exit 1; refresh; cmd_start; cmd_image ;;
  stop) cmd_stop ;;
  teardown) cmd_teardown ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
