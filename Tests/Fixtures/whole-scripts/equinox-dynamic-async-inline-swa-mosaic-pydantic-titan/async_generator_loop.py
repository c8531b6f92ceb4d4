"""
Generator-driven trainer.

The optimisation loop is a plain Python generator: it receives a batch via
`send()` and yields a StepReport.  A tiny cooperative scheduler pulls batches
from an asyncio prefetcher and pumps the generator; every schedule
(learning-rate multiplier, momentum, attention span) is itself an infinite
generator that is zipped with the step counter.

    torchrun --standalone --nproc_per_node=8 async_generator_loop.py
"""
import asyncio
import glob
import itertools
import os
import time
from typing import AsyncIterator, Iterator, NamedTuple, Optional

os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "max_split_size_mb:512,garbage_collection_threshold:0.8")

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP


class HParams(NamedTuple):
    train_glob: str = "data/fineweb10B/fineweb_train_*.bin"
    val_glob: str = "data/fineweb10B/fineweb_val_*.bin"
    vocab: int = 50257
    eot: int = 50256
    width: int = 768
    layers: int = 12
    heads: int = 12
    tokens_per_rank: int = 64 * 1024
    val_tokens: int = 10_485_760
    steps: int = 1750
    cooldown_frac: float = 0.4
    floor: float = 0.1
    embed_lr: float = 0.01
    matrix_lr: float = 0.03
    mom_lo: float = 0.85
    mom_hi: float = 0.95
    mom_ramp_steps: int = 300
    span_lo: int = 64
    span_hi: int = 1792
    span_quantum: int = 64
    prefetch_depth: int = 4
    val_every: int = 125


# ---------------------------------------------------------------------------
# schedules as generators
# ---------------------------------------------------------------------------

def lr_multipliers(h: HParams) -> Iterator[float]:
    cool = int(h.steps * h.cooldown_frac)
    flat = h.steps - cool
    ramp_down = (h.floor + (1.0 - h.floor) * (1.0 - i / cool) for i in range(cool))
    return itertools.chain(itertools.repeat(1.0, flat), ramp_down, itertools.repeat(h.floor))


def momenta(h: HParams) -> Iterator[float]:
    for step in itertools.count():
        t = min(step / h.mom_ramp_steps, 1.0)
        yield h.mom_lo + t * (h.mom_hi - h.mom_lo)


def attention_spans(h: HParams) -> Iterator[int]:
    for step in itertools.count():
        progress = min(step / h.steps, 1.0)
        raw = progress * (h.span_hi - h.span_lo) + h.span_lo
        yield h.span_quantum * int(raw // h.span_quantum)


# ---------------------------------------------------------------------------
# asyncio prefetcher
# ---------------------------------------------------------------------------

def read_shard(path: str) -> torch.Tensor:
    header = torch.from_file(path, False, 256, dtype=torch.int32)
    assert int(header[0]) == 20240520 and int(header[1]) == 1
    count = int(header[2])
    host = torch.empty(count, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as fh:
        fh.seek(256 * 4)
        got = fh.readinto(host.numpy())
    assert got == 2 * count
    return host


class Prefetcher:
    def __init__(self, pattern: str, span: int, rank: int, world: int, depth: int, loop_forever: bool = True):
        self.files = sorted(glob.glob(pattern))
        assert self.files, pattern
        self.span, self.rank, self.world = span, rank, world
        self.loop_forever = loop_forever
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=depth)
        self.task: Optional[asyncio.Task] = None

    async def _fill(self):
        loop = asyncio.get_running_loop()
        files = itertools.cycle(self.files) if self.loop_forever else iter(self.files)
        for path in files:
            host = await loop.run_in_executor(None, read_shard, path)
            cursor = self.rank * self.span
            while cursor + self.span + 1 <= host.numel():
                window = host[cursor:cursor + self.span + 1]
                inp = window[:-1].to(device="cuda", dtype=torch.int32, non_blocking=True)
                tgt = window[1:].to(device="cuda", dtype=torch.int64, non_blocking=True)
                await self.queue.put((inp, tgt))
                cursor += self.world * self.span
        await self.queue.put(None)

    def start(self):
        self.task = asyncio.get_running_loop().create_task(self._fill())
        return self

    async def __aiter__(self) -> AsyncIterator:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            yield item

    async def take(self):
        return await self.queue.get()

    def cancel(self):
        if self.task is not None:
            self.task.cancel()


# ---------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------

class RotaryCache(nn.Module):
    def __init__(self, head_dim: int, base: float = 10000.0):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / base ** (torch.arange(0, head_dim, 2).float() / head_dim), persistent=False)
        self._len = 0

    def forward(self, n: int, device):
        if n != self._len:
            t = torch.arange(n, device=device, dtype=torch.float32)
            ang = torch.outer(t, self.inv_freq.to(device))
            self._cos, self._sin = ang.cos().bfloat16(), ang.sin().bfloat16()
            self._len = n
        return self._cos[None, :, None, :], self._sin[None, :, None, :]


