"""Strictly-typed GPT pretraining entry point.

This module is organised as:

1. Environment configuration (allocator settings must precede CUDA init).
2. Typed configuration objects with hand-written validation.
3. Protocols describing the collaborators (token sources, gradient sync).
4. The model (merged QKV projection, rotary positions).
5. The matrix optimizer (orthogonalized momentum, sharded across ranks).
6. The training driver.

Every public callable is documented; every configuration value is validated
at construction time so that a bad launch fails before any GPU work starts.
"""
from __future__ import annotations

import enum
import glob
import math
import os
import time
from typing import Callable, Final, Generic, Iterator, NamedTuple, Protocol, Sequence, TypeVar, runtime_checkable

# ---------------------------------------------------------------------------
# 1. environment
# ---------------------------------------------------------------------------

ALLOCATOR_SETTINGS: Final[dict[str, str]] = {"expandable_segments": "True"}
os.environ["PYTORCH_CUDA_ALLOC_CONF"] = ",".join(f"{k}:{v}" for k, v in ALLOCATOR_SETTINGS.items())

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import Tensor  # noqa: E402
from torch.nn.parallel import DistributedDataParallel  # noqa: E402

SHARD_MAGIC: Final[int] = 20240520
HEADER_INTS: Final[int] = 256


# ---------------------------------------------------------------------------
# 2. configuration
# ---------------------------------------------------------------------------

class SyncStrategy(enum.Enum):
    """How gradients are made identical across data-parallel ranks."""

    MANUAL = "manual"   # explicit broadcast at start + per-parameter all-reduce
    DDP = "ddp"         # torch DistributedDataParallel wrapper


class ParamRole(enum.Enum):
    """Which optimizer a parameter belongs to."""

    EMBEDDING = enum.auto()
    MATRIX = enum.auto()


T = TypeVar("T")


class Validated(Generic[T]):
    """Descriptor enforcing a predicate on assignment."""

    def __init__(self, kind: type, check: Callable[[T], bool], why: str) -> None:
        self.kind = kind
        self.check = check
        self.why = why
        self.name = "?"

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = "_" + name

    def __get__(self, obj: object, owner: type | None = None) -> T:
        return getattr(obj, self.name)

    def __set__(self, obj: object, value: T) -> None:
        if not isinstance(value, self.kind):
            raise TypeError(f"{self.name[1:]} must be {self.kind.__name__}, got {type(value).__name__}")
        if not self.check(value):
            raise ValueError(f"{self.name[1:]}={value!r}: {self.why}")
        setattr(obj, self.name, value)


def positive_int() -> Validated[int]:
    return Validated(int, lambda v: v > 0, "must be > 0")


def unit_float() -> Validated[float]:
    return Validated(float, lambda v: 0.0 <= v < 1.0, "must be in [0, 1)")


def positive_float() -> Validated[float]:
    return Validated(float, lambda v: v > 0.0, "must be > 0")


class ModelShape(NamedTuple):
    """Static architecture hyper-parameters."""

    vocab: int = 50257
    width: int = 768
    depth: int = 12
    heads: int = 12
    max_len: int = 4096


class TrainConfig:
    """Validated optimisation / data configuration."""

    seqs_per_rank = positive_int()
    seq_len = positive_int()
    steps = positive_int()
    warmup = positive_int()
    embed_lr = positive_float()
    matrix_lr = positive_float()
    momentum = unit_float()
    adam_eps = positive_float()
    eval_every = positive_int()

    def __init__(
        self,
        *,
        train_glob: str,
        val_glob: str,
        seqs_per_rank: int = 16,
        seq_len: int = 1024,
        steps: int = 5000,
        warmup: int = 50,
        embed_lr: float = 0.005,
        matrix_lr: float = 0.03,
        momentum: float = 0.95,
        adam_eps: float = 1e-10,
        eval_every: int = 250,
        sync: SyncStrategy = SyncStrategy.MANUAL,
    ) -> None:
        self.train_glob = train_glob
        self.val_glob = val_glob
        self.seqs_per_rank = seqs_per_rank
        self.seq_len = seq_len
        self.steps = steps
        self.warmup = warmup
        self.embed_lr = embed_lr
        self.matrix_lr = matrix_lr
        self.momentum = momentum
        self.adam_eps = adam_eps
        self.eval_every = eval_every
        if not isinstance(sync, SyncStrategy):
            raise TypeError("sync must be a SyncStrategy")
        self.sync = sync

    @classmethod
    def from_env(cls) -> "TrainConfig":
        """Build the config from ``TRAIN_*`` environment variables."""
        return cls(
            train_glob=os.environ["TRAIN_GLOB"],
            val_glob=os.environ["VAL_GLOB"],
            steps=int(os.environ.get("TRAIN_STEPS", "5000")),
            sync=SyncStrategy(os.environ.get("TRAIN_SYNC", SyncStrategy.MANUAL.value)),
        )


