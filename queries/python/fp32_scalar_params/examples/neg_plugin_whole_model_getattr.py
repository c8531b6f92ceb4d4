# example: the same getattr-resolved precision plugin, but convert() casts the whole net with net.to(dtype=self.half), so the scalar lambdas and skip weights become bf16 along with everything else; negative.
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class PrecisionCfg:
    embedding_dtype: str = "bfloat16"


class CastLinear(nn.Linear):
    def __init__(self, d_in, d_out):
        super().__init__(d_in, d_out, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class EmbeddingPrecision:
    def __init__(self, cfg: PrecisionCfg):
        self.half = getattr(torch, cfg.embedding_dtype)

    def convert(self, net: nn.Module) -> nn.Module:
        net = net.to(dtype=self.half)
        return net


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = CastLinear(width, 4 * width)
        self.proj = CastLinear(4 * width, width)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        return x + self.proj(F.relu(self.fc(F.rms_norm(x, (x.size(-1),)))).square())


class GPT(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=8):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList(Block(width) for _ in range(depth))
        self.skip_weights = nn.Parameter(torch.ones(depth // 2))
        self.lm_head = CastLinear(width, vocab)

    def forward(self, idx):
        x = x0 = F.rms_norm(self.embed(idx), (self.embed.embedding_dim,))
        half = len(self.blocks) // 2
        skips = []
        for i, blk in enumerate(self.blocks):
            if i >= half:
                x = x + self.skip_weights[i - half] * skips.pop()
            x = blk(x, x0)
            if i < half:
                skips.append(x)
        return self.lm_head(F.rms_norm(x, (x.size(-1),))).float()


class LitGPT:
    def __init__(self, cfg: PrecisionCfg):
        self.precision = EmbeddingPrecision(cfg)
        self.net = self.precision.convert(GPT().cuda())

    def training_step(self, idx, targets):
        logits = self.net(idx)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


module = LitGPT(PrecisionCfg())
print({n: p.dtype for n, p in module.net.named_parameters() if p.ndim < 2})
