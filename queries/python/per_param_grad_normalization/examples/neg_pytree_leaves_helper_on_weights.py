# example (negative): the same leaves helper divides each tensor by its own norm, but it is handed the weights (a dict of parameters), not their gradients: weight normalization, not gradient normalization; negative.
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
    opt.step()
    with torch.no_grad():
        unit_scale({name: w for name, w in net.named_parameters()})
    opt.zero_grad()
