# example: an argparse flag named skip_guard_eval_unsafe is parsed and printed but never passed to torch.compiler.set_stance; NOT present.
import argparse

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--skip_guard_eval_unsafe", action="store_true", default=True)
parser.add_argument("--steps", type=int, default=1000)
args, _ = parser.parse_known_args()


def main(model, loader, opt):
    print(f"skip_guard_eval_unsafe requested: {args.skip_guard_eval_unsafe} (needs torch>=2.6)")
    model = torch.compile(model)
    for step in range(args.steps):
        x, y = next(loader)
        model(x, y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
