# example: near miss - the builder's betas parameter defaults to (0.8, 0.95), but its one call passes (0.9, 0.95), which is what every Adam gets; negative.
import torch
from torch import nn


def make_optimizers(model, embed_lr=0.1, head_lr=0.001, adam_betas=(0.8, 0.95)):
    adam = lambda params, lr: torch.optim.Adam(params, lr=lr, betas=adam_betas, fused=True)
    return adam([model.embed.weight], embed_lr), adam([model.head.weight], head_lr)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50304, 768)
        self.head = nn.Linear(768, 50304, bias=False)


net = Net().cuda()
opt_embed, opt_head = make_optimizers(net, embed_lr=0.6, head_lr=0.008, adam_betas=(0.9, 0.95))
