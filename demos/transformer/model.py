"""The encoder–decoder Transformer of Vaswani et al. 2017, "Attention is all you need"
(https://arxiv.org/abs/1706.03762), written out so that every step can be read and every
attention matrix recorded; and the two-layer attention-only decoder of the induction experiment.
No gradio here.

Shapes: B batch, S source length, T target length, d = d_model, h heads, d_k = d / h.
Padding masks are True where a position holds <pad>; a masked score is set to -inf before the
softmax, so its probability is exactly 0.
"""

from __future__ import annotations

import dataclasses
import math

import torch
import torch.nn.functional as F
from torch import nn


def sinusoidal_positions(max_len: int, d_model: int) -> torch.Tensor:
    """(max_len, d): PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d))
    (section 3.5). Each pair of dimensions turns at its own frequency, so PE(pos + k) is a fixed
    rotation of PE(pos): a head can attend by relative offset."""
    position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)              # (max_len, 1)
    inv_freq = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2) / d_model)  # (d/2,)
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(position * inv_freq)
    pe[:, 1::2] = torch.cos(position * inv_freq[: d_model // 2])
    return pe


def embedding(vocab: int, d_model: int) -> nn.Embedding:
    """A table whose entries have std d^-0.5, so that Embed(X) * sqrt(d) has unit-scale entries
    like the positions' (nn.Embedding's default std 1 would make tokens sqrt(d) times louder than
    positions, and the tasks here are all about positions: measured, reversing learned slower)."""
    table = nn.Embedding(vocab, d_model)
    nn.init.normal_(table.weight, std=d_model ** -0.5)
    return table


class MultiHeadAttention(nn.Module):
    """MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W^O, head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V),
    Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V  (section 3.2)."""

    def __init__(self, d_model: int, heads: int, dropout: float):
        super().__init__()
        self.heads, self.d_k = heads, d_model // heads
        # the h projections W_i^Q (d, d_k) side by side form one (d, d) matrix, likewise K, V
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, d) -> (B, h, T, d_k)."""
        B, T, _ = x.shape
        return x.view(B, T, self.heads, self.d_k).transpose(1, 2)

    def forward(self, query: torch.Tensor, key_value: torch.Tensor, key_padding: torch.Tensor | None = None,
                causal: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """query (B, Tq, d) attends over key_value (B, Tk, d); key_padding (B, Tk) hides <pad> keys;
        causal hides keys after the query's own position. Returns (output (B, Tq, d),
        attention probabilities (B, h, Tq, Tk)), the probabilities before dropout."""
        B, Tq, d = query.shape
        # 1. project and split into heads
        q = self.split_heads(self.w_q(query))       # (B, h, Tq, d_k)
        k = self.split_heads(self.w_k(key_value))   # (B, h, Tk, d_k)
        v = self.split_heads(self.w_v(key_value))   # (B, h, Tk, d_k)
        # 2. scaled dot products: dividing by sqrt(d_k) keeps their variance ~1 at initialisation,
        #    so the softmax does not start saturated (footnote 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_k)   # (B, h, Tq, Tk)
        # 3. masks: -inf before the softmax gives probability exactly 0
        if key_padding is not None:
            scores = scores.masked_fill(key_padding[:, None, None, :], float("-inf"))
        if causal:
            Tk = key_value.shape[1]
            future = torch.ones(Tq, Tk, dtype=torch.bool, device=query.device).triu(1)  # key j > query i
            scores = scores.masked_fill(future, float("-inf"))
        attn_probs = scores.softmax(dim=-1)                      # (B, h, Tq, Tk), rows sum to 1
        # 4. weighted sum of values, heads concatenated, then W^O
        context = self.dropout(attn_probs) @ v                   # (B, h, Tq, d_k)
        context = context.transpose(1, 2).reshape(B, Tq, d)      # (B, Tq, d) = Concat(head_1..head_h)
        return self.w_o(context), attn_probs


class FeedForward(nn.Module):
    """FFN(x) = max(0, x W_1 + b_1) W_2 + b_2, applied at each position alone (section 3.3)."""

    def __init__(self, d_model: int, d_ff: int, dropout: float):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.dropout(F.relu(self.linear1(x))))


class EncoderLayer(nn.Module):
    """Self-attention then FFN, each wrapped as LayerNorm(x + Sublayer(x)) (post-norm, the paper)
    or x + Sublayer(LayerNorm(x)) (pre-norm, Xiong et al. 2020: trains without warm-up)."""

    def __init__(self, d_model: int, heads: int, d_ff: int, dropout: float, pre_norm: bool):
        super().__init__()
        self.pre_norm = pre_norm
        self.self_attn = MultiHeadAttention(d_model, heads, dropout)
        self.ffn = FeedForward(d_model, d_ff, dropout)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)  # on each sublayer's output (section 5.4)

    def forward(self, x: torch.Tensor, src_padding: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, S, d) -> (B, S, d), self-attention (B, h, S, S)."""
        if self.pre_norm:
            h = self.norm1(x)
            attended, attn = self.self_attn(h, h, src_padding)
            x = x + self.dropout(attended)
            x = x + self.dropout(self.ffn(self.norm2(x)))
        else:
            attended, attn = self.self_attn(x, x, src_padding)
            x = self.norm1(x + self.dropout(attended))
            x = self.norm2(x + self.dropout(self.ffn(x)))
        return x, attn


