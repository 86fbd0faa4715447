"""What makes a take's result less trustworthy, named instead of hidden (``TakeResult.warnings``).

A table of small checks, like the coach: a file cut off (before the length its header announces,
or before its own end), clipping, a phone line's narrow band, and words the speech model could
not follow. tiny.en knows English only, so it cannot
say which language it heard: speech in another language comes out as invented English words
that it gives a low probability, or as one phrase repeated over and over (a decoding loop).
Both are measured here (:func:`recognition`), and the thresholds of :class:`CautionSettings`
were chosen on espeak-ng English, French and German takes, clean and with noise, and the real
English voices in ``../shared/fixtures/speech`` (``tests/test_honest.py`` prints the separation).

Pure: samples, words and frame energy in, :class:`~voicecoach.result.Caution` out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .audio import FULL_SCALE, SR, Audio
from ..types import Caution, Region, Word

__all__ = ["CautionSettings", "Recognition", "recognition", "max_repeats", "high_band_db", "truncated", "clipping",
           "telephone_band", "untrusted_words", "cautions"]


@dataclass(frozen=True)
class CautionSettings:
    """Thresholds of the cautions (measured in ``tests/test_honest.py``).

    Attributes
    ----------
    truncated_min_s, truncated_min_fraction : float
        A file that decodes to this much less than it announces (seconds, and share of the
        announced length; both must be exceeded) was cut off.
    clipped_max_fraction : float
        More of the file's samples at full scale than this is clipping: 0.1%. The loudness
        statistic behind ``end_drop_db`` is still right there; at 0.4% a 12 dB drop reads 0.3 dB
        smaller, at 1.7% 1.6 dB, at 5% 4.4 dB (espeak take driven into clipping).
    min_mean_probability : float
        Words heard with a lower mean probability (Whisper's own, per word) are not trusted: 0.6.
        Clear English scored 0.69 to 0.97 (synthetic and real voices), clean French and German
        0.22 to 0.45 when not looping; with noise added, English at 10 dB SNR 0.52 to 0.68 (its
        transcripts visibly wrong), at 0 dB 0.38 to 0.54, French and German up to 0.60 (one
        noisy German take sits at the threshold).
    clean_snr_db : float
        Speech at least this far (dB) above the background is clean: unsure words in a clean
        recording are most likely another language (``not_english``); in a noisy one, noise
        (``low_confidence``). Real recordings measured 27 to 88 dB, noisy takes 5 to 15.
    min_words : int
        Fewer words than this are too few to judge their mean probability.
    max_repeats : int
        A phrase of one to :data:`MAX_PHRASE_WORDS` words said back to back more often than this
        is a decoding loop ("I mean, I mean, ..."): English takes measured 1 (5 for "please" said
        four times, which Whisper wrote five), the loops on French and German 6 to 100. Not
        the transcript's compression ratio (Whisper's own loop test): a take that says the whole
        ask three times compresses as well as a loop (2.4), and a rehearsal may well do that.
    max_words_per_s : float
        More words than this per second of speech is a loop too: nobody says 8 words a second
        (English measured at most 4.0; loops 10 to 16).
    telephone_max_high_band_db : float
        Speech whose sound above the telephone band (:func:`high_band_db`, the background taken
        off) is further below the voice than this sounds like a phone line: -52 dB. Ordinary
        recordings measured -6 to -25 dB (espeak-ng, clean, noisy, MP3, AAC, 11 kHz, cut at
        5 kHz; the shared real voices), the 1961 JFK broadcast -46; the same takes at 8 kHz or
        filtered to 300-3400 Hz -57 to -150, the shared 8 kHz Harvard list -66.
    telephone_max_rate_hz : int
        A file sampled at this rate or lower cannot hold anything above 4 kHz: a phone line.
    """

    truncated_min_s: float = 0.25
    truncated_min_fraction: float = 0.02
    clipped_max_fraction: float = 0.001
    min_mean_probability: float = 0.6
    clean_snr_db: float = 20.0
    min_words: int = 5
    max_repeats: int = 5
    max_words_per_s: float = 8.0
    telephone_max_high_band_db: float = -52.0
    telephone_max_rate_hz: int = 8000


MAX_PHRASE_WORDS = 12  # the longest phrase whose back-to-back repeats are counted


@dataclass(frozen=True)
class Recognition:
    """How far the speech model's words can be trusted: the figures the checks read."""

    n_words: int
    mean_probability: float | None  # mean of Whisper's word probabilities; None without words
    words_per_speech_s: float | None  # words per second of speech (voice activity)
    max_repeats: int  # the most times one phrase is said back to back (1: no phrase repeated)
    snr_db: float | None  # loud speech (90th percentile frame energy) over the background (median)


