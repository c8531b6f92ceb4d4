# example: each step computes a window that grows linearly from 64 to 1792 tokens in multiples of 64 and passes it to the model's mask; window warmup is present.
import torch
from torch.nn.attention.flex_attention import create_block_mask

NUM_ITERATIONS = 1750


def build_mask(idx, window):
    docs = (idx == 50256).cumsum(0)

    def mask_mod(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx]) & (q_idx - kv_idx < window)

    S = len(idx)
    return create_block_mask(mask_mod, None, None, S, S, device="cuda")


def train(model, loader, optimizer):
    for step in range(NUM_ITERATIONS + 1):
        # window size for this step, rounded down to a multiple of 64
        window = torch.tensor(64 * ((step / NUM_ITERATIONS * (1792 - 64) + 64) // 64),
                              dtype=torch.int, device="cuda")
        x, y = loader.next_batch()
        loss = model(x, y, block_mask=build_mask(x, window))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
