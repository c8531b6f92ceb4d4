# example: functional loss: a softcap(z, cap) helper with cap defaulting to 15 applied to h @ W_out before cross_entropy; positive.
import torch
import torch.nn.functional as F


def softcap(z, cap=15.0):
    return cap * torch.tanh(z / cap)


def loss_fn(params, idx, targets):
    h = params["emb"][idx]
    h = h + torch.relu(h @ params["w1"]) @ params["w2"]
    logits = softcap(F.rms_norm(h, (h.size(-1),)) @ params["w_out"])
    return F.cross_entropy(logits.float().flatten(0, 1), targets.flatten())


D, V = 128, 50304
params = {"emb": torch.randn(V, D) * 0.02, "w1": torch.randn(D, 4 * D) * 0.02, "w2": torch.zeros(4 * D, D), "w_out": torch.zeros(D, V)}
for p in params.values():
    p.requires_grad_(True)
idx = torch.randint(0, V, (2, 8))
loss_fn(params, idx[:, :-1], idx[:, 1:]).backward()
