# Doelpoort gateway image: build with the dev toolchain, run with production dependencies only.
#   docker build -t doelpoort .
# The image is a production start: without OIDC_ISSUER (and OIDC_AUDIENCE, DOELPOORT_POLICY_DIR) and
# DOELPOORT_PUBLIC_URL it refuses to start (exit 78) and says which setting is missing. A try-out
# with the demo parties must ask for it (see the README, "Running in a container"):
#   docker run --name doelpoort -p 127.0.0.1:8080:8080 -v doelpoort-data:/data \
#     -e DOELPOORT_DEMO=1 -e DOELPOORT_PUBLIC_URL=http://127.0.0.1:8080 doelpoort

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native module when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
# The build generates the TypeScript types from the schemas first.
COPY schemas ./schemas
RUN npm run build

FROM node:20-bookworm-slim
# No DOELPOORT_PUBLIC_URL here: issuer, audience and redirects derive from it, so it is the URL the
# clients of this deployment use, given at `docker run`. DOELPOORT_IMAGE marks a production start.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DOELPOORT_DATA_DIR=/data \
    DOELPOORT_IMAGE=1
WORKDIR /app
COPY package.json package-lock.json ./
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev \
 && npm cache clean --force \
 && apt-get purge -y python3 make g++ && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
COPY policies ./policies
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node directly (not npm) so that SIGTERM reaches the gateway and it drains.
CMD ["node", "dist/src/main.js"]
