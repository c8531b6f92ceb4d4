"""
jaxstyle_gpt.py -- init/apply-style GPT in PyTorch: `init(seed)` returns a flat dict of tensors,
`apply(params, tokens)` is a pure function; optimisation state lives in plain dicts too.
"""
import os
import math
import glob
import time

import numpy as np
import torch
import torch.nn.functional as F
import torch.distributed as dist

CFG = dict(vocab=50304, d=768, L=12, H=12, T=1024, B=32, steps=5000, warmup=100, decay=1500,
           lr_adam=0.003, lr_ortho=0.02, betas=(0.9, 0.95), seed=0)


# ====================================================================== init / apply
def init(cfg, device):
    g = torch.Generator().manual_seed(cfg["seed"])
    d, V = cfg["d"], cfg["vocab"]

    def uniform(o, i):
        bound = 0.5 / math.sqrt(i)                      # U(-0.5/sqrt(fan_in), 0.5/sqrt(fan_in))
        return (torch.rand(o, i, generator=g) * 2 - 1) * bound

    p = {"emb": torch.randn(V, d, generator=g) * 0.02}
    for l in range(cfg["L"]):
        p[f"{l}.qkv"] = uniform(3 * d, d)
        p[f"{l}.attn_out"] = torch.zeros(d, d)
        p[f"{l}.mlp_in"] = uniform(4 * d, d)
        p[f"{l}.mlp_out"] = torch.zeros(d, 4 * d)
    return {k: v.to(device).requires_grad_() for k, v in p.items()}


def rope_cis(T, hd, device, base=10000.0):
    inv = base ** (-torch.arange(0, hd, 2, device=device, dtype=torch.float32) / hd)
    ang = torch.outer(torch.arange(T, device=device, dtype=torch.float32), inv)
    return torch.polar(torch.ones_like(ang), ang)          # complex (T, hd/2)


def apply_rope(x, cis):
    # interleaved (even, odd) pairs rotated as complex numbers
    xc = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
    return torch.view_as_real(xc * cis[None, :, None, :]).flatten(-2).type_as(x)


def rmsnorm(x):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)


def apply(p, idx, cfg):
    B, T = idx.shape
    d, H = cfg["d"], cfg["H"]
    cis = rope_cis(T, d // H, idx.device)
    x = p["emb"][idx]
    for l in range(cfg["L"]):
        h = rmsnorm(x)
        q, k, v = (h @ p[f"{l}.qkv"].t()).view(B, T, 3, H, d // H).unbind(2)
        q, k = apply_rope(q, cis), apply_rope(k, cis)
        a = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        x = x + a.transpose(1, 2).reshape(B, T, d) @ p[f"{l}.attn_out"].t()
        h = rmsnorm(x)
        x = x + F.relu(h @ p[f"{l}.mlp_in"].t()).square() @ p[f"{l}.mlp_out"].t()
    return rmsnorm(x) @ p["emb"].t()


def loss_fn(p, idx, tgt, cfg):
    logits = apply(p, idx, cfg).float()
    return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


# ====================================================================== update rules
def ns_orthogonalize(G, n=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    t = X.size(0) > X.size(1)
    X = X.T if t else X
    for _ in range(n):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    return (X.T if t else X).to(G.dtype)


@torch.no_grad()
def ortho_update(params, state, lr, mu=0.95):
    for name, w in params.items():
        buf = state.setdefault(name, torch.zeros_like(w))
        buf.mul_(mu).add_(w.grad)
        g = w.grad + mu * buf
        rows, cols = g.shape
        u = ns_orthogonalize(g)                        # fused qkv is orthogonalized as one (3d x d) matrix
        if rows == 3 * cols:
            scale = cols ** 0.5                        # ... but scaled as if it were three d x d blocks
        else:
            scale = max(rows, cols) ** 0.5
        w.add_(u, alpha=-lr * scale)


@torch.no_grad()
def normalize_grads_(tensors, eps=1e-6):
    """Rescale the full gradient vector (all tensors jointly) to unit L2 norm."""
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(t.grad) for t in tensors]))
    for t in tensors:
        t.grad.div_(total + eps)


def lr_multiplier(step, cfg):
    if step < cfg["warmup"]:
        return (step + 1) / cfg["warmup"]
    return min(1.0, (cfg["steps"] - step) / cfg["decay"])


# ====================================================================== data
def data_iter(pattern, cfg, rank, world, device):
    n = cfg["B"] * cfg["T"]
    files = sorted(glob.glob(pattern))
    k = 0
    while True:
        raw = np.fromfile(files[k % len(files)], dtype=np.uint16, offset=1024)
        for s in range(rank * n, len(raw) - n - 1, world * n):
            chunk = torch.as_tensor(raw[s:s + n + 1].astype(np.int64), device=device)
            yield chunk[:-1].view(cfg["B"], cfg["T"]), chunk[1:].view(cfg["B"], cfg["T"])
        k += 1


# ====================================================================== main
def main(cfg=CFG):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    torch.cuda.set_device(device)

    params = init(cfg, device)
    for t in params.values():
        dist.broadcast(t.data, 0)
    hidden = {k: v for k, v in params.items() if k != "emb"}
    adam = torch.optim.AdamW([params["emb"]], lr=cfg["lr_adam"], betas=cfg["betas"], weight_decay=0.0, fused=True)
    ortho_state = {}
    step_loss = torch.compile(loss_fn)
    data = data_iter(os.environ["NANOGPT_TRAIN_FILES"], cfg, rank, world, device)

    t0 = time.time()
    for step in range(cfg["steps"]):
        idx, tgt = next(data)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = step_loss(params, idx, tgt, cfg)
        loss.backward()
        for t in params.values():
            dist.all_reduce(t.grad, op=dist.ReduceOp.AVG)
        normalize_grads_(list(params.values()))
        m = lr_multiplier(step, cfg)
        adam.param_groups[0]["lr"] = cfg["lr_adam"] * m
        adam.step()
        ortho_update(hidden, ortho_state, cfg["lr_ortho"] * m)
        for t in params.values():
            t.grad = None
        if rank == 0:
            print(f"step {step:5d} loss {loss.item():.4f} lr_mult {m:.3f} {time.time() - t0:.0f}s")
        if rank == 0 and (step + 1) % 1000 == 0:
            torch.save({k: v.detach().cpu() for k, v in params.items()}, f"ckpt_{step + 1}.pt")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
