"""
tinygpt_fn.py -- a deliberately small, functional GPT-2 (124M) trainer.

No nn.Module for the network: every weight lives in a flat dict of leaf tensors and
the forward pass is a pure function of (params, tokens).  Launch with
    torchrun --nproc_per_node=8 tinygpt_fn.py --train "data/fineweb_train_*.bin" --val "data/fineweb_val_*.bin"
"""
import os
import glob
import time
import argparse

import numpy as np
import torch
import torch.nn.functional as F
import torch.distributed as dist

# ----------------------------------------------------------------------------------------------
# config

HP = dict(
    vocab=50257,
    width=768,
    depth=12,
    heads=12,
    ctx=1024,
    micro_batch=64,           # sequences per GPU per step
    total_tokens=524288,      # global tokens per optimizer step
    steps=9536,
    peak_lr=0.0018,
    warmup=256,
    warmdown=2000,
    wd=0.1,
    betas=(0.9, 0.95),
    eval_every=128,
    eval_batches=20,
    seed=1337,
)

# ----------------------------------------------------------------------------------------------
# parameters

def make_params(hp, device):
    gen = torch.Generator().manual_seed(hp["seed"])
    D, V = hp["width"], hp["vocab"]

    def randn(*shape, std=0.02):
        return torch.randn(*shape, generator=gen) * std

    params = {"embed.tok": randn(V, D)}
    for layer in range(hp["depth"]):
        params[f"L{layer}.attn.in"] = randn(3 * D, D)
        params[f"L{layer}.attn.out"] = randn(D, D)
        params[f"L{layer}.ffn.up"] = randn(4 * D, D)
        params[f"L{layer}.ffn.down"] = randn(D, 4 * D)
    return {k: v.to(device).requires_grad_(True) for k, v in params.items()}


# ----------------------------------------------------------------------------------------------
# pure functions

def rms(h, eps=1e-6):
    hf = h.float()
    return (hf * torch.rsqrt(hf.square().mean(dim=-1, keepdim=True) + eps)).type_as(h)


def angle_tables(T, head_dim, device, theta=10000.0):
    exponent = torch.arange(0, head_dim, 2, device=device, dtype=torch.float32) / head_dim
    freqs = theta ** (-exponent)                      # == 1 / theta^(2i/d)
    pos = torch.arange(T, device=device, dtype=torch.float32)
    ang = pos[:, None] * freqs[None, :]               # (T, head_dim/2)
    return ang.cos()[None, :, None, :], ang.sin()[None, :, None, :]


def spin(t, cos, sin):
    # rotate the first half against the second half of every head vector
    lo, hi = t.chunk(2, dim=-1)
    return torch.cat((lo * cos + hi * sin, hi * cos - lo * sin), dim=-1).type_as(t)


