"""Single-file GPT pretraining, organised the way a multi-module package would be.

Namespaces (each a class of static helpers / nested modules):

    args    -- argument dataclass + defaults
    ops     -- stateless tensor kernels
    layers  -- nn.Module building blocks
    comm    -- process groups, parameter broadcast, hand-rolled gradient buckets
    optim   -- optimizer whose update rule is picked by name
    sched   -- learning-rate schedule
    data    -- token shard iterator

Run with `torchrun --nproc_per_node=8 megablocks_style.py --update_rule orthogonal_nesterov`.
"""
import argparse
import dataclasses
import glob
import math
import os
import time
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F


# =====================================================================================
# args
# =====================================================================================
class args:
    @dataclasses.dataclass
    class Arguments:
        # model
        hidden_size: int = 768
        num_layers: int = 12
        num_attention_heads: int = 6
        seq_length: int = 1024
        vocab_size: int = 50304
        ffn_hidden_size: int = 3072
        # batch
        micro_batch_size: int = 16
        grad_accum: int = 2
        train_iters: int = 5100
        # optimization
        lr: float = 0.0036
        ortho_lr_ratio: float = 0.1
        adam_betas: Tuple[float, float] = (0.9, 0.95)
        adam_weight_decay: float = 0.1
        update_rule: str = "orthogonal_nesterov"
        momentum: float = 0.95
        ns_iters: int = 5
        grad_clip_per_tensor: float = 1.0
        warmup_iters: int = 0
        warmdown_iters: int = 1450
        # comm
        bucket_cap_mb: float = 25.0
        # io
        data_glob: str = "data/fineweb10B/fineweb_train_*.bin"
        val_glob: str = "data/fineweb10B/fineweb_val_*.bin"
        eval_every: int = 125
        eval_tokens: int = 10485760
        log_every: int = 1

    @staticmethod
    def parse() -> "args.Arguments":
        p = argparse.ArgumentParser()
        for f in dataclasses.fields(args.Arguments):
            if f.type in (int, float, str, "int", "float", "str"):
                typ = {"int": int, "float": float, "str": str}.get(f.type, f.type)
                p.add_argument("--" + f.name, type=typ, default=f.default)
        ns = p.parse_args()
        return args.Arguments(**vars(ns))


# =====================================================================================
# ops
# =====================================================================================
class ops:
    NS_COEFFS = (3.4445, -4.7750, 2.0315)

    @staticmethod
    def rmsnorm(x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
        return x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + eps).type_as(x)

    @staticmethod
    def gelu_squared(x: torch.Tensor) -> torch.Tensor:
        return F.gelu(x).square()

    @staticmethod
    def newton_schulz(g: torch.Tensor, iters: int) -> torch.Tensor:
        a, b, c = ops.NS_COEFFS
        x = g.bfloat16()
        x = x / (x.norm() + 1e-7)
        tall = g.size(0) > g.size(1)
        if tall:
            x = x.T
        for _ in range(iters):
            s = x @ x.T
            x = a * x + b * s @ x + c * s @ s @ x
        if tall:
            x = x.T
        return x

    @staticmethod
    def fused_blocks(shape: torch.Size) -> int:
        """How many square blocks a (k*d, d) fused weight is made of (1 if not fused)."""
        rows, cols = shape
        return 3 if rows == 3 * cols else 1

    @staticmethod
    def orthogonal_update(g: torch.Tensor, iters: int) -> torch.Tensor:
        k = ops.fused_blocks(g.shape)
        if k > 1:
            parts = [ops.newton_schulz(piece, iters) for piece in g.chunk(k, dim=0)]
            out = torch.cat(parts, dim=0)
        else:
            out = ops.newton_schulz(g, iters)
        return out * math.sqrt(max(g.size(0), g.size(1)))

    @staticmethod
    def clip_each_(params: List[torch.Tensor], max_norm: float) -> None:
        for p in params:
            if p.grad is None:
                continue
            n = p.grad.norm()
            p.grad.mul_(torch.clamp(max_norm / (n + 1e-6), max=1.0))


