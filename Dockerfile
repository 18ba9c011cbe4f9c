# syntax=docker/dockerfile:1

# negtrace: one static binary on a distroless base, running as a non-root
# user, with no shell or package manager in the image.
#
#   docker build --build-arg VERSION=v1.2.3 -t REGISTRY/negtrace:v1.2.3 .
#   docker run --rm -p 8080:8080 REGISTRY/negtrace:v1.2.3   # the bundled demo on :8080
#
# The version is compiled in: "negtrace version" prints it and /metrics
# reports it in negtrace_build_info. CI checks this file offline with
# BuildKit's own linter (.ci/dockerlint) and a test in deploy/.

# The build runs on the builder's platform and cross-compiles for the target
# (docker buildx build --platform linux/amd64,linux/arm64 works unchanged).
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
# Modules first, so this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS
ARG TARGETARCH
# Pure Go (SQLite included): CGO_ENABLED=0 gives a static binary that needs
# no libc, so it runs on distroless/static.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.buildVersion=${VERSION}" -o /out/negtrace ./cmd/negtrace
# The state database's folder, created here (the final image has no shell)
# and owned by the runtime user below.
RUN mkdir -p /out/state

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="negtrace" \
      org.opencontainers.image.description="Explains GKE load balancer 502/503s during pod terminations (the NEG detach race)" \
      org.opencontainers.image.source="https://github.com/negtrace/negtrace" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/negtrace /negtrace
COPY --from=build --chown=65532:65532 /out/state /var/lib/negtrace
# 65532 is distroless's "nonroot"; numeric, so Kubernetes' runAsNonRoot can
# verify it without reading /etc/passwd.
USER 65532:65532
# Live mode's SQLite state: negtrace serve --project P --db /var/lib/negtrace/negtrace.db
VOLUME ["/var/lib/negtrace"]
EXPOSE 8080
# Exec form: negtrace is PID 1 and receives SIGTERM itself (it drains HTTP,
# stops its sources and closes the database, in that order).
ENTRYPOINT ["/negtrace"]
# Without --project this serves the bundled demo incident.
CMD ["serve", "--listen", ":8080"]
