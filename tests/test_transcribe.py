"""Utterance-level transcription: the plan (pure) and whole multi-sentence takes (real model)."""
import numpy as np
import pytest

from voicecoach.speech import prosody, transcribe
from synth import Silence, Speech, build_take, LONG_ASK, LONG_ASK_GAPS_S
from voicecoach.speech.transcribe import TranscribeSettings, Utterance, plan_utterances
from voicecoach.types import Region, Word


def _regions(*spans):
    return [Region(a, b) for a, b in spans]


def test_plan_joins_regions_up_to_the_longest_utterance():
    regions = _regions((0.5, 2.0), (2.3, 4.0), (4.4, 7.9), (8.5, 9.5), (12.0, 13.0))
    got = plan_utterances(regions, duration_s=14.0, settings=TranscribeSettings(max_utterance_s=8.0, pad_s=0.2))
    assert [(u.start_s, u.end_s) for u in got] == [(0.5, 7.9), (8.5, 13.0)]


def test_plan_cuts_only_at_silences_and_pads_without_reaching_the_neighbour():
    regions = _regions((0.1, 3.0), (3.2, 6.0), (6.3, 9.0))
    got = plan_utterances(regions, duration_s=9.05, settings=TranscribeSettings(max_utterance_s=6.0, pad_s=0.2))
    assert [(u.start_s, u.end_s) for u in got] == [(0.1, 6.0), (6.3, 9.0)]
    first, second = got
    assert first.clip_start_s == 0.0  # padding stops at the start of the recording
    assert first.clip_end_s == second.clip_start_s == pytest.approx(6.15)  # halfway across the 0.3 s gap
    assert second.clip_end_s == pytest.approx(9.05)  # and at its end
    # silences shorter than a pause (0.1 s: perhaps inside a word) are not cut at while it fits
    close = _regions((0.1, 3.0), (3.1, 6.0), (6.1, 9.0))
    assert [(u.start_s, u.end_s) for u in plan_utterances(close, duration_s=9.05, settings=TranscribeSettings(
        max_utterance_s=6.0, pad_s=0.2))] == [(0.1, 9.0)]


def test_plan_splits_a_region_longer_than_whisper_hears():
    got = plan_utterances(_regions((0.0, 70.0)), duration_s=70.0)
    assert len(got) == 3
    assert all(u.clip_end_s - u.clip_start_s <= transcribe.WHISPER_WINDOW_S for u in got)
    assert got[0].start_s == 0.0 and got[-1].end_s == 70.0
    assert all(a.end_s == pytest.approx(b.start_s, abs=0.002) for a, b in zip(got, got[1:]))


def test_plan_of_no_speech_is_empty():
    assert plan_utterances([], duration_s=3.0) == ()


def test_an_invented_sign_off_is_dropped_and_a_said_one_kept():
    words = [Word("come", 1.0, 1.2, 0.98), Word("quickly.", 1.2, 1.6, 1.0)]
    invented = words + [Word("Thank", 1.6, 1.6, 0.01), Word("you.", 1.6, 1.7, 0.98)]
    said = words + [Word("Thank", 1.8, 2.0, 0.9), Word("you.", 2.0, 2.3, 0.95)]
    assert transcribe.drop_sign_off(invented) == tuple(words)
    assert transcribe.drop_sign_off(said) == tuple(said)


# --- whole takes through the real model ----------------------------------------------------

SENTENCES, GAPS_S = list(LONG_ASK), list(LONG_ASK_GAPS_S)


@pytest.fixture(scope="module")
def long_take(whisper):
    parts = [Speech(SENTENCES[0])]
    for gap, text in zip(GAPS_S, SENTENCES[1:]):
        parts += [Silence(gap), Speech(text)]
    y, truth = build_take(parts + [Silence(0.5)])
    speech = prosody.find_speech(y)
    return transcribe.transcribe(y, regions=speech.regions), _WithSamples(truth, y), speech


