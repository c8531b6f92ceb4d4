import os
import sys

from config import get_config

cfg = get_config(**dict(a.split("=", 1) for a in sys.argv[1:]))
os.environ["PYTORCH_CUDA_ALLOC_CONF"] = cfg.system.alloc_conf

import glob  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
from torch.nn.parallel import DistributedDataParallel as DDP  # noqa: E402

from model import PackedGPT  # noqa: E402


class StreamLoader:
    """Yields 1-D token streams of a requested length (plus one for targets)."""

    def __init__(self, pattern, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.rank, self.world = rank, world
        self.fidx = 0
        self._load()

    def _load(self):
        arr = np.fromfile(self.files[self.fidx], dtype=np.uint16, offset=256 * 4)
        self.tokens = torch.from_numpy(arr.astype(np.int32))
        self.pos = 0

    def next(self, seq_len):
        need = seq_len * self.world + 1
        if self.pos + need > len(self.tokens):
            self.fidx = (self.fidx + 1) % len(self.files)
            self._load()
        start = self.pos + self.rank * seq_len
        buf = self.tokens[start:start + seq_len + 1]
        self.pos += seq_len * self.world
        return buf[:-1].cuda().int(), buf[1:].cuda().long()


def seq_len_at(step, cfg):
    """Short sequences early, full length after seq_ramp_frac of training."""
    d = cfg.data
    frac = min(step / (cfg.num_steps * d.seq_ramp_frac), 1.0)
    L = d.min_seq_len + frac * (d.max_seq_len - d.min_seq_len)
    return int(L // d.seq_multiple) * d.seq_multiple


def lr_scale(step, cfg):
    cool = int(cfg.num_steps * cfg.optim.warmdown_frac)
    if step < cfg.num_steps - cool:
        return 1.0
    return (cfg.num_steps - step) / cool


def param_groups(model, ocfg):
    hidden, scalars = [], []
    for p in model.blocks.parameters():
        (hidden if p.ndim >= 2 else scalars).append(p)
    return [
        dict(params=[model.wte.weight], lr=ocfg.lr_token_embed, weight_decay=0.0),
        dict(params=[model.vte.weight], lr=ocfg.lr_value_embed, weight_decay=0.0),
        dict(params=hidden, lr=ocfg.lr_hidden, weight_decay=ocfg.hidden_weight_decay),
        dict(params=scalars, lr=ocfg.lr_scalars, weight_decay=0.0),
    ]


def main():
    ddp = "RANK" in os.environ
    if ddp:
        dist.init_process_group("nccl")
    rank = dist.get_rank() if ddp else 0
    world = dist.get_world_size() if ddp else 1
    torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    torch.manual_seed(cfg.system.seed)

    raw = PackedGPT(cfg.model).cuda().to_training_precision()
    model = torch.compile(raw) if cfg.system.compile else raw
    if ddp:
        model = DDP(model, device_ids=[torch.cuda.current_device()])

    opt = torch.optim.AdamW(param_groups(raw, cfg.optim), betas=cfg.optim.betas, eps=cfg.optim.eps)
    for g in opt.param_groups:
        g["peak_lr"] = g["lr"]

    train = StreamLoader(cfg.data.train_glob, rank, world)
    t0 = time.time()
    for step in range(cfg.num_steps + 1):
        if step % cfg.val_every == 0 or step == cfg.num_steps:
            model.eval()
            val = StreamLoader(cfg.data.val_glob, rank, world)
            n = cfg.data.val_tokens // (cfg.data.max_seq_len * world)
            vl = torch.zeros((), device="cuda")
            with torch.no_grad():
                for _ in range(n):
                    vl += model(*val.next(cfg.data.max_seq_len))
            vl /= n
            if ddp:
                dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step:{step} val_loss:{vl.item():.4f} time:{time.time() - t0:.0f}s")
            model.train()
        if step == cfg.num_steps:
            break

        L = seq_len_at(step, cfg)
        x, y = train.next(L)
        loss = model(x, y)
        loss.backward()
        s = lr_scale(step, cfg)
        for g in opt.param_groups:
            g["lr"] = g["peak_lr"] * s
        opt.step()
        opt.zero_grad(set_to_none=True)
        if rank == 0 and step % cfg.log_every == 0:
            print(f"step:{step} seq_len:{L} loss:{loss.item():.4f}")

    if ddp:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
