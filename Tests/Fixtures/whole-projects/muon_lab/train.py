"""Train the LM with orthogonalised momentum on block matrices and Adam on the
embedding.  torchrun --nproc_per_node=8 train.py"""
import argparse
import glob
import os
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from model import LM
from optim import MomentumOrtho, OptimizerGroup, lr_scale, ortho_momentum

p = argparse.ArgumentParser()
p.add_argument("--train", default="data/fineweb10B/fineweb_train_*.bin")
p.add_argument("--val", default="data/fineweb10B/fineweb_val_*.bin")
p.add_argument("--batch", type=int, default=16)
p.add_argument("--seq", type=int, default=2048)
p.add_argument("--steps", type=int, default=3000)
p.add_argument("--cooldown_frac", type=float, default=0.4)
p.add_argument("--embed_lr", type=float, default=0.06)
p.add_argument("--matrix_lr", type=float, default=0.02)
p.add_argument("--adam_eps", type=float, default=1e-10)
p.add_argument("--val_every", type=int, default=250)
p.add_argument("--val_steps", type=int, default=20)
args = p.parse_args()


def batches(pattern, B, T, rank, world):
    files = sorted(glob.glob(pattern))
    while True:
        for f in files:
            toks = np.memmap(f, dtype=np.uint16, mode="r", offset=1024)
            step = B * T
            pos = rank * step
            while pos + step + 1 <= len(toks):
                buf = torch.from_numpy(np.asarray(toks[pos:pos + step + 1], dtype=np.int64))
                yield buf[:-1].view(B, T).cuda(), buf[1:].view(B, T).cuda()
                pos += step * world


def main():
    ddp = "RANK" in os.environ
    if ddp:
        dist.init_process_group("nccl")
    rank = dist.get_rank() if ddp else 0
    world = dist.get_world_size() if ddp else 1
    torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))

    net = LM(max_len=args.seq).cuda()
    block_params = list(net.blocks.parameters())
    assert all(t.ndim >= 2 for t in block_params)
    opt = OptimizerGroup(
        torch.optim.Adam([net.embed.weight], lr=args.embed_lr, betas=(0.9, 0.95), eps=args.adam_eps),
        MomentumOrtho(block_params, lr=args.matrix_lr, momentum=0.85),
    )
    model = torch.compile(net)
    if ddp:
        model = DDP(model, device_ids=[torch.cuda.current_device()])

    train_it = batches(args.train, args.batch, args.seq, rank, world)
    t0 = time.time()
    for step in range(args.steps + 1):
        if step % args.val_every == 0 or step == args.steps:
            model.eval()
            val_it = batches(args.val, args.batch, args.seq, rank, world)
            with torch.no_grad(), torch.autocast("cuda", torch.bfloat16):
                vl = torch.stack([model(*next(val_it)) for _ in range(args.val_steps)]).mean()
            if ddp:
                dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"{step=} val_loss={vl.item():.4f} elapsed={time.time() - t0:.1f}s")
            model.train()
        if step == args.steps:
            break

        x, y = next(train_it)
        with torch.autocast("cuda", torch.bfloat16):
            loss = model(x, y)
        loss.backward()
        opt.set_lr_scale(lr_scale(step, args.steps, args.cooldown_frac))
        opt.set_momentum(ortho_momentum(step))
        opt.step()
        opt.zero_grad()

    if ddp:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
