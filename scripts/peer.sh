#!/usr/bin/env bash
# Brings one real peer of plumbline's tests and prints its binary's path on stdout (nothing
# else; build logs go to stderr). Peers are built from the Go module proxy once per machine and
# cached outside the clone, keyed by version; concurrent calls share one build through a lock.
#
#   scripts/peer.sh prometheus|promtool|alertmanager|amtool|otelcol
#
# An environment variable points at an existing binary instead, and then nothing is built:
#   PLUMBLINE_PROMETHEUS, PLUMBLINE_PROMTOOL, PLUMBLINE_ALERTMANAGER, PLUMBLINE_AMTOOL, PLUMBLINE_OTELCOL.
# PLUMBLINE_PEER_NO_BUILD=1 makes a peer that is not cached fail at once instead of building.
set -euo pipefail

PROMETHEUS_VERSION="v0.316.0"   # Prometheus 3.x (the Go module's version)
ALERTMANAGER_VERSION="v0.35.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_root="${PLUMBLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/plumbline}"
name="${1:-}"

fail() { echo "peer.sh ${name}: $*" >&2; exit 1; }

case "$name" in
  prometheus) override="${PLUMBLINE_PROMETHEUS:-}"; version="$PROMETHEUS_VERSION" ;;
  promtool) override="${PLUMBLINE_PROMTOOL:-}"; version="$PROMETHEUS_VERSION" ;;
  alertmanager) override="${PLUMBLINE_ALERTMANAGER:-}"; version="$ALERTMANAGER_VERSION" ;;
  amtool) override="${PLUMBLINE_AMTOOL:-}"; version="$ALERTMANAGER_VERSION" ;;
  otelcol) override="${PLUMBLINE_OTELCOL:-}"; version="" ;;
  *) echo "usage: scripts/peer.sh prometheus|promtool|alertmanager|amtool|otelcol" >&2; exit 2 ;;
esac

if [[ -n "$override" ]]; then
  [[ -x "$override" ]] || fail "\$PLUMBLINE_${name^^}=${override} is not an executable file"
  echo "$override"
  exit 0
fi

if [[ "$name" == otelcol ]]; then exec bash "${root}/scripts/build-collector.sh"; fi

dir="${cache_root}/${name}-${version}"
binary="${dir}/${name}"
if [[ -x "$binary" ]]; then echo "$binary"; exit 0; fi
[[ -z "${PLUMBLINE_PEER_NO_BUILD:-}" ]] || fail "${name} ${version} is not built yet (bash scripts/peer.sh ${name} builds it)"

command -v go >/dev/null || fail "Go is needed to build ${name} ${version} (install Go >= 1.26, or set PLUMBLINE_${name^^} to an existing binary)"
command -v flock >/dev/null || fail "flock is not on PATH (util-linux)"

mkdir -p "$cache_root"
exec 9>"${cache_root}/${name}-${version}.lock"
flock 9
# Another caller may have finished the build while this one waited for the lock.
if [[ -x "$binary" ]]; then echo "$binary"; exit 0; fi

work="$(mktemp -d "${cache_root}/build-${name}-${version}.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
echo "peer.sh: building ${name} ${version} into ${dir} (first time takes minutes)" >&2
case "$name" in
  prometheus | promtool)
    GOBIN="$work" go install "github.com/prometheus/prometheus/cmd/${name}@${version}" >&2 \
      || fail "go install github.com/prometheus/prometheus/cmd/${name}@${version} failed; see the output above"
    ;;
  alertmanager | amtool)
    # `go install` fails: ui/web.go embeds ui/app/dist, which the module does not contain. Build
    # from a copy of the module's directory with a stub page (the API does not need the UI).
    module_dir="$(go mod download -json "github.com/prometheus/alertmanager@${version}" \
      | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [[ -d "$module_dir" ]] || fail "go mod download github.com/prometheus/alertmanager@${version} gave no module directory"
    cp -r "$module_dir" "${work}/src"
    chmod -R u+w "${work}/src"
    mkdir -p "${work}/src/ui/app/dist"
    echo '<!doctype html><title>Alertmanager</title>' > "${work}/src/ui/app/dist/index.html"
    ( cd "${work}/src" && go build -o "${work}/${name}" "./cmd/${name}" ) >&2 \
      || fail "go build ./cmd/${name} in a copy of github.com/prometheus/alertmanager@${version} failed"
    ;;
esac
[[ -x "${work}/${name}" ]] || fail "the build finished but ${work}/${name} is missing"
mkdir -p "$dir"
# Copy then rename: a reader never sees a half-written binary.
cp "${work}/${name}" "${binary}.tmp"
mv "${binary}.tmp" "$binary"
echo "$binary"
