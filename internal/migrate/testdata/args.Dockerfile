ARG BASE=debian:bookworm
ARG UNUSED
FROM ${BASE} AS one
ARG MODE=dev
ENV MODE=$MODE HOME=/root
WORKDIR $HOME/app
RUN echo "$MODE" "$HOME"

FROM $BASE
ARG MODE=prod
LABEL mode=${MODE}
USER nobody:nogroup
COPY ${BASE%:*}.txt ${MODE:-x}/ /dst/
