#!/usr/bin/env bash
# The base of modeld's container image, made from Debian's own packages (no container registry is reached):
# debootstrap's minimal Debian with a Java 17 runtime, a user of its own (modeld, uid 10001) whose home is the
# data volume /data, and a health check; packed as `docker save` writes an image, which Jib reads as
# tar://OUT.tar. FLAVOUR vulkan adds the Vulkan loader and Mesa's drivers (AMD and Intel GPUs through /dev/dri;
# NVIDIA's container toolkit mounts its own driver). Needs root and debootstrap; 34 s to 2 min on 2 cores (most of
# it unpacking and configuring packages), 335 MB.
#
# Usage: base.sh OUT.tar [FLAVOUR]        (cpu or vulkan; default cpu)
#        base.sh OUT.tar --rootfs DIR     (pack DIR instead: the build's own image test uses a tiny one)
# OUT may be Jib's tar://OUT: then a base already there is kept, and a base that is no file (an image in a
# registry, -Dimage.base=...) is left to Jib.
# MODELD_IMAGE_MIRROR and MODELD_IMAGE_SUITE override the mirror (default: the one apt uses here) and bookworm.
set -euo pipefail
out=$1
flavour=${2:-cpu}
if [[ $out == tar://* ]]; then
  out=${out#tar://}
  [[ -f $out ]] && { echo "base.sh: keeping $out" >&2; exit 0; }
elif [[ $out != *.tar ]]; then
  exit 0   # an image reference (registry/name:tag, docker://...): Jib pulls it itself
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
suite=${MODELD_IMAGE_SUITE:-bookworm}

owner=()
if [[ $flavour == --rootfs ]]; then
  cp -a "$3" "$rootfs"
  owner=(--owner=0 --group=0)   # whoever built it, root's in the image
  made="a given root file system"
  flavour=given
else
  packages=openjdk-17-jre-headless,ca-certificates
  [[ $flavour == vulkan ]] && packages+=,libvulkan1,mesa-vulkan-drivers
  [[ $flavour == cpu || $flavour == vulkan ]] || { echo "base.sh: flavour cpu or vulkan, not '$flavour'" >&2; exit 2; }
  command -v debootstrap >/dev/null || { echo "base.sh: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }
  [[ $(id -u) == 0 ]] || { echo "base.sh: debootstrap needs root" >&2; exit 1; }
  mirror=${MODELD_IMAGE_MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "base.sh: debootstrap $suite ($packages) from $mirror ..." >&2
  start=$(date +%s)
  debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/tmp/*
  echo "base.sh: bootstrapped in $(( $(date +%s) - start )) s" >&2
  made="debootstrap $suite with $packages"
fi

# modeld's user, and the data volume it owns (its owner set in the archive: no root needed for that)
mkdir -p "$rootfs/etc" "$work/extra/data"
grep -qs '^modeld:' "$rootfs/etc/passwd" || echo 'modeld:x:10001:10001:modeld:/data:/usr/sbin/nologin' >> "$rootfs/etc/passwd"
grep -qs '^modeld:' "$rootfs/etc/group" || echo 'modeld:x:10001:' >> "$rootfs/etc/group"
rm -rf "$rootfs/data"
chmod 750 "$work/extra/data"

tar --numeric-owner "${owner[@]}" --sort=name --mtime=@0 -C "$rootfs" -cf "$work/layer.tar" .
tar --numeric-owner --owner=10001 --group=10001 --mtime=@0 -C "$work/extra" -rf "$work/layer.tar" ./data
diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
# /readyz on the daemon's port, with bash's own TCP (a minimal Debian has no curl): 200 once the store is open and
# llama.cpp passed its check
check='exec 3<>/dev/tcp/127.0.0.1/${MODELD_PORT:-39300} && printf "GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "'
check=${check//\\/\\\\}
check=${check//\"/\\\"}
config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\
\"Healthcheck\":{\"Test\":[\"CMD\",\"bash\",\"-c\",\"$check\"],\"Interval\":30000000000,\"Timeout\":5000000000,\
\"StartPeriod\":60000000000,\"Retries\":3}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff\"]},\
\"history\":[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"deploy/image/base.sh: $made\"}]}"
printf '%s' "$config" > "$work/config.json"
cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mkdir -p "$work/image/$diff"
mv "$work/layer.tar" "$work/image/$diff/layer.tar"
mv "$work/config.json" "$work/image/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["modeld-base:%s"],"Layers":["%s/layer.tar"]}]' "$cfg" "$flavour" "$diff" \
  > "$work/image/manifest.json"
mkdir -p "$(dirname "$out")"
# entries named without ./ in front: Jib refuses to unpack one that is not under its folder
tar --numeric-owner -C "$work/image" -cf "$out.tmp" manifest.json "$cfg.json" "$diff" && mv "$out.tmp" "$out"
echo "base.sh: wrote $out ($(du -h "$out" | cut -f1))" >&2