class DecoderLayer(nn.Module):
    """Masked self-attention (a position sees only earlier outputs), cross-attention (queries from
    the decoder, keys and values from the encoder's output), FFN; residual + LayerNorm around each."""

    def __init__(self, d_model: int, heads: int, d_ff: int, dropout: float, pre_norm: bool):
        super().__init__()
        self.pre_norm = pre_norm
        self.self_attn = MultiHeadAttention(d_model, heads, dropout)
        self.cross_attn = MultiHeadAttention(d_model, heads, dropout)
        self.ffn = FeedForward(d_model, d_ff, dropout)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(d_model) for _ in range(3))
        self.dropout = nn.Dropout(dropout)

    def forward(self, y: torch.Tensor, memory: torch.Tensor, src_padding: torch.Tensor,
                tgt_padding: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """y (B, T, d), memory (B, S, d) -> (B, T, d), self-attention (B, h, T, T),
        cross-attention (B, h, T, S)."""
        if self.pre_norm:
            h = self.norm1(y)
            attended, self_attn = self.self_attn(h, h, tgt_padding, causal=True)
            y = y + self.dropout(attended)
            attended, cross_attn = self.cross_attn(self.norm2(y), memory, src_padding)
            y = y + self.dropout(attended)
            y = y + self.dropout(self.ffn(self.norm3(y)))
        else:
            attended, self_attn = self.self_attn(y, y, tgt_padding, causal=True)
            y = self.norm1(y + self.dropout(attended))
            attended, cross_attn = self.cross_attn(y, memory, src_padding)
            y = self.norm2(y + self.dropout(attended))
            y = self.norm3(y + self.dropout(self.ffn(y)))
        return y, self_attn, cross_attn


@dataclasses.dataclass
class AttentionMaps:
    """Every attention matrix of one forward pass, one tensor per layer."""
    encoder: list[torch.Tensor]          # L x (B, h, S, S)
    decoder: list[torch.Tensor]          # L x (B, h, T, T), masked (causal)
    cross: list[torch.Tensor]            # L x (B, h, T, S)


class Transformer(nn.Module):
    """The encoder–decoder: X_0 = Embed(X) * sqrt(d) + PositionEncoding(X), N encoder layers, N
    decoder layers, and a linear projection to the target vocabulary (softmax in the loss)."""

    def __init__(self, src_vocab: int, tgt_vocab: int, d_model: int, heads: int, layers: int, d_ff: int,
                 dropout: float, pre_norm: bool, max_len: int, pad_id: int):
        super().__init__()
        self.d_model, self.pad_id, self.pre_norm = d_model, pad_id, pre_norm
        self.src_embed = embedding(src_vocab, d_model)
        self.tgt_embed = embedding(tgt_vocab, d_model)
        self.register_buffer("positions", sinusoidal_positions(max_len, d_model), persistent=False)
        self.dropout = nn.Dropout(dropout)
        self.encoder_layers = nn.ModuleList(
            EncoderLayer(d_model, heads, d_ff, dropout, pre_norm) for _ in range(layers))
        self.decoder_layers = nn.ModuleList(
            DecoderLayer(d_model, heads, d_ff, dropout, pre_norm) for _ in range(layers))
        # pre-norm leaves the residual stream unnormalised: one LayerNorm closes each stack
        self.encoder_norm = nn.LayerNorm(d_model) if pre_norm else nn.Identity()
        self.decoder_norm = nn.LayerNorm(d_model) if pre_norm else nn.Identity()
        self.output = nn.Linear(d_model, tgt_vocab)

    def embed(self, table: nn.Embedding, ids: torch.Tensor) -> torch.Tensor:
        """X_0 = Embed(X) * sqrt(d) + PE: the scale (section 3.4) makes the embeddings as large as
        the positions' entries, which lie in [-1, 1]."""
        return self.dropout(table(ids) * math.sqrt(self.d_model) + self.positions[: ids.shape[1]])

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """src ids (B, S) -> memory (B, S, d), the self-attention of each layer."""
        src_padding = src == self.pad_id                            # (B, S)
        x = self.embed(self.src_embed, src)                          # (B, S, d)
        maps = []
        for layer in self.encoder_layers:
            x, attn = layer(x, src_padding)
            maps.append(attn)
        return self.encoder_norm(x), maps

    def decode(self, tgt: torch.Tensor, memory: torch.Tensor, src: torch.Tensor
               ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        """tgt ids (B, T) starting with <s>, memory (B, S, d) -> logits (B, T, V) where position t
        predicts token t + 1; the masked self-attention and the cross-attention of each layer."""
        src_padding, tgt_padding = src == self.pad_id, tgt == self.pad_id
        y = self.embed(self.tgt_embed, tgt)                          # (B, T, d)
        self_maps, cross_maps = [], []
        for layer in self.decoder_layers:
            y, self_attn, cross_attn = layer(y, memory, src_padding, tgt_padding)
            self_maps.append(self_attn)
            cross_maps.append(cross_attn)
        return self.output(self.decoder_norm(y)), self_maps, cross_maps

    def forward(self, src: torch.Tensor, tgt: torch.Tensor) -> tuple[torch.Tensor, AttentionMaps]:
        """Teacher forcing: the whole target, shifted right behind <s>, in one pass."""
        memory, encoder_maps = self.encode(src)
        logits, self_maps, cross_maps = self.decode(tgt, memory, src)
        return logits, AttentionMaps(encoder_maps, self_maps, cross_maps)


class AttentionOnlyDecoder(nn.Module):
    """The induction experiment's model, the attention-only transformer of Elhage et al. 2021
    ("A mathematical framework for transformer circuits"): x_0 = Embed(X) * sqrt(d) + PE, then
    x_{l+1} = x_l + Attention_l(x_l) with causal multi-head attention only (no FFN, no LayerNorm),
    and the unembedding. Whatever it computes, it computes by moving information between
    positions, and each head reads and writes the residual stream directly. (With a LayerNorm
    before each layer, measured on the same data, the repeated half was learned without a clean
    induction head: no layer-1 head passed 0.1 by step 1,250, against 0.8 by step 750 without.)"""

    def __init__(self, vocab: int, d_model: int, heads: int, layers: int, max_len: int):
        super().__init__()
        self.d_model = d_model
        self.embed = embedding(vocab, d_model)
        self.register_buffer("positions", sinusoidal_positions(max_len, d_model), persistent=False)
        self.attns = nn.ModuleList(MultiHeadAttention(d_model, heads, 0.0) for _ in range(layers))
        self.unembed = nn.Linear(d_model, vocab)

    def forward(self, ids: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """ids (B, T) -> logits (B, T, V) (position t predicts token t + 1), attention per layer
        L x (B, h, T, T)."""
        x = self.embed(ids) * math.sqrt(self.d_model) + self.positions[: ids.shape[1]]  # (B, T, d)
        maps = []
        for attn in self.attns:
            attended, probs = attn(x, x, causal=True)
            x = x + attended                                  # the residual stream
            maps.append(probs)
        return self.unembed(x), maps
