# coding=utf-8
# Copyright 2024 The Research Authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""GPT-2 (124M) language model trainer on FineWeb token shards.

Usage:
  torchrun --nproc_per_node=8 absl_gpt2_rope_trainer.py \
      --workdir=/tmp/gpt2_rope --train_pattern='data/fineweb_train_*.bin'

Hyperparameters live in `get_config()`; a handful of them can be overridden
from the command line through absl flags (see the FLAGS block below).
"""

import glob
import math
import os
import time

from absl import app
from absl import flags
from absl import logging
import ml_collections
import numpy as np
import torch
from torch import nn
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

FLAGS = flags.FLAGS

flags.DEFINE_string("workdir", "/tmp/gpt2_rope", "Directory for logs/checkpoints.")
flags.DEFINE_string("train_pattern", "data/fineweb10B/fineweb_train_*.bin",
                    "Glob of training shards.")
flags.DEFINE_string("eval_pattern", "data/fineweb10B/fineweb_val_*.bin",
                    "Glob of validation shards.")
flags.DEFINE_float("learning_rate", 0.0018,
                   "Peak learning rate. Overrides config.optim.lr when set.")
flags.DEFINE_integer("device_batch_size", 64,
                     "Sequences per device per micro step.")
flags.DEFINE_integer("num_train_steps", None,
                     "Overrides config.schedule.num_steps when set.")
flags.DEFINE_bool("compile", True, "Whether to torch.compile the model.")


# -----------------------------------------------------------------------------
# Configuration.


def get_config():
  """Returns the default experiment configuration."""
  config = ml_collections.ConfigDict()

  config.seed = 1337

  config.model = ml_collections.ConfigDict()
  config.model.vocab_size = 50257
  config.model.block_size = 1024
  config.model.n_layer = 12
  config.model.n_head = 12
  config.model.n_embd = 768
  config.model.activation = "gelu"
  config.model.rope_base = 10000.0
  # LayerNorm on the fused query / key projections before the head split.
  config.model.qk_layernorm = True

  config.data = ml_collections.ConfigDict()
  config.data.seq_len = 1024
  config.data.total_batch_tokens = 8 * 64 * 1024
  config.data.eval_batches = 20

  config.optim = ml_collections.ConfigDict()
  config.optim.lr = 0.0015  # reference value; FLAGS.learning_rate wins.
  config.optim.b1 = 0.9
  config.optim.b2 = 0.95
  config.optim.weight_decay = 0.1
  config.optim.fused = False
  config.optim.grad_norm_eps = 1e-6

  config.schedule = ml_collections.ConfigDict()
  config.schedule.num_steps = 9536
  config.schedule.warmup_steps = 256
  config.schedule.warmdown_steps = 2000

  config.eval_every = 128
  config.log_every = 1
  return config


# -----------------------------------------------------------------------------
# Model.


def rms_normalize(x, eps=1e-6):
  xf = x.float()
  xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
  return xf.type_as(x)


def _relu2(x):
  return F.relu(x).square()


ACTIVATIONS = {
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
    "relu2": _relu2,
}


class RotaryEmbedding(nn.Module):
  """Rotary position embedding (Su et al. 2021)."""

  def __init__(self, head_dim, base):
    super().__init__()
    inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2).float() / head_dim))
    self.register_buffer("inv_freq", inv_freq, persistent=False)
    self._cached_len = None
    self._cos = None
    self._sin = None

  def forward(self, x):
    seq_len = x.shape[1]
    if seq_len != self._cached_len:
      self._cached_len = seq_len
      t = torch.arange(seq_len, device=x.device).type_as(self.inv_freq)
      freqs = torch.outer(t, self.inv_freq)
      self._cos = freqs.cos()[None, :, None, :]
      self._sin = freqs.sin()[None, :, None, :]
    return self._cos, self._sin


def rotate(x, cos, sin):
  half = x.shape[-1] // 2
  x1, x2 = x[..., :half], x[..., half:]
  return torch.cat([x1 * cos + x2 * sin, -x1 * sin + x2 * cos], dim=-1).type_as(x)


class SelfAttention(nn.Module):

  def __init__(self, cfg):
    super().__init__()
    self.n_head = cfg.n_head
    self.n_embd = cfg.n_embd
    self.head_dim = cfg.n_embd // cfg.n_head
    self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=False)
    self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=False)
    self.rope = RotaryEmbedding(self.head_dim, cfg.rope_base)
    if cfg.qk_layernorm:
      self.q_ln = nn.LayerNorm(cfg.n_embd)
      self.k_ln = nn.LayerNorm(cfg.n_embd)
    else:
      self.q_ln = self.k_ln = nn.Identity()

  def forward(self, x):
    bsz, seqlen, width = x.shape
    q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
    q = self.q_ln(q)
    k = self.k_ln(k)
    q = q.view(bsz, seqlen, self.n_head, self.head_dim)
    k = k.view(bsz, seqlen, self.n_head, self.head_dim)
    v = v.view(bsz, seqlen, self.n_head, self.head_dim)
    cos, sin = self.rope(q)
    q, k = rotate(q, cos, sin), rotate(k, cos, sin)
    y = F.scaled_dot_product_attention(
        q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
    y = y.transpose(1, 2).contiguous().view(bsz, seqlen, width)
    return self.c_proj(y)


class FeedForward(nn.Module):

  def __init__(self, cfg):
    super().__init__()
    self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=False)
    self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=False)
    self.act = ACTIVATIONS[cfg.activation]

  def forward(self, x):
    return self.c_proj(self.act(self.c_fc(x)))


class DecoderLayer(nn.Module):

  def __init__(self, cfg):
    super().__init__()
    self.attn = SelfAttention(cfg)
    self.mlp = FeedForward(cfg)
    self.attn_scale = 1.0 / math.sqrt(2 * cfg.n_layer)

  def forward(self, x):
    x = x + self.attn_scale * self.attn(rms_normalize(x))
    x = x + self.mlp(rms_normalize(x))
    return x


class GPT(nn.Module):

  def __init__(self, cfg):
    super().__init__()
    self.cfg = cfg
    self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
    self.layers = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg.n_layer)])
    self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
    self.wte.weight = self.lm_head.weight  # weight tying

  def forward(self, idx, targets=None):
    x = self.wte(idx)
    for layer in self.layers:
      x = layer(x)
    x = rms_normalize(x)
    logits = self.lm_head(x)
    if targets is None:
      return logits, None
    loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                           ignore_index=-1)
    # keep the reported scalar in full precision for the metric writers
    loss = loss.float()
    return logits, loss


# -----------------------------------------------------------------------------
# Input pipeline.


def _read_shard(path):
  with open(path, "rb") as f:
    header = np.frombuffer(f.read(256 * 4), dtype=np.int32)
    assert header[0] == 20240520, f"bad magic in {path}"
    assert header[1] == 1
    ntok = int(header[2])
    tokens = np.frombuffer(f.read(), dtype=np.uint16)
  assert len(tokens) == ntok
  return tokens


class ShardedTokenStream:
  """Round-robin over token shards; each rank reads a disjoint slice."""

  def __init__(self, pattern, batch, seq_len, rank, world):
    self.files = sorted(glob.glob(pattern))
    if not self.files:
      raise ValueError(f"No files match {pattern}")
    self.batch, self.seq_len = batch, seq_len
    self.rank, self.world = rank, world
    self.reset()

  def reset(self):
    self.shard_idx = 0
    self.tokens = _read_shard(self.files[0])
    self.pos = self.rank * self.batch * self.seq_len

  def _advance(self):
    self.shard_idx = (self.shard_idx + 1) % len(self.files)
    self.tokens = _read_shard(self.files[self.shard_idx])
    self.pos = self.rank * self.batch * self.seq_len

  def next(self):
    n = self.batch * self.seq_len
    buf = torch.from_numpy(self.tokens[self.pos:self.pos + n + 1].astype(np.int64))
    x = buf[:-1].view(self.batch, self.seq_len)
    y = buf[1:].view(self.batch, self.seq_len)
    self.pos += n * self.world
    if self.pos + n * self.world + 1 > len(self.tokens):
      self._advance()
    return x.cuda(non_blocking=True), y.cuda(non_blocking=True)


# -----------------------------------------------------------------------------
# Schedules and training.


def lr_multiplier(step, sched):
  """Warmup -> hold -> linear warmdown to zero."""
  if step < sched.warmup_steps:
    return (step + 1) / sched.warmup_steps
  if step < sched.num_steps - sched.warmdown_steps:
    return 1.0
  return (sched.num_steps - step) / sched.warmdown_steps


def build_optimizer(model, optim_cfg):
  return torch.optim.AdamW(
      model.parameters(),
      lr=optim_cfg.lr,
      betas=(optim_cfg.b1, optim_cfg.b2),
      weight_decay=optim_cfg.weight_decay,
      fused=optim_cfg.fused,
  )


def normalize_gradients_(params, eps):
  """Rescales each parameter gradient to unit L2 norm."""
  for p in params:
    if p.grad is not None:
      p.grad = p.grad / (p.grad.norm() + eps)


def evaluate(model, loader, num_batches):
  model.eval()
  loader.reset()
  total = torch.zeros((), device="cuda")
  with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
    for _ in range(num_batches):
      x, y = loader.next()
      _, loss = model(x, y)
      total += loss
  dist.all_reduce(total, op=dist.ReduceOp.AVG)
  model.train()
  return (total / num_batches).item()


def train_and_evaluate(config, workdir):
  rank = int(os.environ["RANK"])
  local_rank = int(os.environ["LOCAL_RANK"])
  world = int(os.environ["WORLD_SIZE"])
  dist.init_process_group(backend="nccl")
  torch.cuda.set_device(local_rank)
  is_chief = rank == 0
  torch.manual_seed(config.seed)

  seq_len = config.data.seq_len
  micro = FLAGS.device_batch_size
  tokens_per_micro = micro * seq_len * world
  assert config.data.total_batch_tokens % tokens_per_micro == 0
  grad_accum = config.data.total_batch_tokens // tokens_per_micro
  if is_chief:
    logging.info("tokens/step=%d grad_accum=%d", config.data.total_batch_tokens,
                 grad_accum)

  train_ds = ShardedTokenStream(FLAGS.train_pattern, micro, seq_len, rank, world)
  eval_ds = ShardedTokenStream(FLAGS.eval_pattern, micro, seq_len, rank, world)

  model = GPT(config.model).cuda()
  if FLAGS.compile:
    model = torch.compile(model)
  model = DDP(model, device_ids=[local_rank])

  optimizer = build_optimizer(model, config.optim)
  scheduler = torch.optim.lr_scheduler.LambdaLR(
      optimizer, lambda s: lr_multiplier(s, config.schedule))

  os.makedirs(workdir, exist_ok=True)
  num_steps = config.schedule.num_steps
  x, y = train_ds.next()
  t0 = time.time()
  for step in range(num_steps + 1):
    last = step == num_steps
    if last or (config.eval_every and step % config.eval_every == 0):
      val = evaluate(model, eval_ds, config.data.eval_batches)
      if is_chief:
        logging.info("step %d val_loss %.4f", step, val)
    if last:
      break

    for micro_step in range(grad_accum):
      sync = micro_step == grad_accum - 1
      ctx = model.no_sync() if not sync else torch.enable_grad()
      with ctx, torch.autocast("cuda", dtype=torch.bfloat16):
        _, loss = model(x, y)
        loss = loss / grad_accum
      x, y = train_ds.next()
      loss.backward()

    normalize_gradients_(model.parameters(), config.optim.grad_norm_eps)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)

    if is_chief and step % config.log_every == 0:
      dt = time.time() - t0
      logging.info("step %d/%d loss %.4f lr %.3e (%.1fs)", step + 1, num_steps,
                   loss.item() * grad_accum, scheduler.get_last_lr()[0], dt)

  dist.destroy_process_group()


def main(argv):
  if len(argv) > 1:
    raise app.UsageError("Too many command-line arguments.")
  config = get_config()
  if FLAGS.learning_rate is not None:
    config.optim.lr = FLAGS.learning_rate
  if FLAGS.num_train_steps is not None:
    config.schedule.num_steps = FLAGS.num_train_steps
  config.lock()
  train_and_evaluate(config, FLAGS.workdir)


if __name__ == "__main__":
  app.run(main)
