import contextlib
import glob
import os
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

import hparams
from model import FlexGPT

hp = hparams.load()


def token_stream(pattern, T, rank, world):
    files = sorted(glob.glob(pattern))
    i = 0
    while True:
        toks = torch.from_numpy(np.fromfile(files[i % len(files)], dtype=np.uint16, offset=1024).astype(np.int32))
        pos = rank * T
        while pos + T + 1 <= len(toks):
            buf = toks[pos:pos + T + 1].cuda()
            yield buf[:-1], buf[1:].long()
            pos += T * world
        i += 1


def window_tiles_at(step):
    """Local window grows linearly over training, measured in whole tiles."""
    frac = step / hp.num_steps
    tokens = (1 - frac) * hp.window_start_tokens + frac * hp.window_end_tokens
    return max(1, int(tokens) // hp.block_size)


def lr_at(step):
    if step < hp.warmup_steps:
        return hp.lr * (step + 1) / hp.warmup_steps
    return hp.lr * (hp.num_steps - step) / (hp.num_steps - hp.warmup_steps)


def main():
    ddp = "RANK" in os.environ
    if ddp:
        dist.init_process_group("nccl")
    rank = dist.get_rank() if ddp else 0
    world = dist.get_world_size() if ddp else 1
    torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))

    raw = FlexGPT(hp).cuda()
    model = torch.compile(raw, dynamic=False)
    if ddp:
        model = DDP(model, device_ids=[torch.cuda.current_device()])

    matrices = [p for p in raw.parameters() if p.ndim >= 2]
    others = [p for p in raw.parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([dict(params=matrices, weight_decay=hp.weight_decay),
                             dict(params=others, weight_decay=0.0)], lr=hp.lr, betas=hp.betas)

    # kept on device; refreshed only when the integer value moves
    window = torch.tensor(window_tiles_at(0), dtype=torch.int32, device="cuda")
    current_window = window_tiles_at(0)

    train = token_stream(hp.train_files, hp.seq_len, rank, world)
    t0 = time.perf_counter()
    for step in range(hp.num_steps + 1):
        last = step == hp.num_steps
        if step % hp.val_every == 0 or last:
            model.eval()
            val = token_stream(hp.val_files, hp.seq_len, rank, world)
            n = hp.val_tokens // (hp.seq_len * world)
            with torch.no_grad(), torch.autocast("cuda", torch.bfloat16):
                vl = sum(model(*next(val), window) for _ in range(n)) / n
            if ddp:
                dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step {step}/{hp.num_steps} val_loss {vl.item():.4f} "
                      f"train_time {time.perf_counter() - t0:.1f}s", flush=True)
            model.train()
        if last:
            break

        w = window_tiles_at(step)
        if w != current_window:
            window.copy_(torch.tensor(w, dtype=torch.int32), non_blocking=True)
            current_window = w

        x, y = next(train)
        stance = (torch.compiler.set_stance(skip_guard_eval_unsafe=True)
                  if step >= hp.guard_skip_after else contextlib.nullcontext())
        with stance:
            with torch.autocast("cuda", torch.bfloat16):
                loss = model(x, y, window)
            loss.backward()
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        opt.step()
        opt.zero_grad(set_to_none=True)
        # no per-step loss logging: avoids a device->host sync every iteration

    if ddp:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
