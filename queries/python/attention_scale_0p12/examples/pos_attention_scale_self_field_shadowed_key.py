# example: the attention scale is kept as self.scale (read from a nested spec table) while another table of the file has its own "scale" key (the logit head's 30.0); flex_attention gets scale=self.scale = 0.12; positive.
import torch
from torch import nn
from torch.nn.attention.flex_attention import flex_attention

SPEC = {"head": {"scale": 30.0}, "attention": {"logit_scale": 0.12}}

class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = SPEC["attention"]["logit_scale"]

    def forward(self, q, k, v, block_mask):
        return flex_attention(q, k, v, block_mask=block_mask, scale=self.scale)

def head(logits):
    return SPEC["head"]["scale"] * torch.sigmoid(logits / 7.5)
