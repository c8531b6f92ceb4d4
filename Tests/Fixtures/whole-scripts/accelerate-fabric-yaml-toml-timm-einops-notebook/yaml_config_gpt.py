"""
Single-file GPT trainer driven by an embedded YAML document.

Override the defaults by pointing --config at another YAML file; keys that are
present there replace the embedded ones (deep merge).

    torchrun --standalone --nproc_per_node=8 yaml_config_gpt.py [--config my.yaml]
"""
import argparse
import glob
import math
import os
import sys
import time

import yaml

CONFIG_YAML = """
run:
  name: gpt124m-sparse-ve-unet
  seed: 42
  out_dir: logs/yaml_gpt
env:
  cuda_alloc_conf: "expandable_segments:False"
  allow_tf32: true
data:
  train_bin: data/fineweb10B/fineweb_train_*.bin
  val_bin: data/fineweb10B/fineweb_val_*.bin
  batch_size: 16
  seq_len: 1024
  grad_accum: 2
  val_tokens: 10485760
model:
  vocab_size: 50257
  n_layer: 12
  n_head: 12
  d_model: 768
  mlp_mult: 4
  rotary:
    base: 1024
    truncate_half: true
    max_positions: 65536
  value_embeds:
    num_tables: 3
    layout: [0, 1, 2, null, null, null, null, null, null, 0, 1, 2]
  unet: true
  attention_free_layers: [7]
  tie_embeddings: false
  init:
    std: 0.02
    lm_head: zeros
optim:
  adam:
    lr: 0.008
    betas: [0.9, 0.95]
    eps: 1.0e-8
    weight_decay: 0.0
  muon:
    lr: 0.02
    momentum: 0.95
    nesterov: true
    ns_steps: 5
schedule:
  total_steps: 4000
  warmup_steps: 100
log:
  every: 25
  val_every: 250
"""


