"""
Training script.  Single GPU:
    $ python train.py
DDP on a node:
    $ torchrun --standalone --nproc_per_node=8 train.py
"""
import glob
import os
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from configurator import AttrDict, load_config
from model import GPT, GPTConfig

cfg = AttrDict(load_config())

# -----------------------------------------------------------------------------
# data


def _load_shard(path):
    header = np.fromfile(path, dtype=np.int32, count=256)
    assert header[0] == 20240520, "magic number mismatch"
    ntok = int(header[2])
    with open(path, "rb") as f:
        f.seek(256 * 4)
        tokens = np.frombuffer(f.read(), dtype=np.uint16)
    assert len(tokens) == ntok
    return tokens


class ShardedLoader:

    def __init__(self, pattern, B, T, rank, world):
        self.files = sorted(glob.glob(pattern))
        assert self.files, f"no files match {pattern}"
        self.B, self.T, self.rank, self.world = B, T, rank, world
        self.reset()

    def reset(self):
        self.shard = 0
        self.tokens = _load_shard(self.files[0])
        self.pos = self.rank * self.B * self.T

    def next_batch(self):
        B, T = self.B, self.T
        chunk = self.tokens[self.pos: self.pos + B * T + 1].astype(np.int64)
        x = torch.from_numpy(chunk[:-1]).view(B, T)
        y = torch.from_numpy(chunk[1:]).view(B, T)
        self.pos += B * T * self.world
        if self.pos + B * T * self.world + 1 > len(self.tokens):
            self.shard = (self.shard + 1) % len(self.files)
            self.tokens = _load_shard(self.files[self.shard])
            self.pos = self.rank * B * T
        return x.cuda(), y.cuda()


# -----------------------------------------------------------------------------
# distributed setup

ddp = int(os.environ.get("RANK", -1)) != -1
if ddp:
    dist.init_process_group(backend="nccl")
    rank = int(os.environ["RANK"])
    local_rank = int(os.environ["LOCAL_RANK"])
    world = int(os.environ["WORLD_SIZE"])
else:
    rank, local_rank, world = 0, 0, 1
device = f"cuda:{local_rank}"
torch.cuda.set_device(device)
master = rank == 0
torch.manual_seed(cfg.seed + rank)

tokens_per_step = cfg.device_batch_size * cfg.sequence_length * world
if master:
    print(f"tokens per optimizer step: {tokens_per_step:,}")

train_loader = ShardedLoader(cfg.input_bin, cfg.device_batch_size, cfg.sequence_length, rank, world)
val_loader = ShardedLoader(cfg.input_val_bin, cfg.device_batch_size, cfg.sequence_length, rank, world)

# -----------------------------------------------------------------------------
# model + optimizer

gcfg = GPTConfig(
    vocab_size=cfg.vocab_size,
    n_layer=cfg.n_layer,
    n_head=cfg.n_head,
    n_embd=cfg.n_embd,
    rope_base=cfg.rope_base,
)
model = GPT(gcfg).to(device)
if cfg.compile:
    model = torch.compile(model)
if ddp:
    model = DDP(model, device_ids=[local_rank])
raw_model = model.module if ddp else model

decay, no_decay = [], []
for n, p in raw_model.named_parameters():
    (decay if p.dim() >= 2 else no_decay).append(p)
optimizer = torch.optim.AdamW(
    [
        {"params": decay, "weight_decay": cfg.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ],
    lr=cfg.learning_rate,
    betas=(cfg.beta1, cfg.beta2),
)


def lr_at(it):
    """Linear ramp for warmup_iters, flat top, linear ramp to zero over the
    final warmdown_iters iterations."""
    if it < cfg.warmup_iters:
        return cfg.learning_rate * (it + 1) / cfg.warmup_iters
    remaining = cfg.max_iters - it
    if remaining > cfg.warmdown_iters:
        return cfg.learning_rate
    return cfg.learning_rate * remaining / cfg.warmdown_iters


def normalize_grads_(params, eps=1e-6):
    # instead of clipping the global norm, give every tensor a unit-norm gradient
    for p in params:
        if p.grad is None:
            continue
        p.grad.div_(p.grad.norm() + eps)


@torch.no_grad()
def evaluate():
    model.eval()
    val_loader.reset()
    steps = cfg.eval_tokens // tokens_per_step
    total = torch.zeros((), device=device)
    for _ in range(steps):
        x, y = val_loader.next_batch()
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
            _, loss = model(x, y, return_logits=False)
        total += loss
    total /= steps
    if ddp:
        dist.all_reduce(total, op=dist.ReduceOp.AVG)
    model.train()
    return total.item()


# -----------------------------------------------------------------------------
# loop

os.makedirs(cfg.out_dir, exist_ok=True)
x, y = train_loader.next_batch()
t0 = time.time()
for it in range(cfg.max_iters + 1):
    last = it == cfg.max_iters
    if it % cfg.eval_interval == 0 or last:
        vl = evaluate()
        if master:
            print(f"step {it}: val loss {vl:.4f}")
    if last:
        break

    for group in optimizer.param_groups:
        group["lr"] = lr_at(it)

    with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
        _, loss = model(x, y, return_logits=False)
    x, y = train_loader.next_batch()
    loss.backward()
    normalize_grads_(model.parameters())
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)

    if master and it % cfg.log_interval == 0:
        torch.cuda.synchronize()
        dt = time.time() - t0
        t0 = time.time()
        print(f"iter {it}: loss {loss.item():.4f}, lr {lr_at(it):.2e}, {dt*1000:.0f}ms")

if master:
    torch.save({"model": raw_model.state_dict(), "config": dict(cfg)}, os.path.join(cfg.out_dir, "ckpt.pt"))
if ddp:
    dist.destroy_process_group()
