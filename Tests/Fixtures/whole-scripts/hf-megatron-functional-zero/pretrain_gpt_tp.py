# Copyright (c) 2025, the tplm developers.
"""Pretrain a GPT with hand-rolled tensor parallelism (Megatron-LM layout) and an
orthogonalized-momentum optimizer for the transformer matrices.

Launch:
    torchrun --nproc_per_node 8 pretrain_gpt_tp.py --tensor-model-parallel-size 1 ...
"""

import argparse
import glob
import math
import os
import time
from functools import partial

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel as torchDDP


# =============================================================================================
# arguments
# =============================================================================================

def parse_args():
    parser = argparse.ArgumentParser(description="tplm GPT pretraining", allow_abbrev=False)
    group = parser.add_argument_group(title="network size")
    group.add_argument("--num-layers", type=int, default=12)
    group.add_argument("--hidden-size", type=int, default=768)
    group.add_argument("--ffn-hidden-size", type=int, default=None)
    group.add_argument("--num-attention-heads", type=int, default=12)
    group.add_argument("--seq-length", type=int, default=1024)
    group.add_argument("--orig-vocab-size", type=int, default=50257)
    group.add_argument("--make-vocab-size-divisible-by", type=int, default=128,
                       help="Pad the vocab size to be divisible by this value (times TP size).")
    group.add_argument("--position-embedding-type", choices=["learned_absolute", "rope"], default="rope")
    group.add_argument("--rotary-base", type=float, default=10000.0)
    group.add_argument("--activation", choices=["gelu", "squared_relu"], default="gelu")
    group.add_argument("--layernorm-epsilon", type=float, default=1e-5)
    group.add_argument("--init-method-std", type=float, default=0.02)

    group = parser.add_argument_group(title="training")
    group.add_argument("--micro-batch-size", type=int, default=64)
    group.add_argument("--global-batch-size", type=int, default=512)
    group.add_argument("--train-iters", type=int, default=9536)
    group.add_argument("--log-interval", type=int, default=10)
    group.add_argument("--eval-interval", type=int, default=250)
    group.add_argument("--eval-iters", type=int, default=20)
    group.add_argument("--bf16", action="store_true", default=True)

    group = parser.add_argument_group(title="learning rate")
    group.add_argument("--lr", type=float, default=0.0036, help="AdamW lr (embedding/output + norms)")
    group.add_argument("--ortho-lr-ratio", type=float, default=0.1,
                       help="lr of the orthogonalized optimizer = ratio * --lr")
    group.add_argument("--lr-warmup-iters", type=int, default=0)
    group.add_argument("--lr-decay-style", choices=["constant", "linear", "cosine", "wsd"], default="wsd")
    group.add_argument("--lr-wsd-decay-iters", type=int, default=2000)
    group.add_argument("--min-lr", type=float, default=0.0)

    group = parser.add_argument_group(title="regularization / optimizer")
    group.add_argument("--weight-decay", type=float, default=0.0)
    group.add_argument("--adam-beta1", type=float, default=0.9)
    group.add_argument("--adam-beta2", type=float, default=0.95)
    group.add_argument("--adam-eps", type=float, default=1e-8)
    group.add_argument("--no-fused-adam", dest="use_fused_adam", action="store_false")
    group.add_argument("--ortho-momentum", type=float, default=0.95)
    group.add_argument("--ortho-ns-steps", type=int, default=5)

    group = parser.add_argument_group(title="distributed / data")
    group.add_argument("--tensor-model-parallel-size", type=int, default=1)
    group.add_argument("--data-path", type=str, default="data/fineweb10B")
    group.add_argument("--seed", type=int, default=1234)
    return parser.parse_args()


# =============================================================================================
# parallel state
# =============================================================================================

_TP_GROUP = None
_DP_GROUP = None


def initialize_model_parallel(tp_size):
    global _TP_GROUP, _DP_GROUP
    world, rank = dist.get_world_size(), dist.get_rank()
    assert world % tp_size == 0
    dp_size = world // tp_size
    for i in range(dp_size):
        ranks = list(range(i * tp_size, (i + 1) * tp_size))
        g = dist.new_group(ranks)
        if rank in ranks:
            _TP_GROUP = g
    for j in range(tp_size):
        ranks = list(range(j, world, tp_size))
        g = dist.new_group(ranks)
        if rank in ranks:
            _DP_GROUP = g


