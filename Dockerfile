# The operator's image: autobuild-controller and autobuild-webhook, run as a non-root user.
#
#   docker build -t autobuild:0.1.0 .
#
# The build stage installs what compiling needs: the build-only subset of scripts/install-deps (which
# also installs test, demo and benchmark tools). The runtime stage carries the two binaries and the
# shared libraries they load; tests/e2e/deploy checks both lists (docs/install.md, "The image").

FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libcpprest-dev libboost-dev libboost-system-dev libyaml-cpp-dev nlohmann-json3-dev \
      prometheus-cpp-dev libssl-dev libspdlog-dev libcli11-dev libzstd-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# RelWithDebInfo (-O2) is the build type the tests run; strip drops the debug information.
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAUTOBUILD_TESTS=OFF -DAUTOBUILD_BENCH=OFF \
 && ninja -C /build autobuild-controller autobuild-webhook \
 && strip /build/controller/autobuild-controller /build/webhook/autobuild-webhook

FROM debian:12-slim AS runtime
# The packages of the libraries the binaries link (objdump -p: NEEDED); apt brings what those load in
# turn (zlib, brotli, civetweb).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libc6 libgcc-s1 libstdc++6 libssl3 libcpprest2.10 libyaml-cpp0.7 \
      libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libspdlog1.10 libfmt9 libzstd1 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/controller/autobuild-controller /build/webhook/autobuild-webhook /usr/local/bin/
# Numeric, so that Kubernetes can enforce runAsNonRoot; the charts run as the same id.
USER 65532:65532
# The Deployments set the command (autobuild-controller or autobuild-webhook); both run without a shell.
CMD ["autobuild-controller"]