def rotate(x, cos, sin):
    d = x.size(-1) // 2
    lo, hi = x[..., :d], x[..., d:]
    return torch.cat((lo * cos + hi * sin, hi * cos - lo * sin), dim=-1).type_as(x)


class Mixer(nn.Module):
    def __init__(self, h: HParams):
        super().__init__()
        self.h = h.heads
        self.hd = h.width // h.heads
        self.qkv = nn.Linear(h.width, 3 * h.width, bias=False)
        self.out = nn.Linear(h.width, h.width, bias=False)
        self.rope = RotaryCache(self.hd)

    def forward(self, x, mask):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, self.hd).unbind(2)
        cos, sin = self.rope(T, x.device)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class GatedFFN(nn.Module):
    def __init__(self, h: HParams):
        super().__init__()
        hidden = int(8 * h.width / 3) // 64 * 64
        self.gate = nn.Linear(h.width, hidden, bias=False)
        self.up = nn.Linear(h.width, hidden, bias=False)
        self.down = nn.Linear(hidden, h.width, bias=False)

    def forward(self, x):
        return self.down(F.silu(self.gate(x)) * self.up(x))


class Layer(nn.Module):
    def __init__(self, h: HParams):
        super().__init__()
        self.mix = Mixer(h)
        self.ffn = GatedFFN(h)

    def forward(self, x, mask):
        x = x + self.mix(F.rms_norm(x, (x.size(-1),)), mask)
        return x + self.ffn(F.rms_norm(x, (x.size(-1),)))


class StreamLM(nn.Module):
    def __init__(self, h: HParams):
        super().__init__()
        self.hp = h
        self.tok = nn.Embedding(h.vocab, h.width)
        self.stack = nn.ModuleList(Layer(h) for _ in range(h.layers))
        nn.init.normal_(self.tok.weight, std=0.02)

    def make_mask(self, tokens: torch.Tensor, span: torch.Tensor):
        seg = (tokens == self.hp.eot).cumsum(0)

        def keep(b, hh, qi, ki):
            return (qi >= ki) & (seg[qi] == seg[ki]) & (qi - ki < span)

        n = tokens.numel()
        return create_block_mask(keep, None, None, n, n, device=tokens.device, _compile=True)

    def forward(self, tokens, span, targets=None):
        assert tokens.ndim == 1
        mask = self.make_mask(tokens, span)
        x = self.tok(tokens)[None]
        for layer in self.stack:
            x = layer(x, mask)
        x = F.rms_norm(x, (x.size(-1),))
        logits = F.linear(x, self.tok.weight)
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)


@torch.no_grad()
def sample(model: StreamLM, prompt: torch.Tensor, new_tokens: int, temperature: float = 0.8, cap: float = 30.0):
    seq = prompt.clone()
    span = torch.tensor(model.hp.span_hi, device=prompt.device)
    for _ in range(new_tokens):
        logits = model(seq, span)[0, -1].float()
        logits = cap * torch.tanh(logits / cap)
        nxt = torch.multinomial(F.softmax(logits / temperature, dim=-1), 1)
        seq = torch.cat([seq, nxt.to(seq.dtype)])
    return seq


# ---------------------------------------------------------------------------
# optimizer
# ---------------------------------------------------------------------------

def orthogonalize(M: torch.Tensor, iters: int = 5) -> torch.Tensor:
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = M.bfloat16()
    X /= X.norm() + 1e-7
    wide = X.size(0) <= X.size(1)
    if not wide:
        X = X.T
    for _ in range(iters):
        A = X @ X.T
        AX = A @ X
        X = a * X + b * AX + c * A @ AX
    return X if wide else X.T


class PolarSGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("m", torch.zeros_like(p.grad))
                buf.mul_(mu).add_(p.grad)
                direction = orthogonalize(p.grad.add(buf, alpha=mu))
                p.add_(direction.type_as(p), alpha=-group["lr"])


