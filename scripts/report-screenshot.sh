#!/usr/bin/env bash
# Renders the demo's HTML report in headless Chromium (Debian's package, installed when missing) and saves a
# screenshot, to check by eye that the SVG plots render.  usage: scripts/report-screenshot.sh [OUT.png]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/srlens-report.png}"
bin="$root/.build/debug/srlens"
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core
fi
[ -x "$bin" ] || (cd "$root" && swift build --product srlens)
work="$(mktemp -d /tmp/srlens-shot.XXXXXX)"
"$bin" batch "$root/examples/demo/submissions" --task 4 --records "$root/examples/demo/records" \
  --db "$work/demo.sqlite" --label demo --quiet || true
"$bin" report --db "$work/demo.sqlite" --html "$work/report.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1700 \
  --screenshot="$out" "file://$work/report.html" 2>/dev/null
echo "screenshot: $out"
