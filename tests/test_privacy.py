"""Nothing leaves the machine: the CLI and the running studio, traced with strace while they analyse a
take, connect to no address but loopback (no DNS look-up either) and leave no onnxruntime telemetry store.

Each run gets a fresh HOME, so a telemetry store or a first-run file would show up there, and an
environment without the opt-outs that ``voicecoach/__init__.py`` sets: the child must set them itself.
"""
from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from test_browser import CHROMIUM, _free_port
from voicecoach.store.takes import TakeStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "ask_good.wav"
STRACE = shutil.which("strace")
# Without ORT_DISABLE_TELEMETRY, the studio looked up onnxruntime's events host 9 s after the first analysis
# started (and every few seconds after that): wait this long after the result shows.
SETTLE_S = 15.0

_SENDS = re.compile(r"\b(connect|sendto|sendmsg|sendmmsg)\(")
_BIND = re.compile(r"\bbind\(")
_V4 = re.compile(r'sin_addr=inet_addr\("([^"]+)"\)')
_V6 = re.compile(r'inet_pton\(AF_INET6, "([^"]+)"')
_PORT = re.compile(r"sin6?_port=htons\((\d+)\)")


def _loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def _addresses(line: str) -> list[str]:
    return _V4.findall(line) + _V6.findall(line)


