# example: `create_block_mask` is fetched into a local of the model builder (`build_mask = fam.create_block_mask`) and given a mask function keeping each query causal and in its own document (`seg[q_idx] == seg[kv_idx]`); positive.
def build_model(width, heads, eot_id, vocab=50304):
    from torch import nn
    from torch.nn.attention import flex_attention as fam

    build_mask = fam.create_block_mask

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(vocab, width)
            self.qkv = nn.Linear(width, 3 * width, bias=False)
            self.head = nn.Linear(width, vocab, bias=False)

        def forward(self, idx):
            seg = (idx == eot_id).cumsum(0)

            def same_doc_causal(b, h, q_idx, kv_idx):
                return (q_idx >= kv_idx) & (seg[q_idx] == seg[kv_idx])

            n = idx.numel()
            mask = build_mask(same_doc_causal, None, None, n, n, device="cuda")
            x = self.emb(idx[None])
            q, k, v = self.qkv(x).view(1, n, 3, heads, -1).permute(2, 0, 3, 1, 4)
            y = fam.flex_attention(q, k, v, block_mask=mask)
            return self.head(y.transpose(1, 2).reshape(1, n, -1))

    return Net()


model = build_model(768, 6, 50256)
