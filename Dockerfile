# syntax=docker/dockerfile:1
# Immutable ID Helper: Teams bot image.
# Build:  docker build -t immutable-id-helper .
# Run:    docker run --env-file .env -p 3978:3978 immutable-id-helper
# Configuration comes from environment variables only (see docs/deployment.md);
# no .env file or secret is copied into the image (.dockerignore).

# ---- build stage: install all dependencies and compile TypeScript ----
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build

# ---- runtime stage: production dependencies and compiled output only ----
FROM node:20-slim AS runtime
ENV NODE_ENV=production PORT=3978
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The code stays owned by root (read-only for the app); only the data folder is writable.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3978
# node:20-slim has no curl or wget: probe /healthz with Node's built-in fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/index.js"]