def own_address(address: str) -> bool:
    """True for an address of this machine's own interfaces (the kernel delivers packets to it
    locally): the only addresses a socket can be bound to."""
    ip = ipaddress.ip_address(address)
    with socket.socket(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((address, 0))
        except OSError:
            return False
    return True


def outbound(trace: str, *, own_ok: bool = False) -> list[str]:
    """Lines of an ``strace -e trace=network`` log that send to another machine: a connect/send to an
    address off loopback, or to port 53 anywhere (a DNS look-up, even through a local resolver).
    ``own_ok``: this machine's own interface addresses count as local too (live mode's WebRTC: the
    browser offers only its host addresses, never loopback)."""
    ok = (lambda a: _loopback(a) or own_address(a)) if own_ok else _loopback
    return [line for line in trace.splitlines() if _SENDS.search(line)
            and (any(not ok(a) for a in _addresses(line)) or "htons(53)" in line)]


def inet_binds(trace: str) -> list[tuple[str, int]]:
    """(address, port) of every IPv4/IPv6 bind in the log."""
    return [(a, int(p)) for line in trace.splitlines() if _BIND.search(line)
            for a in _addresses(line) for p in _PORT.findall(line)[:1]]


def _clean_env(home: Path) -> dict[str, str]:
    """This environment minus every privacy switch (the test process imported voicecoach, which set them),
    with HOME and VOICECOACH_HOME in ``home``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ORT_", "HF_", "STREAMLIT_")) and k not in {"DO_NOT_TRACK", "DISABLE_TELEMETRY"}}
    return {**env, "HOME": str(home), "VOICECOACH_HOME": str(home / "voicecoach")}


def _strace(log: Path) -> list[str]:
    if not STRACE:
        pytest.fail("strace is not installed: run `make test`, which installs it")
    return [STRACE, "-f", "--seccomp-bpf", "-e", "trace=network", "-o", str(log), "--"]


def _telemetry_files(home: Path) -> list[Path]:
    return sorted(p for p in (home / ".cache" / "Microsoft").rglob("*") if p.is_file())


def trace_cli(tmp_path: Path, argv: list[str]) -> tuple[subprocess.CompletedProcess, str, Path]:
    """Run ``argv`` under strace with a fresh HOME; return the process, its network trace and HOME."""
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "cli.trace"
    proc = subprocess.run(_strace(log) + argv, env=_clean_env(home), capture_output=True, text=True, timeout=300)
    return proc, log.read_text(), home


@contextlib.contextmanager
def traced_studio(tmp_path: Path, app: Path = ROOT / "app.py", *flags: str):
    """Run ``streamlit run app`` under strace with a fresh HOME (from another folder: the config must come
    from beside app.py) until the block ends; yield (url, port, trace file, HOME)."""
    home = tmp_path / "home"
    home.mkdir()
    log, port = tmp_path / "app.trace", _free_port()
    url = f"http://localhost:{port}"
    server = subprocess.Popen(_strace(log) + [sys.executable, "-m", "streamlit", "run", str(app),
                                               "--server.port", str(port), *flags],
                              cwd=tmp_path, env=_clean_env(home), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                assert server.poll() is None, "streamlit exited at start"
                time.sleep(0.25)
        else:
            pytest.fail(f"streamlit did not answer on {url} within 60 s")
        yield url, port, log, home
    finally:
        _stop(server)


def trace_app(tmp_path: Path, app: Path = ROOT / "app.py", take: Path = SAMPLE, settle_s: float = SETTLE_S):
    """Analyse ``take`` through the page's uploader in chromium, wait ``settle_s``, stop the server.
    Return (page text, URLs the page requested, trace, HOME, port)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make test`, which installs it")
    requested: list[str] = []
    with traced_studio(tmp_path, app) as (url, port, log, home), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        page = browser.new_page()
        page.on("request", lambda r: requested.append(r.url))
        page.goto(url)
        page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(take))
        page.get_by_text("Tips", exact=True).wait_for(timeout=120_000)
        text = page.inner_text("body")
        page.wait_for_timeout(int(settle_s * 1000))
        browser.close()
    return text, requested, log.read_text(), home, port


def _stop(server: subprocess.Popen) -> None:
    """Stop streamlit (strace's child) so that strace writes the whole log and exits."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        children = []
    for pid in children:
        try:
            os.kill(int(pid), signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)


# --- the parser, on hand-written strace lines (negative controls: it can fail) ---------------------------

def test_outbound_reports_other_machines_and_dns_not_loopback():
    lines = [
        '101 connect(12, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("20.42.65.92")}, 16) = -1 '
        'EINPROGRESS (Operation now in progress)',
        '102 connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
        '103 sendto(5, "\\x12\\x34"..., 36, MSG_NOSIGNAL, {sa_family=AF_INET, sin_port=htons(53), '
        'sin_addr=inet_addr("127.0.0.53")}, 16) = 36',
        '104 connect(7, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "2606:4700::6810:84e5", &sin6_addr), sin6_scope_id=0}, 28 <unfinished ...>',
        '105 sendmsg(9, {msg_name={sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr("8.8.8.8")}, '
        'msg_namelen=16, msg_iov=[{iov_base="x", iov_len=1}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 1',
    ]
    fine = [
        '201 connect(3, {sa_family=AF_INET, sin_port=htons(8501), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '202 connect(3, {sa_family=AF_INET6, sin6_port=htons(8501), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
        '203 connect(4, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
        '204 connect(6, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT',
        '205 sendto(8, [{nlmsg_len=20, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP}], 20, 0, '
        '{sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20',
        '206 bind(9, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("0.0.0.0")}, 16) = 0',
        '207 +++ exited with 0 +++',
    ]
    assert outbound("\n".join(lines + fine)) == lines


def test_inet_binds_reads_address_and_port():
    trace = "\n".join([
        '301 bind(6, {sa_family=AF_INET, sin_port=htons(8501), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '301 bind(7, {sa_family=AF_INET6, sin6_port=htons(8501), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "::", &sin6_addr), sin6_scope_id=0}, 28) = 0',
        '301 bind(8, {sa_family=AF_UNIX, sun_path="/tmp/s"}, 110) = 0',
    ])
    assert inet_binds(trace) == [("127.0.0.1", 8501), ("::", 8501)]
    assert [a for a, _ in inet_binds(trace) if not _loopback(a)] == ["::"]


# --- the real thing ----------------------------------------------------------------------------------------

@pytest.mark.slow
def test_cli_analysis_stays_on_this_machine(tmp_path):
    proc, trace, home = trace_cli(tmp_path, [sys.executable, "-m", "voicecoach", "analyse", str(SAMPLE), "--json"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["words"]
    assert "+++ exited with 0 +++" in trace  # strace did trace the run
    assert outbound(trace) == []
    assert _telemetry_files(home) == []


@pytest.mark.slow
def test_cli_rehearsal_stays_on_this_machine(tmp_path):
    """A whole rehearsal from recorded replies (the CLI with --turn files), then the manager's lines
    rendered by the neural voice (onnxruntime) into the data folder: nothing leaves the machine."""
    from synth import Silence, Speech, build_take, to_wav_bytes

    replies = [["Thanks for making time. What would you like to focus on today?"],
               ["Thank you for telling me. Can you tell me more about what the team needed?"],
               ["Please book me on the leadership course for the April intake.", 2.5],
               ["If you approve it, I will cover the planning meetings myself in March."],
               ["So we agreed on the course. I will send you a summary by Friday."]]
    files = []
    for i, parts in enumerate(replies):
        y, _ = build_take([Silence(p) if isinstance(p, float) else Speech(p) for p in parts] + [Silence(0.6)])
        files.append(tmp_path / f"turn{i}.wav")
        files[-1].write_bytes(to_wav_bytes(y))
    proc, trace, home = trace_cli(tmp_path, [sys.executable, "-m", "voicecoach", "rehearse", "--scenario", "course",
                                             "--json", *[a for f in files for a in ("--turn", str(f))]])
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert len(result["moments"]) == 5 and result["finished"]
    assert "+++ exited with 0 +++" in trace
    assert outbound(trace) == []
    log = tmp_path / "voice.trace"
    lines = [m["manager"] for m in result["moments"]]
    voice = subprocess.run(_strace(log) + [sys.executable, "-c", "import sys; from voicecoach.rehearsal import manager_voice as mv; "
                                           "print(*[mv.render(t).engine for t in sys.argv[1:]])", *lines],
                           env=_clean_env(home), capture_output=True, text=True, timeout=300)
    assert voice.returncode == 0, voice.stderr[-2000:]
    assert voice.stdout.split() == ["piper"] * len(lines)  # the neural voice, from the installed package
    assert len(list((home / "voicecoach" / "voice").glob("*.wav"))) == len(set(lines))
    trace = log.read_text()
    assert "+++ exited with 0 +++" in trace and outbound(trace) == []
    assert _telemetry_files(home) == []


@pytest.mark.slow
def test_studio_analysis_stays_on_this_machine(tmp_path):
    text, requested, trace, home, port = trace_app(tmp_path)
    assert "What you said" in text and "leadership course" in text.lower()
    assert "Deploy" not in text  # client.toolbarMode = "minimal"
    assert [t.status for t in TakeStore(home / "voicecoach").list()] == ["done"]
    assert outbound(trace) == []
    assert _telemetry_files(home) == []
    binds = inet_binds(trace)
    assert any(p == port for _, p in binds), "no bind of the server port in the trace: strace saw nothing"
    assert [b for b in binds if not _loopback(b[0])] == []
    # the page itself (not traced) asked only the studio for anything
    assert [u for u in requested if urlparse(u).scheme not in {"data", "blob"}
            and urlparse(u).hostname not in {"localhost", "127.0.0.1"}] == []


@pytest.mark.slow
def test_studio_opened_to_the_network_looks_nothing_up(tmp_path):
    """`--server.address 0.0.0.0` is the user's choice; even then the start-up banner asks no one for our IP."""
    with traced_studio(tmp_path, ROOT / "app.py", "--server.address", "0.0.0.0") as (_, port, log, _home):
        time.sleep(2)
    trace = log.read_text()
    assert ("0.0.0.0", port) in inet_binds(trace)
    assert outbound(trace) == []


def test_own_address_is_this_machine_only():
    assert own_address("127.0.0.1")
    assert not own_address("8.8.8.8") and not own_address("20.42.65.92")  # negative controls


@pytest.mark.slow
def test_live_mode_stays_on_this_machine(tmp_path):
    """A live take (WebRTC from chromium's fake microphone into the studio) under strace: the
    server sends to no other machine, asks no STUN/TURN server and looks up no name."""
    from playwright.sync_api import sync_playwright

    from test_browser_live import _mic_file

    mic, duration_s = _mic_file(tmp_path, "Please enrol me on the leadership course before the March intake.")
    with traced_studio(tmp_path, ROOT / "app.py") as (url, port, log, home), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={mic}%noloop", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--no-first-run"])
        ctx = browser.new_context()
        ctx.grant_permissions(["microphone"], origin=url)
        page = ctx.new_page()
        page.goto(url)
        page.get_by_text("Live mode: see your words and the wait as you speak").click(timeout=60_000)
        recorder = page.frame_locator('iframe[title*="webrtc_streamer"]')
        recorder.get_by_role("button", name="Start live take").click(timeout=60_000)
        page.wait_for_timeout(int((duration_s - 0.7) * 1000))
        recorder.get_by_role("button", name="Stop").click(timeout=20_000)
        page.get_by_text("Wait after the request", exact=True).wait_for(timeout=120_000)
        text = page.inner_text("body")
        browser.close()
    trace = log.read_text()
    assert "leadership course" in text.lower().replace("enroll", "enrol")
    assert [t.status for t in TakeStore(home / "voicecoach").list()] == ["done"]
    sends = [line for line in trace.splitlines() if _SENDS.search(line) and "htons(" in line]
    assert any(not _loopback(a) for line in sends for a in _addresses(line)), \
        "no WebRTC packet to a host address in the trace: the live take did not stream"  # the check could fail
    assert outbound(trace, own_ok=True) == []
    assert _telemetry_files(home) == []
