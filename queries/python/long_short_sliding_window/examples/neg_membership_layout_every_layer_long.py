# example: a per-layer choice over a layout of layer indices where the membership test sends every layer to the long mask; negative.
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask

LONG_LAYERS = (0, 1, 2, 3, 4, 5)
N_LAYER = 6


def window_mask(seq_len, window):
    def mod(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (q_idx - kv_idx < window)
    return create_block_mask(mod, None, None, seq_len, seq_len)


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(768, 768) for _ in range(6)])

    def forward(self, x, window):
        long_bm = window_mask(x.size(1), window)
        short_bm = window_mask(x.size(1), window // 2)
        masks = [long_bm if i in LONG_LAYERS else short_bm for i in range(N_LAYER)]
        for block, mask in zip(self.blocks, masks):
            x = block(x, mask)
        return x


# In[9]:

model = GPT().cuda()
