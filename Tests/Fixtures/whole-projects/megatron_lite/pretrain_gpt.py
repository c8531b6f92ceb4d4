"""Pretrain GPT with megatron-lite.

    torchrun --nproc_per_node=8 pretrain_gpt.py --train-iters 5100
"""
import glob
import os
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from megatron_lite.arguments import parse_args, vocab_size_with_padding
from megatron_lite.optimizer import WSDScheduler, build_optimizer
from megatron_lite.parallel_layers import GPTModel


def print_rank_0(*msg):
    if not dist.is_initialized() or dist.get_rank() == 0:
        print(*msg, flush=True)


class BinTokenDataset:
    """Reads llm.c style .bin shards and serves contiguous (B, T) windows."""

    def __init__(self, pattern, micro_batch, seq_len, rank, world):
        self.paths = sorted(glob.glob(pattern))
        self.B, self.T, self.rank, self.world = micro_batch, seq_len, rank, world
        self._open(0)

    def _open(self, idx):
        self.idx = idx
        path = self.paths[idx]
        header = np.fromfile(path, dtype=np.int32, count=256)
        self.tokens = np.memmap(path, dtype=np.uint16, mode="r", offset=1024, shape=(int(header[2]),))
        self.cursor = self.rank * self.B * self.T

    def get_batch(self):
        span = self.B * self.T
        if self.cursor + span + 1 > len(self.tokens):
            self._open((self.idx + 1) % len(self.paths))
        buf = torch.from_numpy(self.tokens[self.cursor: self.cursor + span + 1].astype(np.int64))
        self.cursor += span * self.world
        tokens = buf[:-1].view(self.B, self.T).cuda(non_blocking=True)
        labels = buf[1:].view(self.B, self.T).cuda(non_blocking=True)
        return tokens, labels


def initialize_distributed():
    if "RANK" in os.environ:
        dist.init_process_group("nccl")
        rank, world = dist.get_rank(), dist.get_world_size()
        local = int(os.environ["LOCAL_RANK"])
    else:
        rank, world, local = 0, 1, 0
    torch.cuda.set_device(local)
    return rank, world, local


def evaluate(model, dataset, iters):
    model.eval()
    losses = []
    with torch.no_grad():
        for _ in range(iters):
            tokens, labels = dataset.get_batch()
            with torch.autocast("cuda", dtype=torch.bfloat16):
                losses.append(model(tokens, labels))
    model.train()
    loss = torch.stack(losses).mean()
    if dist.is_initialized():
        dist.all_reduce(loss, op=dist.ReduceOp.AVG)
    return loss.item()


def main():
    args = parse_args()
    rank, world, local = initialize_distributed()
    torch.manual_seed(args.seed)

    padded_vocab = vocab_size_with_padding(args.orig_vocab_size, args)
    print_rank_0(f"> padded vocab (size: {args.orig_vocab_size}) with "
                 f"{padded_vocab - args.orig_vocab_size} dummy tokens (new size: {padded_vocab})")

    model = GPTModel(args, padded_vocab).cuda()
    optimizer = build_optimizer(model, args)
    scheduler = WSDScheduler(optimizer, args.train_iters, args.lr_warmup_iters,
                             args.lr_wsd_decay_iters, args.lr_decay_style)
    model = torch.compile(model)
    if world > 1:
        model = DDP(model, device_ids=[local])

    train_ds = BinTokenDataset(args.data_path, args.micro_batch_size, args.seq_length, rank, world)
    valid_ds = BinTokenDataset(args.valid_data_path, args.micro_batch_size, args.seq_length, rank, world)

    t_last = time.time()
    for iteration in range(1, args.train_iters + 1):
        tokens, labels = train_ds.get_batch()
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=args.bf16):
            loss = model(tokens, labels)
        loss.backward()
        scheduler.step()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

        if iteration % args.log_interval == 0:
            torch.cuda.synchronize()
            elapsed = (time.time() - t_last) * 1000 / args.log_interval
            t_last = time.time()
            print_rank_0(f" iteration {iteration:6d}/{args.train_iters} | lm loss {loss.item():.4f}"
                         f" | lr {optimizer.param_groups[0]['lr']:.3e} | {elapsed:.1f} ms/it")
        if iteration % args.eval_interval == 0 or iteration == args.train_iters:
            vl = evaluate(model, valid_ds, args.eval_iters)
            print_rank_0(f" validation loss at iteration {iteration}: {vl:.4f}")

    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
