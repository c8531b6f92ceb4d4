"""
hooked_transformer.py -- a deliberately "vanilla" decoder whose non-standard
behaviour is injected from the outside with module hooks.

The nn.Modules below are textbook: Linear projections, SDPA, a two-layer MLP
without an activation in its forward, and an output Linear.  The function
``install_hooks`` walks the module tree once and registers forward hooks /
forward pre-hooks that reshape what flows between the modules.  Swapping the
hook set is how we run ablations without touching the model code.
"""
import glob
import math
import os
import time

os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "max_split_size_mb:512")

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

# ----------------------------------------------------------------------------
# knobs
# ----------------------------------------------------------------------------
VOCAB = 50257
WIDTH = 768
DEPTH = 12
HEADS = 12
SEQ = 1024
LOCAL_BATCH = 16
STEPS = int(os.environ.get("STEPS", 4000))
PEAK_LR = float(os.environ.get("PEAK_LR", 6e-4))
WARM = 100
WD = 0.1
ATTN_TEMPERATURE = 0.12      # effective softmax scale on q.k
LOGIT_RANGE = 30.0           # logits are squashed into (0, LOGIT_RANGE)
ABLATE_MLP_AT = (7,)         # layers whose MLP contribution is switched off
EVAL_EVERY = 250


# ----------------------------------------------------------------------------
# plain modules
# ----------------------------------------------------------------------------

class Rope(nn.Module):
    def __init__(self, hd):
        super().__init__()
        freq = torch.exp(-math.log(10000.0) * torch.arange(0, hd, 2, dtype=torch.float32) / hd)
        self.register_buffer("freq", freq, persistent=False)

    def forward(self, x):
        pos = torch.arange(x.size(1), device=x.device, dtype=torch.float32)
        th = pos[:, None] * self.freq
        cos, sin = th.cos()[None, :, None, :], th.sin()[None, :, None, :]
        d = x.size(-1) // 2
        x1, x2 = x[..., :d].float(), x[..., d:].float()
        return torch.cat((x1 * cos + x2 * sin, -x1 * sin + x2 * cos), dim=-1).type_as(x)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width, bias=False)
        self.k_proj = nn.Linear(width, width, bias=False)
        self.v_proj = nn.Linear(width, width, bias=False)
        self.o_proj = nn.Linear(width, width, bias=False)
        self.rope = Rope(width // heads)

    def forward(self, x):
        B, T, C = x.shape
        q = self.q_proj(x).view(B, T, self.heads, -1)
        k = self.k_proj(x).view(B, T, self.heads, -1)
        v = self.v_proj(x).view(B, T, self.heads, -1)
        q, k = self.rope(q), self.rope(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.o_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.up = nn.Linear(width, 4 * width, bias=False)
        self.down = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        return self.down(self.up(x))  # nonlinearity supplied by a hook on `up`


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.attn = Attention(width, heads)
        self.mlp = MLP(width)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        x = x + self.mlp(F.rms_norm(x, (x.size(-1),)))
        return x


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok_embed = nn.Embedding(VOCAB, WIDTH)
        self.blocks = nn.ModuleList(Block(WIDTH, HEADS) for _ in range(DEPTH))
        self.lm_head = nn.Linear(WIDTH, VOCAB, bias=False)

    def forward(self, idx, targets):
        x = self.tok_embed(idx)
        for blk in self.blocks:
            x = blk(x)
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),)))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ----------------------------------------------------------------------------
# hooks
# ----------------------------------------------------------------------------

