# example: functional model: the token table params["wte"] is indexed by ids and the logits come from a separate params["w_out"] matrix (d x V); positive (two different tensors).
import torch
import torch.nn.functional as F

V, D = 50304, 384


def init(seed=0):
    g = torch.Generator().manual_seed(seed)
    return {
        "wte": torch.randn(V, D, generator=g) * 0.02,
        "w_mlp": torch.randn(D, D, generator=g) * 0.02,
        "w_out": torch.zeros(D, V),
    }


def logits_fn(params, idx):
    x = F.rms_norm(params["wte"][idx], (D,))
    x = x + torch.relu(x @ params["w_mlp"])
    return F.rms_norm(x, (D,)) @ params["w_out"]


params = {k: v.requires_grad_() for k, v in init().items()}
idx = torch.randint(0, V, (2, 16))
loss = F.cross_entropy(logits_fn(params, idx).flatten(0, 1).float(), idx.flatten())
loss.backward()
