# example: one mask object builds each window's BlockMask in __getitem__(kind) from self.windows = dict(wide=w, narrow=w // 2); the layers are Wide/Narrow subclasses that inherit Layer.forward, which asks masks[self.kind] of the masks object the model passes in; positive.
import torch
from torch import nn
from torch.nn.attention.flex_attention import BlockMask


class WindowMasks:
    def __init__(self, docs, wide_blocks):
        self.docs = docs
        self.windows = dict(wide=wide_blocks, narrow=wide_blocks // 2)

    def mask_mod(self, b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (self.docs[q_idx] == self.docs[kv_idx])

    def __getitem__(self, kind):
        counts, indices = block_lists(self.docs)
        w = self.windows[kind]
        kept = torch.clamp_max(counts, w)
        return BlockMask.from_kv_blocks(kept, indices, BLOCK_SIZE=128, mask_mod=self.mask_mod)


def block_lists(docs):
    n = len(docs) // 128
    dense = torch.ones(n, n, dtype=torch.int32).tril()
    counts = dense.sum(-1, dtype=torch.int32)
    order = dense.argsort(dim=-1, descending=True, stable=True).to(torch.int32)
    return counts[None, None], order[None, None]


class Layer(nn.Module):
    kind = None

    def __init__(self, dim):
        super().__init__()
        self.mix = nn.Linear(dim, dim, bias=False)

    def forward(self, x, masks):
        return x + attend(self.mix(x), masks[self.kind])


class Wide(Layer):
    kind = "wide"


class Narrow(Layer):
    kind = "narrow"


def attend(x, block_mask):
    return x


class Model(nn.Module):
    def __init__(self, dim=768):
        super().__init__()
        self.layers = nn.ModuleList([Wide(dim), Narrow(dim), Narrow(dim), Wide(dim), Narrow(dim), Narrow(dim)])

    def forward(self, x, docs, wide_blocks):
        masks = WindowMasks(docs, wide_blocks)
        for layer in self.layers:
            x = layer(x, masks)
        return x
