# example: TOKENS_PER_STEP = 512 * 1024 and a helper that divides it by micro-batch tokens times world size to get the accumulation count used by the loop; positive (budget honoured via a helper function).
import os

import torch

TOKENS_PER_STEP = 512 * 1024
MICRO_BATCH = 32
SEQ_LEN = 1024


def accumulation_steps(tokens_per_step, micro_batch, seq_len, world_size):
    assert tokens_per_step % (micro_batch * seq_len * world_size) == 0
    return tokens_per_step // (micro_batch * seq_len * world_size)


world_size = int(os.environ["WORLD_SIZE"])
accum = accumulation_steps(TOKENS_PER_STEP, MICRO_BATCH, SEQ_LEN, world_size)
model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=1.8e-3)
for step in range(3000):
    for _ in range(accum):
        x = torch.randn(MICRO_BATCH, SEQ_LEN, 64)
        (model(x).pow(2).mean() / accum).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
