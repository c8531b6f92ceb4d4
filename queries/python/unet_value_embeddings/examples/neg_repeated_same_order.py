# example: 6 tables are reused by the decoder in the SAME order (ve + ve: layers 6..11 get 0..5) next to mirrored U-net skip pops; sharing is not mirrored, so NOT present (near miss).
import torch
from torch import nn


class ValueEmbedding(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embed = nn.ModuleList([nn.Embedding(vocab, dim) for _ in range(6)])

    def forward(self, inputs):
        ve = [emb(inputs) for emb in self.embed]
        ve = ve + ve  # decoder reuses tables in encoder order
        return ve


class GPT(nn.Module):
    def __init__(self, blocks, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.value_embeds = ValueEmbedding(vocab, dim)
        self.blocks = blocks
        self.skip_weights = nn.Parameter(torch.ones(6))

    def forward(self, inputs):
        x = x0 = self.embed(inputs[None])
        ve = self.value_embeds(inputs)
        ve_enc, ve_dec = ve[:6], ve[6:]
        skips = []
        for i in range(6):
            x = self.blocks[i](x, ve_enc[i], x0)
            skips.append(x)
        for i in range(6):
            x = x + self.skip_weights[i] * skips.pop()  # mirrored skip, not mirrored tables
            x = self.blocks[6 + i](x, ve_dec[i], x0)
        return x
