# %% [markdown]
# # GPT-2 small on FineWeb -- scratch notebook, exported to a script
# run:  torchrun --standalone --nproc_per_node=8 nb_gpt_speedrun.py

# %%
import os, glob, math, time, functools
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

# %% knobs ----------------------------------------------------------------------------------
DATA_TRAIN = os.environ.get("DATA_TRAIN", "data/fineweb10B/fineweb_train_*.bin")
DATA_VAL = os.environ.get("DATA_VAL", "data/fineweb10B/fineweb_val_*.bin")
VOCAB = 50304          # gpt2's 50257 rounded up to a multiple of 128
N_LAYER, N_HEAD, N_EMBD = 12, 12, 768
B, T = 64, 1024        # per GPU; 8 GPUs -> 64*1024*8 = 524288 tokens / step
STEPS = 9536
LR = 1.8e-3
WARMUP = 256
WARMDOWN = 2000
WD = 0.1
BETAS = (0.9, 0.95)
SOFTCAP = 50.0
HEAD_OUT_NORM = True   # rms-normalise each head's attention output before the merge
ROPE_BASE = 10000.0
VAL_EVERY, VAL_TOKENS = 128, 10_485_760
SEED = 1337

# %% distributed boilerplate ----------------------------------------------------------------
dist.init_process_group("nccl")
RANK, WORLD = dist.get_rank(), dist.get_world_size()
LOCAL = int(os.environ["LOCAL_RANK"])
DEV = f"cuda:{LOCAL}"
torch.cuda.set_device(DEV)
MASTER = RANK == 0
log = (lambda *a: print(*a, flush=True)) if MASTER else (lambda *a: None)
torch.manual_seed(SEED)

# %% little helpers (all lambdas) ------------------------------------------------------------
rmsnorm = lambda x: F.rms_norm(x, (x.size(-1),))
sqrelu = lambda x: F.relu(x).square()
cap = lambda z, c=SOFTCAP: c * torch.tanh(z / c)
split_heads = lambda t, h: t.view(t.size(0), t.size(1), h, -1)
merge_heads = lambda t: t.reshape(t.size(0), t.size(1), -1)
n_params = lambda m: sum(p.numel() for p in m.parameters())

