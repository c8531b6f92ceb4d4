# example: functional model whose unembedding matrix is created with torch.zeros(d, V) while the token table is random; logits = h @ unembed; positive.
import torch
import torch.nn.functional as F

VOCAB, DIM = 50304, 256


def make_params(seed=0):
    g = torch.Generator().manual_seed(seed)
    emb = torch.randn(VOCAB, DIM, generator=g) * 0.02
    hidden = [torch.randn(DIM, DIM, generator=g) * DIM ** -0.5 for _ in range(4)]
    unembed = torch.zeros(DIM, VOCAB)
    return emb, hidden, unembed


def forward(emb, hidden, unembed, idx):
    h = emb[idx]
    for w in hidden:
        h = h + F.relu(F.rms_norm(h, (DIM,)) @ w).square()
    return F.rms_norm(h, (DIM,)) @ unembed


emb, hidden, unembed = make_params()
logits = forward(emb, hidden, unembed, torch.randint(0, VOCAB, (2, 8)))
