# example: getattr(prec, "compute_dtype", "float16") where the config field is "bfloat16" (default unused); positive.
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


class MasterLinear(nn.Linear):
    def __init__(self, d_in, d_out):
        super().__init__(d_in, d_out, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.up = MasterLinear(width, 4 * width)
        self.down = MasterLinear(4 * width, width)

    def forward(self, x):
        h = F.rms_norm(x, (x.size(-1),))
        return x + self.down(F.gelu(self.up(h)))


class GPT(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=8):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList(Block(width) for _ in range(depth))
        self.head = MasterLinear(width, vocab)

    def forward(self, idx):
        x = self.tok(idx)
        for blk in self.blocks:
            x = blk(x)
        return self.head(F.rms_norm(x, (x.size(-1),))).float()


@dataclass
class PrecisionCfg:
    compute_dtype: str = "bfloat16"
    master_dtype: str = "float32"


class PrecisionPlugin:
    def __init__(self, prec):
        self.compute = getattr(torch, getattr(prec, "compute_dtype", "float16"))
        self.master = getattr(torch, getattr(prec, "master_dtype", "float32"))

    def attach(self, net):
        net = net.to(dtype=self.compute)
        for m in net.modules():
            if isinstance(m, MasterLinear):
                m.to(dtype=self.master)
        return net


class LitGPT:
    def __init__(self, prec: PrecisionCfg):
        self.plugin = PrecisionPlugin(prec)
        net = GPT()
        self.net = self.plugin.attach(net.cuda())

    def training_step(self, idx, targets):
        logits = self.net(idx)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    def configure_optimizers(self):
        return torch.optim.Adam(self.net.parameters(), lr=1e-3, betas=(0.9, 0.95))


module = LitGPT(PrecisionCfg())
opt = module.configure_optimizers()
for _ in range(50):
    idx = torch.randint(0, 50304, (4, 512), device="cuda")
    module.training_step(idx, idx.roll(-1, dims=1)).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
