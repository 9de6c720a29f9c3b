#!/usr/bin/env bash
# Installs Confluent's Node.js clients (@confluentinc/kafka-javascript, @confluentinc/schemaregistry)
# for the interoperability tests and the example consumers in this folder.
#
# @confluentinc/kafka-javascript ships prebuilt binaries on GitHub; where GitHub is out of reach it
# builds its bundled librdkafka from source. CKJS_LINKING=dynamic makes that build use the system's
# OpenSSL, zlib, zstd, lz4, SASL and curl (Debian packages below) instead of downloading their sources.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install.sh: Node.js 20+ with npm is required (node and npm on PATH)" >&2
  exit 1
fi

if command -v dpkg >/dev/null; then
  need=()
  for pkg in build-essential pkg-config python3 libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  if (( ${#need[@]} )); then
    if [[ $(id -u) -eq 0 ]]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
      echo "install.sh: please install the Debian packages: ${need[*]}" >&2
      exit 1
    fi
    echo "install.sh: installing ${need[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

# node-gyp compiles the addon against the Node.js headers. By default it downloads them from
# nodejs.org into its cache (~/.cache/node-gyp), which fails where only the package registries are
# reachable; the machine's Node.js package ships them (e.g. /usr/include/node), so point node-gyp
# there (npm's nodedir setting) unless the caller chose a nodedir already.
if [[ -z "${npm_config_nodedir:-}" ]]; then
  prefix="$(dirname "$(dirname "$(node -p 'process.execPath')")")"
  if [[ -f "$prefix/include/node/node.h" && -f "$prefix/include/node/common.gypi" ]]; then
    export npm_config_nodedir="$prefix"
    echo "install.sh: Node.js headers from $prefix/include/node (npm_config_nodedir=$prefix)" >&2
  else
    echo "install.sh: no Node.js headers under $prefix/include/node; node-gyp will try to download them" \
      "(install a Node.js package that ships them, e.g. Debian's nodejs, or set npm_config_nodedir)" >&2
  fi
fi

# npm ci only when node_modules does not match the lock file yet (a build of librdkafka takes ~2 minutes).
if ! cmp -s "$DIR/package-lock.json" "$DIR/node_modules/.package-lock.json.installed" 2>/dev/null; then
  echo "install.sh: npm ci in $DIR (builds librdkafka; about 2 minutes)" >&2
  (cd "$DIR" && CKJS_LINKING=dynamic npm_config_build_from_source=true npm ci --no-audit --no-fund --loglevel=error >&2)
  cp "$DIR/package-lock.json" "$DIR/node_modules/.package-lock.json.installed"
fi
