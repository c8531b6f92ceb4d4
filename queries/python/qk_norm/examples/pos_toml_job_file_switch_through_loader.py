# example: the model section of an embedded TOML job file turns per-head query/key RMS norms on; the document reaches
# `tomllib.loads` through a loader class method's parameter and a default used when no file is given, and overrides the
# dataclass default (off); positive.
import tomllib
from dataclasses import dataclass, field, fields
import torch
import torch.nn.functional as F
from torch import nn

DEFAULT_TOML = """
[model]
dim = 768
qk_norm = true
"""

@dataclass
class Model:
    dim: int = 768
    qk_norm: bool = False

@dataclass
class JobConfig:
    model: Model = field(default_factory=Model)

    @classmethod
    def from_toml(cls, text):
        raw = tomllib.loads(text)
        cfg = cls()
        for f in fields(cls):
            section = getattr(cfg, f.name)
            for k, v in raw.get(f.name, {}).items():
                setattr(section, k, v)
        return cfg

def parse_args(path=None):
    text = open(path).read() if path else DEFAULT_TOML
    return JobConfig.from_toml(text)

class Attention(nn.Module):
    def __init__(self, m: Model):
        super().__init__()
        self.qk_norm = m.qk_norm
        self.wqkv = nn.Linear(m.dim, 3 * m.dim, bias=False)
        self.heads = 6
    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.wqkv(x).view(b, t, 3, self.heads, -1).unbind(2)
        if self.qk_norm:
            q = F.rms_norm(q, (q.size(-1),))
            k = F.rms_norm(k, (k.size(-1),))
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return y.transpose(1, 2).reshape(b, t, d)

cfg = parse_args()
attn = Attention(cfg.model)