# =====================================================================================
# layers
# =====================================================================================
class layers:
    class SelfAttention(nn.Module):
        def __init__(self, a: "args.Arguments"):
            super().__init__()
            self.nh = a.num_attention_heads
            self.hd = a.hidden_size // a.num_attention_heads
            self.query_key_value = nn.Linear(a.hidden_size, 3 * a.hidden_size, bias=False)
            self.dense = nn.Linear(a.hidden_size, a.hidden_size, bias=False)
            nn.init.zeros_(self.dense.weight)

        def forward(self, h: torch.Tensor) -> torch.Tensor:
            b, t, d = h.shape
            q, k, v = self.query_key_value(h).split(d, dim=-1)
            q, k, v = (z.view(b, t, self.nh, self.hd).transpose(1, 2) for z in (q, k, v))
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.dense(out.transpose(1, 2).contiguous().view(b, t, d))

    class MLP(nn.Module):
        def __init__(self, a: "args.Arguments"):
            super().__init__()
            self.w1 = nn.Linear(a.hidden_size, a.ffn_hidden_size, bias=False)
            self.w2 = nn.Linear(a.ffn_hidden_size, a.hidden_size, bias=False)
            nn.init.zeros_(self.w2.weight)

        def forward(self, h: torch.Tensor) -> torch.Tensor:
            return self.w2(ops.gelu_squared(self.w1(h)))

    class TransformerLayer(nn.Module):
        def __init__(self, a: "args.Arguments"):
            super().__init__()
            self.attention = layers.SelfAttention(a)
            self.mlp = layers.MLP(a)

        def forward(self, h: torch.Tensor) -> torch.Tensor:
            h = h + self.attention(ops.rmsnorm(h))
            h = h + self.mlp(ops.rmsnorm(h))
            return h

    class GPT(nn.Module):
        def __init__(self, a: "args.Arguments"):
            super().__init__()
            self.word_embeddings = nn.Embedding(a.vocab_size, a.hidden_size)
            self.position_embeddings = nn.Embedding(a.seq_length, a.hidden_size)
            self.layers = nn.ModuleList([layers.TransformerLayer(a) for _ in range(a.num_layers)])
            nn.init.normal_(self.word_embeddings.weight, std=0.02)
            nn.init.normal_(self.position_embeddings.weight, std=0.01)

        def forward(self, tokens: torch.Tensor, labels: Optional[torch.Tensor] = None):
            pos = torch.arange(tokens.size(1), device=tokens.device)
            h = self.word_embeddings(tokens) + self.position_embeddings(pos)[None]
            for layer in self.layers:
                h = layer(h)
            h = ops.rmsnorm(h)
            logits = h @ self.word_embeddings.weight.T
            if labels is None:
                return logits
            return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))


