# example: argparse sets a 2**19-token global budget and a 16-sequence micro-batch of 1024; gradient accumulation steps are derived so each step sees 524,288 tokens; positive.
import argparse
import os
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--tokens_per_step", type=int, default=2**19)
ap.add_argument("--micro_batch", type=int, default=16)
ap.add_argument("--seq_len", type=int, default=1024)
ap.add_argument("--steps", type=int, default=9536)
cli = ap.parse_args()

world = int(os.environ.get("WORLD_SIZE", 1))
per_micro = cli.micro_batch * cli.seq_len * world
assert cli.tokens_per_step % per_micro == 0
accum_steps = cli.tokens_per_step // per_micro

model = torch.nn.Linear(768, 768)
opt = torch.optim.AdamW(model.parameters(), lr=0.0018)

for step in range(cli.steps):
    for _ in range(accum_steps):
        x = torch.randn(cli.micro_batch, cli.seq_len, 768)
        (model(x).square().mean() / accum_steps).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
