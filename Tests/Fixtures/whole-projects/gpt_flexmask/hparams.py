"""Run settings.  Values may be overridden through environment variables of the
same name in upper case, e.g. ``NUM_STEPS=2000 torchrun ... train.py``."""
import os


class HParams:
    train_files = "data/fineweb10B/fineweb_train_*.bin"
    val_files = "data/fineweb10B/fineweb_val_*.bin"
    val_tokens = 10_485_760
    # one packed stream of 64K tokens per GPU and step
    seq_len = 64 * 1024
    num_steps = 1500
    warmup_steps = 100
    val_every = 125
    # model
    vocab_size = 50304
    eot_id = 50256
    n_layer = 12
    n_head = 12
    d_model = 768
    # attention pattern: L = local (sliding window), G = global (whole causal document)
    layer_pattern = "LLLG" * 3
    block_size = 128               # FlexAttention tile size
    window_start_tokens = 128      # local window at step 0
    window_end_tokens = 1792       # local window at the end of training
    # optimizer
    lr = 8e-4
    betas = (0.9, 0.95)
    weight_decay = 0.1
    # compile
    guard_skip_after = 5


def _cast(default, raw):
    if isinstance(default, tuple):
        return tuple(type(default[0])(x) for x in raw.split(","))
    return type(default)(raw)


def load():
    hp = HParams()
    for name in dir(HParams):
        if name.startswith("_"):
            continue
        env = os.environ.get(name.upper())
        if env is not None:
            setattr(hp, name, _cast(getattr(HParams, name), env))
    assert len(hp.layer_pattern) == hp.n_layer
    return hp
