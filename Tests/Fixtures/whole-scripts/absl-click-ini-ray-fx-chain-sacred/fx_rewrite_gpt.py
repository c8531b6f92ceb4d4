"""Build a vanilla GPT, then rewrite it with torch.fx passes before training.

The model definition below is deliberately the textbook one (GELU MLP, tied head, fixed
sinusoidal positions). Architectural changes are applied as graph/module passes in
`apply_passes`, so the same checkpoint format can be produced with or without them.
"""
import argparse
import glob
import math
import os
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.distributed as dist
import torch.fx as fx
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP


@dataclass
class ModelConfig:
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    d_model: int = 768
    max_len: int = 1024


@dataclass
class PassConfig:
    relu_squared: bool = True
    zero_residual_proj: bool = True
    qk_rmsnorm: bool = True
    embed_rmsnorm: bool = True
    untie_head: bool = True
    vocab_multiple: int = 128


@dataclass
class TrainConfig:
    train_glob: str = "data/fineweb10B/fineweb_train_*.bin"
    val_glob: str = "data/fineweb10B/fineweb_val_*.bin"
    device_batch: int = 32
    seq_len: int = 1024
    num_steps: int = 18000
    warmup_steps: int = 256
    warmdown_steps: int = 2000
    lr: float = 0.0018
    betas: tuple = (0.9, 0.95)
    weight_decay: float = 0.0
    loss_softcap: float = 30.0
    val_every: int = 250
    val_batches: int = 20
    model: ModelConfig = field(default_factory=ModelConfig)
    passes: PassConfig = field(default_factory=PassConfig)


# ----------------------------------------------------------------------------------------------
# plain model


def sinusoidal_table(max_len: int, dim: int) -> torch.Tensor:
    pos = torch.arange(max_len, dtype=torch.float32)[:, None]
    div = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(max_len, dim)
    table[:, 0::2] = torch.sin(pos * div)
    table[:, 1::2] = torch.cos(pos * div)
    return table


