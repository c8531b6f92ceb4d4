# example: documents are split at EOT positions into cu_seqlens for flash_attn_varlen_func(causal=True), so tokens only attend causally within their own document; a third spelling.
import torch
import torch.nn.functional as F
from flash_attn import flash_attn_varlen_func

EOT_TOKEN = 50256


def cumulative_lengths(tokens):
    ends = torch.nonzero(tokens == EOT_TOKEN).flatten() + 1
    bounds = torch.cat([tokens.new_zeros(1), ends, tokens.new_tensor([tokens.numel()])])
    bounds = torch.unique_consecutive(bounds)
    return bounds.to(torch.int32)


def packed_attention(x, tokens, w_qkv, n_heads):
    n, d = x.shape
    q, k, v = F.linear(x, w_qkv).view(n, 3, n_heads, d // n_heads).unbind(1)
    cu = cumulative_lengths(tokens)
    longest = int((cu[1:] - cu[:-1]).max())
    return flash_attn_varlen_func(q, k, v, cu, cu, longest, longest, causal=True)