def recognition(words: Sequence[Word], *, regions: Sequence[Region], energy_db: np.ndarray,
                hop_s: float = 0.01) -> Recognition:
    """The figures of :class:`Recognition` for a take's words, speech regions and frame energy
    (dBFS on a ``hop_s`` grid)."""
    speech_s = sum(r.duration_s for r in regions)
    energy = np.asarray(energy_db, dtype=float)
    inside = np.zeros(len(energy), bool)
    for r in regions:
        inside[int(r.start_s / hop_s): int(np.ceil(r.end_s / hop_s))] = True
    snr = None
    if inside.any():  # the background: the median frame between speech (or, with almost none, the 5th percentile)
        outside = energy[~inside]
        floor = np.percentile(outside, 50) if len(outside) >= 10 else np.percentile(energy, 5)
        snr = float(np.percentile(energy[inside], 90) - floor)
    return Recognition(
        n_words=len(words),
        mean_probability=float(np.mean([w.probability for w in words])) if words else None,
        words_per_speech_s=len(words) / speech_s if speech_s > 0 else None,
        max_repeats=max_repeats([w.text for w in words]),
        snr_db=None if snr is None else round(snr, 1),
    )


def max_repeats(texts: Sequence[str], *, max_phrase_words: int = MAX_PHRASE_WORDS) -> int:
    """The most times any phrase of 1 to ``max_phrase_words`` words occurs back to back in
    ``texts`` (case and punctuation ignored): 1 when nothing is repeated."""
    w = [re.sub(r"[^\w']", "", t.lower()) for t in texts]
    best = 1 if w else 0
    for n in range(1, max_phrase_words + 1):
        i = 0
        while i + 2 * n <= len(w):
            k = 1
            while w[i + k * n: i + (k + 1) * n] == w[i: i + n]:
                k += 1
            best = max(best, k)
            i += (k - 1) * n if k > 1 else 1
    return best


SPEECH_BAND_HZ = (300.0, 3400.0)  # what a telephone line carries
HIGH_BAND_HZ = (4500.0, 7500.0)  # well above it, up to what 16 kHz holds: where "s", "f" and "th" differ
_BAND_FRAME = 512  # samples per spectrum (32 ms at 16 kHz)


def high_band_db(y: np.ndarray, *, regions: Sequence[Region], sr: int = SR) -> float | None:
    """How much of the voice is above the telephone band: the mean power per frame in
    :data:`HIGH_BAND_HZ` over that in :data:`SPEECH_BAND_HZ` (dB), over the speech only
    (``regions``), less the background's (the mean of the quieter half of the frames between the
    speech regions, so any speech the voice activity missed is left out), so that noise added
    after a phone line does not pass for a voice (it still does in half of the espeak-ng takes
    with white noise at -45 dBFS added after the phone line, where a 0.6 s gap is all the
    background there is to measure). A phone line (8 kHz, or filtered
    to 300-3400 Hz) carries next to nothing up there. Floored at -150 dB; None with less than
    0.1 s of speech."""
    speech = _band_frames(y, regions, sr)
    if len(speech) * _BAND_FRAME < 0.1 * sr:
        return None
    power = speech.mean(axis=0)
    quiet = _band_frames(y, [Region(a.end_s, b.start_s) for a, b in zip(regions, regions[1:])], sr)
    if len(quiet):
        calm = quiet[quiet[:, 0] <= np.median(quiet[:, 0])]
        power = np.maximum(power - calm.mean(axis=0), 0.0)
    if power[0] <= 0:
        return None
    return round(10 * np.log10(max(power[1], power[0] * 1e-15) / power[0]), 1)


