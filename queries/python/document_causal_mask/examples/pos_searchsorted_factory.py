# example: Document ids via searchsorted over EOT positions (no cumsum); mask_mod built by a closure factory; positive.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

EOT = 50256


def document_index(tokens):
    boundaries = torch.nonzero(tokens == EOT, as_tuple=True)[0]
    positions = torch.arange(tokens.numel(), device=tokens.device)
    # number of EOT tokens at or before each position == document index
    return torch.searchsorted(boundaries, positions, right=True)


def make_rule(doc):
    def rule(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (doc[q_idx] == doc[kv_idx])
    return rule


def attend(tokens, q, k, v):
    n = tokens.numel()
    bm = create_block_mask(make_rule(document_index(tokens)), None, None, n, n, device=tokens.device)
    return flex_attention(q, k, v, block_mask=bm)


if __name__ == "__main__":
    toks = torch.randint(0, 50257, (2048,), device="cuda")
    q = k = v = torch.randn(1, 6, 2048, 64, device="cuda")
    print(attend(toks, q, k, v).shape)
