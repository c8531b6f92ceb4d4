# example: dataclass fields embed_lr 0.6 and head_lr 0.008 (post double_lr values) feed separate AdamW optimizers with weight_decay 0; positive (still a high-LR embedding group).
from dataclasses import dataclass
import torch
import torch.nn as nn


@dataclass
class LRConfig:
    embed_lr: float = 0.6
    head_lr: float = 0.008
    matrix_lr: float = 0.04
    betas: tuple = (0.9, 0.95)


def make_optimizers(model: nn.Module, cfg: LRConfig):
    emb_opt = torch.optim.AdamW([model.embed.weight], lr=cfg.embed_lr, betas=cfg.betas, weight_decay=0.0)
    head_opt = torch.optim.AdamW([model.head.weight], lr=cfg.head_lr, betas=cfg.betas, weight_decay=0.0)
    body_opt = torch.optim.SGD(model.body.parameters(), lr=cfg.matrix_lr, momentum=0.95, nesterov=True)
    return [emb_opt, head_opt, body_opt]


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50304, 768)
        self.body = nn.Linear(768, 768, bias=False)
        self.head = nn.Linear(768, 50304, bias=False)


opts = make_optimizers(Model(), LRConfig())
