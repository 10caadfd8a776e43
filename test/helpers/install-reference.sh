#!/usr/bin/env bash
# Installs an upstream OpenClaw release the compatibility tests run against, with npm only, into a cache folder:
#   - 2026.2.3 (protocol v3; test/helpers/upstream.ts) with the Node 22 it needs (the default);
#   - 2026.9.6 (protocol v4; test/helpers/upstream-v4.ts) with the Node 24 it needs.
#
#   test/helpers/install-reference.sh [DIR]                      2026.2.3; DIR defaults to $OPENCLAW_REFERENCE_DIR,
#                                                                else ~/.cache/openclaw-reference
#   test/helpers/install-reference.sh --version 2026.9.6 [DIR]   DIR defaults to $OPENCLAW_REFERENCE_V4_DIR,
#                                                                else ~/.cache/openclaw-reference-2026.9.6
#
# Idempotent: returns at once when DIR already holds that version. Prints the install folder on success.
set -euo pipefail
version=2026.2.3
if [[ ${1:-} == --version ]]; then version=${2:?--version needs a release}; shift 2; fi
case $version in
  2026.2.3) node_major=22; dir=${1:-${OPENCLAW_REFERENCE_DIR:-$HOME/.cache/openclaw-reference}} ;;
  2026.9.6) node_major=24; dir=${1:-${OPENCLAW_REFERENCE_V4_DIR:-$HOME/.cache/openclaw-reference-$version}} ;;
  *) echo "install-reference: unsupported version $version (2026.2.3 or 2026.9.6)" >&2; exit 2 ;;
esac
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
# 2026.2.3: libsignal is pinned to 6.0.0 (an override, as the project's reference setup has it) so installs are
# repeatable; 2026.9.6 needs none.
overrides=""
[[ $version == 2026.2.3 ]] && overrides=',"overrides":{"libsignal":"6.0.0"}'
cat >package.json <<JSON
{"name":"openclaw-reference","private":true,"dependencies":{"node":"$node_major","openclaw":"$version"}$overrides}
JSON
PATH=$bin:$PATH npm install --no-audit --no-fund --loglevel=error >/dev/null
[[ $(installed_version) == "$version" && -x $bin/openclaw ]] || { echo "install-reference: openclaw $version missing after install in $dir" >&2; exit 1; }
echo "$dir"
