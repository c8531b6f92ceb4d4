# HF-transformers-style modeling file + launcher. Hyperparameters come from environment
# variables (with defaults) so sweeps can be driven by a scheduler without touching code:
#   MUON_LR=0.05 ADAM_B1=0.8 torchrun --nproc_per_node=8 hf_envvar_muon.py
import os

os.environ["PYTORCH_CUDA_ALLOC_CONF"] = os.getenv("ALLOC_CONF", "expandable_segments:True")

import glob
import math
from collections import namedtuple

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

env = os.getenv
MUON_LR = float(env("MUON_LR", "0.05"))
MUON_MOM_START, MUON_MOM_END = float(env("MUON_MOM_START", "0.85")), float(env("MUON_MOM_END", "0.95"))
MUON_MOM_WARMUP = int(env("MUON_MOM_WARMUP", "300"))
ADAM_LR = float(env("ADAM_LR", "0.01"))
ADAM_B1, ADAM_B2 = float(env("ADAM_B1", "0.8")), float(env("ADAM_B2", "0.95"))
ADAM_EPS = float(env("ADAM_EPS", "1e-10"))
SEQ_LEN = int(env("SEQ_LEN", "1024"))
MICRO_BATCH = int(env("MICRO_BATCH", "32"))
TOTAL_STEPS = int(env("TOTAL_STEPS", "2500"))
WARMUP_STEPS = int(env("WARMUP_STEPS", "100"))
DATA_GLOB = env("DATA_GLOB", "data/fineweb10B/fineweb_train_*.bin")

CausalLMOutput = namedtuple("CausalLMOutput", ["loss", "logits"])


class SpeedConfig:
    model_type = "speed_gpt"

    def __init__(self, vocab_size=50257, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                 intermediate_size=3072, pad_vocab_to_multiple_of=128, tie_word_embeddings=True,
                 rope_theta=10000.0, initializer_range=0.02):
        self.vocab_size = vocab_size
        self.padded_vocab_size = math.ceil(vocab_size / pad_vocab_to_multiple_of) * pad_vocab_to_multiple_of
        self.hidden_size, self.num_hidden_layers = hidden_size, num_hidden_layers
        self.num_attention_heads, self.intermediate_size = num_attention_heads, intermediate_size
        self.tie_word_embeddings, self.rope_theta = tie_word_embeddings, rope_theta
        self.initializer_range = initializer_range


class SpeedRotaryEmbedding(nn.Module):
    def __init__(self, config):
        super().__init__()
        hd = config.hidden_size // config.num_attention_heads
        inv_freq = 1.0 / (config.rope_theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, x, position_ids):
        freqs = position_ids[:, None].float() * self.inv_freq[None, :]
        return freqs.cos().to(x.dtype), freqs.sin().to(x.dtype)


def rotate_half_apply(x, cos, sin):
    d = x.shape[-1] // 2
    x1, x2 = x[..., :d], x[..., d:]
    return torch.cat((x1 * cos + x2 * sin, -x1 * sin + x2 * cos), dim=-1)


class SpeedAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_heads = config.num_attention_heads
        self.head_dim = config.hidden_size // self.num_heads
        self.qkv_proj = nn.Linear(config.hidden_size, 3 * config.hidden_size, bias=False)
        self.o_proj = nn.Linear(config.hidden_size, config.hidden_size, bias=False)

    def forward(self, hidden_states, cos, sin):
        bsz, q_len, _ = hidden_states.size()
        qkv = self.qkv_proj(hidden_states).view(bsz, q_len, 3, self.num_heads, self.head_dim)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        q, k = rotate_half_apply(q, cos, sin), rotate_half_apply(k, cos, sin)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o_proj(out.transpose(1, 2).reshape(bsz, q_len, -1))


class SpeedMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.up_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.down_proj = nn.Linear(config.intermediate_size, config.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.relu(self.up_proj(x)) ** 2)


class SpeedDecoderLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.self_attn, self.mlp = SpeedAttention(config), SpeedMLP(config)

    def forward(self, h, cos, sin):
        h = h + self.self_attn(F.rms_norm(h, (h.size(-1),)), cos, sin)
        return h + self.mlp(F.rms_norm(h, (h.size(-1),)))


class SpeedForCausalLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(config.padded_vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(SpeedDecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.rotary_emb = SpeedRotaryEmbedding(config)
        self.lm_head = nn.Linear(config.hidden_size, config.padded_vocab_size, bias=False)
        self.apply(self._init_weights)
        if config.tie_word_embeddings:
            self.lm_head.weight = self.embed_tokens.weight

    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)

    def forward(self, input_ids, labels=None):
        pos = torch.arange(input_ids.size(1), device=input_ids.device)
        h = self.embed_tokens(input_ids)
        cos, sin = self.rotary_emb(h, pos)
        for layer in self.layers:
            h = layer(h, cos, sin)
        logits = self.lm_head(F.rms_norm(h, (h.size(-1),)))
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))
        return CausalLMOutput(loss, logits)


