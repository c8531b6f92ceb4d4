# example: the same plan-carried rotation object and varlen kernel, but only the queries go through the rms helper; the keys are rotated unnormalized. NOT present.
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from flash_attn import flash_attn_varlen_func
from torch import Tensor, nn


def unit_rms(t: Tensor) -> Tensor:
    return F.rms_norm(t, (t.shape[-1],))


class HalfTurn(nn.Module):
    def __init__(self, width: int, horizon: int):
        super().__init__()
        rates = 1.0 / (4096.0 ** (torch.arange(0, width, 2).float() / width))
        angle = torch.outer(torch.arange(horizon).float(), rates)
        self.register_buffer("c", angle.cos(), persistent=False)
        self.register_buffer("s", angle.sin(), persistent=False)

    def spin(self, t: Tensor) -> Tensor:
        n = t.shape[-3]
        c, s = self.c[:n, None, :], self.s[:n, None, :]
        lo, hi = t.float().chunk(2, dim=-1)
        return torch.cat([lo * c - hi * s, lo * s + hi * c], dim=-1).to(t.dtype)


@dataclass
class LayerPlan:
    doc_starts: Tensor
    longest: int
    turner: HalfTurn


class Mixer(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.width, self.heads = width, heads

    def forward(self, h: Tensor, plan: LayerPlan, bank: Tensor) -> Tensor:
        n = h.shape[0]
        packed = F.linear(h, bank[: 3 * self.width]).view(n, 3 * self.heads, self.width // self.heads)
        q, k, v = packed.split(self.heads, dim=1)
        q = unit_rms(q)
        turner = plan.turner
        q, k = turner.spin(q[None])[0], turner.spin(k[None])[0]
        out = flash_attn_varlen_func(q, k, v, cu_seqlens_q=plan.doc_starts, cu_seqlens_k=plan.doc_starts,
                                     max_seqlen_q=plan.longest, max_seqlen_k=plan.longest, causal=True)
        return F.linear(out.reshape(n, self.width), bank[3 * self.width:])
