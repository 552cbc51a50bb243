# syntax=docker/dockerfile:1
# The Slack app as a container image. Build: `docker build -t glance-bot .` (or `docker compose build`);
# for both CPU architectures: `docker buildx build --platform linux/amd64,linux/arm64 -t glance-bot .`.
# Each platform's build stage installs from the lockfile on that platform, so sharp's libvips and the
# ffmpeg/ffprobe binaries in the image are the ones for its CPU (linux x64 or arm64, glibc).
# The production artifact is made by scripts/build-bot-artifact.sh, which a test also runs, into an
# empty directory, and starts the bot from there.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /source
# The pnpm version package.json names ("packageManager").
RUN npm install --global pnpm@10.34.8
# Packages first, from the lockfile alone: this layer is reused while only the sources change.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline
RUN sh scripts/build-bot-artifact.sh /artifact

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Owned by root and only readable by the bot's user: the running process cannot change its own code.
COPY --from=build /artifact /app
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 3000
# /healthz on PORT answers while the process serves HTTP (both modes); the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "dist/health/probe.js"]
# node runs the bot directly (no package-manager launcher in between), so SIGTERM from `docker stop`
# reaches the bot, which finishes the answers in flight and exits 0.
CMD ["node", "dist/index.js"]
