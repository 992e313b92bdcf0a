# The Weir runtime image: the JobManager and TaskManager pods the operator creates run
# `weir jobmanager ...` and `weir taskmanager ...` from it.
# Build from the repository root:
#   docker build -f images/runtime.Dockerfile -t weir-runtime:0.1.0 .
#
# Your job goes in /opt/weir/job. Build an image of your own on top of this one:
#
#   FROM weir-runtime:0.1.0
#   COPY fraud-detection.ts /opt/weir/job/
#
# and point the StreamDeployment at it (spec.image) with
# spec.job.entry: /opt/weir/job/fraud-detection.ts. Files there are ES modules through
# /opt/weir/package.json ("type": "module"), and `import ... from 'weir'` resolves to
# Weir's API through that same package.json. A job with npm dependencies of its own copies
# its node_modules into /opt/weir/job too (but no package.json, which would hide Weir's).

# Stage 1: production dependencies only, from the lockfile.
FROM node:24-bookworm-slim AS deps
WORKDIR /opt/weir
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Stage 2: node, the dependencies and Weir's sources; no npm cache, no compilers, no tests.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/weir
RUN groupadd --gid 10001 weir \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin weir \
 && mkdir -p /opt/weir/job /opt/weir/scratch
COPY --from=deps /opt/weir/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
# TypeScript (Weir's and the job's) runs through tsx at run time, so it must be a
# production dependency: a missing one fails this build rather than the pods.
RUN ln -s /opt/weir/bin/weir.mjs /usr/local/bin/weir && weir --help && rm -rf /tmp/*
# Numeric, so the kubelet can check runAsNonRoot without reading /etc/passwd.
USER 10001:10001
# 8081: JobManager REST API.
EXPOSE 8081
ENTRYPOINT ["weir"]
