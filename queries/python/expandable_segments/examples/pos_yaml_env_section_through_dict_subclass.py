# example: an embedded YAML document's `env:` section is copied into the environment before torch is imported, read through a loading helper that wraps the parsed document in a dict subclass (`cfg.get("env", Settings())`) and a loop writing `os.environ[k] = str(v)`; positive.
import os

import yaml

RUN_YAML = """
env:
  PYTORCH_CUDA_ALLOC_CONF: "expandable_segments:True"
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
