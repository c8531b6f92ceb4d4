# example: the same attention given a block-diagonal bias over the document lengths that is not causal (BlockDiagonalMask): documents kept apart, later tokens visible; negative.
import torch
import xformers.ops as xops
from xformers.ops.fmha.attn_bias import BlockDiagonalMask

EOT = 50256

def doc_lengths(tokens):
    ends = (tokens == EOT).nonzero().flatten() + 1
    edges = torch.cat([tokens.new_zeros(1), ends, tokens.new_tensor([tokens.numel()])]).unique()
    return edges.diff().tolist()

class SelfAttention(torch.nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = torch.nn.Linear(d, 3 * d, bias=False)

    def forward(self, x, bias):
        q, k, v = self.qkv(x).view(1, x.size(1), 3, self.heads, -1).unbind(2)
        return xops.memory_efficient_attention(q, k, v, attn_bias=bias).flatten(2)

layer = SelfAttention(768, 12)

def run(x, tokens):
    return layer(x, BlockDiagonalMask.from_seqlens(doc_lengths(tokens)))
