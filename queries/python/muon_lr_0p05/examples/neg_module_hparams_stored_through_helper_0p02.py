# example: the same module and helper, but the construction passes muon_lr=0.02; NOT present.
from types import SimpleNamespace

import torch
from torch import nn
from muon import Muon


def save_hyperparameters(**kwargs):
    return SimpleNamespace(**kwargs)


class LitGPT(nn.Module):
    def __init__(self, **hparams):
        super().__init__()
        self.hparams = save_hyperparameters(**hparams)
        self.blocks = nn.Sequential(*[nn.Linear(768, 768, bias=False) for _ in range(12)])

    def configure_optimizers(self):
        hp = self.hparams
        matrices = [p for p in self.blocks.parameters() if p.ndim == 2]
        return Muon(matrices, lr=hp.muon_lr, momentum=hp.muon_momentum)


lit = LitGPT(muon_lr=0.02, muon_momentum=0.95)
optimizer = lit.configure_optimizers()
