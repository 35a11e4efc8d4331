#!/bin/sh
# Podman on a build VM without a registry of base images (root): the packages, and a
# containers.conf for a VM that lacks cap_sys_resource and mixes cgroup v1 and v2 (crun
# rejects both; runc with cgroupfs copes). An existing containers.conf is left alone.
set -eu
missing=""
for tool in podman runc debootstrap; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc debootstrap >/dev/null
fi
conf=/etc/containers/containers.conf
if [ ! -f "$conf" ]; then
    mkdir -p /etc/containers
    cat > "$conf" <<'CONF'
[containers]
default_ulimits = ["nofile=16384:16384", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
    echo "wrote $conf"
fi
