#!/usr/bin/env bash
# The loopback OpenID provider of the ProConnect tests: the `oidc-provider` npm package (a
# certified OpenID Connect server library), installed once into a cache folder
# (OIDC_PROVIDER_DIR, default .cache/oidc-provider). Skipped when npm is missing (the
# ProConnect tests then skip, or fail under CI=true).
set -euo pipefail
dir=${OIDC_PROVIDER_DIR:-.cache/oidc-provider}
version=8.8.1
if ! command -v npm >/dev/null; then
  echo "==> npm not found: the ProConnect tests will skip (install Node.js 18+ and npm)"
  exit 0
fi
if [ -f "$dir/node_modules/oidc-provider/package.json" ] && \
   grep -q "\"version\": \"$version\"" "$dir/node_modules/oidc-provider/package.json"; then
  exit 0
fi
echo "==> installing oidc-provider $version into $dir"
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"name": "mobility-oidc-test-provider", "private": true}' > "$dir/package.json"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "oidc-provider@$version" >/dev/null || {
  echo "==> could not install oidc-provider (registry unreachable?): the ProConnect tests will skip"
  exit 0
}
