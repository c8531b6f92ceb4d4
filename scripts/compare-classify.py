#!/usr/bin/env python3
"""Classifies every agent fixture and corpus record with two builds of srlens, and reports where their answers differ
and how long each took.

A change meant to make classification faster must not change what it finds: run the build before the change and the
build after it over the same scripts, one process per script, the two builds taking turns script by script (so that
a busy machine slows both alike), and read the differences (there should be none) and the time percentiles.

    scripts/compare-classify.py /tmp/srlens-before .build/release/srlens --out /tmp/compare

Needs the shared corpus (../shared/corpus next to the repository, or --corpus). `--only SUBSTRING` keeps the scripts
whose name holds it. Exit status 1 when an answer differs or a run fails.
"""
import argparse
import importlib.util
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fixture_scripts(corpus):
    """The fixtures rebuilt over their records, and the records, as the fuzz script reads them."""
    spec = importlib.util.spec_from_file_location("fuzz_classify", os.path.join(ROOT, "scripts", "fuzz-classify.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.scripts(corpus)


def run(binary, path, timeout):
    start = time.monotonic()
    try:
        done = subprocess.run([binary, "classify", "--json", path], capture_output=True, timeout=timeout)
        return done.returncode, done.stdout, time.monotonic() - start
    except subprocess.TimeoutExpired:
        return "timeout", b"", time.monotonic() - start


def percentiles(times):
    ordered = sorted(times)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return f"median {pick(0.5):.3f} s, p90 {pick(0.9):.3f} s, p99 {pick(0.99):.3f} s, max {ordered[-1]:.3f} s, total {sum(ordered):.1f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--corpus", default=os.path.join(os.path.dirname(ROOT), "shared", "corpus"))
    parser.add_argument("--out", default="/tmp/srlens-compare")
    parser.add_argument("--only", default="")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(args.corpus, "llm-speedrunner", "records")):
        sys.exit(f"no corpus at {args.corpus}: pass --corpus")
    os.makedirs(args.out, exist_ok=True)
    scripts = [(name, text) for name, text in fixture_scripts(args.corpus) if args.only in name]
    times = {"before": [], "after": []}
    slowest = []
    problems = 0
    for name, text in scripts:
        path = os.path.join(args.out, os.path.splitext(name)[0] + ".py")
        with open(path, "w") as f:
            f.write(text)
        answers = {}
        for label, binary in (("before", args.before), ("after", args.after)):
            status, output, seconds = run(binary, path, args.timeout)
            times[label].append(seconds)
            answers[label] = (status, output)
            if label == "after":
                slowest.append((seconds, times["before"][-1], name))
        if answers["before"] != answers["after"]:
            problems += 1
            print(f"DIFFERENT {name}: before exit {answers['before'][0]}, after exit {answers['after'][0]}")
        elif answers["after"][0] != 0:
            problems += 1
            print(f"FAILED (both) {name}: exit {answers['after'][0]}")
    print(f"{len(scripts)} scripts, {problems} differing or failing")
    for label in ("before", "after"):
        print(f"{label}: {percentiles(times[label])}")
    print("slowest after (after, before):")
    for seconds, before, name in sorted(slowest, reverse=True)[:8]:
        print(f"  {name}: {seconds:.3f} s ({before:.3f} s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
