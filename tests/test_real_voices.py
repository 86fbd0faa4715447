"""The analysis on real human recordings (../shared/fixtures/speech, read in place): words where
the voice is, only real sentences, and sentence-end strength measured against a known change."""
import re

import numpy as np
import pytest
from conftest import FIXTURES

from voicecoach import load
from voicecoach.analysis import analyse
from voicecoach.speech.audio import Audio
from synth import Silence, Speech, build_take
from voicecoach.wording import find_fillers

#: Final words whose start was read off the frame energy and pitch by hand (the energy valley
#: or closure before the word): (clip, final word, its start in seconds).
FINAL_WORDS = [
    ("jfk_inaugural_1961.wav", "country", 9.83),
    ("librispeech_251-118436-0001.wav", "cried", 2.92),
    ("librispeech_3536-23268-0010.wav", "door", 3.11),
    ("librispeech_251-137823-0003.wav", "outside", 3.20),
]


def _attenuate_from(y, start_s, gain_db, *, ramp_s=0.01):
    """Scale everything from ``start_s`` on by ``gain_db`` (a 10 ms ramp, no click)."""
    g = np.ones(len(y))
    i, r = int(start_s * 16000), int(ramp_s * 16000)
    g[i:] = 10 ** (gain_db / 20)
    g[i - r : i] = np.linspace(1.0, 10 ** (gain_db / 20), r)
    return (y * g).astype(np.float32)


def _sentence_ending(a, word):
    hits = [s for s in a.sentences if a.words[s.last_word].text.lower().strip(".,?!") == word]
    assert hits, [s.text for s in a.sentences]
    return hits[-1]


@pytest.fixture(scope="module")
def untouched(real_analysis):
    return {clip: real_analysis(clip) for clip, _, _ in FINAL_WORDS}


@pytest.mark.parametrize("clip,word,start_s", FINAL_WORDS, ids=[w for _, w, _ in FINAL_WORDS])
@pytest.mark.parametrize("gain_db", [-6.0, -12.0], ids=["-6dB", "-12dB"])
def test_end_drop_moves_by_the_attenuation_of_a_real_final_word(untouched, clip, word, start_s, gain_db):
    before = _sentence_ending(untouched[clip], word).end_drop_db
    a = analyse(Audio(_attenuate_from(load(FIXTURES / clip).y, start_s, gain_db)))
    after = _sentence_ending(a, word).end_drop_db
    assert after - before == pytest.approx(-gain_db, abs=3.0), (before, after)
    if gain_db == -12.0:
        assert "end_drop" in [f.code for f in a.feedback]


@pytest.mark.parametrize("clip", [c for c, _, _ in FINAL_WORDS])
def test_untouched_real_final_words_raise_no_end_drop(untouched, clip):
    assert "end_drop" not in [f.code for f in untouched[clip].feedback]


def test_jfk_is_flagged_for_neither_uptalk_nor_end_drop(untouched):
    """"ask not" is a fragment cut by a 1 s pause, rising because the sentence goes on: no
    uptalk tip; and the steady reading gets no end-drop tip."""
    a = untouched["jfk_inaugural_1961.wav"]
    fragment = next(s for s in a.sentences if re.match(r"(?:and so,? my fellow americans,? )?ask(?:ed)? not\b",
                                                        s.text.lower()))
    assert not fragment.is_complete and fragment.end_pitch_st is not None
    assert not {"uptalk", "end_drop"} & {f.code for f in a.feedback}, a.feedback


def test_a_final_word_ends_with_the_voice_not_in_the_room_noise(untouched):
    """JFK's "country" ends at about 10.2 s; Whisper alone put it at 10.2-10.5 s over the noise."""
    a = untouched["jfk_inaugural_1961.wav"]
    w = a.words[_sentence_ending(a, "country").last_word]
    assert 10.1 <= w.end_s <= 10.25 and w.start_s <= 10.05, w


def test_a_final_word_squeezed_by_whisper_gets_its_voice_back(real_analysis):
    """Whisper squeezes "do for them." into 6.18-6.37 s. Where "them" really is, from cutting
    the clip and transcribing each side alone: cut at 6.54 s the head ends "...to do for" and
    the tail is "for them."; cut at 6.62 s the tail is no longer "them" ("Come."). So "them"
    starts at about 6.56-6.6 s and ends with the sound, at 6.74 s (creaky: Praat voices one
    frame of it). The last sound run is "for them"; the final word is measured on it alone."""
    a = real_analysis("librivox_sense_sensibility_ch01_0870.wav")
    w = a.words[_sentence_ending(a, "them").last_word]
    assert 6.45 <= w.start_s <= 6.62 and 6.68 <= w.end_s <= 6.8, w


@pytest.mark.parametrize("clip", ["osr_us_000_0034_harvard_list72.wav", "sr_english_one_two_three.wav"])
def test_no_invented_thank_you(real_analysis, clip):
    a = real_analysis(clip)
    assert "thank" not in a.transcript.lower(), a.transcript


@pytest.mark.parametrize("clip,abbreviation", [
    ("librivox_sense_sensibility_ch01_0870.wav", "mr."),
    ("librosa_librispeech_198-209-0000.ogg", "mrs."),
])
def test_an_abbreviation_does_not_end_a_sentence(real_analysis, clip, abbreviation):
    a = real_analysis(clip)
    texts = [s.text.lower() for s in a.sentences]
    assert abbreviation in " ".join(texts)
    assert not any(t.endswith(abbreviation) for t in texts), texts


@pytest.mark.parametrize("clip", ["librispeech_2412-153948-0000.flac", "librosa_librispeech_198-209-0000.ogg"])
def test_every_sentence_has_words(real_analysis, clip):
    a = real_analysis(clip)
    assert all(re.search(r"[a-z]", s.text.lower()) for s in a.sentences), a.sentences
    assert all(s.n_words >= 1 for s in a.sentences)


def test_the_fillers_in_the_transcript_are_the_fillers_counted(whisper):
    y, _ = build_take([Speech("Um, I was sort of hoping to talk about my next step."), Silence(0.6),
                       Speech("Uh, could you put me forward for the senior role by June?"), Silence(2.0)])
    a = analyse(Audio(y))
    said = [w for w in re.findall(r"[a-z]+", a.transcript.lower()) if w in ("um", "uh", "er", "erm")]
    assert said, a.transcript  # the prompt keeps at least one of the two
    assert [f.text.lower().strip(",.") for f in a.fillers if f.text.lower().strip(",.") in ("um", "uh", "er", "erm")] == said
    assert len(find_fillers(a.words)) == len(a.fillers)
