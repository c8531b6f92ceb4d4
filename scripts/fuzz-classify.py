#!/usr/bin/env python3
"""Mutation fuzz of `srlens classify` on the project's agent-like fixtures and the corpus records.

Each run takes a real training script (an agent fixture rebuilt from its edit script over its corpus record, or a
record itself), applies one to four random mutations at the level of statements and names, and classifies the result
with the given binary under a time limit. A run that ends on a signal (a crash: a stack overflow cannot be caught, and
would end the language server's process) or that hits the limit is kept in the output folder with the mutated script;
a run slower than `--slow` seconds is listed. Mutations: swap one name for another of the file on one line, make an
assignment refer to itself, blank a statement, repeat one, move a one-line statement, make one function call another
at its start, make a function call itself before its last statement (`if x: return f(x)`).

    scripts/fuzz-classify.py .build/release/srlens --seconds 1200 --seed 1 --out /tmp/fuzz

Needs the shared corpus (../shared/corpus next to the repository, or --corpus).
"""
import argparse
import ast
import glob
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def apply_edit_script(script, base):
    """Applies an `ed` script as `diff -e` writes it (commands in reverse order of lines)."""
    lines = base.split("\n")
    commands = script.split("\n")
    i = 0
    while i < len(commands):
        command = commands[i]
        i += 1
        if not command:
            continue
        match = re.fullmatch(r"(\d+)(?:,(\d+))?([acd])", command)
        if not match:
            raise ValueError(f"not an edit command: {command!r}")
        first, last, op = int(match.group(1)), int(match.group(2) or match.group(1)), match.group(3)
        text = []
        if op in "ac":
            while commands[i] != ".":
                text.append(commands[i])
                i += 1
            i += 1
        if op == "a":
            lines[first:first] = text
        elif op == "c":
            lines[first - 1:last] = text
        else:
            del lines[first - 1:last]
    return "\n".join(lines)


def scripts(corpus):
    records = os.path.join(corpus, "llm-speedrunner", "records")
    fixtures = os.path.join(ROOT, "Tests", "Fixtures", "agent-submissions")
    manifest = json.load(open(os.path.join(fixtures, "manifest.json")))
    found = []
    for name, entry in sorted(manifest.items()):
        path = os.path.join(fixtures, name)
        if not os.path.isfile(path):
            continue  # a submission split into modules
        base = open(os.path.join(records, f"record_{entry['base_record']}", "train_gpt2.py")).read()
        found.append((name, apply_edit_script(open(path).read(), base)))
    for path in sorted(glob.glob(os.path.join(records, "record_*", "train_gpt2.py"))):
        found.append((os.path.basename(os.path.dirname(path)), open(path).read()))
    return found


def statements(tree):
    out = []
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            value = getattr(node, field, None)
            if isinstance(value, list):
                out += [s for s in value if isinstance(s, ast.stmt)]
    return out


def indentation(line):
    return line[:len(line) - len(line.lstrip())]


def mutate(source, rng):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    lines = source.split("\n")
    body = statements(tree)
    names = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
                   | {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)})
    functions = [s for s in body if isinstance(s, ast.FunctionDef)]
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["swap", "swap", "self", "blank", "repeat", "move", "call", "recurse"])
        node = rng.choice(body)
        first, last = node.lineno - 1, node.end_lineno
        if kind == "swap" and names:
            old, new = rng.choice(names), rng.choice(names)
            index = rng.randrange(len(lines))
            lines[index] = re.sub(r"\b%s\b" % re.escape(old), new, lines[index])
        elif kind == "self":
            simple = [s for s in body if isinstance(s, ast.Assign) and s.lineno == s.end_lineno
                      and isinstance(s.targets[0], (ast.Name, ast.Attribute))]
            if simple:
                chosen = rng.choice(simple)
                index = chosen.lineno - 1
                target = ast.get_source_segment(source, chosen.targets[0]) or "x"
                value = ast.get_source_segment(source, chosen.value) or "0"
                lines[index] = indentation(lines[index]) + (f"{target} = {target} + {target}" if rng.random() < 0.5
                                                            else f"{target} = ({value}) if {target} else {target}")
        elif kind == "blank":
            lines[first:last] = [indentation(lines[first]) + "pass"] + [""] * (last - first - 1)
        elif kind == "repeat":
            lines[last:last] = lines[first:last]
        elif kind == "move" and last - first == 1:
            other = rng.choice(body)
            lines.insert(other.lineno - 1, indentation(lines[other.lineno - 1]) + lines[first].strip())
        elif kind == "call" and len(functions) >= 2:
            caller, callee = rng.sample(functions, 2)
            index = caller.body[0].lineno - 1
            arguments = ", ".join(a.arg for a in callee.args.args)
            lines.insert(index, indentation(lines[index]) + f"_r = {callee.name}({arguments})")
        elif kind == "recurse" and functions:
            function = rng.choice(functions)
            index = function.body[-1].lineno - 1
            arguments = ", ".join(a.arg for a in function.args.args)
            test = function.args.args[0].arg if function.args.args else "True"
            lines.insert(index, indentation(lines[index]) + f"if {test}: return {function.name}({arguments})")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--slow", type=float, default=5)
    parser.add_argument("--out", default="fuzz-out")
    parser.add_argument("--corpus", default=os.path.join(os.path.dirname(ROOT), "shared", "corpus"))
    options = parser.parse_args()
    if not os.path.isdir(options.corpus):
        sys.exit(f"no corpus at {options.corpus}: the fixtures are edit scripts over its records")
    os.makedirs(options.out, exist_ok=True)
    rng = random.Random(options.seed)
    pool = scripts(options.corpus)
    end = time.time() + options.seconds
    runs = kept = 0
    while time.time() < end:
        origin, source = rng.choice(pool)
        mutated = mutate(source, rng)
        if mutated is None:
            continue
        path = os.path.join(options.out, f"current-{options.seed}.py")
        with open(path, "w") as f:
            f.write(mutated)
        started = time.time()
        try:
            status = subprocess.run([options.binary, "classify", "--json", path], capture_output=True,
                                    timeout=options.timeout).returncode
        except subprocess.TimeoutExpired:
            status = "timeout"
        took = time.time() - started
        runs += 1
        digest = hashlib.sha1(mutated.encode()).hexdigest()[:10]
        if status not in (0, 1):
            kept += 1
            name = f"{'timeout' if status == 'timeout' else 'signal' + str(-status)}-{digest}.py"
            with open(os.path.join(options.out, name), "w") as f:
                f.write(mutated)
            print(f"kept {name} (from {origin})", flush=True)
        elif took > options.slow:
            print(f"slow {took:.1f} s (from {origin})", flush=True)
    print(f"{runs} runs, {kept} kept in {options.out}")


if __name__ == "__main__":
    main()
