"""torchrun --standalone --nproc_per_node=8 main.py"""
import argparse
import glob
import math
import os
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from tinyllm import TinyLM, TinyLMConfig, build_optimizers, prepare_for_bf16

parser = argparse.ArgumentParser()
parser.add_argument("--data", default="data/fineweb10B/fineweb_train_*.bin")
parser.add_argument("--val_data", default="data/fineweb10B/fineweb_val_*.bin")
parser.add_argument("--batch_size", type=int, default=32)
parser.add_argument("--seq_len", type=int, default=1024)
parser.add_argument("--iters", type=int, default=3000)
parser.add_argument("--warmup", type=int, default=100)
parser.add_argument("--beta1_ramp", type=int, default=500)
parser.add_argument("--eval_every", type=int, default=200)
parser.add_argument("--eval_batches", type=int, default=32)
args = parser.parse_args()

# attention kernel selection: cuDNN only
torch.backends.cuda.enable_cudnn_sdp(True)
torch.backends.cuda.enable_flash_sdp(False)
torch.backends.cuda.enable_mem_efficient_sdp(False)
torch.backends.cuda.enable_math_sdp(False)


def shard_iter(pattern, B, T, rank, world):
    for path in sorted(glob.glob(pattern)) * 1000:
        data = np.fromfile(path, dtype=np.uint16, offset=1024).astype(np.int64)
        data = torch.from_numpy(data)
        n = B * T
        for off in range(rank * n, len(data) - n - 1, n * world):
            chunk = data[off:off + n + 1].cuda(non_blocking=True)
            yield chunk[:-1].view(B, T), chunk[1:].view(B, T)


def lr_mult(it):
    if it < args.warmup:
        return (it + 1) / args.warmup
    prog = (it - args.warmup) / (args.iters - args.warmup)
    return 0.5 * (1.0 + math.cos(math.pi * prog))


def adam_beta1(it, lo=0.85, hi=0.95):
    """Ramp the first-moment decay of the Adam optimizers."""
    w = min(it / args.beta1_ramp, 1.0)
    return lo + (hi - lo) * w


def main():
    distributed = "LOCAL_RANK" in os.environ
    if distributed:
        dist.init_process_group("nccl")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))

    model = prepare_for_bf16(TinyLM(TinyLMConfig()).cuda())
    optimizers = build_optimizers(model)
    adams = [o for o in optimizers if isinstance(o, torch.optim.Adam)]
    for opt in optimizers:
        for g in opt.param_groups:
            g["base_lr"] = g["lr"]

    compiled = torch.compile(model)
    net = DDP(compiled, device_ids=[torch.cuda.current_device()]) if distributed else compiled

    batches = shard_iter(args.data, args.batch_size, args.seq_len, rank, world)
    t0 = time.time()
    for it in range(args.iters + 1):
        if it % args.eval_every == 0 or it == args.iters:
            net.eval()
            vb = shard_iter(args.val_data, args.batch_size, args.seq_len, rank, world)
            with torch.no_grad():
                vloss = sum(net(*next(vb)) for _ in range(args.eval_batches)) / args.eval_batches
            if distributed:
                dist.all_reduce(vloss, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"it {it} | val {vloss.item():.4f} | {time.time() - t0:.0f}s", flush=True)
            net.train()
        if it == args.iters:
            break

        x, y = next(batches)
        loss = net(x, y)
        loss.backward()

        m = lr_mult(it)
        b1 = adam_beta1(it)
        for opt in optimizers:
            for g in opt.param_groups:
                g["lr"] = g["base_lr"] * m
        for opt in adams:
            for g in opt.param_groups:
                g["betas"] = (b1, g["betas"][1])
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)

    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
