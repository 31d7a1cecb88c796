# changegate: the GitHub App server. Multi-stage: dependencies and the build in one stage, a
# slim runtime with production dependencies, git and kubectl (for `kubectl kustomize` renders of
# kustomizations; plugins and remote bases stay off) as a non-root user.
#
#   docker build -t changegate .
#   docker build --build-arg KUBECTL_IMAGE=registry.k8s.io/kubectl:v1.33.0 -t changegate .
#
# kubectl comes from the official kubectl image (a registry pull, no download from a script);
# Debian bookworm has no kubectl package. Without kubectl the Kubernetes analyzer reads
# kustomizations statically.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG KUBECTL_IMAGE=registry.k8s.io/kubectl:v1.33.0

FROM ${KUBECTL_IMAGE} AS kubectl

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY rules ./rules
COPY scripts/bundle.mjs ./scripts/bundle.mjs
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates tini && rm -rf /var/lib/apt/lists/*
COPY --from=kubectl /bin/kubectl /usr/local/bin/kubectl
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY app.yml ./app.yml
COPY schema ./schema
COPY bin ./bin
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# tini forwards SIGTERM to node, which finishes the evaluations in flight before exiting.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/server/main.js"]
