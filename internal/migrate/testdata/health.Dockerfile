FROM alpine
HEALTHCHECK --interval=5m --timeout=3s --start-period=10s --retries=2 CMD curl -f http://localhost/ || exit 1
CMD echo hi
