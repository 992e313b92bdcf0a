# The Weir operator image: `weir operator`, run by the Helm chart in helm/weir-operator.
# Build from the repository root:
#   docker build -f images/operator.Dockerfile -t weir-operator:0.1.0 .

# Stage 1: production dependencies only, from the lockfile.
FROM node:24-bookworm-slim AS deps
WORKDIR /opt/weir
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Stage 2: node, the dependencies and Weir's sources; no npm cache, no compilers, no tests.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
# Keeps the operator's memory near its live set (src/kube-operator/node-options.ts says why).
ENV NODE_OPTIONS=--max-semi-space-size=8
WORKDIR /opt/weir
RUN groupadd --gid 10001 weir \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin weir
COPY --from=deps /opt/weir/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
# TypeScript runs through tsx at run time, so it must be a production dependency: a missing
# one fails this build rather than the pod.
RUN ln -s /opt/weir/bin/weir.mjs /usr/local/bin/weir && weir --help && rm -rf /tmp/*
# Numeric, so the kubelet can check runAsNonRoot without reading /etc/passwd.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["weir"]
CMD ["operator"]