def tp_group():
    return _TP_GROUP


def dp_group():
    return _DP_GROUP


def tp_world():
    return dist.get_world_size(_TP_GROUP)


def tp_rank():
    return dist.get_rank(_TP_GROUP)


def dp_world():
    return dist.get_world_size(_DP_GROUP)


def dp_rank():
    return dist.get_rank(_DP_GROUP)


def print_rank_0(msg):
    if dist.get_rank() == 0:
        print(msg, flush=True)


# =============================================================================================
# tensor-parallel communication primitives
# =============================================================================================

class _CopyToTPRegion(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, grad):
        if tp_world() > 1:
            dist.all_reduce(grad, group=tp_group())
        return grad


class _ReduceFromTPRegion(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        if tp_world() > 1:
            x = x.clone()
            dist.all_reduce(x, group=tp_group())
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad


def gather_along_dim(t, dim):
    if tp_world() == 1:
        return t
    parts = [torch.empty_like(t) for _ in range(tp_world())]
    dist.all_gather(parts, t.contiguous(), group=tp_group())
    return torch.cat(parts, dim=dim)


def _vocab_size_with_padding(orig_vocab_size, args):
    after = orig_vocab_size
    multiple = args.make_vocab_size_divisible_by * args.tensor_model_parallel_size
    while (after % multiple) != 0:
        after += 1
    print_rank_0(f" > padded vocab (size: {orig_vocab_size}) with {after - orig_vocab_size} dummy tokens "
                 f"(new size: {after})")
    return after


# =============================================================================================
# layers
# =============================================================================================

class ColumnParallelLinear(nn.Module):
    """Y = X A with A split along its output (row-of-weight) dimension."""

    def __init__(self, input_size, output_size, init_std, fuse_count=1):
        super().__init__()
        assert output_size % (tp_world() * fuse_count) == 0
        self.output_size_per_partition = output_size // tp_world()
        self.weight = nn.Parameter(torch.empty(self.output_size_per_partition, input_size))
        self.weight.tp_partition_dim = 0
        self.weight.tp_fuse_count = fuse_count  # >1 for the fused query_key_value weight
        nn.init.normal_(self.weight, mean=0.0, std=init_std)

    def forward(self, x):
        x = _CopyToTPRegion.apply(x)
        return F.linear(x, self.weight)


class RowParallelLinear(nn.Module):
    """Y = X A with A split along its input dimension; the partial outputs are all-reduced."""

    def __init__(self, input_size, output_size, init_std):
        super().__init__()
        self.input_size_per_partition = input_size // tp_world()
        self.weight = nn.Parameter(torch.empty(output_size, self.input_size_per_partition))
        self.weight.tp_partition_dim = 1
        self.weight.tp_fuse_count = 1
        nn.init.normal_(self.weight, mean=0.0, std=init_std)

    def forward(self, x):
        return _ReduceFromTPRegion.apply(F.linear(x, self.weight))


class VocabParallelEmbedding(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, init_std):
        super().__init__()
        per = num_embeddings // tp_world()
        self.vocab_start = tp_rank() * per
        self.vocab_end = self.vocab_start + per
        self.weight = nn.Parameter(torch.empty(per, embedding_dim))
        nn.init.normal_(self.weight, mean=0.0, std=init_std)

    def forward(self, ids):
        mask = (ids < self.vocab_start) | (ids >= self.vocab_end)
        local = (ids - self.vocab_start).masked_fill(mask, 0)
        out = F.embedding(local, self.weight)
        out = out.masked_fill(mask.unsqueeze(-1), 0.0)
        return _ReduceFromTPRegion.apply(out)


def vocab_parallel_cross_entropy(vocab_parallel_logits, target, vocab_start, vocab_end):
    logits = vocab_parallel_logits.float()  # the softmax runs in fp32 regardless of the compute dtype
    logits_max = logits.max(dim=-1)[0]
    if tp_world() > 1:
        dist.all_reduce(logits_max, op=dist.ReduceOp.MAX, group=tp_group())
    logits = logits - logits_max.unsqueeze(-1)
    mask = (target < vocab_start) | (target >= vocab_end)
    local_t = (target - vocab_start).masked_fill(mask, 0)
    predicted = logits.gather(-1, local_t.unsqueeze(-1)).squeeze(-1).masked_fill(mask, 0.0)
    sum_exp = logits.exp().sum(dim=-1)
    if tp_world() > 1:
        predicted = _ReduceFromTPRegion.apply(predicted)
        sum_exp = _ReduceFromTPRegion.apply(sum_exp)
    return torch.log(sum_exp) - predicted


class RotaryEmbedding(nn.Module):
    def __init__(self, kv_channels, rotary_base):
        super().__init__()
        inv_freq = 1.0 / (rotary_base ** (torch.arange(0, kv_channels, 2, dtype=torch.float32) / kv_channels))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, max_seq_len):
        seq = torch.arange(max_seq_len, device=self.inv_freq.device, dtype=self.inv_freq.dtype)
        freqs = torch.outer(seq, self.inv_freq)
        return freqs[None, :, None, :]  # [1, s, 1, d/2]


