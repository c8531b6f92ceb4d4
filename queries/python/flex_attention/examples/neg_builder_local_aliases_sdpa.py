# example: near miss: the builder fetches flex_attention and create_block_mask into locals and builds a BlockMask, but attention still runs dense causal SDPA and `attend` is never called; negative.
def build_model(width, heads, vocab=50304):
    import torch
    from torch import nn
    import torch.nn.functional as F
    from torch.nn.attention import flex_attention as fam

    attend = fam.flex_attention
    build_mask = fam.create_block_mask

    def causal(b, h, q_idx, kv_idx):
        return q_idx >= kv_idx

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(vocab, width)
            self.qkv = nn.Linear(width, 3 * width, bias=False)
            self.head = nn.Linear(width, vocab, bias=False)

        def forward(self, idx):
            n = idx.numel()
            self.mask = build_mask(causal, None, None, n, n, device="cuda")
            x = self.emb(idx[None])
            q, k, v = self.qkv(x).view(1, n, 3, heads, -1).permute(2, 0, 3, 1, 4)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.head(y.transpose(1, 2).reshape(1, n, -1))

    return Net()


model = build_model(768, 6)
