# example: a dataclass bool field fused_optimizer = True is passed as fused= to an imported AdamW alias; positive (flag resolved through config and import alias).
from dataclasses import dataclass
import torch
from torch.optim import AdamW as DecoupledAdam


@dataclass
class OptCfg:
    lr: float = 0.0036
    weight_decay: float = 0.0
    fused_optimizer: bool = True


cfg = OptCfg()
net = torch.nn.TransformerEncoderLayer(768, 12, batch_first=True).cuda()
opt = DecoupledAdam(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, fused=cfg.fused_optimizer)
for step in range(5):
    net(torch.randn(2, 64, 768, device="cuda")).square().mean().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