# =====================================================================================
# comm
# =====================================================================================
class comm:
    _dp_group: Optional[dist.ProcessGroup] = None

    @staticmethod
    def initialize() -> Tuple[int, int, torch.device]:
        if "WORLD_SIZE" not in os.environ:
            return 0, 1, torch.device("cuda")
        dist.init_process_group(backend="nccl")
        rank, world = dist.get_rank(), dist.get_world_size()
        comm._dp_group = dist.new_group(ranks=list(range(world)))
        dev = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(dev)
        return rank, world, dev

    @staticmethod
    def group() -> Optional[dist.ProcessGroup]:
        return comm._dp_group

    @staticmethod
    def world() -> int:
        return dist.get_world_size(comm._dp_group) if comm._dp_group is not None else 1

    @staticmethod
    def rank() -> int:
        return dist.get_rank(comm._dp_group) if comm._dp_group is not None else 0

    @staticmethod
    def broadcast_parameters(model: nn.Module) -> None:
        if comm.world() == 1:
            return
        for p in model.parameters():
            dist.broadcast(p.data, src=0, group=comm.group())

    class GradBuckets:
        """Packs gradients into ~cap-MB flat buffers and all-reduces each buffer once."""

        def __init__(self, params: List[torch.Tensor], cap_mb: float):
            cap = int(cap_mb * 1024 * 1024)
            self.buckets: List[List[torch.Tensor]] = [[]]
            size = 0
            for p in reversed(params):  # roughly the order grads become ready
                nbytes = p.numel() * p.element_size()
                if size + nbytes > cap and self.buckets[-1]:
                    self.buckets.append([])
                    size = 0
                self.buckets[-1].append(p)
                size += nbytes

        def sync(self) -> None:
            world = comm.world()
            if world == 1:
                return
            for bucket in self.buckets:
                grads = [p.grad for p in bucket]
                flat = torch.cat([g.reshape(-1) for g in grads])
                dist.all_reduce(flat, op=dist.ReduceOp.SUM, group=comm.group())
                flat.div_(world)
                offset = 0
                for g in grads:
                    n = g.numel()
                    g.copy_(flat[offset:offset + n].view_as(g))
                    offset += n


# =====================================================================================
# optim
# =====================================================================================
class optim:
    class RuleOptimizer(torch.optim.Optimizer):
        """Momentum optimizer whose per-tensor transform is selected by ``rule``.

        For the orthogonal rule every matrix is assigned to one rank (round robin), that rank
        computes its update into a shared flat buffer, and a single SUM all-reduce hands
        every rank the complete set of updates.
        """

        RULES = ("sgd", "nesterov", "orthogonal_nesterov")

        def __init__(self, params, lr: float, momentum: float, rule: str, ns_iters: int = 5):
            if rule not in self.RULES:
                raise ValueError(f"unknown update rule {rule!r}; choose one of {self.RULES}")
            super().__init__(params, dict(lr=lr, momentum=momentum, rule=rule, ns_iters=ns_iters))

        @torch.no_grad()
        def step(self):
            rank, world = comm.rank(), comm.world()
            for group in self.param_groups:
                plist = group["params"]
                total = sum(p.numel() for p in plist)
                shared = torch.zeros(total, device=plist[0].device, dtype=torch.bfloat16)
                offset = 0
                for i, p in enumerate(plist):
                    n = p.numel()
                    if i % world == rank and p.grad is not None:
                        st = self.state[p]
                        if "buf" not in st:
                            st["buf"] = torch.zeros_like(p.grad)
                        buf = st["buf"]
                        buf.mul_(group["momentum"]).add_(p.grad)
                        rule = group["rule"]
                        if rule == "sgd":
                            u = buf
                        else:
                            u = p.grad + group["momentum"] * buf
                            if rule == "orthogonal_nesterov":
                                u = ops.orthogonal_update(u, group["ns_iters"])
                        shared[offset:offset + n] = u.flatten()
                    offset += n
                if world > 1:
                    dist.all_reduce(shared, op=dist.ReduceOp.SUM, group=comm.group())
                offset = 0
                for p in plist:
                    n = p.numel()
                    p.data.add_(shared[offset:offset + n].view_as(p.data).type_as(p.data), alpha=-group["lr"])
                    offset += n

    @staticmethod
    def build(model: "layers.GPT", a: "args.Arguments") -> List[torch.optim.Optimizer]:
        embed = [model.word_embeddings.weight, model.position_embeddings.weight]
        hidden = list(model.layers.parameters())
        adamw = torch.optim.AdamW(embed, lr=a.lr, betas=a.adam_betas, weight_decay=a.adam_weight_decay, fused=True)
        ruled = optim.RuleOptimizer(hidden, lr=a.ortho_lr_ratio * a.lr, momentum=a.momentum,
                                    rule=a.update_rule, ns_iters=a.ns_iters)
        return [adamw, ruled]


