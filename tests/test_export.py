"""The exported report of a real analysed take: self-contained HTML with an inline SVG chart, and
Markdown; hostile labels and objectives show literally."""
import re
import json
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach.display.export import (
    chart_svg,
    file_stem,
    report_body_html,
    report_html,
    report_markdown,
    take_timeline,
)
from voicecoach.format import fmt_when
from voicecoach.practice import analyse_saved
from voicecoach.store.takes import TakeStore
from voicecoach.display.timeline import MOMENT_COLOURS

HOSTILE = "<script>alert(1)</script>"
OBJECTIVE = "**x** $x$ [link](javascript:alert(1)) " + "y" * 10_000


@pytest.fixture(scope="module")
def stored(whisper, tmp_path_factory):
    store = TakeStore(tmp_path_factory.mktemp("home"))
    y, _ = build_take([Speech("I have really enjoyed leading the data migration this year."), Silence(0.6),
                       Speech("Please enrol me on the leadership course before the March intake."), Silence(2.5)])
    take = store.add(to_wav_bytes(y), source="upload", original_name="ask.wav", objective=OBJECTIVE)
    analyse_saved(store, take)
    return store, store.rename(take.id, HOSTILE)


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [k for k, _ in attrs]


def test_html_is_self_contained_and_escapes_the_label(stored):
    store, take = stored
    html = report_html(take, timeline=take_timeline(store, take))
    p = Tags()
    p.feed(html)
    assert "svg" in p.tags and "polyline" in p.tags
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags and "iframe" not in p.tags
    assert not {"src", "href", "onload", "onclick"} & set(p.attrs)
    assert "http" not in html.lower() and "url(" not in html  # nothing to fetch from anywhere
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and HOSTILE not in html
    assert "**x** $x$ [link](javascript:alert(1))" in html and "y" * 10_000 in html  # literally, in full
    assert "leadership course" in html.lower()
    assert "wait after the request 2.5 s (still waiting" in html  # the wait is marked on the chart
    assert "Targets: " in html and "targets met" in html and "Push" in html


def test_chart_draws_the_points_and_the_moments(stored):
    store, take = stored
    tl = take_timeline(store, take)
    svg = chart_svg(tl)
    loud = re.search(r'<polyline points="([^"]+)"', svg).group(1).split()
    assert len(loud) == len(tl.times_s)  # every 50 ms point of the loudness line
    assert svg.count('stroke-dasharray="3,3"') == 2 * 2  # two sentence ends, in both panels
    xs = [float(p.split(",")[0]) for p in loud]
    assert xs == sorted(xs) and min(xs) >= 56 and max(xs) <= 900 - 12  # inside the plot, in time order


def test_markdown_has_the_transcript_and_escapes(stored):
    _, take = stored
    md = report_markdown(take)
    assert "leadership course before the March intake" in md
    assert "**Push (stating an expectation) · your request**" in md
    assert r"\<script\>alert(1)\</script\>" in md and HOSTILE not in md
    assert r"\*\*x\*\* \$x\$ \[link\](javascript:alert(1))" in md
    assert md.startswith("# Take ") and "## Coaching" in md


def test_report_without_audio_has_no_chart(stored):
    store, take = stored
    path = store.audio_path(take)
    data = path.read_bytes()
    path.unlink()
    try:
        assert take_timeline(store, take) is None
        html = report_html(take, timeline=None)
        assert "<svg" not in html and "leadership course" in html.lower()
    finally:
        path.write_bytes(data)


def test_a_failed_take_still_reports_what_is_known(tmp_path):
    store = TakeStore(tmp_path)
    take = store.fail(store.add(b"RIFF not audio", source="upload").id, "could not be decoded <b>")
    assert take_timeline(store, take) is None
    html, md = report_html(take), report_markdown(take)
    assert "The analysis of this take failed: could not be decoded &lt;b&gt;." in html
    assert "The analysis of this take failed: could not be decoded \\<b\\>." in md
    for text in (html, md):  # a failed take has no coaching: it is not "nothing to flag"
        assert "Nothing to flag" not in text and "No coaching: this take has not been analysed." in text
        assert "Its recording is kept" in text


@pytest.mark.parametrize("label, stem", [(None, "voicecoach-take-7"), ("My best ask!", "voicecoach-take-7-my-best-ask"),
                                         ("../../etc/passwd", "voicecoach-take-7-etc-passwd"), (HOSTILE,
                                         "voicecoach-take-7-script-alert-1-script")],
                         ids=["no-label", "words", "path", "script"])
def test_file_stem_is_safe(stored, label, stem):
    assert file_stem(replace(stored[1], id=7, label=label)) == stem


def test_the_page_shows_the_same_report_with_its_styles_scoped(stored):
    """The Takes page shows report_body_html: the exported file's content, styling only itself."""
    store, take = stored
    tl = take_timeline(store, take)
    body = report_body_html(take, timeline=tl)
    assert body.startswith('<div class="vc-report">') and body in report_html(take, timeline=tl)
    css = body.split("<style>", 1)[1].split("</style>", 1)[0]
    rules = [r.split("{", 1)[0] for r in css.replace("\n", "").split("}") if "{" in r]
    assert rules and all(sel.strip().startswith(".vc-report") for r in rules for sel in r.split(","))
    assert "<svg" in body and "Coaching" in body and "leadership course" in body.lower()


def test_numbers_use_one_end_drop_name_a_real_minus_and_local_time(stored):
    _, take = stored
    a = take.analysis
    for k, sentence in enumerate(a["sentences"]):
        sentence["end_drop_db"] = -0.3 - k  # every end louder than its sentence: the weakest is −0.3
    louder = replace(take, analysis_json=json.dumps(a))
    for text in (report_html(louder), report_markdown(louder)):
        assert "End drop" in text and "−0.3 dB (your weakest sentence end: how much quieter your sentence ends are" in text
        assert "-0.3" not in text and "UTC" not in text and fmt_when(take.created_at) in text


def test_the_page_and_the_file_draw_the_wait_alike_and_label_it_short(stored):
    """One colour per moment on the studio's chart and in the exported chart; the wait's length is
    written inside its band ("2.5 s"), the long label is left to the legend and the tooltip, so it
    does not run over the next sentence."""
    import json

    from studio.charts import loudness_pitch_chart

    store, take = stored
    tl = take_timeline(store, take)
    svg = chart_svg(tl)
    assert f'fill="{MOMENT_COLOURS["wait"]}"' in svg and "#f5b94a" not in svg
    assert re.search(r'text-anchor="middle" font-weight="bold" fill="[^"]+">2\.5 s<title>wait after the request', svg)
    spec = json.loads(loudness_pitch_chart(tl).to_json())
    scale = next(e["color"]["scale"] for layer in spec["layer"] if (e := layer.get("encoding", {})).get("color"))
    colours = dict(zip(scale["domain"], scale["range"]))
    assert colours["wait after the request (2.5 s)"] == MOMENT_COLOURS["wait"]
    assert colours["pause"] == MOMENT_COLOURS["pause"]
    shorts = {row["short"] for ds in spec["datasets"].values() for row in ds if "short" in row}
    assert "2.5 s" in shorts and not any("wait after" in x for x in shorts), shorts
    assert "green" in report_html(take, timeline=tl) and "amber" not in report_html(take, timeline=tl)
