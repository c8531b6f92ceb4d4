# example: a packing record (a dataclass with the cumulative document starts found at the end-of-text tokens) is built by a helper and handed to the attention's forward, which gives its field to flash-attn's varlen kernel with causal=True: attention stays causal inside each document. Present.
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
    bounds = (tokens == EOT).nonzero().flatten()
    starts = torch.cat([torch.zeros(1, dtype=torch.int32, device=tokens.device), (bounds + 1).int()])
    starts = torch.unique(torch.cat([starts, torch.tensor([tokens.numel()], dtype=torch.int32, device=tokens.device)]))
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
