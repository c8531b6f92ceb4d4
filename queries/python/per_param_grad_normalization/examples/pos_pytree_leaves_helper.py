# example: gradients gathered into a dict keyed by parameter name, handed to a helper that takes the dict's leaves (torch.utils._pytree.tree_leaves) and divides each by its own norm plus eps with torch._foreach_* ops; positive.
import torch
from torch.utils._pytree import tree_leaves


def unit_scale(grad_tree, eps=1e-7):
    flat = tree_leaves(grad_tree)
    torch._foreach_div_(flat, torch._foreach_add(torch._foreach_norm(flat), eps))


net = torch.nn.Sequential(torch.nn.Linear(10, 20), torch.nn.GELU(), torch.nn.Linear(20, 1))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for _ in range(100):
    out = net(torch.randn(4, 10)).pow(2).mean()
    out.backward()
    unit_scale({name: w.grad for name, w in net.named_parameters()})
    opt.step()
    opt.zero_grad()
