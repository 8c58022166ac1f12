ARG BASE=debian:bookworm
ARG PADDED=${BASE}+extra
FROM --platform=$BUILDPLATFORM ${PADDED%%+*} AS build
ARG TARGETOS TARGETARCH
ARG DEBIAN_FRONTEND=noninteractive
ARG VERSION=v1.2.3
ENV PATH=/opt/bin:$PATH GOOS=$TARGETOS
ENV NUM=${VERSION#v} MAJOR=${VERSION%%.*}
RUN apt-get install -y tzdata
RUN echo "$VERSION $TARGETARCH $HTTP_PROXY" '$${literal}' > /v.txt
WORKDIR /src/${NUM%.*}

FROM build AS test
ARG TARGETSTAGE
RUN echo "$TARGETSTAGE" > /stage.txt

FROM ${BASE}
ARG VERSION
LABEL version=${VERSION:-dev}
CMD echo "${VERSION} $HOME ${PATH}"
HEALTHCHECK CMD test -n "${VERSION}"
