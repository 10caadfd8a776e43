#!/usr/bin/env bash
# Installs the upstream OpenClaw release the compatibility tests run against (test/helpers/upstream.ts):
# the npm package `openclaw@2026.2.3` plus the Node 22 it needs, into a cache folder, with npm only.
#
#   test/helpers/install-reference.sh [DIR]     DIR defaults to $OPENCLAW_REFERENCE_DIR, else ~/.cache/openclaw-reference
#
# Idempotent: returns at once when DIR already holds that version. Prints the install folder on success.
set -euo pipefail
version=2026.2.3
node_major=22
dir=${1:-${OPENCLAW_REFERENCE_DIR:-$HOME/.cache/openclaw-reference}}
bin=$dir/node_modules/.bin
pkg=$dir/node_modules/openclaw/package.json

installed_version() { [[ -f $pkg ]] && sed -nE 's/^[[:space:]]*"version":[[:space:]]*"([^"]+)".*/\1/p' "$pkg" | head -1; }
if [[ -x $bin/openclaw && -x $bin/node && $(installed_version) == "$version" ]]; then echo "$dir"; exit 0; fi
command -v npm >/dev/null || { echo "install-reference: npm is required (apt-get install npm)" >&2; exit 2; }

mkdir -p "$dir"
cd "$dir"
# The package's preinstall step checks the Node version on PATH, so the npm `node` package goes in first and
# its bin folder leads PATH for the second install.
printf '{"name":"openclaw-reference","private":true}\n' >package.json
npm install --no-audit --no-fund --loglevel=error "node@$node_major" >/dev/null
# libsignal is pinned to 6.0.0 (an override, as the project's reference setup has it) so installs are repeatable.
cat >package.json <<JSON
{"name":"openclaw-reference","private":true,"dependencies":{"node":"$node_major","openclaw":"$version"},"overrides":{"libsignal":"6.0.0"}}
JSON
PATH=$bin:$PATH npm install --no-audit --no-fund --loglevel=error >/dev/null
[[ $(installed_version) == "$version" && -x $bin/openclaw ]] || { echo "install-reference: openclaw $version missing after install in $dir" >&2; exit 1; }
echo "$dir"
