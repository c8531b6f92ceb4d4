"""minGPT-shaped re-implementation of the final FineWeb speedrun configuration."""
import os
os.environ["PYTORCH_CUDA_ALLOC_CONF"] = "expandable_segments:True"
import sys
import glob
import time
from functools import lru_cache
from collections import defaultdict

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch import Tensor
from torch.nn.attention.flex_attention import BlockMask, flex_attention

assert tuple(int(v) for v in torch.__version__.split(".")[:2]) >= (2, 6), "needs torch >= 2.6 (nightly)"

class CfgNode:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    def merge_from_args(self, argv):
        for a in argv:
            k, v = a.lstrip("-").split("=")
            setattr(self, k, type(getattr(self, k))(v))

# ---------------------------------------------------------------- fp8 classifier matmul

@torch.library.custom_op("mingpt::fp8_matmul", mutates_args=())
def fp8_matmul(x: Tensor, w: Tensor, x_s: float, w_s: float, grad_s: float) -> tuple[Tensor, Tensor, Tensor]:
    @torch.compile
    def impl(x: Tensor, w: Tensor):
        xq = x.mul(x_s).to(torch.float8_e4m3fn)
        wq = w.mul(w_s).to(torch.float8_e4m3fn)
        out = torch._scaled_mm(xq, wq.t(), out_dtype=torch.bfloat16,
                               scale_a=x.new_tensor(1 / x_s, dtype=torch.float32),
                               scale_b=x.new_tensor(1 / w_s, dtype=torch.float32), use_fast_accum=True)
        return out, xq, wq
    return impl(x, w)

fp8_matmul.register_fake(lambda x, w, *_: (x @ w.t(), x.to(torch.float8_e4m3fn), w.to(torch.float8_e4m3fn)))

@torch.library.custom_op("mingpt::fp8_matmul_bwd", mutates_args=())
def fp8_matmul_bwd(g: Tensor, xq: Tensor, wq: Tensor, x_s: float, w_s: float, grad_s: float) -> tuple[Tensor, Tensor]:
    @torch.compile
    def impl(g: Tensor, xq: Tensor, wq: Tensor):
        one = lambda s: g.new_tensor(1 / s, dtype=torch.float32)
        gq = g.mul(grad_s).to(torch.float8_e5m2)
        gx = torch._scaled_mm(gq, wq.t().contiguous().t(), out_dtype=torch.bfloat16,
                              scale_a=one(grad_s), scale_b=one(w_s), use_fast_accum=False)
        gw = torch._scaled_mm(xq.t().contiguous(), gq.t().contiguous().t(), out_dtype=torch.float32,
                              scale_a=one(x_s), scale_b=one(grad_s), use_fast_accum=False).t()
        return gx, gw
    return impl(g, xq, wq)

fp8_matmul_bwd.register_fake(lambda g, xq, wq, *_: (xq.to(torch.bfloat16), wq.to(torch.float32)))

def _bwd(ctx, g, *_):
    xq, wq = ctx.saved_tensors
    gx, gw = torch.ops.mingpt.fp8_matmul_bwd(g, xq, wq, *ctx.scales)
    return gx, gw, None, None, None

def _setup(ctx, inputs, output):
    ctx.save_for_backward(output[1], output[2])
    ctx.scales = inputs[2:]
    ctx.set_materialize_grads(False)

fp8_matmul.register_autograd(_bwd, setup_context=_setup)

# ---------------------------------------------------------------- optimizer

@torch.compile
def newton_schulz_polar(G: Tensor, steps: int = 5) -> Tensor:
    assert G.ndim >= 2
    X = G.bfloat16()
    wide = G.size(-2) <= G.size(-1)
    if not wide:
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X if wide else X.mT