# ---------------------------------------------------------------------------
# 3. protocols
# ---------------------------------------------------------------------------

class Batch(NamedTuple):
    """One step's worth of tokens for this rank."""

    inputs: Tensor   # int32, (B, T)
    targets: Tensor  # int64, (B, T)


@runtime_checkable
class TokenSource(Protocol):
    """Anything that yields batches forever."""

    def __iter__(self) -> Iterator[Batch]: ...


class GradientSync(Protocol):
    """Makes gradients identical across ranks after backward."""

    def prepare(self, model: nn.Module) -> nn.Module: ...

    def after_backward(self, model: nn.Module) -> None: ...


class ExplicitSync:
    """Parameters broadcast once from rank 0; gradients averaged one tensor at a time."""

    def prepare(self, model: nn.Module) -> nn.Module:
        for p in model.parameters():
            dist.broadcast(p.detach(), src=0)
        return model

    def after_backward(self, model: nn.Module) -> None:
        for p in model.parameters():
            if p.grad is not None:
                dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)


class WrapperSync:
    """Delegates to DistributedDataParallel (bucketed, overlapped)."""

    def __init__(self, device_id: int) -> None:
        self.device_id = device_id

    def prepare(self, model: nn.Module) -> nn.Module:
        return DistributedDataParallel(model, device_ids=[self.device_id],
                                       broadcast_buffers=False, gradient_as_bucket_view=True)

    def after_backward(self, model: nn.Module) -> None:
        return None


# ---------------------------------------------------------------------------
# 4. model
# ---------------------------------------------------------------------------

def _uniform_bound(fan_in: int) -> float:
    """Bound of U(-b, b) whose standard deviation is half of 1/sqrt(fan_in)."""
    std = 0.5 / math.sqrt(fan_in)
    return math.sqrt(3.0) * std


class ScaledLinear(nn.Linear):
    """Bias-free linear layer with a narrower uniform initialisation."""

    def __init__(self, fan_in: int, fan_out: int) -> None:
        super().__init__(fan_in, fan_out, bias=False)

    def reset_parameters(self) -> None:
        b = _uniform_bound(self.in_features)
        with torch.no_grad():
            self.weight.uniform_(-b, b)


