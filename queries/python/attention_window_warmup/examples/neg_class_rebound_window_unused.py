# example: the same rebinding subclass and mask builder, but its forward builds the mask with a fixed 1024-token window and ignores the growing window it is given; NOT present.
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

NUM_ITERATIONS = 1750


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(50304, 768)
        self.qkv = nn.Linear(768, 3 * 768, bias=False)

    def forward(self, idx):
        q, k, v = self.qkv(self.tok(idx)).view(1, len(idx), 3, 6, 128).permute(2, 0, 3, 1, 4)
        return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)


def build_mask(S, window):
    def mask_mod(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (q_idx - kv_idx < window)

    return create_block_mask(mask_mod, None, None, S, S, device="cuda")


class GPT(GPT):
    def forward(self, idx, window):
        S = len(idx)
        block_mask = build_mask(S, 1024)
        q, k, v = self.qkv(self.tok(idx)).view(1, S, 3, 6, 128).permute(2, 0, 3, 1, 4)
        return flex_attention(q, k, v, block_mask=block_mask).float().square().mean()


model = GPT()
for step in range(NUM_ITERATIONS + 1):
    window = torch.tensor(64 * ((step / NUM_ITERATIONS * (1792 - 64) + 64) // 64), dtype=torch.int, device="cuda")
    idx = torch.randint(0, 50304, (4096,), device="cuda")
    loss = model(idx, window)
    loss.backward()
