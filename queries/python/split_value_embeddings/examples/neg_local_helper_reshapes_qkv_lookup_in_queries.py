# example: near miss - three separate nn.Embedding tables are looked up and handed to each attention, where one local lambda (to_heads = lambda t: t.view(B, T, H, D).transpose(1, 2)) reshapes q, k and v, but the lookup is added to the queries only (to_heads(q_proj(x) + ve)); the tables never reach the attention values (to_heads(v_proj(x)) does not carry them); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head, self.head_dim = n_head, dim // n_head
        self.q_proj = nn.Linear(dim, dim, bias=False)
        self.k_proj = nn.Linear(dim, dim, bias=False)
        self.v_proj = nn.Linear(dim, dim, bias=False)
        self.o_proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x, ve):
        B, T, C = x.shape
        to_heads = lambda t: t.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        q = to_heads(self.q_proj(x) + ve)
        k, v = to_heads(self.k_proj(x)), to_heads(self.v_proj(x))
        q, k = F.rms_norm(q, (q.size(-1),)), F.rms_norm(k, (k.size(-1),))
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
        self.query_embeds = nn.ModuleList([nn.Embedding(vocab, dim) for _ in range(3)])
        self.blocks = nn.ModuleList(Block(dim, n_head) for _ in range(n_layer))
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        x = self.embed(idx)
        qe = [table(idx) for table in self.query_embeds]
        qe = qe + qe[::-1]
        for i, block in enumerate(self.blocks):
            x = block(x, qe[i])
        return self.lm_head(F.rms_norm(x, (x.size(-1),)))
