"""
GPT-2 (124M) on FineWeb-10B, written in the style of minGPT.

Position information comes from rotating the query/key vectors; there is no
learned position table.  The trainer is a small callback-driven loop.

launch: torchrun --nproc_per_node=8 d1_mingpt_rope.py --trainer.max_iters=9536
"""
import os
import sys
import ast
import glob
import math
import time
from collections import defaultdict

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

# -----------------------------------------------------------------------------
# config utility (yacs-like)

class CfgNode:
    """ a lightweight configuration class inspired by yacs """

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def __str__(self):
        return self._str_helper(0)

    def _str_helper(self, indent):
        parts = []
        for k, v in self.__dict__.items():
            if isinstance(v, CfgNode):
                parts.append("%s:\n" % k)
                parts.append(v._str_helper(indent + 1))
            else:
                parts.append("%s: %s\n" % (k, v))
        return "".join(' ' * (indent * 4) + p for p in parts)

    def merge_from_args(self, args):
        """ update the configuration from a list of strings like --model.n_layer=12 """
        for arg in args:
            keyval = arg.split('=')
            assert len(keyval) == 2, "expecting each override arg to be of form --arg=value, got %s" % arg
            key, val = keyval
            try:
                val = ast.literal_eval(val)
            except ValueError:
                pass
            assert key[:2] == '--'
            keys = key[2:].split('.')
            obj = self
            for k in keys[:-1]:
                obj = getattr(obj, k)
            setattr(obj, keys[-1], val)

def get_default_config():
    C = CfgNode()
    C.system = CfgNode(seed=3407, work_dir='./out/mingpt_rope')
    C.data = CfgNode(train_pattern=os.environ.get("NANOGPT_TRAIN_FILES", "data/fineweb10B/fineweb_train_*.bin"),
                     val_pattern=os.environ.get("NANOGPT_VAL_FILES", "data/fineweb10B/fineweb_val_*.bin"),
                     val_tokens=10485760)
    C.model = CfgNode(n_layer=12, n_head=12, n_embd=768, vocab_size=50257, block_size=1024,
                      bias=False, attn_pdrop=0.0, resid_pdrop=0.0, embd_pdrop=0.0, rope_base=10000.0)
    C.trainer = CfgNode(batch_size=64,                  # sequences per device
                        total_batch_tokens=512 * 1024,  # tokens per optimizer step
                        max_iters=9536,
                        learning_rate=0.0018,
                        betas=(0.9, 0.95),
                        weight_decay=0.1,
                        warmup_iters=256,
                        warmdown_iters=2000,
                        eval_interval=128,
                        eval_iters=20)
    return C

# -----------------------------------------------------------------------------
# model

class PositionRotator(nn.Module):
    """ caches the per-position angles used to turn q and k """

    def __init__(self, head_size, base=10000.0):
        super().__init__()
        exponents = torch.arange(0, head_size, 2, dtype=torch.float32) / head_size
        self.register_buffer("freq", base ** (-exponents), persistent=False)
        self._len = 0
        self._cos = None
        self._sin = None

    def angles(self, T, device):
        if T != self._len:
            pos = torch.arange(T, device=device, dtype=torch.float32)
            theta = pos[:, None] * self.freq.to(device)[None, :]
            self._cos, self._sin = theta.cos()[None, None], theta.sin()[None, None]
            self._len = T
        return self._cos, self._sin

def turn(t, cos, sin):
    # t: (B, nh, T, hs) ; rotate the first half against the second half
    half = t.size(-1) // 2
    a, b = t[..., :half], t[..., half:]
    return torch.cat((a * cos + b * sin, b * cos - a * sin), dim=-1).type_as(t)

