# example: layers held as numbered attributes and called one statement each; a short mask (half the window) is built beside the long one but every layer is given the long one; negative (near miss).
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def sliding(window):
    def mask_mod(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (q_idx - kv_idx < window)
    return mask_mod


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d)

    def forward(self, x, block_mask):
        q, k, v = self.qkv(x).view(1, x.size(1), 3, 6, -1).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=block_mask)
        return x + y.transpose(1, 2).reshape(x.shape)


class GPT(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.layer0 = Block(d)
        self.layer1 = Block(d)
        self.layer2 = Block(d)
        self.layer3 = Block(d)
        self.layer4 = Block(d)
        self.layer5 = Block(d)

    def forward(self, x, window):
        T = x.size(1)
        long_mask = create_block_mask(sliding(window), None, None, T, T)
        short_mask = create_block_mask(sliding(window // 2), None, None, T, T)
        x = self.layer0(x, long_mask)
        x = self.layer1(x, long_mask)
        x = self.layer2(x, long_mask)
        x = self.layer3(x, long_mask)
        x = self.layer4(x, long_mask)
        x = self.layer5(x, long_mask)
        return x
