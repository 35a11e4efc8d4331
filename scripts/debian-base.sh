#!/bin/sh
# A Debian bookworm base image built here, for machines that cannot pull python:3.11-slim:
# debootstrap's minbase variant imported into podman as IMAGE (default cicero-base:bookworm).
# The Dockerfile adds Python to it (BASE=localhost/cicero-base:bookworm).
set -eu
image="${1:-cicero-base:bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
if podman image exists "$image"; then
    echo "$image exists"
    exit 0
fi
root="$(mktemp -d /tmp/cicero-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
echo "$image: $(podman image inspect --format '{{.Size}}' "$image") bytes"
