# Segmentloom container image.
#   docker build -t segmentloom .
#   docker compose up            (Kafka + topics + schema registry + Segmentloom, see docker-compose.yml)
#
# Build stage: full node:20-bookworm plus a C++ toolchain, because re2 is a native addon (its install
# script downloads a prebuilt binary when it can, else compiles with node-gyp).
FROM node:20-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# Dependencies first, so source edits do not reinstall them. --ignore-scripts skips the root
# `prepare` (the sources are not copied yet); re2's own install script then runs via rebuild.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild re2

# Sources (.dockerignore keeps node_modules, dist, .kafka, tests and the like out), then compile
# and drop the dev dependencies.
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf src test benchmarks scripts tsconfig*.json

# Runtime stage: same Debian release (glibc) as the build stage, so the compiled re2 addon fits.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
# config/segmentloom.docker.yaml is read from the image, or from the ./config bind mount in compose.
CMD ["node", "bin/segmentloom.js", "run", "--config", "/app/config/segmentloom.docker.yaml"]
