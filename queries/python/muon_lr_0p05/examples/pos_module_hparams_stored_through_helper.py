# example: a Lightning-style module keeps its constructor's keywords through a save_hyperparameters helper (SimpleNamespace(**kwargs)), and configure_optimizers builds Muon with lr=hp.muon_lr from the construction LitGPT(muon_lr=0.05, ...); positive.
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


lit = LitGPT(muon_lr=0.05, muon_momentum=0.95)
optimizer = lit.configure_optimizers()
