# example: a fresh cuda tensor is built for the window every step and train_loss.item() is printed every step; both force host-device syncs, so NOT present.
import time

import torch

NUM_ITERATIONS = 1530


def train(model, loader, optimizers, print0):
    x, y = loader.next_batch()
    t0 = time.time()
    for step in range(NUM_ITERATIONS):
        attn_blocksize = torch.tensor(64 * ((step / NUM_ITERATIONS * (1792 - 64) + 64) // 64),
                                      dtype=torch.int, device="cuda")
        loss = model(x, y, attn_blocksize=attn_blocksize)
        train_loss = loss.detach()
        x, y = loader.next_batch()
        loss.backward()
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)
        approx = 1000 * (time.time() - t0)
        print0(f"step:{step + 1} train_loss:{train_loss.item():.4f} train_time:{approx:.0f}ms")
