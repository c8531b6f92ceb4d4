# example: a Hugging Face-style config whose constructor pops each setting from **kwargs with its default (`kwargs.pop("attn_logit_scale", 0.12)`); nothing passes the key, so 0.12 reaches flex_attention through the config; positive.
import torch.nn as nn
from torch.nn.attention.flex_attention import flex_attention


class LMConfig:
    def __init__(self, **kwargs):
        self.n_embd = kwargs.pop("n_embd", 768)
        self.n_head = kwargs.pop("n_head", 6)
        self.attn_logit_scale = kwargs.pop("attn_logit_scale", 0.12)


class SelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=False)
        self.scale = config.attn_logit_scale

    def forward(self, x, block_mask):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).view(b, t, 3, self.n_head, c // self.n_head).unbind(2)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=block_mask, scale=self.scale)
        return y.transpose(1, 2).reshape(b, t, c)


layer = SelfAttention(LMConfig(n_embd=768, n_head=6))
