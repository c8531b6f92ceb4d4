# example: near miss - the same in-place patch of a library attention class, but only the query heads are normalized
# before `self._attn` runs SDPA; the keys keep their scale; negative.
import torch.nn.functional as F
from transformers.models.gpt2.modeling_gpt2 import GPT2Attention


def sdpa_attn(self, query, key, value, attention_mask=None, head_mask=None):
    return F.scaled_dot_product_attention(query, key, value, is_causal=True), None


def query_normed_forward(self, hidden_states, *args, **kwargs):
    b, t, c = hidden_states.shape
    q, k, v = self.c_attn(hidden_states).split(self.split_size, dim=2)
    q = F.rms_norm(q.view(b, t, self.num_heads, self.head_dim), (self.head_dim,))
    k = k.view(b, t, self.num_heads, self.head_dim)
    v = v.view(b, t, self.num_heads, self.head_dim)
    out, _ = self._attn(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
    return (self.c_proj(out.transpose(1, 2).reshape(b, t, c)), None)


GPT2Attention._attn = sdpa_attn
GPT2Attention.forward = query_normed_forward
