"""tinyllm -- small GPT experiments."""
from .layers import CastedLinear, TinyLM, TinyLMConfig
from .muon import Muon, build_optimizers, newton_schulz5

__all__ = ["TinyLM", "TinyLMConfig", "CastedLinear", "Muon", "build_optimizers",
           "newton_schulz5", "prepare_for_bf16"]


def prepare_for_bf16(model):
    """Cast the whole model to bf16, then return the CastedLinear weights to
    fp32 so the optimizers update fp32 masters."""
    model.bfloat16()
    for m in model.modules():
        if isinstance(m, CastedLinear):
            m.float()
    return model
