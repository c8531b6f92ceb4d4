# example: environment variables are written through a small helper, def put_env(name, text): os.environ[name] = text, called as put_env("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True") before torch is imported; positive.
import os


def put_env(name, text):
    os.environ[name] = text


put_env("NCCL_DEBUG", "WARN")
put_env("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")

import torch

x = torch.zeros(4, device="cuda")
