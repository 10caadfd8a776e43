#!/bin/sh
# OpenClaw installer for Linux and macOS (Windows: install.ps1). POSIX sh; piped use:
#
#   curl -fsSL https://openclaw-bun.dev/releases/latest/install.sh | sh
#   curl -fsSL https://openclaw-bun.dev/releases/latest/install.sh | sh -s -- --no-service
#
# Downloads the openclaw binary for this OS/CPU from the release folder, compressed (.tar.zst when zstd is
# installed, else .tar.xz when xz is, else .tar.gz), checks the archive's and the unpacked binary's SHA-256
# against the folder's SHA256SUMS, installs it as <prefix>/bin/openclaw (default ~/.local/bin/openclaw), then runs
# `openclaw setup` (skipped when a config exists) and `openclaw gateway install` (skip with --no-service).
# Re-running upgrades in place: the new file replaces the old by one rename, and the old one is kept as
# openclaw.prev. Nothing is installed when a download or the checksum fails.
#
# Options:
#   --prefix DIR     install to DIR/bin (default: ~/.local)
#   --version VER    install version VER (default: the base's latest)
#   --base URL       release folder (default: $OPENCLAW_INSTALL_BASE, else the project's latest release)
#   --no-setup       do not run `openclaw setup`
#   --no-service     do not install the gateway service
#   -h, --help       show this help
# Environment: OPENCLAW_INSTALL_BASE, OPENCLAW_VERSION; for tests, OPENCLAW_INSTALL_OS / _ARCH (stand in
# for `uname -s` / `uname -m`), OPENCLAW_INSTALL_LIBC (glibc|musl) and OPENCLAW_INSTALL_FORMATS (the
# archive kinds to try, best first; default "zst xz gz"; "none" fetches the uncompressed binary).
#
# Release folder layout (src/release/layout.ts): <base>/VERSION, <base>/SHA256SUMS,
# <base>/openclaw-<linux|darwin>-<x64|arm64>[-musl] and the same + .tar.gz/.tar.zst/.tar.xz (a tar holding
# one file, `openclaw`), <base>/openclaw-windows-x64.exe; version VER lives in the sibling folder v<VER>
# (…/releases/latest → …/releases/v0.2.0). A release folder without archives is fetched uncompressed.
set -eu

DEFAULT_BASE="https://openclaw-bun.dev/releases/latest"

base=${OPENCLAW_INSTALL_BASE:-$DEFAULT_BASE}
version=${OPENCLAW_VERSION:-}
prefix=""
run_setup=1
run_service=1
tmp_dir=""
staged=""
prev_tmp=""
formats=${OPENCLAW_INSTALL_FORMATS:-"zst xz gz"}

say() { printf '%s\n' "$*"; }
warn() { printf 'openclaw install: warning: %s\n' "$*" >&2; }
die() {
  printf 'openclaw install: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<EOF
Usage: install.sh [--prefix DIR] [--version VER] [--base URL] [--no-setup] [--no-service]
  curl -fsSL $DEFAULT_BASE/install.sh | sh -s -- [options]

Installs openclaw to <prefix>/bin (default ~/.local/bin), verified against SHA256SUMS, then runs
'openclaw setup' (unless a config exists) and 'openclaw gateway install'. Re-running upgrades in place
and keeps the previous binary as openclaw.prev.

  --prefix DIR     install to DIR/bin (default: ~/.local)
  --version VER    install version VER (default: the latest)
  --base URL       release folder (default: \$OPENCLAW_INSTALL_BASE, else $DEFAULT_BASE)
  --no-setup       do not run 'openclaw setup'
  --no-service     do not install the gateway service
  -h, --help       show this help
EOF
}

cleanup() {
  # Runs on every exit: a failed or interrupted run leaves no partial file next to the binary.
  [ -n "$staged" ] && rm -f "$staged"
  [ -n "$prev_tmp" ] && rm -f "$prev_tmp"
  [ -n "$tmp_dir" ] && rm -rf "$tmp_dir"
  return 0
}

parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
      --prefix=*) prefix=${1#--prefix=}; shift ;;
      --version) [ $# -ge 2 ] || die "--version needs a version, e.g. 0.2.0"; version=$2; shift 2 ;;
      --version=*) version=${1#--version=}; shift ;;
      --base) [ $# -ge 2 ] || die "--base needs a URL"; base=$2; shift 2 ;;
      --base=*) base=${1#--base=}; shift ;;
      --no-setup) run_setup=0; shift ;;
      --no-service) run_service=0; shift ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown option: $1 (see --help)" ;;
    esac
  done
}

