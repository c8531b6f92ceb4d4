#!/usr/bin/env bash
# Headless Neovim as an LSP client of `srlens serve` (tests/nvim/lsp_e2e.lua). Usage: tests/nvim/run.sh [SRLENS_BIN]
# Neovim writes nothing outside a temporary folder, which is removed at the end.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${1:-${SRLENS_BIN:-$repo/.build/debug/srlens}}"
command -v nvim >/dev/null || { echo "nvim not found: \`make e2e-deps\` installs Debian's neovim" >&2; exit 1; }
[ -x "$bin" ] || { echo "srlens binary not found at $bin: run \`make debug\`" >&2; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/srlens-nvim.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "tests/nvim: $(nvim --version | head -n 1) against $bin"
env -u SRLENS_RECORDS SRLENS_BIN="$bin" SRLENS_REPO="$repo" SRLENS_E2E_WORK="$work" \
  XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache" XDG_STATE_HOME="$work/state" \
  timeout 180 nvim --headless -u NONE -i NONE -n -c "luafile $here/lsp_e2e.lua" </dev/null
