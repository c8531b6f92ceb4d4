# example: AdamW at 0.0036 for the embeddings and plain SGD-momentum at 0.00036 for hidden matrices, no orthogonalization anywhere; negative (no orthogonalizing optimizer to retune).
import torch
import torch.nn as nn

BASE_LR = 0.0036

embed = nn.Embedding(50304, 768)
hidden = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
optimizers = [
    torch.optim.AdamW(embed.parameters(), lr=BASE_LR, betas=(0.9, 0.95), weight_decay=0.0),
    torch.optim.SGD(hidden.parameters(), lr=0.1 * BASE_LR, momentum=0.95, nesterov=True),
]
for step in range(100):
    x = torch.randint(0, 50304, (4, 64))
    h = embed(x)
    for layer in hidden:
        h = h + torch.relu(layer(h))
    h.square().mean().backward()
    for opt in optimizers:
        opt.step()
        opt.zero_grad(set_to_none=True)