def apply_rotary_pos_emb(t, freqs):
    t1, t2 = t.chunk(2, dim=-1)
    cos, sin = freqs.cos().to(t.dtype), freqs.sin().to(t.dtype)
    return torch.cat([t1 * cos - t2 * sin, t1 * sin + t2 * cos], dim=-1)


class ParallelAttention(nn.Module):
    def __init__(self, args, layer_number):
        super().__init__()
        self.layer_number = layer_number
        self.hidden_size_per_attention_head = args.hidden_size // args.num_attention_heads
        self.num_attention_heads_per_partition = args.num_attention_heads // tp_world()
        self.query_key_value = ColumnParallelLinear(args.hidden_size, 3 * args.hidden_size,
                                                    args.init_method_std, fuse_count=3)
        self.dense = RowParallelLinear(args.hidden_size, args.hidden_size,
                                       args.init_method_std / math.sqrt(2.0 * args.num_layers))

    def forward(self, hidden_states, rotary_pos_emb):
        b, s, _ = hidden_states.shape
        mixed = self.query_key_value(hidden_states)
        q, k, v = mixed.chunk(3, dim=-1)
        shape = (b, s, self.num_attention_heads_per_partition, self.hidden_size_per_attention_head)
        q, k, v = q.view(shape), k.view(shape), v.view(shape)
        if rotary_pos_emb is not None:
            q = apply_rotary_pos_emb(q, rotary_pos_emb)
            k = apply_rotary_pos_emb(k, rotary_pos_emb)
        ctx = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        ctx = ctx.transpose(1, 2).reshape(b, s, -1)
        return self.dense(ctx)


class ParallelMLP(nn.Module):
    def __init__(self, args):
        super().__init__()
        ffn = args.ffn_hidden_size or 4 * args.hidden_size
        self.dense_h_to_4h = ColumnParallelLinear(args.hidden_size, ffn, args.init_method_std)
        self.dense_4h_to_h = RowParallelLinear(ffn, args.hidden_size,
                                               args.init_method_std / math.sqrt(2.0 * args.num_layers))
        if args.activation == "squared_relu":
            self.activation_func = lambda x: torch.pow(F.relu(x), 2)
        else:
            self.activation_func = partial(F.gelu, approximate="tanh")

    def forward(self, hidden_states):
        return self.dense_4h_to_h(self.activation_func(self.dense_h_to_4h(hidden_states)))


class ParallelTransformerLayer(nn.Module):
    def __init__(self, args, layer_number):
        super().__init__()
        self.input_layernorm = nn.LayerNorm(args.hidden_size, eps=args.layernorm_epsilon)
        self.self_attention = ParallelAttention(args, layer_number)
        self.post_attention_layernorm = nn.LayerNorm(args.hidden_size, eps=args.layernorm_epsilon)
        self.mlp = ParallelMLP(args)

    def forward(self, hidden_states, rotary_pos_emb):
        hidden_states = hidden_states + self.self_attention(self.input_layernorm(hidden_states), rotary_pos_emb)
        hidden_states = hidden_states + self.mlp(self.post_attention_layernorm(hidden_states))
        return hidden_states


