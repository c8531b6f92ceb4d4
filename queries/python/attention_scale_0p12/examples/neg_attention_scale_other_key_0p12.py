# example: near miss - 0.12 is a table entry named "scale" (a logit head's), while the attention's own self.scale is head_dim ** -0.5; negative.
import torch
from torch import nn
from torch.nn.attention.flex_attention import flex_attention

SPEC = {"head": {"scale": 0.12}, "attention": {"head_dim": 128}}

class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = SPEC["attention"]["head_dim"] ** -0.5

    def forward(self, q, k, v, block_mask):
        return flex_attention(q, k, v, block_mask=block_mask, scale=self.scale)

def head(logits):
    return SPEC["head"]["scale"] * logits
