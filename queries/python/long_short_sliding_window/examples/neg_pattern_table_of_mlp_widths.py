# example: the same pattern table, but it holds the blocks' MLP widths (hidden=WIDTHS[PATTERN[i]]); every layer attends with one window; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTHS = (3072, 1536)
WINDOW = 1024
PATTERN = [0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0]


class BandedAttention(nn.Module):
    def __init__(self, width, heads, window):
        super().__init__()
        self.heads = heads
        self.window = window
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)

    def forward(self, h):
        n, t, c = h.shape
        pos = torch.arange(t, device=h.device)
        lag = pos[:, None] - pos[None, :]
        allowed = (lag >= 0) & (lag < self.window)
        q, k, v = self.qkv(h).view(n, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        return self.out(y.transpose(1, 2).reshape(n, t, c))


class Block(nn.Module):
    def __init__(self, width, heads, hidden):
        super().__init__()
        self.attn = BandedAttention(width, heads, window=WINDOW)
        self.mlp = nn.Sequential(nn.Linear(width, hidden), nn.GELU(), nn.Linear(hidden, width))

    def forward(self, h):
        h = h + self.attn(F.rms_norm(h, (h.size(-1),)))
        return h + self.mlp(F.rms_norm(h, (h.size(-1),)))


blocks = nn.ModuleList([Block(768, 6, WIDTHS[PATTERN[i]]) for i in range(len(PATTERN))])
