# example: a Hugging Face GPT-2 attention class is patched in place: the new forward normalizes the split query and key
# heads and hands them to `self._attn`, itself patched with a function that runs SDPA; positive.
import torch.nn.functional as F
from transformers.models.gpt2 import modeling_gpt2 as hf


def scaled_attention(self, query, key, value, attention_mask=None, head_mask=None):
    return F.scaled_dot_product_attention(query, key, value, is_causal=True), None


def normed_heads_forward(self, hidden_states, *args, **kwargs):
    b, t, c = hidden_states.shape
    heads = lambda z: z.view(b, t, self.num_heads, self.head_dim)
    q, k, v = (heads(z) for z in self.c_attn(hidden_states).split(self.split_size, dim=2))
    q = F.rms_norm(q, (self.head_dim,))
    k = F.rms_norm(k, (self.head_dim,))
    out, _ = self._attn(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
    return (self.c_proj(out.transpose(1, 2).reshape(b, t, c)), None)


hf.GPT2Attention._attn = scaled_attention
hf.GPT2Attention.forward = normed_heads_forward