# ---------------------------------------------------------------------------
# the training generator
# ---------------------------------------------------------------------------

class StepReport(NamedTuple):
    step: int
    loss: float
    lr_mult: float
    momentum: float
    span: int
    seconds: float


def train_steps(h: HParams, net, raw: StreamLM, opt_embed, opt_mat):
    """Receives (inputs, targets) via send(), yields a StepReport per step."""
    for opt in (opt_embed, opt_mat):
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
    span_t = torch.tensor(h.span_lo, device="cuda", dtype=torch.int32)
    report = None
    schedule = zip(range(h.steps), lr_multipliers(h), momenta(h), attention_spans(h))
    for step, mult, mom, span in schedule:
        inputs, targets = yield report
        t0 = time.perf_counter()
        span_t.fill_(span)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = net(inputs, span_t, targets)
        loss.backward()
        for opt in (opt_embed, opt_mat):
            for g in opt.param_groups:
                g["lr"] = g["initial_lr"] * mult
        for g in opt_mat.param_groups:
            g["momentum"] = mom
        opt_embed.step()
        opt_mat.step()
        net.zero_grad(set_to_none=True)
        report = StepReport(step, loss.item(), mult, mom, span, time.perf_counter() - t0)
    yield report


def validation(h: HParams, net):
    """Generator over per-batch validation losses; the caller feeds batches."""
    span = torch.tensor(h.span_hi, device="cuda", dtype=torch.int32)
    while True:
        pair = yield
        if pair is None:
            return
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
            yield net(pair[0], span, pair[1])


# ---------------------------------------------------------------------------
# scheduler
# ---------------------------------------------------------------------------

class Driver:
    def __init__(self, h: HParams, rank: int, world: int):
        self.h, self.rank, self.world = h, rank, world
        self.hooks = []

    def every(self, n: int, fn):
        self.hooks.append((n, fn))
        return self

    async def _validate(self, net):
        h = self.h
        feed = Prefetcher(h.val_glob, h.tokens_per_rank, self.rank, self.world, h.prefetch_depth, loop_forever=False).start()
        n_batches = h.val_tokens // (h.tokens_per_rank * self.world)
        gen = validation(h, net)
        next(gen)
        total = torch.zeros((), device="cuda")
        net.eval()
        for _ in range(n_batches):
            total += gen.send(await feed.take())
            next(gen)
        net.train()
        feed.cancel()
        total /= n_batches
        dist.all_reduce(total, op=dist.ReduceOp.AVG)
        return total.item()

    async def run(self, gen, net):
        h = self.h
        feed = Prefetcher(h.train_glob, h.tokens_per_rank, self.rank, self.world, h.prefetch_depth).start()
        next(gen)
        step = 0
        while step < h.steps:
            if step % h.val_every == 0:
                val = await self._validate(net)
                if self.rank == 0:
                    print(f"[val] step {step} loss {val:.4f}")
            batch = await feed.take()
            report = gen.send(batch)
            for n, fn in self.hooks:
                if report.step % n == 0:
                    fn(report)
            step += 1
            await asyncio.sleep(0)
        val = await self._validate(net)
        if self.rank == 0:
            print(f"[val] final loss {val:.4f}")
        feed.cancel()


def main():
    h = HParams()
    dist.init_process_group(backend="nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    torch.manual_seed(0)

    raw = StreamLM(h).cuda()
    matrices = [p for p in raw.stack.parameters()]
    opt_embed = torch.optim.Adam([raw.tok.weight], lr=h.embed_lr, betas=(0.9, 0.95))
    opt_mat = PolarSGD(matrices, lr=h.matrix_lr, momentum=h.mom_lo)
    net = DDP(torch.compile(raw), device_ids=[torch.cuda.current_device()])

    def log(r: StepReport):
        if rank == 0:
            print(f"step {r.step:5d} loss {r.loss:.4f} lr x{r.lr_mult:.3f} mom {r.momentum:.3f} "
                  f"span {r.span} {1000 * r.seconds:.0f}ms")

    driver = Driver(h, rank, world).every(1, log)
    asyncio.run(driver.run(train_steps(h, net, raw, opt_embed, opt_mat), net))

    if rank == 0:
        prompt = torch.tensor([h.eot], device="cuda", dtype=torch.int32)
        print(sample(raw, prompt, 32).tolist())
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
