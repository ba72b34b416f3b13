# featureflow as an installed package, for the UDF service, the sink and job submission in
# docker-compose.yml: this checkout built and packed (`npm pack` compiles dist/), then the
# tarball installed without development dependencies, as `npm install featureflow` would.
FROM node:20-bookworm-slim AS pack
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm pack --silent --pack-destination /tmp && mv /tmp/featureflow-*.tgz /tmp/featureflow.tgz

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=pack /tmp/featureflow.tgz /tmp/featureflow.tgz
RUN echo '{"name": "featureflow-app", "private": true}' > package.json \
  && npm install --omit=dev --no-audit --no-fund /tmp/featureflow.tgz \
  && rm /tmp/featureflow.tgz
ENV PATH=/app/node_modules/.bin:$PATH
# glibc keeps the freed memory of a fragmented heap, which a burst of UDF calls leaves behind:
# the service stayed at several times its idle RSS for good (bench/udf-abuse.ts). From 32 kB up,
# allocations are then mapped apart and go back to the system when freed.
ENV MALLOC_MMAP_THRESHOLD_=32768
USER node
# The package folder: `featureflow submit flink-sql/...` finds the job files it ships.
WORKDIR /app/node_modules/featureflow
ENTRYPOINT ["featureflow"]
CMD ["--help"]