class CausalSelfAttention(nn.Module):

    def __init__(self, config):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.key = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.query = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.value = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.resid_drop = nn.Dropout(config.resid_pdrop)
        self.n_head = config.n_head
        self.rotator = PositionRotator(config.n_embd // config.n_head, config.rope_base)
        # llm.c keeps the attention branch small at init
        self.branch_gain = 1.0 / math.sqrt(2 * config.n_layer)

    def forward(self, x):
        B, T, C = x.size()
        k = self.key(x).view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = self.query(x).view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = self.value(x).view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        cos, sin = self.rotator.angles(T, x.device)
        q, k = turn(q, cos, sin), turn(k, cos, sin)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.branch_gain * self.resid_drop(self.proj(y))

class Block(nn.Module):

    def __init__(self, config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = nn.ModuleDict(dict(
            c_fc=nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias),
            proj=nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias),
            act=nn.GELU(approximate='tanh'),
            dropout=nn.Dropout(config.resid_pdrop),
        ))
        m = self.mlp
        self.mlpf = lambda x: m.dropout(m.proj(m.act(m.c_fc(x))))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlpf(self.ln_2(x))
        return x

class GPT(nn.Module):

    def __init__(self, config):
        super().__init__()
        self.block_size = config.block_size
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            drop=nn.Dropout(config.embd_pdrop),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=nn.LayerNorm(config.n_embd, bias=config.bias),
        ))
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.head.weight  # weight tying
        self.apply(self._init_weights)
        # GPT-2 style scaled init of the residual projections
        for pn, p in self.named_parameters():
            if pn.endswith('proj.weight'):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))
        n_params = sum(p.numel() for p in self.parameters())
        print("number of parameters: %.2fM" % (n_params / 1e6,))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def configure_optimizers(self, train_config):
        decay, no_decay = set(), set()
        for pn, p in self.named_parameters():
            (decay if p.dim() >= 2 else no_decay).add(pn)
        param_dict = {pn: p for pn, p in self.named_parameters()}
        optim_groups = [
            {"params": [param_dict[pn] for pn in sorted(decay)], "weight_decay": train_config.weight_decay},
            {"params": [param_dict[pn] for pn in sorted(no_decay)], "weight_decay": 0.0},
        ]
        return torch.optim.AdamW(optim_groups, lr=train_config.learning_rate,
                                 betas=train_config.betas, foreach=True)

    def forward(self, idx, targets=None):
        b, t = idx.size()
        assert t <= self.block_size, f"Cannot forward sequence of length {t}"
        x = self.transformer.drop(self.transformer.wte(idx))
        for block in self.transformer.h:
            x = block(x)
        logits = self.head(self.transformer.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss

# -----------------------------------------------------------------------------
# data

class ShardStream:
    """ streams contiguous (B, T) windows out of uint16 token shards """

    def __init__(self, pattern, B, T, rank, world):
        self.files = sorted(glob.glob(pattern))
        assert self.files, f"no shards match {pattern}"
        self.B, self.T, self.rank, self.world = B, T, rank, world
        self.reset()

    def _open(self, i):
        raw = np.memmap(self.files[i], dtype=np.uint16, mode='r', offset=256 * 4)
        return raw

    def reset(self):
        self.shard = 0
        self.tokens = self._open(0)
        self.pos = self.rank * self.B * self.T

    def next_batch(self):
        B, T = self.B, self.T
        chunk = torch.from_numpy(self.tokens[self.pos:self.pos + B * T + 1].astype(np.int64))
        self.pos += B * T * self.world
        if self.pos + B * T * self.world + 1 > len(self.tokens):
            self.shard = (self.shard + 1) % len(self.files)
            self.tokens = self._open(self.shard)
            self.pos = self.rank * B * T
        return chunk[:-1].view(B, T).cuda(), chunk[1:].view(B, T).cuda()

# -----------------------------------------------------------------------------
# trainer

class Trainer:

    def __init__(self, config, model, train_stream, rank, world):
        self.config = config
        self.model = model
        self.raw_model = model.module if hasattr(model, "module") else model
        self.train_stream = train_stream
        self.rank, self.world = rank, world
        self.callbacks = defaultdict(list)
        self.optimizer = self.raw_model.configure_optimizers(config)
        per_fwd = config.batch_size * train_stream.T * world
        assert config.total_batch_tokens % per_fwd == 0
        self.grad_accum = config.total_batch_tokens // per_fwd
        self.iter_num = 0
        self.iter_time = time.time()

    def add_callback(self, onevent, callback):
        self.callbacks[onevent].append(callback)

    def trigger_callbacks(self, onevent):
        for callback in self.callbacks.get(onevent, []):
            callback(self)

    def lr_multiplier(self, it):
        cfg = self.config
        if it < cfg.warmup_iters:
            return (it + 1) / cfg.warmup_iters
        if it < cfg.max_iters - cfg.warmdown_iters:
            return 1.0
        return (cfg.max_iters - it) / cfg.warmdown_iters

    def run(self):
        cfg, model = self.config, self.model
        ctx = torch.autocast(device_type="cuda", dtype=torch.bfloat16)
        model.train()
        while self.iter_num < cfg.max_iters:
            for micro in range(self.grad_accum):
                x, y = self.train_stream.next_batch()
                model.require_backward_grad_sync = (micro == self.grad_accum - 1)
                with ctx:
                    _, loss = model(x, y)
                (loss / self.grad_accum).backward()
            self.loss = loss.detach()
            # every tensor gets a unit-norm gradient instead of a global clip
            for p in model.parameters():
                if p.grad is not None:
                    p.grad.mul_(1.0 / (p.grad.norm() + 1e-6))
            mult = self.lr_multiplier(self.iter_num)
            for group in self.optimizer.param_groups:
                group["lr"] = cfg.learning_rate * mult
            self.optimizer.step()
            model.zero_grad(set_to_none=True)
            self.trigger_callbacks('on_batch_end')
            self.iter_num += 1
            tnow = time.time()
            self.iter_dt = tnow - self.iter_time
            self.iter_time = tnow

# -----------------------------------------------------------------------------

if __name__ == '__main__':
    config = get_default_config()
    config.merge_from_args(sys.argv[1:])
    dist.init_process_group(backend='nccl')
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ['LOCAL_RANK']))
    torch.manual_seed(config.system.seed)
    if rank == 0:
        print(config)

    model = GPT(config.model).cuda()
    model = torch.compile(model)
    model = DDP(model, device_ids=[int(os.environ['LOCAL_RANK'])])

    T = config.model.block_size
    train_stream = ShardStream(config.data.train_pattern, config.trainer.batch_size, T, rank, world)
    val_stream = ShardStream(config.data.val_pattern, config.trainer.batch_size, T, rank, world)
    trainer = Trainer(config.trainer, model, train_stream, rank, world)

    def log_cb(tr):
        if rank == 0 and tr.iter_num % 10 == 0:
            print(f"iter {tr.iter_num}: loss {tr.loss.item():.4f} dt {tr.iter_dt * 1000:.1f}ms")

    @torch.no_grad()
    def eval_cb(tr):
        cfg = tr.config
        if tr.iter_num % cfg.eval_interval != 0 and tr.iter_num != cfg.max_iters - 1:
            return
        tr.model.eval()
        val_stream.reset()
        total = torch.zeros((), device='cuda')
        for _ in range(cfg.eval_iters):
            x, y = val_stream.next_batch()
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
                _, l = tr.model(x, y)
            total += l.detach()
        total /= cfg.eval_iters
        dist.all_reduce(total, op=dist.ReduceOp.AVG)
        if rank == 0:
            print(f"iter {tr.iter_num}: val loss {total.item():.4f}")
        tr.model.train()

    trainer.add_callback('on_batch_end', log_cb)
    trainer.add_callback('on_batch_end', eval_cb)
    trainer.run()
    dist.destroy_process_group()