class Attention(nn.Module):
    def __init__(self, d: int, h: int):
        super().__init__()
        self.h = h
        self.c_q = nn.Linear(d, d, bias=False)
        self.c_k = nn.Linear(d, d, bias=False)
        self.c_v = nn.Linear(d, d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        hd = C // self.h
        q = self.c_q(x).view(B, T, self.h, hd).transpose(1, 2)
        k = self.c_k(x).view(B, T, self.h, hd).transpose(1, 2)
        v = self.c_v(x).view(B, T, self.h, hd).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.act = nn.GELU(approximate="tanh")
        self.c_proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, d: int, h: int):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = Attention(d, h)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = MLP(d)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.register_buffer("pos_table", sinusoidal_table(cfg.max_len, cfg.d_model), persistent=False)
        self.h = nn.ModuleList([Block(cfg.d_model, cfg.n_head) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.d_model)
        nn.init.normal_(self.wte.weight, std=0.02)

    def forward(self, idx):
        x = self.wte(idx)
        x = x + self.pos_table[: idx.size(1)]
        for block in self.h:
            x = block(x)
        x = self.ln_f(x)
        return F.linear(x, self.wte.weight)  # tied read-out


# ----------------------------------------------------------------------------------------------
# passes


class ReLUSquared(nn.Module):
    def forward(self, x):
        return F.relu(x).square()


def pass_relu_squared(gm: fx.GraphModule) -> int:
    """Every nn.GELU call (or F.gelu call) becomes relu(x)**2."""
    n = 0
    for node in list(gm.graph.nodes):
        if node.op == "call_module" and isinstance(gm.get_submodule(node.target), nn.GELU):
            new_target = node.target.replace(".", "_") + "_relu2"
            gm.add_submodule(new_target, ReLUSquared())
            with gm.graph.inserting_after(node):
                new = gm.graph.call_module(new_target, node.args)
            node.replace_all_uses_with(new)
            gm.graph.erase_node(node)
            n += 1
        elif node.op == "call_function" and node.target is F.gelu:
            with gm.graph.inserting_after(node):
                r = gm.graph.call_function(F.relu, (node.args[0],))
            with gm.graph.inserting_after(r):
                sq = gm.graph.call_function(torch.square, (r,))
            node.replace_all_uses_with(sq)
            gm.graph.erase_node(node)
            n += 1
    return n


def pass_zero_residual_proj(gm: fx.GraphModule) -> int:
    n = 0
    for name, mod in gm.named_modules():
        if name.endswith("c_proj") and isinstance(mod, nn.Linear):
            nn.init.zeros_(mod.weight)
            n += 1
    return n


def pass_qk_rmsnorm(gm: fx.GraphModule) -> int:
    """Normalize the query/key projections right where they are produced."""
    n = 0
    for node in list(gm.graph.nodes):
        if node.op == "call_module" and (node.target.endswith(".c_q") or node.target.endswith(".c_k")):
            width = gm.get_submodule(node.target).out_features
            with gm.graph.inserting_after(node):
                normed = gm.graph.call_function(F.rms_norm, (node, (width,)))
            node.replace_all_uses_with(normed, delete_user_cb=lambda user: user is not normed)
            n += 1
    return n


def pass_embed_rmsnorm(gm: fx.GraphModule) -> int:
    for node in gm.graph.nodes:
        if node.op == "call_module" and node.target == "wte":
            dim = gm.get_submodule("wte").embedding_dim
            with gm.graph.inserting_after(node):
                normed = gm.graph.call_function(F.rms_norm, (node, (dim,)))
            node.replace_all_uses_with(normed, delete_user_cb=lambda user: user is not normed)
            return 1
    return 0


def pass_untie_head(gm: fx.GraphModule) -> int:
    """Replace F.linear(x, wte.weight) by a separate, zero-initialized lm_head module."""
    for node in list(gm.graph.nodes):
        if node.op == "call_function" and node.target is F.linear:
            w = node.args[1]
            if w.op == "get_attr" and w.target == "wte.weight":
                V, d = gm.get_submodule("wte").weight.shape
                head = nn.Linear(d, V, bias=False)
                nn.init.zeros_(head.weight)
                gm.add_submodule("lm_head", head)
                with gm.graph.inserting_after(node):
                    new = gm.graph.call_module("lm_head", (node.args[0],))
                node.replace_all_uses_with(new)
                gm.graph.erase_node(node)
                if not w.users:
                    gm.graph.erase_node(w)
                return 1
    return 0


def pass_pad_vocab(gm: fx.GraphModule, multiple: int) -> int:
    wte = gm.get_submodule("wte")
    V, d = wte.weight.shape
    Vp = (V + multiple - 1) // multiple * multiple
    if Vp == V:
        return 0
    with torch.no_grad():
        extra = torch.empty(Vp - V, d).normal_(std=0.02)
        new_wte = nn.Embedding(Vp, d)
        new_wte.weight.copy_(torch.cat([wte.weight, extra]))
        gm.wte = new_wte
        if hasattr(gm, "lm_head"):
            new_head = nn.Linear(d, Vp, bias=False)
            new_head.weight.copy_(torch.cat([gm.lm_head.weight, torch.zeros(Vp - V, d)]))
            gm.lm_head = new_head
    return 1


def apply_passes(model: nn.Module, pc: PassConfig) -> fx.GraphModule:
    gm = fx.symbolic_trace(model)
    report = {}
    if pc.relu_squared:
        report["relu2"] = pass_relu_squared(gm)
    if pc.zero_residual_proj:
        report["zero_proj"] = pass_zero_residual_proj(gm)
    if pc.qk_rmsnorm:
        report["qk_norm"] = pass_qk_rmsnorm(gm)
    if pc.embed_rmsnorm:
        report["embed_norm"] = pass_embed_rmsnorm(gm)
    if pc.untie_head:
        report["untie"] = pass_untie_head(gm)
    if pc.vocab_multiple:
        report["pad_vocab"] = pass_pad_vocab(gm, pc.vocab_multiple)
    gm.graph.eliminate_dead_code()
    gm.graph.lint()
    gm.recompile()
    if int(os.environ.get("RANK", 0)) == 0:
        print("fx passes:", report)
    return gm


# ----------------------------------------------------------------------------------------------
# data / training


def shard_tokens(path):
    with open(path, "rb") as f:
        hdr = np.frombuffer(f.read(1024), dtype=np.int32)
        assert hdr[0] == 20240520
        return np.frombuffer(f.read(), dtype=np.uint16)


class Batches:
    def __init__(self, pattern, B, T, rank, world):
        self.files, self.B, self.T, self.rank, self.world = sorted(glob.glob(pattern)), B, T, rank, world
        self.reset()

    def reset(self):
        self.i, self.toks, self.pos = 0, shard_tokens(self.files[0]), self.rank * self.B * self.T

    def __next__(self):
        n = self.B * self.T
        if self.pos + n + 1 > len(self.toks):
            self.i = (self.i + 1) % len(self.files)
            self.toks, self.pos = shard_tokens(self.files[self.i]), self.rank * n
        buf = torch.from_numpy(self.toks[self.pos:self.pos + n + 1].astype(np.int64))
        self.pos += n * self.world
        return buf[:-1].view(self.B, self.T).cuda(), buf[1:].view(self.B, self.T).cuda()


def lr_at(step: int, tc: TrainConfig) -> float:
    if step < tc.warmup_steps:
        return tc.lr * (step + 1) / tc.warmup_steps
    if step < tc.num_steps - tc.warmdown_steps:
        return tc.lr
    return tc.lr * (tc.num_steps - step) / tc.warmdown_steps


def main(tc: TrainConfig):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)

    gm = apply_passes(GPT(tc.model), tc.passes).cuda()
    model = DDP(torch.compile(gm), device_ids=[local])
    opt = torch.optim.AdamW(gm.parameters(), lr=tc.lr, betas=tc.betas, weight_decay=tc.weight_decay, fused=True)

    train_b = Batches(tc.train_glob, tc.device_batch, tc.seq_len, rank, world)
    val_b = Batches(tc.val_glob, tc.device_batch, tc.seq_len, rank, world)
    amp = torch.autocast("cuda", dtype=torch.bfloat16)

    def lm_loss(logits, y):
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), y.view(-1))

    t0 = time.time()
    for step in range(tc.num_steps + 1):
        if step == tc.num_steps or step % tc.val_every == 0:
            model.eval()
            val_b.reset()
            tot = torch.zeros((), device="cuda")
            with torch.no_grad(), amp:
                for _ in range(tc.val_batches):
                    vx, vy = next(val_b)
                    tot += lm_loss(model(vx), vy)
            dist.all_reduce(tot, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step {step} val {tot.item() / tc.val_batches:.4f} ({time.time() - t0:.0f}s)")
            model.train()
        if step == tc.num_steps:
            break
        x, y = next(train_b)
        with amp:
            loss = lm_loss(model(x), y)
        # bounded surrogate: keeps rare loss spikes from producing huge updates
        surrogate = tc.loss_softcap * torch.tanh(loss / tc.loss_softcap)
        surrogate.backward()
        for g in opt.param_groups:
            g["lr"] = lr_at(step, tc)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if rank == 0 and step % 100 == 0:
            print(f"step {step} loss {loss.item():.4f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--no-passes", action="store_true")
    a = ap.parse_args()
    tc = TrainConfig()
    if a.lr is not None:
        tc.lr = a.lr
    if a.no_passes:
        tc.passes = PassConfig(False, False, False, False, False, 0)
    main(tc)
