# example: HF-style config class with an __init__ (hidden_size=1024, num_attention_heads=8 defaults stored on self); attention derives head_dim = hidden_size // num_attention_heads = 128; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SpeedConfig:
    def __init__(self, vocab_size=50304, hidden_size=1024, num_attention_heads=8, num_hidden_layers=12, **kwargs):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_attention_heads = num_attention_heads
        self.num_hidden_layers = num_hidden_layers


class SelfAttention(nn.Module):
    def __init__(self, config: SpeedConfig):
        super().__init__()
        self.num_heads = config.num_attention_heads
        self.head_dim = config.hidden_size // config.num_attention_heads
        self.qkv = nn.Linear(config.hidden_size, 3 * config.hidden_size, bias=False)
        self.o_proj = nn.Linear(config.hidden_size, config.hidden_size, bias=False)

    def forward(self, x):
        bsz, seqlen, _ = x.shape
        q, k, v = self.qkv(x).view(bsz, seqlen, 3, self.num_heads, self.head_dim).unbind(2)
        out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.o_proj(out.transpose(1, 2).reshape(bsz, seqlen, -1))


config = SpeedConfig()
layers = nn.ModuleList(SelfAttention(config) for _ in range(config.num_hidden_layers))
