# example: near miss - the same Hugging Face `_split_heads` helper, but the config keeps 12 heads at width 768: heads are 64 wide; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT2Config:
    def __init__(self, n_embd=768, n_head=12):
        self.n_embd = n_embd
        self.n_head = n_head


class GPT2Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embed_dim = config.n_embd
        self.num_heads = config.n_head
        self.head_dim = self.embed_dim // self.num_heads
        self.c_attn = nn.Linear(self.embed_dim, 3 * self.embed_dim, bias=False)
        self.c_proj = nn.Linear(self.embed_dim, self.embed_dim, bias=False)

    def _split_heads(self, tensor, num_heads, attn_head_size):
        new_shape = tensor.size()[:-1] + (num_heads, attn_head_size)
        return tensor.view(new_shape).permute(0, 2, 1, 3)

    def _merge_heads(self, tensor, num_heads, attn_head_size):
        tensor = tensor.permute(0, 2, 1, 3).contiguous()
        return tensor.view(tensor.size()[:-2] + (num_heads * attn_head_size,))

    def forward(self, hidden_states):
        query, key, value = self.c_attn(hidden_states).split(self.embed_dim, dim=2)
        query = self._split_heads(query, self.num_heads, self.head_dim)
        key = self._split_heads(key, self.num_heads, self.head_dim)
        value = self._split_heads(value, self.num_heads, self.head_dim)
        out = F.scaled_dot_product_attention(query, key, value, is_causal=True)
        return self.c_proj(self._merge_heads(out, self.num_heads, self.head_dim))


attn = GPT2Attention(GPT2Config(n_embd=768, n_head=12))