class Orthon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95, rank=0, world_size=1):
        self.rank, self.world_size = rank, world_size
        params = [*params]
        groups = []
        for size in {p.numel() for p in params}:
            buf = torch.empty(world_size, size, dtype=torch.bfloat16, device="cuda")
            groups.append(dict(params=[p for p in params if p.numel() == size], gathered=buf, shards=[buf[i] for i in range(world_size)]))
        super().__init__(groups, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            ps, shards, lr, mu = grp["params"], grp["shards"], grp["lr"], grp["momentum"]
            handle, owners = None, None
            def apply_last():
                if owners is None:
                    return
                handle.wait()
                for p, u in zip(owners, shards):
                    p.add_(u.view_as(p), alpha=-lr * max(1, p.size(-2) / p.size(-1)) ** 0.5)

            for i in range(0, len(ps), self.world_size):
                if i + self.rank < len(ps):
                    p = ps[i + self.rank]
                    st = self.state[p]
                    st.setdefault("m", torch.zeros_like(p.grad)).lerp_(p.grad, 1 - mu)
                    u = newton_schulz_polar(p.grad.lerp_(st["m"], mu)).flatten()
                else:
                    u = shards[self.rank]
                apply_last()
                handle = dist.all_gather_into_tensor(grp["gathered"], u, async_op=True)
                owners = ps[i:i + self.world_size]
            apply_last()

# ---------------------------------------------------------------- model

def rmsn(x):
    return F.rms_norm(x, (x.size(-1),))

class MasterLinear(nn.Linear):
    def __init__(self, fan_in, fan_out, fp8=False, scales=(1.0, 1.0, 1.0)):
        super().__init__(fan_in, fan_out, bias=False)
        self.fp8, self.scales = fp8, scales

    def reset_parameters(self):
        bound = 3 ** 0.5 * 0.5 * self.in_features ** -0.5
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)

    def forward(self, x):
        if self.fp8 and self.training:
            y = torch.ops.mingpt.fp8_matmul(x.flatten(0, -2), self.weight, *self.scales)[0]
            return y.view(*x.shape[:-1], -1)
        return F.linear(x, self.weight.type_as(x))

class HalfSpin(nn.Module):
    def __init__(self, hd, max_len):
        super().__init__()
        f = (1 / 1024) ** torch.linspace(0, 1, steps=hd // 4, dtype=torch.float32)
        f = torch.cat([f, f.new_zeros(hd // 4)])
        th = torch.outer(torch.arange(max_len, dtype=torch.float32), f)
        self.register_buffer("cos", th.cos(), persistent=False)
        self.register_buffer("sin", th.sin(), persistent=False)

    def forward(self, x):
        c, s = self.cos[None, :x.size(-3), None], self.sin[None, :x.size(-3), None]
        a, b = x.float().chunk(2, dim=-1)
        return torch.cat((a * c + b * s, b * c - a * s), -1).type_as(x)

class CausalSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, self.nh, self.hd = cfg.n_embd, cfg.n_head, cfg.n_embd // cfg.n_head
        bound = 3 ** 0.5 * 0.5 * d ** -0.5
        self.key_query_value = nn.Parameter(torch.empty(3, d, d).uniform_(-bound, bound))
        self.mix = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.spin = HalfSpin(self.hd, cfg.max_len)
        self.proj = MasterLinear(d, d)
        self.proj.weight.detach().zero_()

    def forward(self, x, vals, mask):
        B, T, C = x.shape
        qkv = F.linear(x, self.key_query_value.flatten(end_dim=1).type_as(x))
        q, k, v = qkv.view(B, T, 3 * self.nh, self.hd).chunk(3, dim=-2)
        q, k = self.spin(rmsn(q)), self.spin(rmsn(k))
        v = self.mix[0] * v + (self.mix[1] * vals.view_as(v) if vals is not None else 0)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask, scale=0.12)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))

class Block(nn.Module):
    def __init__(self, cfg, idx):
        super().__init__()
        self.attn = None if idx == 7 else CausalSelfAttention(cfg)
        self.fc, self.proj = MasterLinear(cfg.n_embd, 4 * cfg.n_embd), MasterLinear(4 * cfg.n_embd, cfg.n_embd)
        self.proj.weight.detach().zero_()
        self.mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, anchor, vals, mask):
        x = self.mix[0] * x + self.mix[1] * anchor
        if self.attn is not None:
            x = x + self.attn(rmsn(x), vals, mask)
        h = F.relu(self.fc(rmsn(x)))
        return x + self.proj(h * h)

