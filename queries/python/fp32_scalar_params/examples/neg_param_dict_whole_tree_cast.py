# example: the same dictionary with bf16 token tables, but the whole tree is then cast to bf16 (params = map_tree(lambda t: t.bfloat16(), params)); negative.
import torch
import torch.nn.functional as F


def map_tree(fn, tree):
    if isinstance(tree, dict):
        return {k: map_tree(fn, v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(map_tree(fn, v) for v in tree)
    return fn(tree)


def init_params(vocab=50304, width=256, depth=4, tables=2):
    def emb():
        return torch.randn(vocab, width).to(torch.bfloat16)

    def lin(o, i):
        return torch.randn(o, i) / i ** 0.5

    p = {
        "embed": emb(),
        "value_embeds": [emb() for _ in range(tables)],
        "blocks": [{"w": lin(width, width), "gain": torch.ones(width, dtype=torch.float32)} for _ in range(depth)],
        "head": torch.zeros(vocab, width),
    }
    return map_tree(lambda t: t.requires_grad_(True), p)


def forward(params, idx, targets):
    x = F.embedding(idx, params["embed"]).float()
    ve = [F.embedding(idx, w).float() for w in params["value_embeds"]]
    for i, b in enumerate(params["blocks"]):
        x = x + torch.relu(x @ b["w"]) * b["gain"] + ve[i % len(ve)]
    logits = F.linear(x, params["head"])
    return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


params = init_params()
params = map_tree(lambda t: t.bfloat16(), params)
for step in range(100):
    idx = torch.randint(0, 50304, (4, 64))
    loss = forward(params, idx, idx)
    loss.backward()
