#!/usr/bin/env bash
# Runs the upstream (reference) `openclaw` CLI against OUR gateway and checks that every RPC command works.
#
#   test/compat/upstream-cli.sh [--no-build]
#
# Steps: build dist/openclaw if it is missing or older than src/ (skip with --no-build); `setup --json` in a
# temp HOME; start our gateway there on a free loopback port; write a REF_HOME whose config is
# { gateway: { mode: "remote", remote: { url, token } } } so the upstream CLI talks to our gateway; run each
# command below through /work/shared/tools/reference-gateway.sh cli; print one PASS/FAIL line per command.
# Exit 0 only when every command passed. Not a CI test: it needs the reference install and takes ~1 min.
#
# Env: OPENCLAW_REF_TOOL (default /work/shared/tools/reference-gateway.sh), CMD_TIMEOUT (s per command, 90),
#      KEEP=1 to keep the temp folders (their paths are printed).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ref_tool=${OPENCLAW_REF_TOOL:-/work/shared/tools/reference-gateway.sh}
cmd_timeout=${CMD_TIMEOUT:-90}
bun=$root/node_modules/.bin/bun
[[ -x $bun ]] || bun=$(command -v bun || true)
[[ -n $bun ]] || { echo "bun not found (expected $root/node_modules/.bin/bun)" >&2; exit 2; }
[[ -x $ref_tool ]] || { echo "reference tool not found: $ref_tool" >&2; exit 2; }
binary=$root/dist/openclaw

build=1
for arg in "$@"; do
  case $arg in
    --no-build) build=0 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

# --- build ours if needed ---
if [[ $build == 1 ]]; then
  if [[ ! -x $binary ]] || [[ -n $(find "$root/src" "$root/protocol" "$root/build.ts" -newer "$binary" -type f -print -quit 2>/dev/null) ]]; then
    echo "building dist/openclaw ..."
    if ! (cd "$root" && "$bun" run build.ts); then
      [[ -x $binary ]] || { echo "build failed and no binary to fall back on" >&2; exit 2; }
      echo "WARNING: build failed; using the existing (stale) dist/openclaw" >&2
    fi
  fi
fi
[[ -x $binary ]] || { echo "no binary at $binary (run without --no-build)" >&2; exit 2; }

# --- temp folders and cleanup ---
work=$(mktemp -d /tmp/openclaw-compat-cli.XXXXXX)
ours_home=$work/ours-home
ref_home=$work/ref-home
mkdir -p "$ours_home" "$ref_home/.openclaw"
gw_pid=""
cleanup() {
  if [[ -n $gw_pid ]] && kill -0 "$gw_pid" 2>/dev/null; then
    kill -TERM -- "-$gw_pid" 2>/dev/null || kill -TERM "$gw_pid" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$gw_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$gw_pid" 2>/dev/null || true
  fi
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$bun" -e 'const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }); console.log(s.port); s.stop(true);'
}

# --- start our gateway ---
setup_json=$(HOME=$ours_home "$binary" setup --json) || { echo "setup --json failed: $setup_json" >&2; exit 2; }
token=$(printf '%s' "$setup_json" | "$bun" -e 'console.log(JSON.parse(await Bun.stdin.text()).token ?? "")')
[[ -n $token ]] || { echo "setup --json printed no token: $setup_json" >&2; exit 2; }
port=$(free_port)
gw_log=$work/gateway.log
HOME=$ours_home setsid "$binary" gateway --port "$port" >"$gw_log" 2>&1 &
gw_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on ws://" "$gw_log" 2>/dev/null && break
  kill -0 "$gw_pid" 2>/dev/null || { echo "our gateway exited:" >&2; cat "$gw_log" >&2; exit 2; }
  sleep 0.1
done
grep -q "listening on ws://" "$gw_log" || { echo "our gateway did not start in 10 s:" >&2; cat "$gw_log" >&2; exit 2; }
url=ws://127.0.0.1:$port
echo "our gateway: $url (pid $gw_pid, $("$binary" --version 2>/dev/null | head -1))"

# --- point the upstream CLI at it ---
URL=$url TOKEN=$token "$bun" -e 'console.log(JSON.stringify({ gateway: { mode: "remote", remote: { url: process.env.URL, token: process.env.TOKEN } } }, null, 2))' \
  >"$ref_home/.openclaw/openclaw.json"
