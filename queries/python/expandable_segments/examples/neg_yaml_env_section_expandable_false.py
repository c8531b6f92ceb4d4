# example: near miss - the same YAML `env:` section copied into the environment through the loading helper and the loop, but it sets `expandable_segments:False`; NOT present.
import os

import yaml

RUN_YAML = """
env:
  PYTORCH_CUDA_ALLOC_CONF: "expandable_segments:False"
trainer:
  max_steps: 1480
"""


class Settings(dict):
    def __init__(self, content=None):
        super().__init__()
        for key, value in (content or {}).items():
            dict.__setitem__(self, key, value)

    def __getattr__(self, name):
        return self[name]


def read_settings(text):
    return Settings(yaml.safe_load(text))


cfg = read_settings(RUN_YAML)
for k, v in cfg.get("env", Settings()).items():
    os.environ[k] = str(v)

import torch  # noqa: E402

x = torch.zeros(4, device="cuda")
