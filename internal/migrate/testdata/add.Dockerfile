FROM alpine
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/
ADD https://example.com/unpinned /u
ADD --keep-git-dir=true git@github.com:org/repo.git#0123456789abcdef0123456789abcdef01234567 /repo
ADD vendor.tar.gz /opt/vendor/
ADD --chown=1:1 config.yml /etc/
