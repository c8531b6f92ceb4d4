# example: no optimizer class - a function called each step keeps momentum per matrix and applies U @ V^T from an SVD of it; embeddings use Adam; positive (exact orthogonalization, functional layout).
import torch
import torch.nn as nn

model = nn.ModuleDict({
    "embed": nn.Embedding(50304, 512),
    "mlp_in": nn.Linear(512, 2048, bias=False),
    "mlp_out": nn.Linear(2048, 512, bias=False),
})
matrices = [model["mlp_in"].weight, model["mlp_out"].weight]
velocity = {id(w): torch.zeros_like(w) for w in matrices}
adam = torch.optim.Adam(model["embed"].parameters(), lr=0.3, betas=(0.9, 0.95))


@torch.no_grad()
def orthogonal_momentum_step(weights, lr=0.02, beta=0.95):
    for w in weights:
        v = velocity[id(w)]
        v.mul_(beta).add_(w.grad)
        direction = w.grad + beta * v
        U, _, Vh = torch.linalg.svd(direction.float(), full_matrices=False)
        w.sub_(lr * (U @ Vh).to(w.dtype))


for step in range(100):
    tok = torch.randint(0, 50304, (4, 64))
    h = model["embed"](tok)
    out = model["mlp_out"](torch.relu(model["mlp_in"](h)))
    out.pow(2).mean().backward()
    orthogonal_momentum_step(matrices)
    adam.step()
    model.zero_grad(set_to_none=True)
