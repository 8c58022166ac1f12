# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG VERSION
WORKDIR /src
ENV CGO_ENABLED=0 PATH=/usr/local/bin:$PATH
RUN --mount=type=cache,target=/go/pkg/mod,sharing=locked \
    --mount=type=secret,id=netrc,target=/root/.netrc,required=true \
    --mount=type=ssh \
    --mount=type=bind,from=deps,source=/x,target=/y \
    --mount=type=tmpfs,target=/tmp,size=64m \
    --network=none \
    go build -ldflags "-X main.v=$VERSION" -o /out/app .
RUN --mount=type=secret,id=gh-token,env=GITHUB_TOKEN echo hi
RUN <<EOT
set -e
echo heredoc
EOT
SHELL ["/bin/bash", "-c"]
ONBUILD RUN echo x
ADD https://example.com/a.tgz /tmp/a.tgz
ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://example.com/b /b
ADD https://github.com/moby/buildkit.git#v0.10.1 /bk
ADD files.tar.gz /opt/

FROM scratch
MAINTAINER me@example.com
COPY --from=build --chown=1000:1000 --chmod=0755 --link /out/app /app
COPY --parents --exclude=*.md docs/ /docs/
LABEL org.opencontainers.image.version=$GO_VERSION a=b
EXPOSE 8080 53/udp
VOLUME /data
USER 1000
HEALTHCHECK --interval=30s --retries=3 CMD ["/app", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app"]
CMD ["serve"]
