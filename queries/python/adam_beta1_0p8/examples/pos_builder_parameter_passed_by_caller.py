# example: an optimizer builder takes the Adam betas as a parameter defaulting to (0.9, 0.99) and hands them to every Adam through a small lambda; the one call of the builder passes (0.8, 0.95); positive.
import torch
from torch import nn


def make_optimizers(model, embed_lr=0.1, head_lr=0.001, adam_betas=(0.9, 0.99)):
    adam = lambda params, lr: torch.optim.Adam(params, lr=lr, betas=adam_betas, fused=True)
    return adam([model.embed.weight], embed_lr), adam([model.head.weight], head_lr)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50304, 768)
        self.head = nn.Linear(768, 50304, bias=False)


net = Net().cuda()
opt_embed, opt_head = make_optimizers(net, embed_lr=0.6, head_lr=0.008, adam_betas=(0.8, 0.95))
