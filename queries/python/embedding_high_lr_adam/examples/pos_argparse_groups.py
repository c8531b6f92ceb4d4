# example: argparse defaults --embed-lr 0.6 / --head-lr 0.008 feed dict(params=..., lr=...) groups of one Adam; params lists are built from the model (table weight, head weight); `from torch import Tensor, nn`; positive (argparse + groups, later-record layout).
import argparse
import torch
from torch import Tensor, nn

parser = argparse.ArgumentParser()
parser.add_argument("--embed-lr", type=float, default=0.6)
parser.add_argument("--head-lr", type=float, default=0.008)
parser.add_argument("--scalar-lr", type=float, default=0.04)
args = parser.parse_args()


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(12))
        self.scales = nn.Parameter(torch.ones(12))
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx: Tensor) -> Tensor:
        x = self.embed(idx)
        for i, b in enumerate(self.blocks):
            x = x + self.scales[i] * b(x)
        return self.lm_head(x)


model = GPT()
embed_params = [model.embed.weight]
head_params = [model.lm_head.weight]
scalar_params = [p for p in model.parameters() if p.ndim < 2]
adam = torch.optim.Adam([dict(params=head_params, lr=args.head_lr), dict(params=embed_params, lr=args.embed_lr),
                         dict(params=scalar_params, lr=args.scalar_lr)], betas=(0.8, 0.95), eps=1e-10)