class RotaryTable(nn.Module):
    """Precomputed fp32 cos/sin tables with base-1024 geometric frequencies."""

    def __init__(self, head_dim: int, max_len: int) -> None:
        super().__init__()
        freqs = (1.0 / 1024) ** torch.linspace(0.0, 1.0, steps=head_dim // 2, dtype=torch.float32)
        angles = torch.outer(torch.arange(max_len, dtype=torch.float32), freqs)
        self.register_buffer("cos", angles.cos(), persistent=False)
        self.register_buffer("sin", angles.sin(), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        """Rotate ``x`` of shape (B, T, H, D)."""
        n = x.size(1)
        cos = self.cos[None, :n, None, :]
        sin = self.sin[None, :n, None, :]
        a, b = x.float().chunk(2, dim=-1)
        return torch.cat((a * cos + b * sin, b * cos - a * sin), dim=-1).type_as(x)


class Attention(nn.Module):
    """Causal self-attention with one stacked (3, H*D, C) projection tensor."""

    def __init__(self, shape: ModelShape) -> None:
        super().__init__()
        self.heads = shape.heads
        self.head_dim = shape.width // shape.heads
        b = _uniform_bound(shape.width)
        self.w_qkv = nn.Parameter(torch.empty(3, shape.width, shape.width).uniform_(-b, b))
        self.out = ScaledLinear(shape.width, shape.width)
        self.rotary = RotaryTable(self.head_dim, shape.max_len)

    def forward(self, x: Tensor) -> Tensor:
        B, L, C = x.shape
        qkv = F.linear(x, self.w_qkv.flatten(0, 1).type_as(x))
        q, k, v = qkv.view(B, L, 3 * self.heads, self.head_dim).chunk(3, dim=2)
        q, k = self.rotary(q), self.rotary(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, L, C))


class FeedForward(nn.Module):
    """Two-layer GELU MLP."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.fc = ScaledLinear(width, 4 * width)
        self.proj = ScaledLinear(4 * width, width)

    def forward(self, x: Tensor) -> Tensor:
        return self.proj(F.gelu(self.fc(x)))


class Block(nn.Module):
    """Pre-norm residual block."""

    def __init__(self, shape: ModelShape) -> None:
        super().__init__()
        self.attn = Attention(shape)
        self.ff = FeedForward(shape.width)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.ff(F.rms_norm(x, (x.size(-1),)))


class LanguageModel(nn.Module):
    """Decoder-only LM with tied input/output embeddings."""

    def __init__(self, shape: ModelShape) -> None:
        super().__init__()
        self.shape = shape
        self.embed = nn.Embedding(shape.vocab, shape.width)
        self.blocks = nn.ModuleList(Block(shape) for _ in range(shape.depth))

    def forward(self, inputs: Tensor, targets: Tensor) -> Tensor:
        x = self.embed(inputs)
        for blk in self.blocks:
            x = blk(x)
        logits = F.linear(F.rms_norm(x, (x.size(-1),)), self.embed.weight)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))

    def role_of(self, name: str) -> ParamRole:
        """Assign each named parameter to an optimizer."""
        return ParamRole.EMBEDDING if name.startswith("embed.") else ParamRole.MATRIX


# ---------------------------------------------------------------------------
# 5. optimizer
# ---------------------------------------------------------------------------

NS_COEFFICIENTS: Final[tuple[float, float, float]] = (3.4445, -4.7750, 2.0315)


def orthogonalize(update: Tensor, iterations: int = 5) -> Tensor:
    """Quintic Newton-Schulz over the last two dims; leading dims are a batch."""
    a, b, c = NS_COEFFICIENTS
    X = update.bfloat16()
    tall = X.size(-2) > X.size(-1)
    if tall:
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(iterations):
        A = X @ X.mT
        X = a * X + b * (A @ X) + c * (A @ (A @ X))
    return X.mT if tall else X


class ShardedOrthoMomentum(torch.optim.Optimizer):
    """Nesterov momentum + orthogonalization, each rank owning every world-th tensor.

    Parameters are grouped by element count; each group owns a contiguous
    ``(world, numel)`` bf16 buffer.  In round ``r`` rank ``i`` computes the
    update of parameter ``r*world + i`` and an asynchronous all-gather into the
    buffer distributes it.  The previous round's result is applied while the
    next round is being computed.
    """

    def __init__(self, params: Sequence[Tensor], lr: float, momentum: float, rank: int, world: int,
                 iterations: int = 5) -> None:
        self.rank = rank
        self.world = world
        plist = list(params)
        sizes = sorted({p.numel() for p in plist})
        groups = []
        for size in sizes:
            buf = torch.empty(world, size, dtype=torch.bfloat16, device="cuda")
            groups.append({"params": [p for p in plist if p.numel() == size], "gather": buf,
                           "slots": [buf[i] for i in range(world)]})
        super().__init__(groups, {"lr": lr, "momentum": momentum, "iterations": iterations})

    @torch.no_grad()
    def step(self) -> None:  # type: ignore[override]
        for group in self.param_groups:
            lr: float = group["lr"]
            beta: float = group["momentum"]
            slots: list[Tensor] = group["slots"]
            plist: list[Tensor] = group["params"]
            pending: tuple[object, list[Tensor]] | None = None

            def flush() -> None:
                if pending is None:
                    return
                work, owners = pending
                work.wait()  # type: ignore[attr-defined]
                for p, slot in zip(owners, slots):
                    aspect = max(1.0, p.size(-2) / p.size(-1))
                    p.add_(slot.view_as(p), alpha=-lr * math.sqrt(aspect))

            for base in range(0, len(plist), self.world):
                mine = base + self.rank
                if mine < len(plist):
                    p = plist[mine]
                    g = p.grad
                    assert g is not None
                    state = self.state[p]
                    if "mom" not in state:
                        state["mom"] = torch.zeros_like(g)
                    mom: Tensor = state["mom"]
                    mom.lerp_(g, 1.0 - beta)
                    d = g.lerp_(mom, beta)
                    flat = orthogonalize(d, group["iterations"]).flatten()
                else:
                    flat = slots[self.rank]
                flush()
                work = dist.all_gather_into_tensor(group["gather"], flat, async_op=True)
                pending = (work, plist[base:base + self.world])
            flush()


# ---------------------------------------------------------------------------
# 6. data + driver
# ---------------------------------------------------------------------------

def load_shard(path: str) -> Tensor:
    """Read a token shard straight into page-locked host memory."""
    header = torch.from_file(path, False, HEADER_INTS, dtype=torch.int32)
    if int(header[0]) != SHARD_MAGIC:
        raise ValueError(f"{path}: bad magic")
    count = int(header[2])
    tokens = torch.empty(count, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as fh:
        fh.seek(HEADER_INTS * 4)
        got = fh.readinto(tokens.numpy())
    if got != 2 * count:
        raise IOError(f"{path}: short read")
    return tokens


class ShardStream:
    """Infinite ``TokenSource`` over a glob of shards, strided by rank."""

    def __init__(self, pattern: str, seqs: int, seq_len: int, rank: int, world: int) -> None:
        self.files = sorted(glob.glob(pattern))
        if not self.files:
            raise FileNotFoundError(pattern)
        self.seqs, self.seq_len, self.rank, self.world = seqs, seq_len, rank, world

    def __iter__(self) -> Iterator[Batch]:
        span = self.seqs * self.seq_len
        for path in self.files:
            tokens = load_shard(path)
            for start in range(0, len(tokens) - span * self.world - 1, span * self.world):
                chunk = tokens[start + self.rank * span: start + (self.rank + 1) * span + 1]
                x = chunk[:-1].to(device="cuda", dtype=torch.int32, non_blocking=True)
                y = chunk[1:].to(device="cuda", dtype=torch.int64, non_blocking=True)
                yield Batch(x.view(self.seqs, self.seq_len), y.view(self.seqs, self.seq_len))


def lr_factor(step: int, cfg: TrainConfig) -> float:
    """Linear warmup then cosine decay to 10%."""
    if step < cfg.warmup:
        return (step + 1) / cfg.warmup
    progress = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
    return 0.1 + 0.45 * (1.0 + math.cos(math.pi * progress))


def main() -> None:
    """Entry point for ``torchrun``."""
    cfg = TrainConfig.from_env()
    shape = ModelShape()
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)

    raw = LanguageModel(shape).cuda()
    sync: GradientSync = ExplicitSync() if cfg.sync is SyncStrategy.MANUAL else WrapperSync(local)
    model = sync.prepare(raw)
    compiled = torch.compile(model)

    by_role: dict[ParamRole, list[Tensor]] = {r: [] for r in ParamRole}
    for name, p in raw.named_parameters():
        by_role[raw.role_of(name)].append(p)
    adam = torch.optim.Adam(by_role[ParamRole.EMBEDDING], lr=cfg.embed_lr, betas=(0.9, 0.95), eps=cfg.adam_eps)
    ortho = ShardedOrthoMomentum(by_role[ParamRole.MATRIX], lr=cfg.matrix_lr, momentum=cfg.momentum,
                                 rank=rank, world=world)
    optimizers: list[torch.optim.Optimizer] = [adam, ortho]
    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, lambda s: lr_factor(s, cfg)) for o in optimizers]

    source: TokenSource = ShardStream(cfg.train_glob, cfg.seqs_per_rank, cfg.seq_len, rank, world)
    batches = iter(source)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16)
    t0 = time.perf_counter()
    for step in range(cfg.steps):
        batch = next(batches)
        with autocast:
            loss = compiled(batch.inputs, batch.targets)
        loss.backward()
        sync.after_backward(raw)
        for opt, sch in zip(optimizers, schedulers):
            opt.step()
            sch.step()
        raw.zero_grad(set_to_none=True)
        if rank == 0 and step % 50 == 0:
            print(f"step {step:>6} loss {loss.item():.4f} elapsed {time.perf_counter() - t0:.1f}s")
        if (step + 1) % cfg.eval_every == 0:
            evaluate(compiled, cfg, rank, world, step + 1)
    dist.destroy_process_group()


@torch.no_grad()
def evaluate(model: nn.Module, cfg: TrainConfig, rank: int, world: int, step: int, n_batches: int = 20) -> float:
    """Average validation loss over ``n_batches`` batches on every rank."""
    model.eval()
    stream = iter(ShardStream(cfg.val_glob, cfg.seqs_per_rank, cfg.seq_len, rank, world))
    total = torch.zeros((), device="cuda")
    with torch.autocast("cuda", dtype=torch.bfloat16):
        for _ in range(n_batches):
            b = next(stream)
            total += model(b.inputs, b.targets)
    total /= n_batches
    dist.all_reduce(total, op=dist.ReduceOp.AVG)
    if rank == 0:
        print(f"step {step:>6} val_loss {total.item():.4f}")
    model.train()
    return float(total)


if __name__ == "__main__":
    main()