def attention(P, i, h, cos, sin, n_head):
    B, T, D = h.shape
    q, k, v = F.linear(h, P[f"L{i}.attn.in"]).split(D, dim=-1)
    q = q.view(B, T, n_head, D // n_head)
    k = k.view(B, T, n_head, D // n_head)
    v = v.view(B, T, n_head, D // n_head)
    q, k = spin(q, cos, sin), spin(k, cos, sin)
    out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
    out = out.transpose(1, 2).reshape(B, T, D)
    return F.linear(out, P[f"L{i}.attn.out"])


def feedforward(P, i, h):
    return F.linear(F.gelu(F.linear(h, P[f"L{i}.ffn.up"])), P[f"L{i}.ffn.down"])


def gpt_loss(P, idx, tgt, hp):
    T = idx.size(1)
    cos, sin = angle_tables(T, hp["width"] // hp["heads"], idx.device)
    h = F.embedding(idx, P["embed.tok"])
    for i in range(hp["depth"]):
        h = h + attention(P, i, rms(h), cos, sin, hp["heads"])
        h = h + feedforward(P, i, rms(h))
    h = rms(h)
    logits = F.linear(h, P["embed.tok"])          # unembedding shares the token table
    logits = logits.float()
    return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


# ----------------------------------------------------------------------------------------------
# data

def read_shard(path):
    with open(path, "rb") as fh:
        header = np.frombuffer(fh.read(256 * 4), dtype=np.int32)
        assert header[0] == 20240520 and header[1] == 1, f"bad shard header in {path}"
        toks = np.frombuffer(fh.read(), dtype=np.uint16)
    assert len(toks) == header[2]
    return toks


def batches(pattern, B, T, rank, world):
    files = sorted(glob.glob(pattern))
    assert files, pattern
    shard, toks, pos = 0, read_shard(files[0]), rank * B * T
    while True:
        if pos + B * T + 1 > len(toks):
            shard = (shard + 1) % len(files)
            toks, pos = read_shard(files[shard]), rank * B * T
        chunk = torch.from_numpy(toks[pos:pos + B * T + 1].astype(np.int64)).pin_memory()
        pos += B * T * world
        x, y = chunk[:-1].view(B, T), chunk[1:].view(B, T)
        yield x.cuda(), y.cuda()


# ----------------------------------------------------------------------------------------------
# schedule

def lr_at(step, hp):
    if step < hp["warmup"]:
        return hp["peak_lr"] * (step + 1) / hp["warmup"]
    if step < hp["steps"] - hp["warmdown"]:
        return hp["peak_lr"]
    return hp["peak_lr"] * (hp["steps"] - step) / hp["warmdown"]


# ----------------------------------------------------------------------------------------------
# runtime

def configure_runtime():
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    # keep the caching allocator from fragmenting on long runs
    os.environ["PYTORCH_CUDA_ALLOC_CONF"] = "expandable_segments:True"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", default=os.environ.get("NANOGPT_TRAIN_FILES", "data/train_*.bin"))
    ap.add_argument("--val", default=os.environ.get("NANOGPT_VAL_FILES", "data/val_*.bin"))
    ap.add_argument("--log", default="runs/fn.log")
    args = ap.parse_args()

    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ.get("LOCAL_RANK", 0))
    torch.cuda.set_device(local)
    device = torch.device("cuda", local)
    master = rank == 0

    hp = HP
    B, T = hp["micro_batch"], hp["ctx"]
    assert B * T * world == hp["total_tokens"], "global batch must be 524288 tokens"

    P = make_params(hp, device)
    for t in P.values():
        dist.broadcast(t.data, src=0)
    configure_runtime()

    opt = torch.optim.AdamW(list(P.values()), lr=hp["peak_lr"], betas=hp["betas"],
                            weight_decay=hp["wd"], fused=True)
    loss_fn = torch.compile(gpt_loss)
    amp = torch.autocast(device_type="cuda", dtype=torch.bfloat16)

    train_it = batches(args.train, B, T, rank, world)
    x, y = next(train_it)
    if master:
        os.makedirs(os.path.dirname(args.log), exist_ok=True)
        open(args.log, "w").close()

    t_start = time.time()
    for step in range(hp["steps"] + 1):
        final = step == hp["steps"]
        if final or step % hp["eval_every"] == 0:
            val_it = batches(args.val, B, T, rank, world)
            with torch.no_grad(), amp:
                vl = torch.zeros((), device=device)
                for _ in range(hp["eval_batches"]):
                    vx, vy = next(val_it)
                    vl += loss_fn(P, vx, vy, hp)
            vl /= hp["eval_batches"]
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if master:
                msg = f"step {step} val {vl.item():.4f} elapsed {time.time() - t_start:.0f}s"
                print(msg)
                with open(args.log, "a") as f:
                    f.write(msg + "\n")
        if final:
            break

        with amp:
            loss = loss_fn(P, x, y, hp)
        x, y = next(train_it)
        loss.backward()

        # plain data parallel: average gradients across ranks by hand
        for g in (p.grad for p in P.values()):
            dist.all_reduce(g, op=dist.ReduceOp.AVG)
        # every tensor's gradient is rescaled to unit L2 norm (no global clipping)
        for p in P.values():
            p.grad.div_(p.grad.norm().add(1e-6))

        lr = lr_at(step, hp)
        for group in opt.param_groups:
            group["lr"] = lr
        opt.step()
        opt.zero_grad(set_to_none=True)

        if master:
            print(f"step {step + 1}/{hp['steps']} loss {loss.item():.4f} lr {lr:.2e}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
