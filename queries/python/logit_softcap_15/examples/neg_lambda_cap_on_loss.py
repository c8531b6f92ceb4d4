# example: near miss - a module-level lambda caps at 15, but it is applied to the per-token losses, not to the
# logits; negative.
import torch
import torch.nn.functional as F

squash = lambda z, c=15.0: c * torch.tanh(z / c)


def objective(weights, tokens, labels):
    h = F.embedding(tokens, weights["emb"])
    for w in weights["layers"]:
        h = h + F.gelu(F.layer_norm(h, (h.size(-1),)) @ w)
    scores = F.layer_norm(h, (h.size(-1),)) @ weights["out"].T
    per_token = F.cross_entropy(scores.float().flatten(0, 1), labels.flatten(), reduction="none")
    return squash(per_token).mean()
