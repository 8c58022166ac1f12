# The securefile frontend image (docs/frontend.md).
#
# There is deliberately no "# syntax=" line: BuildKit's built-in Dockerfile
# frontend builds this file, so building it never pulls a frontend image.
#
# Online:  docker buildx build -t ourorg/securefile .
# Offline, from a binary built on the host (no golang image, no network):
#   CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" \
#     -o bin/securefile-frontend ./cmd/securefile-frontend
#   docker buildx build --build-context binary=./bin -t ourorg/securefile .
# The "binary" named context replaces the stage of that name, so nothing
# from the golang stage is resolved or built.

ARG GO_VERSION=1.26

# binary: the static frontend binary at /securefile-frontend, cross-compiled
# on the build platform for the target platform.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS binary
ARG TARGETOS
ARG TARGETARCH
ARG TARGETVARIANT
ARG VERSION=dev
WORKDIR /src
RUN --mount=type=bind,source=go.mod,target=go.mod \
    --mount=type=bind,source=go.sum,target=go.sum \
    --mount=type=cache,target=/go/pkg/mod \
    go mod download
RUN --mount=type=bind,target=. \
    --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOARM="${TARGETVARIANT#v}" \
    CGO_ENABLED=0 GOOS="$TARGETOS" GOARCH="$TARGETARCH" \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /securefile-frontend ./cmd/securefile-frontend

# The frontend image: the binary and nothing else. BuildKit reads the
# labels: the frontend needs no network, and it handles what the built-in
# Dockerfile frontend handles through dockerui (frontend inputs,
# subrequests, named contexts, git query strings, zstd contexts).
FROM scratch AS frontend
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts,moby.buildkit.frontend.gitquerystring,moby.buildkit.frontend.contexts.zstd"
COPY --from=binary /securefile-frontend /bin/securefile-frontend
ENTRYPOINT ["/bin/securefile-frontend"]
