#!/usr/bin/env bash
# Builds the plumbline collector distribution (collector/builder-config.yaml) with the official
# builder and caches it outside the clone, keyed by the config's hash. Prints the binary's path
# on stdout (and nothing else); build logs go to stderr. Idempotent; concurrent calls share one
# build through a lock.
set -euo pipefail

BUILDER_VERSION="v0.161.0"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="${root}/collector/builder-config.yaml"
cache_root="${PLUMBLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/plumbline}"

fail() { echo "build-collector: $*" >&2; exit 1; }

[[ -f "$config" ]] || fail "missing $config"
command -v go >/dev/null || fail "go is not on PATH (Go >= 1.26 is needed to build the collector)"
command -v flock >/dev/null || fail "flock is not on PATH (util-linux)"

# The builder version takes part in the key: a new builder may generate a different binary.
key="$( { cat "$config"; echo "builder=${BUILDER_VERSION}"; } | sha256sum | cut -c1-12)"
dir="${cache_root}/otelcol-${key}"
binary="${dir}/otelcol-plumbline"

if [[ -x "$binary" ]]; then echo "$binary"; exit 0; fi
[[ -z "${PLUMBLINE_PEER_NO_BUILD:-}" ]] || fail "the collector is not built yet (bash scripts/peer.sh otelcol builds it)"

mkdir -p "$cache_root"
exec 9>"${cache_root}/otelcol-${key}.lock"
flock 9
# Another caller may have finished the build while this one waited for the lock.
if [[ -x "$binary" ]]; then echo "$binary"; exit 0; fi

builder_bin="${cache_root}/builder-${BUILDER_VERSION}/builder"
if [[ ! -x "$builder_bin" ]]; then
  echo "build-collector: installing builder ${BUILDER_VERSION}" >&2
  GOBIN="$(dirname "$builder_bin")" go install "go.opentelemetry.io/collector/cmd/builder@${BUILDER_VERSION}" >&2 \
    || fail "go install go.opentelemetry.io/collector/cmd/builder@${BUILDER_VERSION} failed"
fi

work="$(mktemp -d "${cache_root}/build-${key}.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# Build in a scratch directory so nothing lands in the clone; output_path points there.
sed -E "s|^([[:space:]]*output_path:).*|\1 ${work}/src|" "$config" > "${work}/builder-config.yaml"
grep -q "output_path: ${work}/src" "${work}/builder-config.yaml" || fail "builder-config.yaml has no dist.output_path line"

echo "build-collector: building ${binary} (first time takes minutes)" >&2
( cd "$work" && "$builder_bin" --config "${work}/builder-config.yaml" ) >&2 \
  || fail "builder failed for ${config}; see the output above"
[[ -x "${work}/src/otelcol-plumbline" ]] || fail "builder finished but ${work}/src/otelcol-plumbline is missing"

mkdir -p "$dir"
# Copy then rename: a reader never sees a half-written binary.
cp "${work}/src/otelcol-plumbline" "${binary}.tmp"
mv "${binary}.tmp" "$binary"
echo "$binary"
