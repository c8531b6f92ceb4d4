# example: packed documents are kept apart with a dense boolean attn_mask for SDPA built from torch.cumsum over an EOT constant; other spelling of the same document-causal mask.
import torch
import torch.nn.functional as F

END_OF_TEXT = 50256


def segment_ids(tokens: torch.Tensor) -> torch.Tensor:
    # a new segment starts after each separator token
    return torch.cumsum((tokens == END_OF_TEXT).int(), dim=-1)


def doc_causal_attention(q, k, v, tokens):
    seg = segment_ids(tokens)
    n = tokens.shape[-1]
    pos = torch.arange(n, device=tokens.device)
    lower = pos.unsqueeze(1) >= pos.unsqueeze(0)
    same = seg.unsqueeze(-1) == seg.unsqueeze(-2)
    allowed = lower & same
    return F.scaled_dot_product_attention(q, k, v, attn_mask=allowed[:, None])


if __name__ == "__main__":
    toks = torch.randint(0, 50257, (2, 256))
    q = k = v = torch.randn(2, 4, 256, 32)
    print(doc_causal_attention(q, k, v, toks).shape)