# Sets os, arch, libc ("" or musl) and wsl (0/1).
detect_platform() {
  uname_s=${OPENCLAW_INSTALL_OS:-$(uname -s)}
  uname_m=${OPENCLAW_INSTALL_ARCH:-$(uname -m)}
  case $uname_s in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT)
      die "this looks like Windows ($uname_s); use PowerShell: irm $base/install.ps1 | iex" ;;
    *) die "unsupported operating system: $uname_s (builds exist for Linux, macOS and Windows)" ;;
  esac
  case $uname_m in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64 | armv8*) arch=arm64 ;;
    *) die "unsupported CPU architecture: $uname_m on $uname_s (builds exist for x86_64 and arm64)" ;;
  esac
  # A shell under Rosetta 2 reports x86_64 on Apple silicon: take the native build.
  if [ "$os" = darwin ] && [ "$arch" = x64 ] && [ -z "${OPENCLAW_INSTALL_ARCH:-}" ] &&
    [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
    arch=arm64
  fi
  libc=""
  wsl=0
  if [ "$os" = linux ]; then
    if is_musl; then libc=musl; fi
    if [ -n "${WSL_DISTRO_NAME:-}" ] || grep -qi microsoft /proc/version 2>/dev/null; then wsl=1; fi
  fi
}

is_musl() {
  case ${OPENCLAW_INSTALL_LIBC:-} in
    musl) return 0 ;;
    glibc | gnu) return 1 ;;
  esac
  # musl's ldd prints its banner on stderr and exits 1; glibc's says "GNU libc" or "GLIBC".
  ldd_out=$(ldd --version 2>&1 || true)
  case $ldd_out in
    *musl*) return 0 ;;
    *GLIBC* | *"GNU libc"* | *"GNU C Library"*) return 1 ;;
  esac
  # No usable ldd: a glibc loader means glibc even when a musl loader is installed alongside.
  for f in /lib64/ld-linux-*.so.* /lib/ld-linux-*.so.* /lib/*-linux-gnu/ld-linux-*.so.*; do
    [ -e "$f" ] && return 1
  done
  for f in /lib/ld-musl-*.so.1; do
    [ -e "$f" ] && return 0
  done
  return 1
}

# download URL FILE: 0 on a 2xx answer; otherwise sets dl_error and returns 1.
# A transfer that stalls (under 1 KB/s for a minute) is abandoned rather than waited on forever.
download() {
  dl_error=""
  if command -v curl >/dev/null 2>&1; then
    if [ -t 2 ] && [ "${2##*/}" != SHA256SUMS ]; then
      code=$(curl -L --progress-bar --retry 2 --connect-timeout 20 --speed-limit 1024 --speed-time 60 -w '%{http_code}' -o "$2" "$1") || {
        dl_error="could not download $1 (curl exit $?)"
        return 1
      }
    else
      code=$(curl -sSL --retry 2 --connect-timeout 20 --speed-limit 1024 --speed-time 60 -w '%{http_code}' -o "$2" "$1") || {
        dl_error="could not download $1 (curl exit $?)"
        return 1
      }
    fi
    case $code in
      2??) return 0 ;;
      *) dl_error="download failed: $1 answered HTTP $code"; return 1 ;;
    esac
  elif command -v wget >/dev/null 2>&1; then
    wget -q --timeout=60 -O "$2" "$1" || {
      dl_error="download failed: $1 (wget exit $?; 8 means the server answered an HTTP error such as 404)"
      return 1
    }
  else
    die "curl or wget is needed to download openclaw"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{ print $1 }'
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | awk '{ print $1 }'
  else
    openssl dgst -sha256 "$1" | awk '{ print $NF }'
  fi
}

# sum_of NAME: the lower-case SHA-256 that SHA256SUMS lists for NAME, or nothing.
sum_of() {
  awk -v f="$1" '$2 == f || $2 == "*" f { print tolower($1); exit }' "$tmp_dir/SHA256SUMS"
}

# can_unpack FORMAT: this machine has the decompressor for FORMAT (zst, xz or gz).
can_unpack() {
  case $1 in
    zst) command -v zstd >/dev/null 2>&1 ;;
    xz) command -v xz >/dev/null 2>&1 ;;
    gz) command -v gzip >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

decompress() {
  case $1 in
    zst) zstd -dcq -- "$2" ;;
    xz) xz -dc -- "$2" ;;
    gz) gzip -dc -- "$2" ;;
  esac
}

