# example: three separate nn.Embedding value tables; each attention reshapes q, k, v AND the value embedding with one local helper (def heads(t): return t.view(B, T, H, D).transpose(1, 2)) and mixes heads(ve) into v, then rotates q and k with a rotary module; the helper's call on ve carries the lookup, its calls on q and k do not; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Rotary(nn.Module):
    def __init__(self, dim, base=10000.0):
        super().__init__()
        self.register_buffer("inv_freq", base ** -(torch.arange(0, dim, 2).float() / dim), persistent=False)

    def forward(self, x):
        t = torch.arange(x.size(-2), device=x.device).float()
        freqs = torch.outer(t, self.inv_freq)
        cos, sin = freqs.cos().type_as(x), freqs.sin().type_as(x)
        a, b = x.chunk(2, dim=-1)
        return torch.cat((a * cos + b * sin, b * cos - a * sin), dim=-1)


class SelfAttention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head, self.head_dim = n_head, dim // n_head
        self.q_proj = nn.Linear(dim, dim, bias=False)
        self.k_proj = nn.Linear(dim, dim, bias=False)
        self.v_proj = nn.Linear(dim, dim, bias=False)
        self.o_proj = nn.Linear(dim, dim, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.rotary = Rotary(self.head_dim)

    def forward(self, x, ve):
        B, T, C = x.shape

        def heads(t):
            return t.view(B, T, self.n_head, self.head_dim).transpose(1, 2)

        q, k, v = heads(self.q_proj(x)), heads(self.k_proj(x)), heads(self.v_proj(x))
        v = self.lambdas[0] * v + self.lambdas[1] * heads(ve)
        q, k = self.rotary(q), self.rotary(k)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o_proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.attn = SelfAttention(dim, n_head)
        self.fc = nn.Linear(dim, 4 * dim, bias=False)
        self.proj = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x, ve):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)), ve)
        return x + self.proj(F.relu(self.fc(F.rms_norm(x, (x.size(-1),)))).square())


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_head=6, n_layer=6):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.value_embeds = nn.ModuleList([nn.Embedding(vocab, dim) for _ in range(3)])
        self.blocks = nn.ModuleList(Block(dim, n_head) for _ in range(n_layer))
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        x = self.embed(idx)
        ve = [table(idx) for table in self.value_embeds]
        ve = ve + ve[::-1]
        for i, block in enumerate(self.blocks):
            x = block(x, ve[i])
        return self.lm_head(F.rms_norm(x, (x.size(-1),)))