class GPT(nn.Module):
    @staticmethod
    def get_default_config():
        return CfgNode(n_layer=12, n_head=6, n_embd=768, vocab_size=50257, max_len=4 * 64 * 1024)

    def __init__(self, cfg):
        super().__init__()
        V = -(-cfg.vocab_size // 128) * 128
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg.vocab_size, cfg.n_embd),
            vte=nn.ModuleList([nn.Embedding(cfg.vocab_size, cfg.n_embd) for _ in range(3)]),
            h=nn.ModuleList([Block(cfg, i) for i in range(cfg.n_layer)])))
        self.n_enc = cfg.n_layer // 2
        self.skip_w = nn.Parameter(torch.ones(cfg.n_layer - self.n_enc))
        self.unembed = MasterLinear(cfg.n_embd, V, fp8=True, scales=(2.0, 2.0 ** 9, 2.0 ** 19))
        self.unembed.weight.detach().zero_()

    def masks(self, idx, sw_blocks):
        BS = 128
        docs = (idx == 50256).cumsum(0)
        lo, hi = docs.view(-1, BS)[:, 0].contiguous(), docs.view(-1, BS)[:, -1].contiguous()
        b = torch.arange(len(idx) // BS, dtype=torch.int32, device="cuda")
        any_bm = (b[:, None] >= b) & (lo[:, None] <= hi) & (hi[:, None] >= lo)
        all_bm = (b[:, None] > b) & (lo[:, None] == hi) & (hi[:, None] == lo)
        order = lambda m: (m.sum(-1, dtype=torch.int32)[None, None].contiguous(),
                           m.argsort(-1, descending=False, stable=True).flip(-1).to(torch.int32)[None, None].contiguous())
        (p_n, p_i), (f_n, f_i) = order(any_bm & ~all_bm), order(all_bm)
        mm = lambda bb, hh, q, kv: (q >= kv) & (docs[q] == docs[kv])
        mk = lambda w: BlockMask.from_kv_blocks(torch.clamp_max(p_n, torch.clamp_min(w - f_n, 1)), p_i,
                                                torch.clamp_max(f_n, w - 1), f_i, BLOCK_SIZE=BS, mask_mod=mm)
        return mk(sw_blocks), mk(sw_blocks // 2)

    def forward(self, idx, targets, sw_blocks):
        long_m, short_m = self.masks(idx, sw_blocks)
        x = anchor = rmsn(self.transformer.wte(idx)[None])
        v3 = [e(idx) for e in self.transformer.vte]
        vals = v3 + [None] * (len(self.transformer.h) - 6) + v3
        pattern = [long_m, short_m, short_m, short_m, long_m, short_m]
        pattern = pattern + pattern[::-1]
        skips = []
        for i, blk in enumerate(self.transformer.h):
            if i >= self.n_enc:
                x = x + self.skip_w[i - self.n_enc] * skips.pop()
            x = blk(x, anchor, vals[i], pattern[i])
            if i < self.n_enc:
                skips.append(x)
        logits = self.unembed(rmsn(x))
        logits = 30 * torch.sigmoid(logits.float() / 7.5)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)

# ---------------------------------------------------------------- data + trainer

def read_shard(path):
    n = int(torch.from_file(path, False, 256, dtype=torch.int32)[2])
    toks = torch.empty(n, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as f:
        f.seek(1024)
        assert f.readinto(toks.numpy()) == 2 * n
    return toks

def stream(pattern, T, rank, world):
    files = iter(sorted(glob.glob(pattern)))
    toks, pos = read_shard(next(files)), 0
    while True:
        if pos + world * T + 1 >= len(toks):
            toks, pos = read_shard(next(files)), 0
        buf = toks[pos + rank * T:][:T + 1]
        yield buf[:-1].to("cuda", torch.int32, non_blocking=True), buf[1:].to("cuda", torch.int64, non_blocking=True)
        pos += world * T

class Trainer:
    @staticmethod
    def get_default_config():
        return CfgNode(max_iters=1770, cooldown_frac=0.4, seq_len=48 * 1024, val_seq_len=4 * 64 * 1024, val_every=125)

    def __init__(self, cfg, model, rank, world):
        self.cfg, self.model, self.rank, self.world = cfg, model, rank, world
        self.callbacks = defaultdict(list)
        mats = [p for p in model.transformer.h.parameters() if p.ndim >= 2]
        embs = [p for n, p in model.named_parameters() if "wte" in n or "vte" in n]
        scal = [p for p in model.parameters() if p.ndim < 2]
        self.adam = torch.optim.Adam([dict(params=[model.unembed.weight], lr=0.008), dict(params=embs, lr=0.6),
                                      dict(params=scal, lr=0.04)], betas=(0.8, 0.95), eps=1e-10, fused=True)
        self.orth = Orthon(mats, lr=0.05, momentum=0.95, rank=rank, world_size=world)
        self.opts = [self.adam, self.orth]
        [g.setdefault("base_lr", g["lr"]) for o in self.opts for g in o.param_groups]

    def add_callback(self, ev, fn):
        self.callbacks[ev].append(fn)

    def trigger_callbacks(self, ev):
        [fn(self) for fn in self.callbacks[ev]]

    def lr_scale(self, it):
        w = min((1 - it / self.cfg.max_iters) / self.cfg.cooldown_frac, 1.0)
        return w + (1 - w) * 0.1

    @staticmethod
    @lru_cache(1)
    def sw_blocks(window):
        return torch.tensor(window // 128, dtype=torch.int32, pin_memory=True).cuda(non_blocking=True)

    def run(self, compiled):
        cfg = self.cfg
        train = stream(os.environ["NANOGPT_TRAIN_FILES"], cfg.seq_len, self.rank, self.world)
        for self.iter_num in range(cfg.max_iters + 1):
            self.window = 128 * -(-int(1728 * self.iter_num / cfg.max_iters) // 128) or 128
            self.trigger_callbacks("on_batch_start")
            if self.iter_num == cfg.max_iters:
                break
            x, y = next(train)
            compiled(x, y, self.sw_blocks(self.window)).backward()
            for p in self.model.parameters():
                dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
            frac = min(self.iter_num / 300, 1)
            for g in self.orth.param_groups:
                g["momentum"] = (1 - frac) * 0.85 + frac * 0.95
            for o in self.opts:
                for g in o.param_groups:
                    g["lr"] = g["base_lr"] * self.lr_scale(self.iter_num)
                o.step()
            self.model.zero_grad(set_to_none=True)
            self.trigger_callbacks("on_batch_end")

if __name__ == "__main__":
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    tcfg = Trainer.get_default_config()
    tcfg.merge_from_args(sys.argv[1:])
    mcfg = GPT.get_default_config()
    mcfg.max_len = max(tcfg.seq_len, tcfg.val_seq_len)
    model = GPT(mcfg).cuda()
    for m in model.modules():
        if isinstance(m, nn.Embedding):
            m.bfloat16()
    for p in model.parameters():
        dist.broadcast(p.detach(), 0)
    trainer = Trainer(tcfg, model, rank, world)
    compiled = torch.compile(model, dynamic=False)
    t0 = time.perf_counter()

    @torch.no_grad()
    def evaluate(tr):
        if tr.iter_num % tr.cfg.val_every and tr.iter_num != tr.cfg.max_iters:
            return
        compiled.eval()
        T = tr.cfg.val_seq_len
        n = int(os.environ["NANOGPT_VAL_TOKENS"]) // (T * world)
        it = stream(os.environ["NANOGPT_VAL_FILES"], T, rank, world)
        loss = sum(compiled(*next(it), tr.sw_blocks(tr.window)) for _ in range(n)) / n
        dist.all_reduce(loss, op=dist.ReduceOp.AVG)
        if rank == 0:
            print(f"step {tr.iter_num} val_loss {loss.item():.4f} {time.perf_counter() - t0:.0f}s")
        compiled.train()

    trainer.add_callback("on_batch_start", evaluate)
    trainer.run(compiled)
    dist.destroy_process_group()
