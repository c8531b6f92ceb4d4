# example: the kernel is compiled once into a module attribute and called through it with a BlockMask built by a helper; the FlexAttention idea through an attribute alias.
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def prefix_lm_mask(seq_len, prefix):
    def keep(b, h, q_idx, kv_idx):
        return (kv_idx < prefix) | (q_idx >= kv_idx)

    return create_block_mask(keep, None, None, seq_len, seq_len, device="cuda")


class Attention(nn.Module):
    def __init__(self, dim=512, heads=8):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.kernel = torch.compile(flex_attention, dynamic=False)

    def forward(self, x, mask):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        out = self.kernel(q, k, v, block_mask=mask)
        return self.proj(out.transpose(1, 2).reshape(b, t, d))


if __name__ == "__main__":
    layer = Attention().cuda()
    print(layer(torch.randn(1, 1024, 512, device="cuda"), prefix_lm_mask(1024, 64)).shape)
