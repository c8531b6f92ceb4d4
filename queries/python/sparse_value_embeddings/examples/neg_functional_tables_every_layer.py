# example: functional model with value-embedding tables looked up by F.embedding, mirrored U-net style so every layer gets a table (none is None); negative.
import torch
import torch.nn.functional as F

N_LAYERS, N_TABLES = 12, 6


def table_for_layer(i):
    if i < N_TABLES:
        return i
    return N_LAYERS - 1 - i


def attn(p, x, ve):
    v = F.linear(x, p["v"])
    if ve is not None:
        v = 0.5 * v + 0.5 * ve
    return F.linear(v, p["o"])


def forward(params, idx):
    x = F.embedding(idx, params["embed"])
    tables = [F.embedding(idx, w) for w in params["value_embeds"]]
    ve = [tables[table_for_layer(i)] for i in range(N_LAYERS)]
    for i, p in enumerate(params["blocks"]):
        x = x + attn(p, x, ve[i])
    return x


D = 32
params = {"embed": torch.randn(100, D), "value_embeds": [torch.randn(100, D) for _ in range(N_TABLES)],
          "blocks": [{"v": torch.randn(D, D), "o": torch.zeros(D, D)} for _ in range(N_LAYERS)]}
out = forward(params, torch.randint(0, 100, (1, 16)))