def install_hooks(model: Decoder):
    handles = []
    shared = {}

    # (1) normalize the token embedding output and remember it for later layers
    def embed_hook(mod, inp, out):
        out = F.rms_norm(out, (out.size(-1),))
        shared["x0"] = out
        return out
    handles.append(model.tok_embed.register_forward_hook(embed_hook))

    # (2) every block first re-mixes the stream with the normalized embedding
    def make_block_prehook(blk):
        def pre(mod, args):
            (x,) = args
            w = mod.stream_mix
            return (w[0] * x + w[1] * shared["x0"],)
        return pre

    # (3) per-head RMS normalization of queries and keys (no gain); queries also carry
    #     the attention temperature so that SDPA's built-in 1/sqrt(hd) becomes ATTN_TEMPERATURE
    def make_qk_hook(heads, extra_gain):
        def hook(mod, inp, out):
            B, T, C = out.shape
            hd = C // heads
            o = F.rms_norm(out.view(B, T, heads, hd), (hd,))
            if extra_gain:
                o = o * (ATTN_TEMPERATURE * math.sqrt(hd))
            return o.view(B, T, C)
        return hook

    # (4) tanh-GELU on the MLP hidden layer
    def act_hook(mod, inp, out):
        return F.gelu(out, approximate="tanh")

    # (5) ablation: silence selected MLP outputs
    def silence_hook(mod, inp, out):
        return torch.zeros_like(out)

    for li, blk in enumerate(model.blocks):
        blk.register_parameter("stream_mix", nn.Parameter(torch.tensor([1.0, 0.0])))
        handles.append(blk.register_forward_pre_hook(make_block_prehook(blk)))
        handles.append(blk.attn.q_proj.register_forward_hook(make_qk_hook(HEADS, True)))
        handles.append(blk.attn.k_proj.register_forward_hook(make_qk_hook(HEADS, False)))
        handles.append(blk.mlp.up.register_forward_hook(act_hook))
        if li in ABLATE_MLP_AT and os.environ.get("ABLATE", "1") == "1":
            handles.append(blk.mlp.register_forward_hook(silence_hook))

    # (6) bounded logits: R * sigmoid(z / (R/4)), evaluated in fp32
    def logit_hook(mod, inp, out):
        z = out.float()
        return LOGIT_RANGE * torch.sigmoid(z * (4.0 / LOGIT_RANGE))
    handles.append(model.lm_head.register_forward_hook(logit_hook))
    return handles


@torch.no_grad()
def init_weights(model: Decoder):
    for name, mod in model.named_modules():
        if isinstance(mod, nn.Linear):
            bound = (0.75 / mod.in_features) ** 0.5   # uniform with std = 0.5 / sqrt(fan_in)
            mod.weight.uniform_(-bound, bound)
        if isinstance(mod, nn.Embedding):
            mod.weight.normal_(0.0, 1.0)
    for name, mod in model.named_modules():
        if name.endswith("attn.o_proj") or name.endswith("mlp.down") or name == "lm_head":
            mod.weight.zero_()


# ----------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------

def read_tokens(path):
    raw = np.memmap(path, dtype=np.uint16, mode="r", offset=1024)
    return raw


def batches(pattern, rank, world):
    files = sorted(glob.glob(pattern))
    span = LOCAL_BATCH * SEQ
    while True:
        for fn in files:
            toks = read_tokens(fn)
            for start in range(rank * span, len(toks) - span - 1, world * span):
                blk = torch.from_numpy(np.asarray(toks[start:start + span + 1], dtype=np.int64))
                yield blk[:-1].view(LOCAL_BATCH, SEQ).cuda(), blk[1:].view(LOCAL_BATCH, SEQ).cuda()


def cosine(step):
    if step < WARM:
        return (step + 1) / WARM
    p = (step - WARM) / max(1, STEPS - WARM)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p))


# ----------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------

def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)
    torch.manual_seed(1234)

    model = Decoder()
    init_weights(model)
    install_hooks(model)
    model = model.cuda()
    ddp = DDP(model, device_ids=[local], broadcast_buffers=False, gradient_as_bucket_view=True)

    opt = torch.optim.AdamW(model.parameters(), lr=PEAK_LR, betas=(0.9, 0.95), weight_decay=WD)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, cosine)
    train = batches(os.environ["TRAIN_GLOB"], rank, world)
    amp = torch.autocast("cuda", dtype=torch.bfloat16)

    t0 = time.time()
    for step in range(STEPS):
        x, y = next(train)
        with amp:
            loss = ddp(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        if rank == 0 and step % 50 == 0:
            print(f"{step:5d} loss {loss.item():.4f} lr {sched.get_last_lr()[0]:.2e} {time.time() - t0:.0f}s")
        if (step + 1) % EVAL_EVERY == 0:
            ddp.eval()
            val = batches(os.environ["VAL_GLOB"], rank, world)
            tot = torch.zeros((), device="cuda")
            with torch.no_grad(), amp:
                for _ in range(20):
                    vx, vy = next(val)
                    tot += ddp(vx, vy)
            dist.all_reduce(tot)
            if rank == 0:
                print(f"{step + 1:5d} val {tot.item() / (20 * world):.4f}")
            ddp.train()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