inv_freq = 1.0 / (ROPE_BASE ** (torch.arange(0, N_EMBD // N_HEAD, 2, device=DEV).float() / (N_EMBD // N_HEAD)))


@functools.lru_cache(maxsize=4)
def cos_sin(seq_len):
    ang = torch.outer(torch.arange(seq_len, device=DEV).float(), inv_freq)
    return ang.cos()[None, :, None, :].bfloat16(), ang.sin()[None, :, None, :].bfloat16()


def rope(x):
    c, s = cos_sin(x.size(1))
    h = x.size(-1) // 2
    x1, x2 = x[..., :h], x[..., h:]
    return torch.cat([x1 * c + x2 * s, -x1 * s + x2 * c], dim=-1).type_as(x)


# %% the model (only class in the file) -----------------------------------------------------
class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, N_EMBD)
        self.h = nn.ModuleList(
            nn.ModuleDict(dict(
                qkv=nn.Linear(N_EMBD, 3 * N_EMBD, bias=False),
                proj=nn.Linear(N_EMBD, N_EMBD, bias=False),
                up=nn.Linear(N_EMBD, 4 * N_EMBD, bias=False),
                down=nn.Linear(4 * N_EMBD, N_EMBD, bias=False),
            ))
            for _ in range(N_LAYER)
        )
        self.apply(lambda m: nn.init.normal_(m.weight, std=0.02) if isinstance(m, (nn.Linear, nn.Embedding)) else None)
        for blk in self.h:
            for k in ("proj", "down"):
                nn.init.normal_(blk[k].weight, std=0.02 / math.sqrt(2 * N_LAYER))

    def attn(self, blk, x):
        q, k, v = blk["qkv"](x).split(N_EMBD, dim=-1)
        q, k, v = (split_heads(t, N_HEAD) for t in (q, k, v))
        q, k = rope(q), rope(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        y = y.transpose(1, 2)
        if HEAD_OUT_NORM:
            y = rmsnorm(y)
        return blk["proj"](merge_heads(y))

    def forward(self, idx, tgt=None):
        x = self.wte(idx)
        for blk in self.h:
            x = x + self.attn(blk, rmsnorm(x))
            x = x + blk["down"](sqrelu(blk["up"](rmsnorm(x))))
        x = rmsnorm(x)
        logits = cap(F.linear(x, self.wte.weight))    # weight-tied head
        if tgt is None:
            return logits[:, -1:]
        logits = logits.float()
        return F.cross_entropy(logits.view(-1, VOCAB), tgt.view(-1))


# %% data ----------------------------------------------------------------------------------
read_hdr = lambda f: np.fromfile(f, dtype=np.int32, count=256)
read_toks = lambda f: np.fromfile(f, dtype=np.uint16, offset=1024, count=int(read_hdr(f)[2]))
train_files, val_files = sorted(glob.glob(DATA_TRAIN)), sorted(glob.glob(DATA_VAL))
state = dict(file=0, pos=RANK * B * T, toks=read_toks(train_files[0]))


def next_batch():
    if state["pos"] + B * T + 1 > len(state["toks"]):
        state["file"] = (state["file"] + 1) % len(train_files)
        state["toks"], state["pos"] = read_toks(train_files[state["file"]]), RANK * B * T
    buf = torch.from_numpy(state["toks"][state["pos"]: state["pos"] + B * T + 1].astype(np.int64))
    state["pos"] += B * T * WORLD
    buf = buf.to(DEV, non_blocking=True)
    return buf[:-1].view(B, T), buf[1:].view(B, T)


def val_batches():
    toks = read_toks(val_files[0])
    steps = VAL_TOKENS // (B * T * WORLD)
    for i in range(steps):
        s = (i * WORLD + RANK) * B * T
        buf = torch.from_numpy(toks[s: s + B * T + 1].astype(np.int64)).to(DEV)
        yield buf[:-1].view(B, T), buf[1:].view(B, T)


# %% build ---------------------------------------------------------------------------------
model = GPT().to(DEV)
log(f"params: {n_params(model) / 1e6:.2f}M")
model = torch.compile(model)
model = DDP(model, device_ids=[LOCAL])
raw = model.module

opt = torch.optim.AdamW(raw.parameters(), lr=LR, betas=BETAS, weight_decay=WD)

# warmup -> flat -> linear warmdown to zero
lr_at = lambda it: (
    LR * (it + 1) / WARMUP if it < WARMUP
    else LR if it < STEPS - WARMDOWN
    else LR * (STEPS - it) / WARMDOWN
)

# unit-norm every gradient tensor on its own (instead of one global clip)
normalize_grads = lambda params: [p.grad.div_(p.grad.norm() + 1e-6) for p in params if p.grad is not None]

autocast = lambda: torch.autocast(device_type="cuda", dtype=torch.bfloat16)


# %% sanity check: can we overfit a single batch? (set OVERFIT=1) -------------------------
OVERFIT = int(os.environ.get("OVERFIT", "0"))
if OVERFIT:
    ox, oy = next_batch()
    tmp_opt = torch.optim.AdamW(raw.parameters(), lr=LR, betas=BETAS, weight_decay=WD)
    for i in range(OVERFIT):
        with autocast():
            l = model(ox, oy)
        l.backward()
        tmp_opt.step()
        tmp_opt.zero_grad(set_to_none=True)
        if i % 10 == 0:
            log(f"overfit {i:4d} {l.item():.3f}")
    raise SystemExit

# %% bookkeeping --------------------------------------------------------------------------
history = dict(it=[], loss=[], val_it=[], val=[], ms=[])
push = lambda k, v: history[k].append(v)
tok_per_step = B * T * WORLD
log(f"tokens/step {tok_per_step}, total {tok_per_step * STEPS / 1e9:.2f}B tokens")

# %% train ---------------------------------------------------------------------------------
x, y = next_batch()
t0, seen = time.time(), 0
for it in range(STEPS + 1):
    last = it == STEPS
    if last or it % VAL_EVERY == 0:
        model.eval()
        with torch.no_grad(), autocast():
            vl = torch.stack([model(vx, vy) for vx, vy in val_batches()]).mean()
        dist.all_reduce(vl, op=dist.ReduceOp.AVG)
        log(f"it {it:5d} | val {vl.item():.4f} | {time.time() - t0:.0f}s")
        push("val_it", it); push("val", vl.item())
        model.train()
    if last:
        break

    with autocast():
        loss = model(x, y)
    x, y = next_batch()            # prefetch while backward runs
    loss.backward()
    normalize_grads(raw.parameters())
    for g in opt.param_groups:
        g["lr"] = lr_at(it)
    opt.step()
    opt.zero_grad(set_to_none=True)
    seen += B * T * WORLD
    if it % 20 == 0:
        push("it", it); push("loss", loss.item()); push("ms", 1000 * (time.time() - t0) / (it + 1))
        log(f"it {it:5d} | loss {loss.item():.4f} | lr {lr_at(it):.2e} | tok {seen / 1e9:.2f}B")


# %% sampling ------------------------------------------------------------------------------
top_k_filter = lambda logits, k: logits.masked_fill(logits < torch.topk(logits, k).values[..., -1:], -float("inf"))


@torch.no_grad()
def sample(prompt_ids, n_new=64, temperature=0.8, k=50):
    raw.eval()
    ids = torch.tensor(prompt_ids, device=DEV)[None]
    for _ in range(n_new):
        with autocast():
            logits = raw(ids[:, -T:])[:, -1, :50257].float()
        probs = F.softmax(top_k_filter(logits / temperature, k), dim=-1)
        ids = torch.cat([ids, torch.multinomial(probs, 1)], dim=1)
    return ids[0].tolist()


if MASTER and os.environ.get("SAMPLE"):
    try:
        import tiktoken
        enc = tiktoken.get_encoding("gpt2")
        out = sample(enc.encode("The meaning of life is"))
        log(enc.decode(out))
    except ImportError:
        log("tiktoken missing, skipping samples")

# %% plot ----------------------------------------------------------------------------------
if MASTER and os.environ.get("PLOT"):
    os.makedirs("ckpt", exist_ok=True)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    ax[0].plot(history["it"], history["loss"], label="train")
    ax[0].plot(history["val_it"], history["val"], label="val")
    ax[0].set_ylim(3.0, 6.0); ax[0].legend()
    ax[1].plot(history["it"], history["ms"]); ax[1].set_title("ms / step (running)")
    fig.savefig("ckpt/curves.png", dpi=120)

# %% summary -------------------------------------------------------------------------------
if history["val"]:
    best = min(history["val"])
    log(f"best val {best:.4f} at it {history['val_it'][history['val'].index(best)]}")
    log(f"mean step time {history['ms'][-1] if history['ms'] else float('nan'):.1f} ms")

# %% save ----------------------------------------------------------------------------------
if MASTER:
    os.makedirs("ckpt", exist_ok=True)
    torch.save(raw.state_dict(), "ckpt/final.pt")
dist.destroy_process_group()
