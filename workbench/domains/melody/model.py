"""The melody model: an MLP over a window of the previous note events.

Why an MLP over a context window rather than a GRU or transformer: on a 2-core
CPU adaptation and sampling must take well under 300 ms, and the model must be
vmappable for meta-training (torch.func over nn.GRU is not). Each prediction
looks at the previous CONTEXT events (pitch + duration embeddings), plus the
bar position and metre of the event being predicted, and outputs two
independent distributions: the pitch (or rest) and the duration of that event.

Input x: int64 [B, L, EVENT_FIELDS] (see vocab.py). Output: logits
[B, L, N_PITCH_TOKENS + N_DURATIONS]; row t predicts event t from events < t.
With last_only=True only the last row is computed (generation).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from workbench.domains.melody import vocab

PITCH_BOS = vocab.N_PITCH_TOKENS      # extra embedding row: "before the start"
DURATION_BOS = vocab.N_DURATIONS


class MelodyMLP(nn.Module):
    def __init__(self, context: int = 16, embed: int = 16, hidden: int = 256):
        super().__init__()
        self.context = context
        self.pitch_embed = nn.Embedding(vocab.N_PITCH_TOKENS + 1, embed)
        self.duration_embed = nn.Embedding(vocab.N_DURATIONS + 1, embed)
        self.position_embed = nn.Embedding(vocab.N_POSITIONS, embed)
        self.metre_embed = nn.Embedding(vocab.N_METRES, embed)
        self.body = nn.Sequential(
            nn.Linear(context * 2 * embed + 2 * embed, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
        )
        self.head = nn.Linear(hidden, vocab.N_PITCH_TOKENS + vocab.N_DURATIONS)

    def forward(self, x: torch.Tensor, last_only: bool = False) -> torch.Tensor:
        batch, length = x.shape[0], x.shape[1]
        pitch = x[..., vocab.PITCH]
        duration = x[..., vocab.DURATION]
        valid = x[..., vocab.VALID]
        pitch = torch.where(valid > 0, pitch, torch.full_like(pitch, PITCH_BOS))
        duration = torch.where(valid > 0, duration, torch.full_like(duration, DURATION_BOS))
        c = self.context
        pitch = F.pad(pitch, (c, 0), value=PITCH_BOS)
        duration = F.pad(duration, (c, 0), value=DURATION_BOS)
        rows = torch.arange(length - 1, length, device=x.device) if last_only else torch.arange(length, device=x.device)
        index = rows[:, None] + torch.arange(c, device=x.device)[None, :]  # [R, C]: events before each row
        window_pitch = self.pitch_embed(pitch[:, index])        # [B, R, C, E]
        window_duration = self.duration_embed(duration[:, index])
        target = x[:, rows]
        features = torch.cat([
            torch.cat([window_pitch, window_duration], dim=-1).flatten(-2),
            self.position_embed(target[..., vocab.POSITION]),
            self.metre_embed(target[..., vocab.METRE]),
        ], dim=-1)
        return self.head(self.body(features))


def split_logits(logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return logits[..., :vocab.N_PITCH_TOKENS], logits[..., vocab.N_PITCH_TOKENS:]


def event_nll(logits: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-event negative log-likelihood (pitch + duration, nats) and the valid mask, both [B, L]."""
    pitch_logits, duration_logits = split_logits(logits)
    pitch_nll = -torch.log_softmax(pitch_logits, dim=-1).gather(-1, x[..., vocab.PITCH:vocab.PITCH + 1]).squeeze(-1)
    duration_nll = -torch.log_softmax(duration_logits, dim=-1).gather(
        -1, x[..., vocab.DURATION:vocab.DURATION + 1]).squeeze(-1)
    mask = x[..., vocab.VALID].to(logits.dtype)
    return (pitch_nll + duration_nll) * mask, mask