class _WithSamples:
    def __init__(self, truth, y):
        self.parts, self.samples = truth.parts, y


def _key_words(text):
    return [w.strip(".,?").lower() for w in text.split() if len(w.strip(".,?")) > 3]


def test_every_sentence_of_a_long_take_is_kept(long_take):
    tr, truth, _ = long_take
    heard = " ".join(w.text.lower() for w in tr.words)
    assert len(tr.utterances) >= 2  # the take really was cut into utterances
    for text, _, _ in truth.parts:
        keys = _key_words(text)
        found = [k for k in keys if k in heard]
        assert len(found) >= 0.6 * len(keys), (text, heard)


def test_word_times_land_inside_their_utterance_and_their_sentence(long_take):
    tr, truth, _ = long_take
    assert len(tr.word_utterance) == len(tr.words)
    for w, k in zip(tr.words, tr.word_utterance):
        u: Utterance = tr.utterances[k]
        assert u.clip_start_s <= w.start_s <= w.end_s <= u.clip_end_s, (w, u)
    starts = [w.start_s for w in tr.words]
    assert starts == sorted(starts)
    for text, a, b in truth.parts:  # the sentence's own words lie within its speech (± 0.3 s)
        for key in _key_words(text)[:2]:
            hits = [w for w in tr.words if w.text.lower().startswith(key)]
            assert any(a - 0.3 <= (w.start_s + w.end_s) / 2 <= b + 0.3 for w in hits), (key, a, b, hits)


def test_no_analysed_word_lies_outside_speech(long_take):
    """Whisper may stretch a word over a silence; the words the analysis counts lie on speech."""
    from voicecoach.analysis import analyse
    from voicecoach.speech.audio import Audio

    tr, truth, speech = long_take
    a = analyse(Audio(truth.samples))
    assert len(a.words) >= 0.9 * len(tr.words)
    for w in a.words:
        assert any(r.start_s <= w.start_s and w.end_s <= r.end_s for r in a.speech), w
    assert a.transcript == " ".join(w.text for w in a.words)


def test_real_voices_joined_keep_every_clip(whisper):
    """Seven real recordings joined with the gaps a speaker leaves: no clip's words go missing
    (the whole-window prompt lost everything after the first sentence on takes like this)."""
    from conftest import FIXTURES

    from voicecoach import load

    clips = ["librispeech_251-137823-0003.wav", "cmu_arctic_axb_a0006.wav", "jfk_inaugural_1961.wav",
             "librispeech_3536-23268-0010.wav", "librivox_sense_sensibility_ch01_0920.wav",
             "librispeech_251-118436-0001.wav", "ljspeech_LJ050-0131.wav"]
    keys = ["engineer", "forever", "country", "apartment", "respectable", "poison", "review"]
    rng = np.random.default_rng(7)
    pieces = []
    for name, gap in zip(clips, [0.3, 2.0, 0.8, 3.0, 0.5, 1.2, 0.4]):
        pieces += [load(FIXTURES / name).y, (1e-4 * rng.standard_normal(int(gap * 16000))).astype(np.float32)]
    y = np.concatenate(pieces)
    tr = transcribe.transcribe(y, regions=prosody.find_speech(y).regions)
    heard = tr.text.lower()
    assert [k for k in keys if k not in heard] == [], heard


def test_a_decode_stops_at_the_end_of_its_speech(long_take, whisper):
    """Stopping once the words reach the end of the speech saves encoder passes over padding
    and loses no word (the same take, decoded both ways)."""
    t, truth, speech = long_take
    y, regions = truth.samples, speech.regions
    passes = {}
    for stop in (True, False):
        before = whisper.encoder_passes
        got = transcribe.transcribe(y, regions=regions, settings=TranscribeSettings(stop_at_speech_end=stop))
        passes[stop] = (whisper.encoder_passes - before, " ".join(w.text for w in got.words))
    assert passes[True][1] == passes[False][1]
    assert len(t.utterances) <= passes[True][0] < passes[False][0]
