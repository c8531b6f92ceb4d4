"""lightning_gpt: a compact GPT trained with PyTorch Lightning.

    python -m lightning_gpt.module --devices 8 --max_steps 1800
"""
import os

# allocator tuning has to happen before CUDA is initialised
os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "max_split_size_mb:256,garbage_collection_threshold:0.8")

from .data import PinnedTokenStream, TokenDataModule  # noqa: E402
from .module import GPTLitModule, cli  # noqa: E402
from .nets import GPT, NetConfig  # noqa: E402

__all__ = ["GPT", "NetConfig", "GPTLitModule", "TokenDataModule", "PinnedTokenStream", "cli"]
__version__ = "0.3.1"
