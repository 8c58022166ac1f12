FROM --platform=$BUILDPLATFORM golang AS build
ARG TARGETOS TARGETARCH
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app
FROM --platform=linux/amd64 scratch AS final
COPY --from=build /app /app
