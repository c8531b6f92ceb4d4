#!/usr/bin/env bash
# Fetch the pinned tree-sitter grammar sources into grammars/<lang>/src/ (gitignored).
#
# Every sdist named in grammars.lock is downloaded by pip, checked against its sha256, and unpacked into a
# staging folder; only when all of them are verified does the staging folder replace grammars/<lang>/src.
# A wrong hash or an unreachable registry stops with a message and leaves the previous tree untouched.
# Re-running is free when the stamp matches the lock.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lock="$here/grammars.lock"
stamp="$here/.fetched"
python="${PYTHON:-python3}"

die() { echo "grammars/fetch.sh: $*" >&2; exit 1; }

lock_sum="$(sha256sum "$lock" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_sum" ]] \
   && [[ -f "$here/python/src/parser.c" && -f "$here/cuda/src/parser.c" ]]; then
    exit 0
fi

command -v "$python" >/dev/null || die "needs $python with pip to download the grammar sdists"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/dl" "$work/stage"

header_sdist=""
declare -A grammar_sdist=()
while read -r name version sha role; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    echo "fetching $name==$version" >&2
    if ! "$python" -m pip download --quiet --no-deps --no-binary :all: --dest "$work/dl/$name" \
            "$name==$version" >"$work/pip.log" 2>&1; then
        cat "$work/pip.log" >&2
        die "could not download $name==$version from PyPI (no network, or the registry refused); nothing was changed"
    fi
    file="$(find "$work/dl/$name" -maxdepth 1 -name '*.tar.gz' | head -n1)"
    [[ -n "$file" ]] || die "pip gave no sdist for $name==$version"
    actual="$(sha256sum "$file" | cut -d' ' -f1)"
    [[ "$actual" == "$sha" ]] || die "sha256 mismatch for $name==$version: expected $sha, got $actual; nothing was changed"
    case "$role" in
        headers) header_sdist="$file" ;;
        grammar:*) grammar_sdist["${role#grammar:}"]="$file" ;;
        *) die "unknown role '$role' in grammars.lock" ;;
    esac
done <"$lock"

[[ -n "$header_sdist" ]] || die "grammars.lock names no header sdist"
mkdir -p "$work/headers"
tar -xzf "$header_sdist" -C "$work/headers"
hdr_dir="$(find "$work/headers" -path '*/core/lib/src' -type d | head -n1)"
[[ -n "$hdr_dir" ]] || die "the header sdist has no core/lib/src folder"

for lang in "${!grammar_sdist[@]}"; do
    mkdir -p "$work/unpack/$lang" "$work/stage/$lang/tree_sitter"
    tar -xzf "${grammar_sdist[$lang]}" -C "$work/unpack/$lang"
    top="$(find "$work/unpack/$lang" -mindepth 1 -maxdepth 1 -type d | head -n1)"
    for f in parser.c scanner.c; do
        [[ -f "$top/src/$f" ]] || die "the $lang sdist has no src/$f"
        cp "$top/src/$f" "$work/stage/$lang/"
    done
    [[ -f "$top/LICENSE" ]] && cp "$top/LICENSE" "$work/stage/$lang/LICENSE"
    for h in parser.h alloc.h array.h ts_assert.h; do
        [[ -f "$hdr_dir/$h" ]] || die "the header sdist has no $h"
        cp "$hdr_dir/$h" "$work/stage/$lang/tree_sitter/"
    done
done

for lang in "${!grammar_sdist[@]}"; do
    rm -rf "$here/$lang/src"
    mv "$work/stage/$lang" "$here/$lang/src"
done
echo "$lock_sum" >"$stamp"
echo "grammars ready: ${!grammar_sdist[*]}" >&2
