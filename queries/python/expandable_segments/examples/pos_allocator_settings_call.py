# example: the CUDA caching allocator is switched at runtime with torch.cuda.memory._set_allocator_settings("expandable_segments:True") before training; a third spelling.
import torch
from torch import nn


def configure_allocator(expandable: bool = True):
    if expandable:
        torch.cuda.memory._set_allocator_settings("expandable_segments:True")


def train(model: nn.Module, batches, opt):
    for x, y in batches:
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)


if __name__ == "__main__":
    configure_allocator()
    net = nn.Linear(512, 10).cuda()
    train(net, [(torch.randn(8, 512, device="cuda"), torch.zeros(8, dtype=torch.long, device="cuda"))],
          torch.optim.SGD(net.parameters(), lr=0.1))
