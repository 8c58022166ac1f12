FROM node:20 AS deps
RUN --mount=type=cache,id=npm,target=/root/.npm \
    --mount=type=secret,id=npmrc,target=/root/.npmrc,required=true,mode=0440,uid=1000 \
    npm ci
RUN --mount=type=cache,id=npm,target=/root/.npm npm run build
RUN --mount=type=cache,target=/var/cache/apt,sharing=private \
    --mount=type=ssh,id=github,required=true \
    --mount=type=bind,target=/src,rw \
    --mount=type=tmpfs,target=/scratch \
    --security=insecure --network=host \
    ["sh", "-c", "make"]