def deep_merge(base, override):
    out = dict(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def load_config(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", type=str, default=None)
    args = ap.parse_args(argv)
    cfg = yaml.safe_load(CONFIG_YAML)
    if args.config:
        with open(args.config) as f:
            cfg = deep_merge(cfg, yaml.safe_load(f) or {})
    return cfg


cfg = load_config(sys.argv[1:])
os.environ["PYTORCH_CUDA_ALLOC_CONF"] = cfg["env"]["cuda_alloc_conf"]

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.nn.parallel import DistributedDataParallel as DDP  # noqa: E402


# =============================================================================
# model
# =============================================================================

def rms(x):
    return F.rms_norm(x, (x.size(-1),))


class Rotary(nn.Module):
    def __init__(self, head_dim, rcfg):
        super().__init__()
        base = rcfg["base"]
        if rcfg["truncate_half"]:
            freqs = (1.0 / base) ** torch.linspace(0, 1, steps=head_dim // 4, dtype=torch.float32)
            freqs = torch.cat([freqs, freqs.new_zeros(head_dim // 4)])
        else:
            freqs = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        t = torch.arange(rcfg["max_positions"], dtype=torch.float32)
        theta = torch.einsum("i,j->ij", t, freqs)
        self.register_buffer("cos", theta.cos(), persistent=False)
        self.register_buffer("sin", theta.sin(), persistent=False)

    def forward(self, x_BTHD):
        T = x_BTHD.size(-3)
        cos = self.cos[None, :T, None, :]
        sin = self.sin[None, :T, None, :]
        x1, x2 = x_BTHD.float().chunk(2, dim=-1)
        y1 = x1 * cos + x2 * sin
        y2 = x1 * (-sin) + x2 * cos
        return torch.cat((y1, y2), dim=-1).type_as(x_BTHD)


class CausalSelfAttention(nn.Module):
    def __init__(self, mcfg, has_ve):
        super().__init__()
        d = mcfg["d_model"]
        self.n_head = mcfg["n_head"]
        self.head_dim = d // self.n_head
        self.c_q = nn.Linear(d, d, bias=False)
        self.c_k = nn.Linear(d, d, bias=False)
        self.c_v = nn.Linear(d, d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)
        self.rotary = Rotary(self.head_dim, mcfg["rotary"])
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5])) if has_ve else None

    def forward(self, x, ve):
        B, T, C = x.shape
        q = self.c_q(x).view(B, T, self.n_head, self.head_dim)
        k = self.c_k(x).view(B, T, self.n_head, self.head_dim)
        v = self.c_v(x).view(B, T, self.n_head, self.head_dim)
        if ve is not None:
            lam = self.lambdas[0]
            v = (1 - lam) * v + lam * ve.view_as(v)
        q, k = self.rotary(q), self.rotary(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, mcfg):
        super().__init__()
        d = mcfg["d_model"]
        self.c_fc = nn.Linear(d, mcfg["mlp_mult"] * d, bias=False)
        self.c_proj = nn.Linear(mcfg["mlp_mult"] * d, d, bias=False)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, mcfg, layer_idx):
        super().__init__()
        has_ve = mcfg["value_embeds"]["layout"][layer_idx] is not None
        self.attn = None if layer_idx in mcfg["attention_free_layers"] else CausalSelfAttention(mcfg, has_ve)
        self.mlp = MLP(mcfg)

    def forward(self, x, ve):
        if self.attn is not None:
            x = x + self.attn(rms(x), ve)
        x = x + self.mlp(rms(x))
        return x


class ValueEmbedding(nn.Module):
    def __init__(self, mcfg):
        super().__init__()
        vcfg = mcfg["value_embeds"]
        self.layout = vcfg["layout"]
        assert len(self.layout) == mcfg["n_layer"]
        self.embed = nn.ModuleList(
            [nn.Embedding(mcfg["vocab_size"], mcfg["d_model"]) for _ in range(vcfg["num_tables"])]
        )

    def forward(self, idx):
        tables = [emb(idx) for emb in self.embed]
        return [None if slot is None else tables[slot] for slot in self.layout]


class GPT(nn.Module):
    def __init__(self, mcfg):
        super().__init__()
        self.mcfg = mcfg
        d, L = mcfg["d_model"], mcfg["n_layer"]
        self.wte = nn.Embedding(mcfg["vocab_size"], d)
        self.value_embeds = ValueEmbedding(mcfg)
        self.blocks = nn.ModuleList([Block(mcfg, i) for i in range(L)])
        self.use_unet = mcfg["unet"]
        self.n_enc = L // 2
        self.n_dec = L - self.n_enc
        self.skip_weights = nn.Parameter(torch.ones(self.n_dec))
        self.lm_head = nn.Linear(d, mcfg["vocab_size"], bias=False)
        if mcfg["tie_embeddings"]:
            self.lm_head.weight = self.wte.weight
        if mcfg["init"]["lm_head"] == "zeros":
            nn.init.zeros_(self.lm_head.weight)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        std = self.mcfg["init"]["std"]
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=std)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=std)

    def forward(self, idx, targets=None):
        ve = self.value_embeds(idx)
        x = self.wte(idx)
        if self.use_unet:
            skips = []
            for i in range(self.n_enc):
                x = self.blocks[i](x, ve[i])
                skips.append(x)
            for i in range(self.n_dec):
                x = x + self.skip_weights[i] * skips.pop()
                x = self.blocks[self.n_enc + i](x, ve[self.n_enc + i])
        else:
            for i, block in enumerate(self.blocks):
                x = block(x, ve[i])
        x = rms(x)
        logits = self.lm_head(x)
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# =============================================================================
# optimizer
# =============================================================================

def zeropower_ns5(G, steps):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    if G.size(0) > G.size(1):
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, ocfg):
        defaults = dict(lr=ocfg["lr"], momentum=ocfg["momentum"], nesterov=ocfg["nesterov"], ns_steps=ocfg["ns_steps"])
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(p.grad)
                buf = state["momentum_buffer"]
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                g = zeropower_ns5(g, group["ns_steps"])
                p.add_(g.type_as(p), alpha=-group["lr"])


def build_optimizers(raw_model, ocfg):
    block_params = list(raw_model.blocks.parameters())
    matrix_params = [p for p in block_params if p.ndim == 2]
    scalar_params = [p for p in block_params if p.ndim < 2] + [raw_model.skip_weights]
    embed_params = [raw_model.wte.weight] + [e.weight for e in raw_model.value_embeds.embed]
    head_params = [raw_model.lm_head.weight]
    acfg = ocfg["adam"]
    adam = torch.optim.Adam(
        embed_params + head_params + scalar_params,
        lr=acfg["lr"],
        betas=tuple(acfg["betas"]),
        eps=acfg["eps"],
        weight_decay=acfg["weight_decay"],
    )
    muon = Muon(matrix_params, ocfg["muon"])
    opts = [adam, muon]
    for opt in opts:
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
    return opts


