FROM alpine
RUN <<EOF
apk add curl
echo done
EOF
RUN cat <<EOT > /etc/motd
hello
EOT
COPY <<EOF /etc/conf
x=1
EOF
