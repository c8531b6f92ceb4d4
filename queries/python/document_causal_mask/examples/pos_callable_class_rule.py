# example: Callable-class mask_mod: the document ids live on an object whose __call__ is the mask rule; positive.
import tiktoken
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

enc = tiktoken.get_encoding("gpt2")


class SameDocumentCausal:
    """mask_mod object: query may read a key iff it is not in the future and in the same document."""

    def __init__(self, input_ids: torch.Tensor, eot_id: int = enc.eot_token):
        self.doc_of = torch.cumsum(input_ids == eot_id, dim=0)

    def __call__(self, b, h, q_idx, kv_idx):
        not_future = kv_idx <= q_idx
        same = self.doc_of[q_idx] == self.doc_of[kv_idx]
        return torch.logical_and(not_future, same)


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.wq = nn.Linear(dim, dim, bias=False)
        self.wk = nn.Linear(dim, dim, bias=False)
        self.wv = nn.Linear(dim, dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)

    def forward(self, x, block_mask):
        B, T, C = x.shape
        q, k, v = (w(x).view(B, T, self.heads, -1).transpose(1, 2) for w in (self.wq, self.wk, self.wv))
        y = flex_attention(q, k, v, block_mask=block_mask)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))


def forward_packed(input_ids, embed, layers):
    n = input_ids.numel()
    rule = SameDocumentCausal(input_ids)
    bm = create_block_mask(rule, None, None, n, n, device=input_ids.device)
    x = embed(input_ids)[None]
    for layer in layers:
        x = x + layer(x, bm)
    return x
