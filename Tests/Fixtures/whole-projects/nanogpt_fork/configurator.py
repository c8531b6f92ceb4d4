"""
Poor man's configurator, in the spirit of the original nanoGPT one, but
importable.  Defaults live in DEFAULTS; any ``--key=value`` on the command
line (or a python file path containing assignments) overrides them.

    $ torchrun --standalone --nproc_per_node=8 train.py --learning_rate=0.002
"""
import ast
import sys

DEFAULTS = dict(
    # I/O
    out_dir="out",
    eval_interval=250,
    eval_tokens=10_485_760,
    log_interval=10,
    # data
    input_bin="data/fineweb10B/fineweb_train_*.bin",
    input_val_bin="data/fineweb10B/fineweb_val_*.bin",
    # 64 sequences per GPU x 1024 tokens x 8 GPUs = 524288 tokens / step
    device_batch_size=64,
    sequence_length=1024,
    max_iters=9536,
    # model
    n_layer=12,
    n_head=12,
    n_embd=768,
    vocab_size=50304,  # 50257 rounded up to a multiple of 128
    rope_base=10000.0,
    # optimizer
    learning_rate=0.0018,
    beta1=0.9,
    beta2=0.95,
    weight_decay=0.1,
    # schedule: ramp up, hold, ramp down
    warmup_iters=256,
    warmdown_iters=2000,
    # system
    compile=True,
    seed=1337,
)


def _coerce(raw, reference):
    try:
        val = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        val = raw
    if reference is not None and not isinstance(val, type(reference)):
        if isinstance(reference, float) and isinstance(val, int):
            val = float(val)
        else:
            raise TypeError(f"override {raw!r} does not match type {type(reference).__name__}")
    return val


def load_config(argv=None, defaults=None):
    """Return a plain dict of settings with command line overrides applied."""
    cfg = dict(DEFAULTS if defaults is None else defaults)
    argv = sys.argv[1:] if argv is None else argv
    for arg in argv:
        if "=" not in arg:
            # treat as a config file full of `key = value` lines
            print(f"Overriding config with {arg}:")
            scope = {}
            with open(arg) as f:
                exec(f.read(), {}, scope)
            for k, v in scope.items():
                if k in cfg:
                    cfg[k] = v
            continue
        assert arg.startswith("--"), arg
        key, raw = arg[2:].split("=", 1)
        if key not in cfg:
            raise ValueError(f"Unknown config key: {key}")
        cfg[key] = _coerce(raw, cfg[key])
        print(f"Overriding: {key} = {cfg[key]}")
    return cfg


class AttrDict(dict):
    __getattr__ = dict.__getitem__
    __setattr__ = dict.__setitem__
