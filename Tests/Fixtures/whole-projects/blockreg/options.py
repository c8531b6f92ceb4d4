"""Experiment options.  Everything the model builder and the runner need is
read from here; override on the command line as ``key=value``."""
import sys

MODEL = {
    "vocab": 50257,
    "width": 768,
    "heads": 12,
    "depth": 12,
    "mlp_ratio": 4,
    "rope_theta": 10000.0,
    # attention score soft-capping inside every attention layer (Gemma-2 style)
    "attn_score_cap": 50.0,
    # stack of block kinds, looked up in blocks.BLOCKS
    "block": "vres_block",
    "mixer": "capped_attention",
    "ffn": "sqrelu_ffn",
    # first half of the stack feeds mirrored layers of the second half
    "hourglass": True,
}

TRAIN = {
    "data_glob": "data/fineweb10B/fineweb_train_*.bin",
    "val_glob": "data/fineweb10B/fineweb_val_*.bin",
    "batch": 32,
    "ctx": 1024,
    "steps": 3200,
    "warmup": 200,
    "min_lr_frac": 0.0,
    "val_every": 200,
    "val_batches": 40,
    # optimizer settings
    "lr_embed": 0.5,
    "lr_head": 0.004,
    "lr_scalar": 0.03,
    "lr_matrix": 0.03,
    "adam_betas": (0.9, 0.95),
    "embed_wd": 0.01,
    "ortho_momentum": 0.95,
    "ortho_steps": 5,
    "seed": 0,
}


def _parse(val):
    for cast in (int, float):
        try:
            return cast(val)
        except ValueError:
            pass
    if val in ("True", "False"):
        return val == "True"
    return val


def apply_cli(argv=None):
    for tok in (sys.argv[1:] if argv is None else argv):
        key, val = tok.split("=", 1)
        table = MODEL if key in MODEL else TRAIN
        if key not in table:
            raise KeyError(key)
        table[key] = _parse(val)
    return MODEL, TRAIN