# ----------------------------------------------------------------------------- optimizer
def newton_schulz5(G):
    X = G.bfloat16()
    if G.size(-2) > G.size(-1):
        X = X.mT
    X = X / (X.norm() + 1e-7)
    for _ in range(5):
        A = X @ X.mT
        B = A @ X
        X = 3.4445 * X - 4.7750 * B + 2.0315 * (A @ B)
    return X.mT if G.size(-2) > G.size(-1) else X


class GatheredMuon(torch.optim.Optimizer):
    """Same-size matrices share a (world, numel) bf16 slab; rank r orthogonalises params r, r+W, ...
    and the slab is filled with one async all_gather_into_tensor per round, overlapped with the next round."""

    def __init__(self, params, lr, momentum, rank, world_size):
        self.rank, self.world_size = rank, world_size
        params = list(params)
        by_numel = {}
        for p in params:
            by_numel.setdefault(p.numel(), []).append(p)
        groups = [dict(params=ps, slab=torch.empty(world_size, n, dtype=torch.bfloat16, device="cuda"))
                  for n, ps in by_numel.items()]
        super().__init__(groups, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ps, slab, mom, lr = group["params"], group["slab"], group["momentum"], group["lr"]
            inflight = []

            def drain():
                if not inflight:
                    return
                work, owners = inflight.pop()
                work.wait()
                for row, q in zip(slab.unbind(0), owners):
                    q.add_(row.view_as(q), alpha=-lr * max(1.0, q.size(0) / q.size(1)) ** 0.5)

            for base in range(0, len(ps), self.world_size):
                mine = base + self.rank
                if mine < len(ps):
                    p = ps[mine]
                    buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                    buf.lerp_(p.grad, 1 - mom)
                    upd = newton_schulz5(p.grad.lerp_(buf, mom)).flatten()
                else:
                    upd = slab[self.rank]
                drain()
                inflight.append((dist.all_gather_into_tensor(slab, upd, async_op=True),
                                 ps[base:base + self.world_size]))
            drain()


# ----------------------------------------------------------------------------- data
def load_pinned(path):
    n = int(torch.from_file(path, False, 256, dtype=torch.int32)[2])
    toks = torch.empty(n, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as f:
        f.seek(256 * 4)
        assert f.readinto(toks.numpy()) == 2 * n
    return toks


def batches(rank, world):
    span = MICRO_BATCH * SEQ_LEN
    for path in sorted(glob.glob(DATA_GLOB)):
        toks = load_pinned(path)
        for start in range(rank * span, len(toks) - span - 1, world * span):
            w = toks[start:start + span + 1]
            x = w[:-1].to("cuda", dtype=torch.int32, non_blocking=True).view(MICRO_BATCH, SEQ_LEN)
            y = w[1:].to("cuda", dtype=torch.int64, non_blocking=True).view(MICRO_BATCH, SEQ_LEN)
            yield x, y


def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(env("LOCAL_RANK", "0")))
    model = SpeedForCausalLM(SpeedConfig()).cuda()
    ddp = DDP(model, device_ids=[torch.cuda.current_device()])

    matrices = [p for p in model.layers.parameters() if p.ndim == 2]
    adam = torch.optim.Adam([model.embed_tokens.weight], lr=ADAM_LR, betas=(ADAM_B1, ADAM_B2),
                            eps=ADAM_EPS, fused=True)
    muon = GatheredMuon(matrices, lr=MUON_LR, momentum=MUON_MOM_END, rank=rank, world_size=world)

    def lr_lambda(s):
        if s < WARMUP_STEPS:
            return (s + 1) / WARMUP_STEPS
        return 0.5 * (1.0 + math.cos(math.pi * (s - WARMUP_STEPS) / (TOTAL_STEPS - WARMUP_STEPS)))

    scheds = [torch.optim.lr_scheduler.LambdaLR(o, lr_lambda) for o in (adam, muon)]
    compiled = torch.compile(ddp)
    data = batches(rank, world)
    for step in range(TOTAL_STEPS):
        x, y = next(data)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            out = compiled(x, labels=y)
        out.loss.backward()
        ramp = min(step / MUON_MOM_WARMUP, 1.0)
        for g in muon.param_groups:
            g["momentum"] = MUON_MOM_START + ramp * (MUON_MOM_END - MUON_MOM_START)
        for opt, sch in zip((adam, muon), scheds):
            opt.step()
            sch.step()
        ddp.zero_grad(set_to_none=True)
        if rank == 0:
            print(f"{{'step': {step}, 'loss': {out.loss.item():.4f}, 'lr': {scheds[1].get_last_lr()[0]:.5f}}}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
