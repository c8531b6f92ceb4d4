# example: a 2**19 target_tokens setting is printed, but the loop takes one 32 x 1024 micro-batch per device per step with no accumulation (262,144 tokens on 8 GPUs); negative.
import os

import torch

TARGET_TOKENS = 2**19
BATCH = 32
SEQ = 1024

world = int(os.environ.get("WORLD_SIZE", 8))
rank = int(os.environ.get("RANK", 0))
print(f"target tokens/step {TARGET_TOKENS}, actual {BATCH * SEQ * world}")


def batches(stream):
    pos = rank * BATCH * SEQ
    while True:
        buf = stream[pos : pos + BATCH * SEQ + 1]
        yield buf[:-1].view(BATCH, SEQ), buf[1:].view(BATCH, SEQ)
        pos += BATCH * SEQ * world


model = torch.nn.Embedding(50304, 64)
opt = torch.optim.AdamW(model.parameters(), lr=1.8e-3)
it = batches(torch.zeros(10**7, dtype=torch.long))
for step in range(5000):
    x, y = next(it)
    model(x).float().mean().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
