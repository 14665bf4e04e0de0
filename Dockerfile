# syntax=docker/dockerfile:1
# aimsgate container images, built the way ./setup.sh builds on Debian 12.
#
#   docker build -t aimsgate .                        # the webhook / CLI image (last stage)
#   docker build --target audit -t aimsgate-audit .   # + kubectl, for the chart's background audit
#   docker build --build-arg KUBECTL_VERSION=v1.30.8 --target audit -t aimsgate-audit .
#
# Stages: build (compiler, -dev packages) -> runtime (debian:12-slim with only the shared libraries the
# binaries link, as found by ldd + dpkg, non-root 65532) -> audit (runtime + kubectl); the final stage is
# runtime. debian:12-slim rather than distroless: the audit script needs /bin/sh, and `kubectl cp` of
# the evidence log needs tar in the container.

FROM debian:12 AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# Keep in step with build_packages in setup.sh.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake ninja-build g++ pkg-config rapidjson-dev libyaml-cpp-dev libyaml-dev libre2-dev \
      libssl-dev libgtest-dev libbenchmark-dev libcpp-httplib-dev libcli11-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The same configure and build as `./setup.sh` (build mode), then stripped copies. The target
# aimsgate builds aimsgate-serve too: `aimsgate serve` runs it from the same directory.
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIMSGATE_BENCH=OFF \
 && cmake --build build -j"$(nproc)" --target aimsgate \
 && install -D -s -m 0755 build/aimsgate /out/usr/local/bin/aimsgate \
 && install -D -s -m 0755 build/aimsgate-serve /out/usr/local/bin/aimsgate-serve
# The Debian packages that own the shared libraries the binaries load: the runtime stage installs these.
RUN for lib in $(ldd /out/usr/local/bin/aimsgate /out/usr/local/bin/aimsgate-serve | awk '/=> \//{print $3}'); do \
      dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")"; \
    done | cut -d: -f1 | sort -u >/out/runtime-packages.txt \
 && cat /out/runtime-packages.txt

FROM debian:12-slim AS runtime
COPY --from=build /out/runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive xargs -a /tmp/runtime-packages.txt apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt \
 && install -d -o 65532 -g 65532 -m 0750 /var/lib/aimsgate /var/lib/aimsgate/evidence
COPY --from=build /out/usr/local/bin/aimsgate /out/usr/local/bin/aimsgate-serve /usr/local/bin/
# Fails the image build if a shared library is missing.
RUN ["/usr/local/bin/aimsgate", "version"]
RUN ["/usr/local/bin/aimsgate", "serve", "--help"]
USER 65532:65532
WORKDIR /var/lib/aimsgate
ENTRYPOINT ["/usr/local/bin/aimsgate"]
CMD ["--help"]

FROM debian:12-slim AS kubectl
ARG KUBECTL_VERSION=v1.31.4
ARG TARGETARCH
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
# Debian 12's kubernetes-client is 1.20, far outside kubectl's +-1 minor version skew: take the
# upstream release binary and check it against the published SHA-256.
RUN arch="${TARGETARCH:-amd64}" \
 && base="https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${arch}" \
 && curl -fsSLo /kubectl "${base}/kubectl" \
 && echo "$(curl -fsSL "${base}/kubectl.sha256")  /kubectl" | sha256sum -c - \
 && chmod 0755 /kubectl

FROM runtime AS audit
COPY --from=kubectl /kubectl /usr/local/bin/kubectl
# The chart mounts the same script from a ConfigMap; the copy lets the image run on its own.
COPY charts/aimsgate/files/audit.sh /usr/local/bin/aimsgate-audit
ENTRYPOINT ["/bin/sh", "/usr/local/bin/aimsgate-audit"]
CMD []

FROM runtime
