"""Port of a small JAX/Flax-free GPT trainer to PyTorch, keeping the functional style:
parameters are a nested dict ("pytree"), the model is a pure function
`apply(params, tokens)`, and optimizers are pure `update(grads, state, params)` functions.
"""
import glob
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

CFG = dict(vocab=50257, width=768, depth=12, heads=6, ffw_mult=4, seq=1024, batch=32,
           steps=3200, warmup=200, cap=30.0, seed=0,
           lr=dict(embed=0.3, unembed=0.002, scalar=0.02, matrix=0.02),
           b1=0.9, b2=0.95, eps=1e-8, mom_lo=0.85, mom_hi=0.95, mom_ramp=500)


# ---------------------------------------------------------------- pytree helpers
def tree_flatten(tree, prefix=()):
    if isinstance(tree, dict):
        out = []
        for k in sorted(tree):
            out += tree_flatten(tree[k], prefix + (k,))
        return out
    if isinstance(tree, (list, tuple)):
        out = []
        for i, v in enumerate(tree):
            out += tree_flatten(v, prefix + (str(i),))
        return out
    return [(prefix, tree)]


def tree_map(fn, tree):
    if isinstance(tree, dict):
        return {k: tree_map(fn, v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(tree_map(fn, v) for v in tree)
    return fn(tree)


# ---------------------------------------------------------------- init
def init_params(cfg, device):
    g = torch.Generator().manual_seed(cfg["seed"])
    D, V = cfg["width"], cfg["vocab"]

    def lecun(fan_out, fan_in):
        return torch.randn(fan_out, fan_in, generator=g) * fan_in ** -0.5

    blocks = []
    for _ in range(cfg["depth"]):
        blocks.append({
            "attn": {"wq": lecun(D, D), "wk": lecun(D, D), "wv": lecun(D, D),
                     "wo": torch.zeros(D, D), "v_gate": torch.tensor(0.5)},
            "mlp": {"w_in": lecun(cfg["ffw_mult"] * D, D), "w_out": torch.zeros(D, cfg["ffw_mult"] * D)},
            "resid": torch.tensor([1.0, 0.0]),
        })
    params = {"embed": torch.randn(V, D, generator=g),
              "unembed": torch.zeros(V, D),
              "blocks": blocks}
    return tree_map(lambda t: t.to(device).requires_grad_(True), params)


# ---------------------------------------------------------------- pure model
def rms_normalize(x, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


def rope_tables(T, hd, device):
    inv = 1.0 / (10000 ** (torch.arange(0, hd, 2, device=device, dtype=torch.float32) / hd))
    phase = torch.arange(T, device=device, dtype=torch.float32)[:, None] * inv[None, :]
    return phase.cos(), phase.sin()


def rotate(x, cos, sin):
    h = x.shape[-1] // 2
    x1, x2 = x[..., :h], x[..., h:]
    cos, sin = cos.to(x.dtype), sin.to(x.dtype)
    return torch.cat([x1 * cos + x2 * sin, x2 * cos - x1 * sin], dim=-1)


def attention(p, x, v_first, cos, sin, n_heads):
    B, T, D = x.shape
    hd = D // n_heads
    heads = lambda t: t.view(B, T, n_heads, hd).transpose(1, 2)
    q, k, v = heads(x @ p["wq"].T), heads(x @ p["wk"].T), heads(x @ p["wv"].T)
    if v_first is None:
        v_first = v
    v = (1.0 - p["v_gate"]) * v + p["v_gate"] * v_first
    q, k = rms_normalize(q), rms_normalize(k)
    q, k = rotate(q, cos, sin), rotate(k, cos, sin)
    o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return o.transpose(1, 2).reshape(B, T, D) @ p["wo"].T, v_first


def mlp(p, x):
    h = x @ p["w_in"].T
    h = torch.where(h > 0, h * h, torch.zeros_like(h))
    return h @ p["w_out"].T


def apply(params, tokens, cfg):
    T = tokens.shape[1]
    cos, sin = rope_tables(T, cfg["width"] // cfg["heads"], tokens.device)
    x0 = rms_normalize(F.embedding(tokens, params["embed"]))
    x, v_first = x0, None
    for bp in params["blocks"]:
        x = bp["resid"][0] * x + bp["resid"][1] * x0
        a, v_first = attention(bp["attn"], rms_normalize(x), v_first, cos, sin, cfg["heads"])
        x = x + a
        x = x + mlp(bp["mlp"], rms_normalize(x))
    logits = rms_normalize(x) @ params["unembed"].T
    return cfg["cap"] * torch.tanh(logits / cfg["cap"])


def loss_fn(params, tokens, targets, cfg):
    logits = apply(params, tokens, cfg)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


# ---------------------------------------------------------------- pure optimizers
def label_fn(path, leaf):
    if path[0] == "embed":
        return "embed"
    if path[0] == "unembed":
        return "unembed"
    return "scalar" if leaf.ndim < 2 else "matrix"


def orthogonalize_update(m, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = m.to(torch.bfloat16)
    t = m.shape[0] > m.shape[1]
    x = x.transpose(0, 1) if t else x
    x = x / (torch.sqrt((x.float() ** 2).sum()).to(x.dtype) + 1e-7)
    for _ in range(iters):
        s = x @ x.transpose(0, 1)
        sx = s @ x
        x = a * x + b * sx + c * (s @ sx)
    return x.transpose(0, 1) if t else x


def adam_update(g, st, lr, step, cfg):
    st["mu"].mul_(cfg["b1"]).add_(g, alpha=1 - cfg["b1"])
    st["nu"].mul_(cfg["b2"]).addcmul_(g, g, value=1 - cfg["b2"])
    mu_hat = st["mu"] / (1 - cfg["b1"] ** step)
    nu_hat = st["nu"] / (1 - cfg["b2"] ** step)
    return -lr * mu_hat / (nu_hat.sqrt() + cfg["eps"])


def muon_update(g, st, lr, momentum):
    st["mu"].mul_(momentum).add_(g)
    look = g + momentum * st["mu"]
    return -lr * orthogonalize_update(look).to(g.dtype)


def init_opt_state(params):
    return {path: {"mu": torch.zeros_like(leaf), "nu": torch.zeros_like(leaf)}
            for path, leaf in tree_flatten(params)}


def lr_multiplier(step, cfg):
    """Linear warmup then a straight line down to zero at the final step."""
    w, n = cfg["warmup"], cfg["steps"]
    if step < w:
        return (step + 1) / w
    return max(0.0, (n - step) / (n - w))


@torch.no_grad()
def apply_updates(params, grads, opt_state, step, cfg):
    mult = lr_multiplier(step, cfg)
    ramp = min(step / cfg["mom_ramp"], 1.0)
    momentum = cfg["mom_lo"] + (cfg["mom_hi"] - cfg["mom_lo"]) * ramp
    for (path, leaf), g in zip(tree_flatten(params), grads):
        kind = label_fn(path, leaf)
        lr = cfg["lr"][kind] * mult
        if kind == "matrix":
            delta = muon_update(g, opt_state[path], lr, momentum)
        else:
            delta = adam_update(g, opt_state[path], lr, step + 1, cfg)
        leaf.add_(delta)


# ---------------------------------------------------------------- data
def data_stream(pattern, B, T):
    for path in sorted(glob.glob(pattern)):
        arr = np.memmap(path, dtype=np.uint16, mode="r", offset=1024)
        for i in range(0, len(arr) - B * T - 1, B * T):
            chunk = torch.as_tensor(arr[i:i + B * T + 1].astype(np.int64))
            yield chunk[:-1].reshape(B, T), chunk[1:].reshape(B, T)


def main():
    device = "cuda"
    params = init_params(CFG, device)
    opt_state = init_opt_state(params)
    leaves = [leaf for _, leaf in tree_flatten(params)]
    grad_fn = torch.compile(loss_fn)
    stream = data_stream("data/fineweb10B/fineweb_train_*.bin", CFG["batch"], CFG["seq"])
    t0 = time.time()
    for step in range(CFG["steps"]):
        x, y = next(stream)
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = grad_fn(params, x, y, CFG)
        grads = torch.autograd.grad(loss, leaves)
        apply_updates(params, grads, opt_state, step, CFG)
        if step % 100 == 0:
            print(f"step={step} loss={float(loss):.4f} lr_mult={lr_multiplier(step, CFG):.3f} "
                  f"elapsed={time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
