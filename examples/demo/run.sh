#!/usr/bin/env bash
# The demo: what srlens sees in a small training script of the project's own and in a CUDA kernel file.
set -euo pipefail
bin="${1:-.build/debug/srlens}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cat <<'TXT'
SpeedrunLens demo
=================
srlens parses training scripts with tree-sitter and CUDA with tree-sitter and libclang (no CUDA SDK needed).
Below: a tiny GPT training script that fuses ReLU^2 in a Triton kernel and compiles a soft-cap kernel
from a Python string with load_inline, then a standalone .cu file. For each file you see its classes,
functions, GPU kernels (with the parser that found them) and kernel launches with their
<<<grid, block, shared memory, stream>>> configuration. The CUDA inside the Python string is reported
at its real line in the Python file.

TXT
"$bin" parse "$here/tiny_train.py" "$here/softcap.cu"
echo
echo "Machine-readable output: $bin parse --json FILE  (schema: docs/json-parse.md)"