echo "upstream CLI: $("$ref_tool" cli --version 2>/dev/null | tail -1), REF_HOME=$ref_home"
echo

# --- checks: a JS expression over `d` (the parsed stdout), true when the output is right ---
# "-" means: no JSON asked, check only exit 0 and non-empty output (plus the regex in the 3rd field).
declare -a names=() checks=()
add() { names+=("$1"); checks+=("$2"); }
add "gateway call health --json"          'd.ok === true && typeof d.ts === "number" && Array.isArray(d.agents) && typeof d.defaultAgentId === "string"'
add "gateway call status --json"          'typeof d.heartbeat?.defaultAgentId === "string" && Array.isArray(d.channelSummary) && typeof d.sessions?.count === "number"'
add "gateway call system-presence --json" 'Array.isArray(d) && d.some((e) => e.mode === "gateway" && e.reason === "self")'
add "gateway health"                      '-/OK/'
add "health --json"                       'd.ok === true && Array.isArray(d.agents)'
add "status --json"                       'd.gateway?.reachable === true && d.gateway?.url === process.env.URL && d.gateway?.error == null && typeof d.heartbeat === "object"'
add "gateway call logs.tail --json"       'Array.isArray(d.lines) && typeof d.cursor === "number" && typeof d.size === "number"'
add "gateway call config.get --json"      'typeof d.path === "string" && d.valid === true && typeof d.hash === "string" && d.config?.gateway?.mode === "local"'
add "gateway call models.list --json"     'Array.isArray(d.models)'
add "gateway call agents.list --json"     'typeof d.defaultId === "string" && typeof d.mainKey === "string" && Array.isArray(d.agents) && d.agents.length > 0'
add "gateway call sessions.list --json"   'Array.isArray(d.sessions) && typeof d.count === "number" && typeof d.defaults === "object"'
add "gateway call channels.status --json" 'Array.isArray(d.channelOrder) && typeof d.channels === "object" && typeof d.channelAccounts === "object"'

failed=0
for i in "${!names[@]}"; do
  cmd=${names[$i]} check=${checks[$i]}
  out=$work/out.$i err=$work/err.$i
  started=$(date +%s%N)
  # shellcheck disable=SC2086 # word splitting of the command line is intended
  REF_HOME=$ref_home timeout "$cmd_timeout" "$ref_tool" cli $cmd >"$out" 2>"$err"
  rc=$?
  ms=$((($(date +%s%N) - started) / 1000000)); secs=$((ms / 1000)).$((ms % 1000 / 100))
  why=""
  if [[ $rc != 0 ]]; then
    why="exit $rc"; [[ $rc == 124 ]] && why="timed out after ${cmd_timeout}s"
  elif [[ $check == -* ]]; then
    re=${check#-}; re=${re#/}; re=${re%/}
    [[ -s $out ]] || why="no output"
    [[ -z $why && -n $re ]] && ! grep -Eq "$re" "$out" && why="output does not match /$re/"
  else
    why=$(URL=$url CHECK=$check "$bun" -e '
      const text = await Bun.file(process.argv[1]).text();
      let d;
      try { d = JSON.parse(text); } catch (e) { console.log(`stdout is not JSON: ${String(e.message).slice(0, 80)}: ${text.slice(0, 120).replace(/\s+/g, " ")}`); process.exit(0); }
      const ok = new Function("d", `return (${process.env.CHECK});`)(d);
      if (!ok) console.log(`JSON check failed: ${process.env.CHECK}`);
    ' "$out" 2>&1)
  fi
  if [[ -z $why ]]; then
    printf 'PASS  %-38s (%ss)\n' "$cmd" "$secs"
  else
    failed=$((failed + 1))
    printf 'FAIL  %-38s (%ss) %s\n' "$cmd" "$secs" "$why"
    { head -c 600 "$out"; echo; tail -c 600 "$err"; } | sed 's/^/        | /' | grep -v '^        | $'
  fi
done

echo
total=${#names[@]}
echo "$((total - failed))/$total commands passed"
if kill -0 "$gw_pid" 2>/dev/null; then
  echo "our gateway still running afterwards: yes"
else
  echo "our gateway still running afterwards: NO (it exited; log tail below)"; tail -20 "$gw_log"; failed=$((failed + 1))
fi
if [[ $failed -gt 0 ]]; then
  echo "RESULT: FAIL ($failed failure(s))"
  exit 1
fi
echo "RESULT: PASS"