def lr_multiplier(step, scfg):
    warm, total = scfg["warmup_steps"], scfg["total_steps"]
    if step < warm:
        return (step + 1) / warm
    return max(0.0, 1.0 - (step - warm) / (total - warm))


# =============================================================================
# data
# =============================================================================

def load_shard(filename):
    with open(filename, "rb") as f:
        header = np.frombuffer(f.read(256 * 4), dtype=np.int32)
        assert header[0] == 20240520, "bad magic"
        n = int(header[2])
        tokens = np.frombuffer(f.read(n * 2), dtype=np.uint16)
    return tokens


class Loader:
    def __init__(self, pattern, B, T, rank, world):
        self.files = sorted(glob.glob(pattern))
        assert len(self.files) > 0
        self.B, self.T, self.rank, self.world = B, T, rank, world
        self.reset()

    def reset(self):
        self.shard = 0
        self.tokens = load_shard(self.files[0])
        self.pos = self.B * self.T * self.rank

    def next_batch(self):
        B, T = self.B, self.T
        buf = torch.from_numpy(self.tokens[self.pos : self.pos + B * T + 1].astype(np.int64))
        self.pos += B * T * self.world
        if self.pos + B * T * self.world + 1 > len(self.tokens):
            self.shard = (self.shard + 1) % len(self.files)
            self.tokens = load_shard(self.files[self.shard])
            self.pos = self.B * self.T * self.rank
        return buf[:-1].view(B, T).cuda(), buf[1:].view(B, T).cuda()


# =============================================================================
# main
# =============================================================================

def main():
    dist.init_process_group(backend="nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    master = rank == 0
    torch.manual_seed(cfg["run"]["seed"])
    torch.backends.cuda.matmul.allow_tf32 = cfg["env"]["allow_tf32"]
    torch.backends.cudnn.allow_tf32 = cfg["env"]["allow_tf32"]

    raw_model = GPT(cfg["model"]).cuda()
    optimizers = build_optimizers(raw_model, cfg["optim"])
    model = torch.compile(raw_model)
    model = DDP(model, device_ids=[local_rank])

    dcfg = cfg["data"]
    train_loader = Loader(dcfg["train_bin"], dcfg["batch_size"], dcfg["seq_len"], rank, world)
    val_loader = Loader(dcfg["val_bin"], dcfg["batch_size"], dcfg["seq_len"], rank, world)
    val_steps = dcfg["val_tokens"] // (dcfg["batch_size"] * dcfg["seq_len"] * world)
    accum = dcfg["grad_accum"]
    total = cfg["schedule"]["total_steps"]

    if master:
        os.makedirs(cfg["run"]["out_dir"], exist_ok=True)
        logfile = os.path.join(cfg["run"]["out_dir"], f"{cfg['run']['name']}.txt")
        with open(logfile, "w") as f:
            f.write(yaml.safe_dump(cfg))

    def log(msg):
        if master:
            print(msg)
            with open(logfile, "a") as f:
                f.write(msg + "\n")

    ctx = torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    t0 = time.perf_counter()
    for step in range(total + 1):
        if step % cfg["log"]["val_every"] == 0 or step == total:
            model.eval()
            val_loader.reset()
            vl = torch.zeros((), device="cuda")
            with torch.no_grad():
                for _ in range(val_steps):
                    x, y = val_loader.next_batch()
                    with ctx:
                        vl += model(x, y)
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            log(f"step:{step}/{total} val_loss:{(vl / val_steps).item():.4f} time:{time.perf_counter() - t0:.1f}s")
            model.train()
        if step == total:
            break

        for micro in range(accum):
            x, y = train_loader.next_batch()
            model.require_backward_grad_sync = micro == accum - 1
            with ctx:
                loss = model(x, y) / accum
            loss.backward()

        mult = lr_multiplier(step, cfg["schedule"])
        for opt in optimizers:
            for g in opt.param_groups:
                g["lr"] = g["initial_lr"] * mult
            opt.step()
        model.zero_grad(set_to_none=True)

        if step % cfg["log"]["every"] == 0:
            log(f"step:{step + 1}/{total} train_loss:{loss.item() * accum:.4f} lr_mult:{mult:.3f}")

    log(f"peak memory {torch.cuda.max_memory_allocated() // 2**20} MiB")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
