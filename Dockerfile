# The securefile frontend image (docs/frontend.md).
#
# There is deliberately no "# syntax=" line: BuildKit's built-in Dockerfile
# frontend builds this file, so building it never pulls a frontend image.
#
# The stage "binary" holds one static frontend binary per platform, at
# /<os>/<arch>[/<variant>]/securefile-frontend (/linux/amd64/...,
# /linux/arm/v7/...): the image of each platform copies its own.
#
# Online:  docker buildx build --platform linux/amd64,linux/arm64 -t ourorg/securefile .
# Offline, from binaries built on the host (no golang image, no network),
# which is what `make image` (hack/e2e.sh image) does:
#   CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -trimpath \
#     -ldflags "-s -w -X github.com/ourorg/securefile/internal/version.version=v1.2.3" \
#     -o bin/linux/arm64/securefile-frontend ./cmd/securefile-frontend
#   docker buildx build --platform linux/arm64 --build-context binary=./bin \
#     --build-arg VERSION=v1.2.3 -t ourorg/securefile .
# The "binary" named context replaces the stage of that name, so nothing
# from the golang stage is resolved or built.

ARG GO_VERSION=1.26

# binary: the static frontend binary of the target platform, cross-compiled
# on the build platform (no emulation), at /$TARGETPLATFORM/securefile-frontend:
# the layout of the named context. It is one stage, not a golang stage
# copied into a scratch one, because BuildKit resolves the base image of
# every stage the target reaches before it replaces "binary" by the
# context: the offline build would then look golang up on Docker Hub.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS binary
ARG TARGETPLATFORM
ARG TARGETOS
ARG TARGETARCH
ARG TARGETVARIANT
ARG VERSION=dev
WORKDIR /src
RUN --mount=type=bind,source=go.mod,target=go.mod \
    --mount=type=bind,source=go.sum,target=go.sum \
    --mount=type=cache,target=/go/pkg/mod \
    go mod download
# TARGETVARIANT is v7 for linux/arm/v7 (GOARM=7) and v2..v4 for an amd64
# level (GOAMD64 takes the v). Each is set for its own architecture only:
# go rejects a GOARM or GOAMD64 it cannot parse whatever GOARCH is.
RUN --mount=type=bind,target=. \
    --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    case "$TARGETARCH" in \
      arm) export GOARM="${TARGETVARIANT#v}" ;; \
      amd64) export GOAMD64="${TARGETVARIANT:-v1}" ;; \
    esac; \
    CGO_ENABLED=0 GOOS="$TARGETOS" GOARCH="$TARGETARCH" \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/ourorg/securefile/internal/version.version=${VERSION}" \
      -o "/${TARGETPLATFORM}/securefile-frontend" ./cmd/securefile-frontend

# The frontend image: the binary and nothing else. BuildKit reads the
# moby.buildkit labels: the frontend needs no network, and it handles what
# the built-in Dockerfile frontend handles through dockerui (frontend
# inputs, subrequests, named contexts, git query strings, zstd contexts).
# The OCI labels say which securefile it is: VERSION is what
# `securefile-frontend -version` prints (v1.2.3, or a git describe).
FROM scratch AS frontend
ARG TARGETPLATFORM
ARG VERSION=dev
ARG REVISION=
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts,moby.buildkit.frontend.gitquerystring,moby.buildkit.frontend.contexts.zstd"
LABEL org.opencontainers.image.title="securefile" \
      org.opencontainers.image.source="https://github.com/ourorg/securefile" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=binary /${TARGETPLATFORM}/securefile-frontend /bin/securefile-frontend
ENTRYPOINT ["/bin/securefile-frontend"]
