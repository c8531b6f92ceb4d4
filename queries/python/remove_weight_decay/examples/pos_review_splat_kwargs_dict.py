# example: optimizer hyperparameters kept in a module-level dict with weight_decay 0.0 and splatted into AdamW (**ADAM_KW); a second Adam on scalars also gets no decay; positive.
import torch
import torch.nn as nn

ADAM_KW = dict(lr=1.8e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0)

model = nn.Sequential(nn.Embedding(50304, 384), nn.LayerNorm(384), nn.Linear(384, 50304, bias=False))
matrices = [p for p in model.parameters() if p.ndim >= 2]
vectors = [p for p in model.parameters() if p.ndim < 2]

opt_matrices = torch.optim.AdamW(matrices, **ADAM_KW)
opt_vectors = torch.optim.Adam(vectors, lr=1e-3, betas=(0.9, 0.95))

for step in range(100):
    tokens = torch.randint(0, 50304, (4, 32))
    logits = model(tokens)
    loss = nn.functional.cross_entropy(logits.flatten(0, 1), tokens.flatten())
    loss.backward()
    for opt in (opt_matrices, opt_vectors):
        opt.step()
        opt.zero_grad(set_to_none=True)