# =====================================================================================
# sched
# =====================================================================================
class sched:
    @staticmethod
    def multiplier(it: int, a: "args.Arguments") -> float:
        if it < a.warmup_iters:
            return (it + 1) / a.warmup_iters
        if it < a.train_iters - a.warmdown_iters:
            return 1.0
        return (a.train_iters - it) / a.warmdown_iters

    @staticmethod
    def apply(opts: List[torch.optim.Optimizer], it: int, a: "args.Arguments") -> None:
        m = sched.multiplier(it, a)
        for opt in opts:
            for g in opt.param_groups:
                g.setdefault("base_lr", g["lr"])
                g["lr"] = g["base_lr"] * m


# =====================================================================================
# data
# =====================================================================================
class data:
    @staticmethod
    def shard_tokens(path: str) -> np.ndarray:
        with open(path, "rb") as f:
            hdr = np.frombuffer(f.read(1024), dtype=np.int32)
            return np.frombuffer(f.read(), dtype=np.uint16, count=int(hdr[2]))

    @staticmethod
    def stream(pattern: str, bsz: int, seqlen: int, rank: int, world: int) -> Iterator[Tuple[torch.Tensor, torch.Tensor]]:
        files = sorted(glob.glob(pattern))
        assert files, pattern
        step = bsz * seqlen
        while True:
            for fn in files:
                toks = data.shard_tokens(fn)
                pos = rank * step
                while pos + step + 1 <= len(toks):
                    buf = torch.tensor(toks[pos:pos + step + 1].astype(np.int64))
                    yield buf[:-1].view(bsz, seqlen).cuda(), buf[1:].view(bsz, seqlen).cuda()
                    pos += world * step


# =====================================================================================
# driver
# =====================================================================================
def main() -> None:
    a = args.parse()
    rank, world, dev = comm.initialize()
    torch.manual_seed(1234)

    model = layers.GPT(a).to(dev)
    comm.broadcast_parameters(model)
    compiled = torch.compile(model)
    opts = optim.build(model, a)
    buckets = comm.GradBuckets([p for p in model.parameters() if p.requires_grad], a.bucket_cap_mb)

    train = data.stream(a.data_glob, a.micro_batch_size, a.seq_length, rank, world)
    tokens_per_step = a.micro_batch_size * a.grad_accum * a.seq_length * world
    if rank == 0:
        print(f"tokens/step={tokens_per_step:,} rule={a.update_rule} heads={a.num_attention_heads}")

    t0 = time.time()
    for it in range(a.train_iters + 1):
        if it % a.eval_every == 0 or it == a.train_iters:
            compiled.eval()
            val = data.stream(a.val_glob, a.micro_batch_size, a.seq_length, rank, world)
            n_eval = a.eval_tokens // (a.micro_batch_size * a.seq_length * world)
            acc = torch.zeros((), device=dev)
            with torch.no_grad(), torch.autocast("cuda", torch.bfloat16):
                for _ in range(n_eval):
                    xv, yv = next(val)
                    acc += compiled(xv, yv)
            if world > 1:
                dist.all_reduce(acc, group=comm.group())
            if rank == 0:
                print(f"it {it} val_loss {acc.item() / n_eval / world:.4f}")
            compiled.train()
            if it == a.train_iters:
                break

        for _ in range(a.grad_accum):
            x, y = next(train)
            with torch.autocast("cuda", torch.bfloat16):
                loss = compiled(x, y) / a.grad_accum
            loss.backward()
        buckets.sync()
        ops.clip_each_(list(model.parameters()), a.grad_clip_per_tensor)
        sched.apply(opts, it, a)
        for opt in opts:
            opt.step()
        model.zero_grad(set_to_none=True)

        if rank == 0 and it % a.log_every == 0:
            dt = time.time() - t0
            print(f"it {it} loss {loss.item() * a.grad_accum:.4f} elapsed {dt:.1f}s")

    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