# unpack FORMAT ARCHIVE DIR: extracts the archive's one file, openclaw, into the new folder DIR.
# A failing decompressor is noticed even though sh has no pipefail.
unpack() {
  mkdir "$3" || return 1
  rm -f "$tmp_dir/unpack.failed"
  { decompress "$1" "$2" || : >"$tmp_dir/unpack.failed"; } | tar -xf - -C "$3" openclaw 2>"$tmp_dir/unpack.err" || return 1
  [ ! -e "$tmp_dir/unpack.failed" ] && [ -f "$3/openclaw" ] && [ ! -L "$3/openclaw" ]
}

need_tools() {
  command -v sha256sum >/dev/null 2>&1 || command -v shasum >/dev/null 2>&1 || command -v openssl >/dev/null 2>&1 ||
    die "sha256sum, shasum or openssl is needed to verify the download"
  command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 || die "curl or wget is needed to download openclaw"
}

config_exists() {
  if [ -n "${OPENCLAW_CONFIG_PATH:-}" ]; then
    [ -e "$OPENCLAW_CONFIG_PATH" ]
    return
  fi
  # The same places openclaw looks, legacy names included, so setup never trips over an old install.
  for dir in "${OPENCLAW_STATE_DIR:-$HOME/.openclaw}" "$HOME/.clawdbot" "$HOME/.moltbot" "$HOME/.moldbot"; do
    for name in openclaw.json clawdbot.json moltbot.json moldbot.json; do
      if [ -e "$dir/$name" ]; then
        found_config="$dir/$name"
        return 0
      fi
    done
  done
  return 1
}

path_hint() {
  case ":${PATH:-}:" in
    *":$1:"*) return 0 ;;
  esac
  say ""
  say "$1 is not on your PATH. Add it with:"
  case ${SHELL##*/} in
    zsh) say "  echo 'export PATH=\"$1:\$PATH\"' >> ~/.zshrc && . ~/.zshrc" ;;
    bash)
      if [ "$os" = darwin ]; then rc="\$HOME/.bash_profile"; else rc="\$HOME/.bashrc"; fi
      say "  echo 'export PATH=\"$1:\$PATH\"' >> $rc && . $rc" ;;
    fish) say "  fish_add_path $1" ;;
    *) say "  echo 'export PATH=\"$1:\$PATH\"' >> ~/.profile && . ~/.profile" ;;
  esac
}

