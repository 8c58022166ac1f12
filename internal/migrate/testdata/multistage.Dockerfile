FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM build AS test
RUN go test ./...

FROM alpine:3.20
COPY --from=0 /out/app /usr/local/bin/app
COPY --from=nginx:latest /etc/nginx/nginx.conf /etc/nginx/
ENTRYPOINT app --serve
CMD []
