#!/usr/bin/env bash
# The demo: SpeedrunLens scoring a small experiment end to end, on inputs the project wrote itself.
set -euo pipefail
bin="${1:-.build/debug/srlens}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${SRLENS_DEMO_OUT:-$(mktemp -d /tmp/srlens-demo.XXXXXX)}"
records="$here/records"
submissions="$here/submissions"
db="$out/demo.sqlite"
section() { printf '\n\033[1m== %s\033[0m\n%s\n\n' "$1" "$2"; }

cat <<'TXT'
SpeedrunLens demo
=================
The benchmark gives an agent record N of the NanoGPT speedrun and asks it to reproduce record N+1. This demo
uses miniature records written for the project (examples/demo/records: a "record 4" and its successor "record 5",
which squares the ReLU, normalizes q and k, pads the vocabulary, uses six 128-wide heads, zero-initializes the
output projections and drops the attention residual scale: the key changes of task 4) and six agent-like
submissions for task 4 (examples/demo/submissions), each with a training log.
TXT

section "1. What changed from record 4 to record 5 (semantic diff)" \
"Entities first, then details; idioms and formatting do not count as changes."
"$bin" diff "$records/record_4/train_gpt2.py" "$records/record_5/train_gpt2.py" || true

section "2. Which innovations agent_a implements (classify)" \
"Each innovation with its evidence. agent_a writes the squared ReLU as torch.relu(h) ** 2 and normalizes q and k with its own helper."
"$bin" classify "$submissions/agent_a/train_gpt2.py" || true

section "3. Scoring agent_a for task 4" \
"Key changes implemented and missing, diff alignment with the reference, the structural score, the speed read from its log, and the rule checks."
"$bin" score --task 4 --records "$records" "$submissions/agent_a/train_gpt2.py" "$submissions/agent_a/train.log" || true

section "4. A rule-breaking submission (check)" \
"agent_c copies the reference's changes but validates on half the tokens: its speed would not count."
"$bin" check --task 4 --records "$records" "$submissions/agent_c/train_gpt2.py" || true

section "5. The whole experiment, in parallel, into SQLite (batch)" \
"agent_d's script is not text: it is stored with its error and the batch goes on. Run twice: the second run reads the cache."
"$bin" batch "$submissions" --task 4 --records "$records" --db "$db" --label demo --jsonl "$out/results.jsonl" || true
"$bin" batch "$submissions" --task 4 --records "$records" --db "$db" --label demo-again --jsonl /dev/null --quiet || true

section "6. Querying the store" "Per submission, then per innovation (how often each key change was reproduced)."
"$bin" query --db "$db" --label demo
echo
"$bin" query --db "$db" --label demo --by innovation

section "7. The report" "A self-contained HTML page with the structural score plotted against the speedup recovered."
"$bin" report --db "$db" --label demo --html "$out/report.html" --markdown "$out/report.md"

section "8. CUDA too (parse)" "Kernels, launches and shared memory of a .cu file, found with tree-sitter and libclang, no CUDA SDK needed."
"$bin" parse "$here/softcap.cu"

cat <<TXT

Outputs are in $out: demo.sqlite (the store), results.jsonl (one JSON object per submission), report.html and
report.md. Machine-readable forms of every command: --json (docs/json-*.md); rules: docs/rules.md; scoring:
docs/scoring.md.
TXT