class GPTModel(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.args = args
        self.padded_vocab_size = _vocab_size_with_padding(args.orig_vocab_size, args)
        self.word_embeddings = VocabParallelEmbedding(self.padded_vocab_size, args.hidden_size, args.init_method_std)
        if args.position_embedding_type == "rope":
            self.rotary_pos_emb = RotaryEmbedding(args.hidden_size // args.num_attention_heads, args.rotary_base)
            self.position_embeddings = None
        else:
            self.rotary_pos_emb = None
            self.position_embeddings = nn.Embedding(args.seq_length, args.hidden_size)
        self.layers = nn.ModuleList([ParallelTransformerLayer(args, i + 1) for i in range(args.num_layers)])
        self.final_layernorm = nn.LayerNorm(args.hidden_size, eps=args.layernorm_epsilon)

    def forward(self, tokens, labels):
        h = self.word_embeddings(tokens)
        rope = None
        if self.rotary_pos_emb is not None:
            rope = self.rotary_pos_emb(tokens.size(1))
        else:
            h = h + self.position_embeddings(torch.arange(tokens.size(1), device=tokens.device))
        for layer in self.layers:
            h = layer(h, rope)
        h = self.final_layernorm(h)
        # output layer shares the (vocab-parallel) word embedding matrix
        logits_parallel = F.linear(_CopyToTPRegion.apply(h), self.word_embeddings.weight)
        losses = vocab_parallel_cross_entropy(logits_parallel, labels,
                                              self.word_embeddings.vocab_start, self.word_embeddings.vocab_end)
        return losses.mean()


# =============================================================================================
# optimizer: momentum orthogonalized with a quintic Newton-Schulz iteration
# =============================================================================================

def newton_schulz_orthogonalize(G, steps=5, eps=1e-7):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.to(torch.bfloat16)
    X = X / (torch.linalg.norm(X) + eps)
    transposed = X.shape[0] > X.shape[1]
    if transposed:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        AX = A @ X
        X = a * X + b * AX + c * (A @ AX)
    return X.T if transposed else X


class DistributedOrthoSGD(torch.optim.Optimizer):
    """Nesterov SGD whose update is orthogonalized per matrix.

    The work is spread over the *data-parallel* ranks: parameter i is only orthogonalized by the
    dp rank with i % dp_world == dp_rank; everybody else leaves zeros in the flat buffer, and a
    single SUM all-reduce hands every rank every update.
    """

    def __init__(self, params, lr, momentum=0.95, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))

    def _full_grad(self, p, g):
        dim = getattr(p, "tp_partition_dim", 0)
        if tp_world() == 1:
            return g
        parts = [torch.empty_like(g) for _ in range(tp_world())]
        dist.all_gather(parts, g.contiguous(), group=tp_group())
        fuse = getattr(p, "tp_fuse_count", 1)
        if fuse > 1:  # re-stack [q_r0, k_r0, v_r0, q_r1, ...] into [q; k; v]
            chunks = [part.chunk(fuse, dim=0) for part in parts]
            return torch.cat([torch.cat([c[j] for c in chunks], dim=0) for j in range(fuse)], dim=0)
        return torch.cat(parts, dim=dim)

    def _local_slice(self, p, full):
        if tp_world() == 1:
            return full
        fuse = getattr(p, "tp_fuse_count", 1)
        if fuse > 1:
            return torch.cat([blk.chunk(tp_world(), dim=0)[tp_rank()] for blk in full.chunk(fuse, dim=0)], dim=0)
        return full.chunk(tp_world(), dim=p.tp_partition_dim)[tp_rank()]

    def _orthogonalize(self, p, full_grad, steps):
        rows, cols = full_grad.shape
        if getattr(p, "tp_fuse_count", 1) == 3 and rows == 3 * cols:
            blocks = [newton_schulz_orthogonalize(blk, steps) for blk in full_grad.split(cols, dim=0)]
            upd = torch.cat(blocks, dim=0)
            return upd * math.sqrt(cols)
        return newton_schulz_orthogonalize(full_grad, steps) * math.sqrt(max(rows, cols))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group["params"]
            total = sum(p.numel() for p in params)
            flat = torch.zeros(total, dtype=torch.bfloat16, device=params[0].device)
            offset = 0
            for i, p in enumerate(params):
                n = p.numel()
                if i % dp_world() == dp_rank() and p.grad is not None:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = torch.zeros_like(p.grad)
                    buf = state["momentum_buffer"]
                    buf.mul_(group["momentum"]).add_(p.grad)
                    g = p.grad.add(buf, alpha=group["momentum"])  # Nesterov look-ahead
                    full = self._full_grad(p, g)
                    upd = self._orthogonalize(p, full, group["ns_steps"])
                    flat[offset:offset + n] = self._local_slice(p, upd).reshape(-1)
                offset += n
            dist.all_reduce(flat, op=dist.ReduceOp.SUM, group=dp_group())
            offset = 0
            for p in params:
                n = p.numel()
                p.add_(flat[offset:offset + n].view_as(p).to(p.dtype), alpha=-group["lr"])
                offset += n


class OptimizerParamScheduler:
    def __init__(self, optimizers, max_lrs, warmup_iters, decay_iters, total_iters, decay_style, min_lr_ratio):
        self.optimizers, self.max_lrs = optimizers, max_lrs
        self.warmup_iters, self.decay_iters, self.total_iters = warmup_iters, decay_iters, total_iters
        self.decay_style, self.min_lr_ratio = decay_style, min_lr_ratio
        self.num_steps = 0

    def get_lr_factor(self):
        it = self.num_steps
        if self.warmup_iters > 0 and it < self.warmup_iters:
            return (it + 1) / self.warmup_iters
        if self.decay_style == "constant":
            return 1.0
        if self.decay_style == "wsd":
            decay_start = self.total_iters - self.decay_iters
            if it < decay_start:
                return 1.0
            frac = (self.total_iters - it) / self.decay_iters
            return self.min_lr_ratio + (1 - self.min_lr_ratio) * frac
        ratio = (it - self.warmup_iters) / max(1, self.total_iters - self.warmup_iters)
        if self.decay_style == "linear":
            return 1.0 - (1.0 - self.min_lr_ratio) * ratio
        return self.min_lr_ratio + 0.5 * (1 - self.min_lr_ratio) * (1 + math.cos(math.pi * ratio))

    def step(self):
        self.num_steps += 1
        factor = self.get_lr_factor()
        for opt, base in zip(self.optimizers, self.max_lrs):
            for g in opt.param_groups:
                g["lr"] = base * factor


def setup_model_and_optimizer(args):
    model = GPTModel(args).cuda()
    for p in model.parameters():  # keep TP replicas consistent inside a DP replica
        dist.broadcast(p.data, src=dist.get_rank() - tp_rank(), group=tp_group())
    ddp_model = torchDDP(model, device_ids=[torch.cuda.current_device()], process_group=dp_group())

    matrices = [p for n, p in model.named_parameters() if p.ndim == 2 and "layers." in n]
    others = [p for n, p in model.named_parameters() if not (p.ndim == 2 and "layers." in n)]
    adam = torch.optim.AdamW(others, lr=args.lr, betas=(args.adam_beta1, args.adam_beta2), eps=args.adam_eps,
                             weight_decay=args.weight_decay, fused=args.use_fused_adam)
    ortho_lr = args.ortho_lr_ratio * args.lr
    ortho = DistributedOrthoSGD(matrices, lr=ortho_lr, momentum=args.ortho_momentum, ns_steps=args.ortho_ns_steps)
    sched = OptimizerParamScheduler([adam, ortho], [args.lr, ortho_lr], args.lr_warmup_iters,
                                    args.lr_wsd_decay_iters, args.train_iters, args.lr_decay_style,
                                    args.min_lr / args.lr)
    return ddp_model, [adam, ortho], sched


# =============================================================================================
# data
# =============================================================================================

class GPTDataset:
    def __init__(self, prefix, split, micro_batch, seq_length):
        self.files = sorted(glob.glob(os.path.join(prefix, f"fineweb_{split}_*.bin")))
        self.micro_batch, self.seq_length = micro_batch, seq_length
        self.file_idx, self.pos = 0, dp_rank() * micro_batch * seq_length
        self._open()

    def _open(self):
        hdr = np.fromfile(self.files[self.file_idx], dtype=np.int32, count=256)
        self.data = np.memmap(self.files[self.file_idx], dtype=np.uint16, mode="r", offset=1024, shape=(int(hdr[2]),))

    def __iter__(self):
        while True:
            span = self.micro_batch * self.seq_length
            if self.pos + span + 1 > len(self.data):
                self.file_idx = (self.file_idx + 1) % len(self.files)
                self._open()
                self.pos = dp_rank() * span
            chunk = torch.from_numpy(self.data[self.pos:self.pos + span + 1].astype(np.int64))
            self.pos += span * dp_world()
            yield {"text": chunk}


def get_batch(data_iterator, args):
    """Build the batch on tp-rank 0 and broadcast it to the rest of the tensor-parallel group."""
    n = args.micro_batch_size * args.seq_length + 1
    if tp_rank() == 0:
        data = next(data_iterator)["text"].cuda(non_blocking=True)
    else:
        data = torch.empty(n, dtype=torch.int64, device="cuda")
    if tp_world() > 1:
        dist.broadcast(data, src=dist.get_rank() - tp_rank(), group=tp_group())
    tokens = data[:-1].view(args.micro_batch_size, args.seq_length)
    labels = data[1:].view(args.micro_batch_size, args.seq_length)
    return tokens, labels


def forward_step(model, tokens, labels, args):
    with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=args.bf16):
        return model(tokens, labels)