main() {
  parse_args "$@"
  [ -n "${HOME:-}" ] || die "HOME is not set"
  [ -n "$prefix" ] || prefix="$HOME/.local"
  base=${base%/}
  case $base in
    http://* | https://*) ;;
    *) die "the release base must be an http(s) URL, got: $base" ;;
  esac
  detect_platform
  need_tools

  dir=$base
  if [ -n "$version" ]; then
    version=${version#v}
    dir="${base%/*}/v$version"
  fi
  asset="openclaw-$os-$arch"
  [ -z "$libc" ] || asset="$asset-$libc"
  bindir="$prefix/bin"
  dest="$bindir/openclaw"

  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP

  mkdir -p "$bindir" 2>/dev/null || die "cannot create $bindir (choose another --prefix)"
  [ ! -d "$dest" ] || die "$dest is a directory; move it away or choose another --prefix"
  [ -w "$bindir" ] || die "cannot write to $bindir (choose another --prefix or fix its permissions)"
  tmp_dir=$(mktemp -d "${TMPDIR:-/tmp}/openclaw-install.XXXXXX") || die "cannot create a temp folder"

  where="$os-$arch${libc:+ ($libc)}"
  [ "$wsl" = 0 ] || where="$where (WSL)"
  say "Installing openclaw${version:+ $version} for $where from $dir"
  download "$dir/SHA256SUMS" "$tmp_dir/SHA256SUMS" ||
    die "$dl_error${version:+ (is $version a published version?)}"
  expected=$(sum_of "$asset")
  # The best archive this release lists and this machine can unpack.
  archive=""
  format=""
  for f in $formats; do
    if can_unpack "$f" && [ -n "$(sum_of "$asset.tar.$f")" ]; then
      archive="$asset.tar.$f"
      format=$f
      break
    fi
  done
  if [ -z "$expected" ] && [ -z "$archive" ]; then
    if [ "$libc" = musl ]; then
      die "this system uses musl libc (Alpine or similar), and $dir publishes no musl build ($asset). The openclaw binaries need glibc: use a glibc-based distribution or container (Debian, Ubuntu, Fedora, …)."
    fi
    die "$dir has no build for $os-$arch ($asset is not in SHA256SUMS)"
  fi

  staged="$bindir/.openclaw.new.$$"
  if [ -n "$archive" ]; then
    say "Downloading $dir/$archive"
    download "$dir/$archive" "$tmp_dir/$archive" || die "$dl_error. Nothing was installed."
    archive_expected=$(sum_of "$archive")
    actual=$(sha256_of "$tmp_dir/$archive")
    if [ "$actual" != "$archive_expected" ]; then
      die "checksum mismatch for $archive: expected $archive_expected, got $actual. Nothing was installed."
    fi
    if ! unpack "$format" "$tmp_dir/$archive" "$tmp_dir/unpacked"; then
      why=$(head -n 1 "$tmp_dir/unpack.err" 2>/dev/null || true)
      die "could not unpack $archive${why:+: $why}. Nothing was installed."
    fi
    if [ -n "$expected" ]; then
      actual=$(sha256_of "$tmp_dir/unpacked/openclaw")
      if [ "$actual" != "$expected" ]; then
        die "checksum mismatch for $asset unpacked from $archive: expected $expected, got $actual. Nothing was installed."
      fi
    fi
    mv -f "$tmp_dir/unpacked/openclaw" "$staged" || die "cannot write $staged. Nothing was installed."
  else
    say "Downloading $dir/$asset"
    download "$dir/$asset" "$staged" || die "$dl_error. Nothing was installed."
    actual=$(sha256_of "$staged")
    if [ "$actual" != "$expected" ]; then
      die "checksum mismatch for $asset: expected $expected, got $actual. Nothing was installed."
    fi
  fi
  chmod 755 "$staged"
  if ! version_line=$("$staged" --version 2>"$tmp_dir/version.err" </dev/null); then
    why=$(head -n 1 "$tmp_dir/version.err" 2>/dev/null || true)
    die "the downloaded binary does not run on this machine${why:+: $why}. Nothing was installed."
  fi
  version_line=$(printf '%s\n' "$version_line" | head -n 1)

  upgrade=0
  if [ -e "$dest" ] || [ -L "$dest" ]; then
    upgrade=1
    # Keep the current binary as openclaw.prev (a hard link costs no space), swapped in by rename.
    prev_tmp="$bindir/.openclaw.prev.$$"
    if { [ ! -L "$dest" ] && ln -f "$dest" "$prev_tmp" 2>/dev/null; } || cp -pL "$dest" "$prev_tmp" 2>/dev/null; then
      mv -f "$prev_tmp" "$dest.prev"
    else
      warn "could not keep the previous binary as $dest.prev"
    fi
    prev_tmp=""
  fi
  mv -f "$staged" "$dest"
  staged=""
  if [ "$upgrade" = 1 ]; then
    say "Upgraded $dest to openclaw $version_line (previous kept as $dest.prev)"
  else
    say "Installed openclaw $version_line at $dest"
  fi
  path_hint "$bindir"

  if [ "$run_setup" = 1 ]; then
    if config_exists; then
      say "Config found (${found_config:-$OPENCLAW_CONFIG_PATH}); skipping openclaw setup."
    else
      say ""
      "$dest" setup </dev/null || die "openclaw is installed at $dest, but 'openclaw setup' failed (see above). Fix it, then run: openclaw setup"
    fi
  fi

  if [ "$run_service" = 1 ]; then
    say ""
    if ! "$dest" gateway install --help >/dev/null 2>&1 </dev/null; then
      say "This openclaw build has no 'gateway install' yet; start the gateway with: openclaw gateway"
    elif [ "$wsl" = 1 ] && [ ! -d /run/systemd/system ]; then
      warn "systemd is not running in this WSL distribution, so the gateway service was not installed. Enable it ([boot] systemd=true in /etc/wsl.conf, then 'wsl --shutdown') and run 'openclaw gateway install', or run 'openclaw gateway' in a terminal."
    else
      "$dest" gateway install </dev/null ||
        die "openclaw is installed at $dest, but 'openclaw gateway install' failed (see above). Run the gateway in a terminal with 'openclaw gateway', or fix the problem and run 'openclaw gateway install'."
      if [ "$upgrade" = 1 ]; then
        # The service runs $dest; restart it so the new binary takes over.
        "$dest" gateway restart </dev/null || warn "could not restart the gateway service; run: openclaw gateway restart"
      fi
    fi
  fi

  say ""
  say "Done. Run 'openclaw --help' to get started; 'openclaw update' upgrades later."
}

main "$@"
