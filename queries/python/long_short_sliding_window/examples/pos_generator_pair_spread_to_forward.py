# example: a schedule generator yields (long, max(long // 2, 128)) window sizes; the pair is turned into block counts, spread into the model call (`model(x, *windows)`) and passed as a dict of windows to one mask builder called in a comprehension; layers pick "long" or "short" by a per-layer pattern; positive.
import itertools
import torch
import torch.nn as nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

BLOCK = 128
PATTERN = ("long", "short", "short", "short", "long", "short")
LAYERS = tuple(itertools.chain(PATTERN, reversed(PATTERN)))


def masks_for(seq_len, windows: dict):
    def build(num_blocks):
        def mask_mod(b, h, q, k):
            return (q >= k) & (q - k < num_blocks * BLOCK)
        return create_block_mask(mask_mod, None, None, seq_len, seq_len)
    return {kind: build(n) for kind, n in windows.items()}


class Net(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.ModuleList([nn.Linear(dim, dim) for _ in LAYERS])

    def forward(self, x, long_blocks, short_blocks):
        masks = masks_for(x.size(-2), dict(long=long_blocks, short=short_blocks))
        for layer, kind in zip(self.proj, LAYERS):
            x = layer(flex_attention(x, x, x, block_mask=masks[kind]))
        return x


def window_schedule(total):
    for step in range(total + 1):
        long_window = BLOCK * max(1, round(14 * step / total))
        yield long_window, max(long_window // 2, BLOCK)


def blocks(tokens):
    return torch.tensor(tokens // BLOCK, dtype=torch.int32)


model = Net(64)
windows_gen = window_schedule(1000)
for step in range(1000):
    long_window, short_window = next(windows_gen)
    windows = (blocks(long_window), blocks(short_window))
    x = torch.randn(1, 4, 1024, 64)
    model(x, *windows).sum().backward()
