# example: the same packing record and varlen kernel, but the record's starts are fixed strides of 1024 tokens, never the end-of-text positions: sequences are cut at arbitrary points, not at document boundaries. NOT present.
from dataclasses import dataclass
import torch
import torch.nn.functional as F
from flash_attn import flash_attn_varlen_func
from torch import Tensor, nn

EOT = 50256

@dataclass
class Packing:
    starts: Tensor
    longest: int

def pack(tokens: Tensor) -> Packing:
    starts = torch.arange(0, tokens.numel() + 1, 1024, dtype=torch.int32, device=tokens.device)
    return Packing(starts=starts, longest=int((starts[1:] - starts[:-1]).max()))

class Attn(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d)
    def forward(self, x: Tensor, pk: Packing) -> Tensor:
        T, D = x.shape
        q, k, v = self.qkv(x).view(T, 3 * self.h, D // self.h).chunk(3, dim=1)
        y = flash_attn_varlen_func(q, k, v, cu_seqlens_q=pk.starts, cu_seqlens_k=pk.starts, max_seqlen_q=pk.longest, max_seqlen_k=pk.longest, causal=True)
        return y.reshape(T, D)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50304, 64)
        self.attn = Attn(64, 4)
    def forward(self, ids: Tensor) -> Tensor:
        return self.attn(self.emb(ids), pack(ids))
