# example: the 64 -> 1792 schedule formula is computed and printed, but the model always receives a fixed 1024 window; NOT present (near miss for a formula matcher).
import torch

NUM_ITERATIONS = 1750
FIXED_WINDOW = torch.tensor(1024, dtype=torch.int, device="cuda")


def train(model, loader, optimizer, log_every=100):
    for step in range(NUM_ITERATIONS + 1):
        planned = 64 * ((step / NUM_ITERATIONS * (1792 - 64) + 64) // 64)
        if step % log_every == 0:
            print(f"step {step}: planned window {planned:.0f} (not applied yet)")
        x, y = loader.next_batch()
        loss = model(x, y, attn_blocksize=FIXED_WINDOW)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
