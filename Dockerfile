# Kite in a container, on the runtime of your choice:
#   docker build -t kite .                          # Deno (default)
#   docker build --build-arg RUNTIME=bun -t kite .  # Bun single executable
#   docker build --build-arg RUNTIME=node -t kite . # Node, from an esbuild bundle
#   docker run -p 6379:6379 kite [--<config> value ...]
ARG RUNTIME=deno

# All dependencies: the npm packages `deno` and `bun` ship the runtimes' binaries.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY mod.ts deno.json ./
COPY src ./src

# Runtime dependencies only (no test clients, no runtimes).
FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# The same build commands as `npm run build:exe` / `npm run build:node` (they embed or copy
# wasmoon's glue.wasm, the Lua VM).
FROM deps AS build-bun
RUN npm run build:exe

FROM deps AS build-node
RUN npm run build:node

# The final stages share one base: Node is there for the health check on every variant.
FROM node:20-bookworm-slim AS base
WORKDIR /app
EXPOSE 6379 8080
# PING over a plain TCP socket; healthy when the reply is +PONG.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["node", "-e", "const s=require('net').connect(6379,'127.0.0.1',()=>s.write('PING\\r\\n'));s.on('data',d=>process.exit(String(d).startsWith('+PONG')?0:1));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(1),2000)"]

FROM base AS runtime-deno
COPY --from=deps /app/node_modules/deno/deno /usr/local/bin/deno
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=deps /app/package.json /app/deno.json /app/mod.ts ./
COPY --from=deps /app/src ./src
USER node
# Compile the sources into the user's Deno cache at build time, not at first start.
RUN deno cache src/main.ts
ENTRYPOINT ["deno", "run", "-A", "--v8-flags=--max-semi-space-size=4", "src/main.ts"]

FROM base AS runtime-bun
COPY --from=build-bun /app/dist/kite-server /usr/local/bin/kite-server
USER node
ENTRYPOINT ["kite-server"]

FROM base AS runtime-node
COPY --from=build-node /app/dist/kite.mjs /app/dist/glue.wasm ./
USER node
ENTRYPOINT ["node", "--max-semi-space-size=4", "kite.mjs"]

FROM runtime-${RUNTIME}
# Listen on every interface inside the container; publish the port to choose who reaches it.
# The HTTP gateway (port 8080) is off unless asked for, and needs a token on a non-loopback
# address: run the image with `--bind 0.0.0.0 --port 6379 --http-port 8080 --http-bind 0.0.0.0 --http-token <secret>`.
CMD ["--bind", "0.0.0.0", "--port", "6379", "--protected-mode", "no"]