def _band_frames(y, regions, sr) -> np.ndarray:
    """The power of each frame (rows) of ``regions`` in :data:`SPEECH_BAND_HZ` and :data:`HIGH_BAND_HZ`."""
    hz = np.fft.rfftfreq(_BAND_FRAME, 1 / sr)
    bands = np.stack([(hz >= lo) & (hz < hi) for lo, hi in (SPEECH_BAND_HZ, HIGH_BAND_HZ)], axis=1).astype(float)
    window = np.hanning(_BAND_FRAME)
    out = [np.zeros((0, 2))]
    for r in regions:
        x = y[max(0, int(r.start_s * sr)): int(r.end_s * sr)]
        frames = x[: len(x) // _BAND_FRAME * _BAND_FRAME].reshape(-1, _BAND_FRAME).astype(np.float64)
        out.append((np.abs(np.fft.rfft(frames * window, axis=1)) ** 2) @ bands)
    return np.concatenate(out)


_UNTRUSTED = ("the transcript is probably wrong, and the tips on your wording, your request and your pace "
              "are left out")


def truncated(audio: Audio, s: CautionSettings) -> Caution | None:
    """A file that decodes to less than its header announces, or that stops before its own end
    marker (``Audio.cut_off``: OGG, which states no length)."""
    announced = audio.announced_duration_s
    if announced is None or announced <= audio.duration_s:
        if not audio.cut_off:
            return None
        return Caution("truncated",
                       f"The file stops after {audio.duration_s:.1f} s without its proper ending: it was cut off "
                       "(a copy or an upload that did not finish). Whatever came after is missing, so a silence "
                       "at the end may be longer than measured. Use the complete file, or record again.")
    missing = announced - audio.duration_s
    if missing <= max(s.truncated_min_s, s.truncated_min_fraction * announced):
        return None
    return Caution("truncated",
                   f"The file ends after {audio.duration_s:.1f} s of the {announced:.1f} s it announces: it was cut "
                   "off (a copy or an upload that did not finish). Everything after that is missing, so a silence "
                   "at the end may be longer than measured. Use the complete file, or record again.")


def clipping(audio: Audio, s: CautionSettings) -> Caution | None:
    fraction = audio.clipped_fraction
    if fraction is None:
        fraction = float(np.mean(np.abs(audio.y) >= FULL_SCALE)) if len(audio.y) else 0.0
    if fraction <= s.clipped_max_fraction:
        return None
    return Caution("clipping",
                   f"{fraction:.1%} of the samples are at full scale: the recording was too loud and is clipped, "
                   "which distorts your voice and flattens the loudness measures (how strongly you end a "
                   "sentence). Lower the microphone's input level or move back from it, then record again.")


def telephone_band(audio: Audio, s: CautionSettings, *, regions: Sequence[Region]) -> Caution | None:
    """Speech with almost nothing above the telephone band (:func:`high_band_db`), or a file
    sampled at 8 kHz: a phone line or a poor microphone. The words stay trusted (Whisper reads
    telephone speech well, ``tests/test_honest.py``); the caution says they may be misheard."""
    rate = audio.source_rate_hz
    low_rate = rate is not None and rate <= s.telephone_max_rate_hz
    high = None if low_rate else high_band_db(audio.y, regions=regions, sr=audio.sr)
    if not low_rate and (high is None or high > s.telephone_max_high_band_db):
        return None
    how = (f"it was recorded at {rate / 1000:g} kHz, which keeps nothing above {rate / 2000:g} kHz" if low_rate
           else f"almost nothing of your voice above {HIGH_BAND_HZ[0] / 1000:g} kHz came through "
                f"({-high:.0f} dB below the rest; a clear microphone gives 6 to 25)")
    return Caution("telephone_band",
                   f"This recording sounds like a phone line or a low-quality microphone: {how}, and that is "
                   "where sounds such as 's', 'f' and 'th' are told apart. Some words may be misheard, so take the "
                   "tips on your wording and your request as less certain. For your next take, record with your "
                   "computer's microphone or a headset microphone rather than over a phone call.")


def untrusted_words(r: Recognition, s: CautionSettings) -> Caution | None:
    """Words that cannot be trusted: a repetition loop, or a low mean word probability (named
    ``not_english`` in a clean recording, ``low_confidence`` in a noisy one)."""
    if r.max_repeats > s.max_repeats or (r.words_per_speech_s or 0.0) > s.max_words_per_s:
        return Caution("repeated_words",
                       f"The speech model got stuck repeating the same words (one phrase {r.max_repeats} times in "
                       f"a row; {r.words_per_speech_s or 0:.0f} words a second of speech): it could not follow "
                       f"the speech, so {_UNTRUSTED}. This happens with another language (the model understands "
                       "English only) or with noise: rehearse your ask in English, close to the microphone.")
    if r.mean_probability is None or r.n_words < s.min_words or r.mean_probability >= s.min_mean_probability:
        return None
    p = f"mean word probability {r.mean_probability:.2f}; clear English scores above {s.min_mean_probability:.1f}"
    if r.snr_db is not None and r.snr_db >= s.clean_snr_db:
        return Caution("not_english",
                       f"This does not sound like English to the speech model: it was unsure of most words ({p}) "
                       f"in a clean recording. It understands English only, so {_UNTRUSTED}. Rehearse your ask "
                       "in English; if you did speak English, speak a little closer to the microphone.")
    noise = ("" if r.snr_db is None
             else f" and the recording is noisy (speech {r.snr_db:.0f} dB above the background)")
    return Caution("low_confidence",
                   f"The speech model was unsure of most words ({p}){noise}: {_UNTRUSTED}. Record again closer "
                   "to the microphone, in a quieter room, and in English (the model understands English only).")


def cautions(audio: Audio, *, words: Sequence[Word], regions: Sequence[Region], energy_db: np.ndarray,
             settings: CautionSettings | None = None) -> tuple[Caution, ...]:
    """Every caution that applies to a take, in the order: truncated, clipping, telephone band,
    words."""
    s = settings or CautionSettings()
    r = recognition(words, regions=regions, energy_db=energy_db)
    checks = (truncated(audio, s), clipping(audio, s), telephone_band(audio, s, regions=regions),
              untrusted_words(r, s))
    return tuple(c for c in checks if c is not None)