def train_step(data_iterator, model, optimizers, scheduler, args):
    num_microbatches = args.global_batch_size // (args.micro_batch_size * dp_world())
    total = torch.zeros((), device="cuda")
    for mb in range(num_microbatches):
        tokens, labels = get_batch(data_iterator, args)
        if mb < num_microbatches - 1:
            with model.no_sync():
                loss = forward_step(model, tokens, labels, args) / num_microbatches
                loss.backward()
        else:
            loss = forward_step(model, tokens, labels, args) / num_microbatches
            loss.backward()
        total += loss.detach()
    for opt in optimizers:
        opt.step()
    scheduler.step()
    model.zero_grad(set_to_none=True)
    return total


def pretrain():
    args = parse_args()
    dist.init_process_group(backend="nccl")
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    initialize_model_parallel(args.tensor_model_parallel_size)
    torch.manual_seed(args.seed + tp_rank())
    tokens_per_step = args.global_batch_size * args.seq_length
    print_rank_0(f"global batch {args.global_batch_size} x {args.seq_length} = {tokens_per_step} tokens/iter, "
                 f"{args.train_iters} iters")

    model, optimizers, scheduler = setup_model_and_optimizer(args)
    train_iter = iter(GPTDataset(args.data_path, "train", args.micro_batch_size, args.seq_length))
    valid_iter = iter(GPTDataset(args.data_path, "val", args.micro_batch_size, args.seq_length))

    t0 = time.time()
    for iteration in range(1, args.train_iters + 1):
        loss = train_step(train_iter, model, optimizers, scheduler, args)
        if iteration % args.log_interval == 0:
            dist.all_reduce(loss, group=dp_group())
            elapsed = (time.time() - t0) * 1000 / args.log_interval
            print_rank_0(f" iteration {iteration:6d}/{args.train_iters} | lm loss {loss.item() / dp_world():.4f} "
                         f"| elapsed/iter {elapsed:.1f} ms | lr {optimizers[0].param_groups[0]['lr']:.3e}")
            t0 = time.time()
        if iteration % args.eval_interval == 0 or iteration == args.train_iters:
            model.eval()
            with torch.no_grad():
                val = torch.zeros((), device="cuda")
                for _ in range(args.eval_iters):
                    val += forward_step(model, *get_batch(valid_iter, args), args)
                dist.all_reduce(val, group=dp_group())
            print_rank_0(f" validation loss at iteration {iteration}: {val.item() / args.eval_iters / dp_world():.4f}")
            model.train()
    dist.destroy_process_group()


if __name__ == "__main__":
    pretrain()
