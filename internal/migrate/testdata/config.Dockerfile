FROM scratch
SHELL ["/bin/bash", "-c"]
ONBUILD COPY . /app
MAINTAINER Jane <jane@example.com>
EXPOSE 80/tcp
VOLUME ["/a", "/b"]
HEALTHCHECK NONE
STOPSIGNAL SIGINT
ENTRYPOINT ["/bin/app"]
