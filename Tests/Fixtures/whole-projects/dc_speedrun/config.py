"""Typed hyperparameters.  Kept free of torch imports so that train.py can set
environment variables from it before torch is imported."""
from dataclasses import dataclass, field


@dataclass
class ModelConfig:
    vocab_size: int = 50304          # GPT-2 vocab rounded up to 128
    eot_token: int = 50256           # document separator in the token stream
    n_layer: int = 12
    n_head: int = 12
    d_model: int = 768
    mlp_mult: int = 4
    rope_base: float = 10000.0
    attn_window: int = 1024          # each token sees at most this many previous tokens
    value_embed_init_mix: float = 0.5


@dataclass
class OptimConfig:
    lr_token_embed: float = 0.6
    lr_value_embed: float = 0.6
    lr_hidden: float = 0.002
    lr_scalars: float = 0.01
    betas: tuple = (0.8, 0.95)
    eps: float = 1e-8
    hidden_weight_decay: float = 0.1
    warmdown_frac: float = 0.35


@dataclass
class DataConfig:
    train_glob: str = "data/fineweb10B/fineweb_train_*.bin"
    val_glob: str = "data/fineweb10B/fineweb_val_*.bin"
    # tokens per device per step: one long packed sequence
    max_seq_len: int = 64 * 1024
    # sequence length ramps from min_seq_len to max_seq_len during the first part of training
    min_seq_len: int = 16 * 1024
    seq_ramp_frac: float = 0.25
    seq_multiple: int = 128
    val_tokens: int = 10_485_760


@dataclass
class SystemConfig:
    alloc_conf: str = "expandable_segments:True"
    compile: bool = True
    seed: int = 42


@dataclass
class RunConfig:
    num_steps: int = 1750
    val_every: int = 125
    log_every: int = 25
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    data: DataConfig = field(default_factory=DataConfig)
    system: SystemConfig = field(default_factory=SystemConfig)


def get_config(**overrides):
    cfg = RunConfig()
    for dotted, val in overrides.items():
        obj = cfg
        *path, leaf = dotted.split(".")
        for p in path:
            obj = getattr(obj, p)
        setattr(obj, leaf, type(getattr(obj, leaf))(val))
    return cfg
