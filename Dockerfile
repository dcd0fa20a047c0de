# A small image holding only the static `xacct` binary.
#
#   docker build -t xacct .
#   docker run --rm -v "$PWD:/src" xacct lint infra/ --format sarif -o xacct.sarif
#
# Stage 1 builds on Alpine, whose Rust targets musl and links statically by default, so the
# binary needs no libc at run time. Stage 2 is `scratch`: the binary, the licences, nothing else
# (no shell). xacct reads files and writes text; it needs no certificates, time zones or users.
# The release workflow publishes the same image for linux/amd64 and linux/arm64.

FROM rust:1-alpine AS build
# musl-dev: the C runtime objects the musl target links against.
RUN apk add --no-cache musl-dev
WORKDIR /build
COPY . .
# --locked: the dependencies of Cargo.lock, as tested. Without .git in the context (see
# .dockerignore) `xacct --version` shows the version without a revision.
RUN cargo build --release --locked -p xacct \
    && strip target/release/xacct \
    && ./target/release/xacct --version

FROM scratch
COPY --from=build /build/target/release/xacct /xacct
COPY LICENSE-MIT LICENSE-APACHE /
# The files to lint are mounted here; relative paths in findings are relative to it.
WORKDIR /src
ENTRYPOINT ["/xacct"]
CMD ["lint", "."]
