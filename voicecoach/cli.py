"""The command line: ``voicecoach analyse | record | tag | objective | models install``.

Thin: it parses arguments, calls the core and prints. User errors are one line on stderr and
a non-zero exit status (2: bad input, 3: model, 4: microphone), never a traceback.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

from . import config

__all__ = ["main"]

EXIT_INPUT, EXIT_MODEL, EXIT_MIC = 2, 3, 4


class _UserError(Exception):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def _run_analysis(source, *, model, as_json: bool, label: str, objective: str | None = None,
                  request_sentence: int | None = None) -> None:
    from .analysis import analyse

    _print_result(analyse(source, model=model, objective=objective, request_sentence=request_sentence),
                  as_json=as_json, label=label)


def _print_result(result, *, as_json: bool, label: str) -> None:
    from .display.report import render_text

    print(json.dumps(result.to_dict(), ensure_ascii=False) if as_json else render_text(result, label=label))


def _cmd_analyse(args) -> None:
    if args.request is not None and args.request < 1:
        raise _UserError(f"--request {args.request} is not a sentence number; count the sentences from 1", EXIT_INPUT)
    _run_analysis(args.path, model=args.model, as_json=args.json, label=_shown(args.path),
                  objective=args.objective, request_sentence=None if args.request is None else args.request - 1)


def _shown(path: str) -> str:
    """A file name as it can be printed (:func:`_printable`): bytes that are not UTF-8 (kept by
    Python as surrogates, which a strict terminal encoding refuses) shown as U+FFFD, the
    replacement character; control characters as escapes."""
    return _printable(path)


def _cmd_record(args) -> None:
    from .speech.audio import SR, to_wav_bytes

    if not 1 <= args.seconds <= 600:
        raise _UserError(f"--seconds {args.seconds} is out of range; record between 1 and 600 seconds", EXIT_INPUT)
    out = Path(args.out) if args.out else None
    if out is not None and (out.exists() or out.is_symlink()):  # checked before recording: nothing is lost
        raise _UserError(f"--out {out} already exists; give a new file name (voicecoach never overwrites a file)",
                         EXIT_INPUT)
    try:
        import sounddevice as sd
    except OSError as exc:  # libportaudio missing
        raise _UserError(f"cannot use the microphone ({exc}); install libportaudio2 (`make run` does)", EXIT_MIC) from None
    if args.live:
        return _record_live(args, out, sd)
    try:
        print(f"Recording {args.seconds:g} s — state your ask, then wait in silence…", file=sys.stderr)
        y = sd.rec(int(args.seconds * SR), samplerate=SR, channels=1, dtype="float32")
        sd.wait()
    except sd.PortAudioError as exc:
        raise _no_microphone(exc) from None
    _save_and_analyse(to_wav_bytes(y[:, 0]), out=out, model=args.model, as_json=args.json)


def _no_microphone(exc) -> _UserError:
    return _UserError(f"no microphone could be opened ({exc}); plug one in or choose an input device in your "
                      "system settings, or analyse a file with `voicecoach analyse PATH`", EXIT_MIC)


def _record_live(args, out: Path | None, sd) -> None:
    """``record --live``: the take is analysed while it is spoken (voicecoach.live); the words
    and the wait after the request are shown as they come; Enter, Ctrl+C or ``--seconds`` stop."""
    import threading

    from .speech.audio import SR, to_wav_bytes
    from .live import LiveSession, stop_saved

    session = LiveSession(model=args.model)
    stop = threading.Event()
    try:
        stream = sd.InputStream(samplerate=SR, channels=1, dtype="float32", blocksize=SR // 20,
                                callback=lambda block, frames, when, status: session.feed(block))
    except sd.PortAudioError as exc:
        session.close()
        raise _no_microphone(exc) from None
    if sys.stdin is not None and sys.stdin.isatty():
        threading.Thread(target=lambda: sys.stdin.readline() and stop.set(), daemon=True).start()
    print(f"Recording (at most {args.seconds:g} s) — state your ask, then wait in silence. "
          "Press Enter or Ctrl+C to stop.", file=sys.stderr)
    tty, shown = sys.stderr.isatty(), ""
    try:
        with stream:
            while not stop.wait(0.1):
                snap = session.snapshot()
                line = _live_line(snap, width=100 if tty else 10_000, tenths=tty)
                if line != shown:
                    print(f"\r\x1b[K{line}" if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)
                    shown = line
                if snap.heard_s >= args.seconds:
                    break
    except KeyboardInterrupt:
        pass
    except sd.PortAudioError as exc:
        session.close()
        raise _no_microphone(exc) from None
    finally:
        if tty:
            print(file=sys.stderr)
    data = to_wav_bytes(session.end_input())
    _save_and_analyse(data, out=out, model=args.model, as_json=args.json,
                      finish=lambda store, take: session.stop() if store is None else stop_saved(session, store, take))


def _live_line(snap, *, width: int, tenths: bool) -> str:
    """One status line: the words so far (their end), then the wait after the request."""
    if snap.wait_s is not None:  # whole seconds when lines are printed, not redrawn
        wait = snap.wait_s if tenths else float(int(snap.wait_s))
        tail = f"  | waiting {wait:.{1 if tenths else 0}f} s" + (
            " — held" if snap.wait_held else f" (hold {snap.wait_target_s:g} s)")
    elif snap.pause_after_request_s is not None:
        tail = f"  | you held {snap.pause_after_request_s:.1f} s" + (" — held" if snap.wait_held else "")
    else:
        tail = ""
    words = snap.transcript or "…"
    room = max(10, width - len(tail) - 2)
    return (words if len(words) <= room else "…" + words[-room + 1:]) + tail


def _save_and_analyse(data: bytes, *, out: Path | None, model, as_json: bool, finish=None) -> None:
    """Save the recording into the take history (or, if that folder is unusable, a fallback
    file), copy it to ``out`` if asked, then analyse it: a failed analysis loses nothing.
    ``finish(store, take)`` (store None on the fallback) gives the result instead of analysing
    the file (a live take, already analysed while it was spoken)."""
    from .practice import analyse_saved
    from .store.takes import StoreError, TakeStore

    try:
        store = TakeStore(config.data_home())
        take = store.add(data, source="cli", dedupe=False)
    except StoreError as exc:
        fd, name = tempfile.mkstemp(prefix="voicecoach-take-", suffix=".wav")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        print(f"voicecoach: {exc}. The recording is saved in {name} instead.", file=sys.stderr)
        if finish is not None:
            return _print_result(finish(None, None), as_json=as_json, label=name)
        _run_analysis(name, model=model, as_json=as_json, label=name)
        return
    print(f"Saved take {take.id} in {store.audio_path(take)}", file=sys.stderr)
    if out is not None:
        try:
            with open(out, "xb") as fh:  # x: never overwrite
                fh.write(data)
            print(f"Copied to {out}", file=sys.stderr)
        except OSError as exc:
            print(f"voicecoach: could not copy the take to {out} ({exc.strerror}); it is kept as take {take.id}",
                  file=sys.stderr)
    result = analyse_saved(store, take, model=model) if finish is None else finish(store, take)
    _print_result(result, as_json=as_json, label=f"take {take.id}")


def _cmd_takes(args) -> None:
    from .format import fmt_time, fmt_when
    from .store.takes import TakeStore

    store = TakeStore(config.data_home())
    if args.add_back:
        added = store.add_back()
        print(f"Added {len(added)} recording{'' if len(added) == 1 else 's'} back to your history"
              + (f" (takes {', '.join(str(t.id) for t in added)}, not analysed yet: analyse them on the Takes page "
                 "of the studio)" if added else "") + ".")
        return
    takes = store.list(limit=args.limit)
    if args.json:
        print(_printable(json.dumps([{k: v for k, v in vars(t).items() if k != "analysis_json"} for t in takes],
                                    ensure_ascii=False), json_escapes=True))
        return
    if store.read_only:
        print(f"voicecoach: {_printable(store.read_only)}", file=sys.stderr)
    if not takes:
        print(f"No takes yet in {_printable(str(store.home))}. Record one with `voicecoach record` or in the studio "
              "(`make run`).")
    else:
        print(f"{'id':>4}  {'recorded (local time)':<22}  {'length':>6}  {'status':<7}  {'pace':>8}  {'wait':>6}  label")
    for t in takes:
        wait = "-" if t.pause_after_s is None else f"{t.pause_after_s:.1f} s"
        pace = "-" if t.speaking_wpm is None else f"{t.speaking_wpm:.0f} wpm"
        length = "-" if t.duration_s is None else fmt_time(t.duration_s)
        name = t.label or (t.original_name if t.source in ("upload", None) else "") or ""  # a recording's file name is the browser's
        print(f"{t.id:>4}  {fmt_when(t.created_at):<22}  {length:>6}  {t.status:<7}  {pace:>8}  {wait:>6}  "
              f"{_printable(name)}")
    if not store.read_only and (n := len(store.orphans())):
        print(f"{n} recording{'s' if n != 1 else ''} found in {_printable(str(store.home / 'audio'))} that "
              f"{'are' if n != 1 else 'is'} not in your history: `voicecoach takes --add-back` adds "
              f"{'them' if n != 1 else 'it'} back.")


def _printable(text: str, *, json_escapes: bool = False) -> str:
    """``text`` safe to print on a terminal: control and format characters (ESC, BEL, CR, NUL,
    C1 controls, bidirectional overrides…) shown as escapes (``\\x1b``, or ``\\u001b`` to keep
    JSON valid), unpaired surrogates (bytes that were not UTF-8) as U+FFFD; printable text,
    accents included, unchanged."""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # a file name's bytes
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    out = []
    for c in text:
        if c.isprintable() or c == " ":
            out.append(c)
        elif json_escapes:
            units = c.encode("utf-16-be")
            out.append("".join(f"\\u{int.from_bytes(units[i:i + 2], 'big'):04x}" for i in range(0, len(units), 2)))
        else:
            out.append(c.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def _read_lines(items) -> list[str]:
    if items:
        return [s for s in items if s.strip()]
    return [line.strip() for line in sys.stdin if line.strip()]


def _cmd_tag(args) -> None:
    from .wording import split_text, tag_sentences

    texts = [sentence for text in _read_lines(args.sentences) for sentence in split_text(text)]
    if not texts:
        raise _UserError("no sentences given; pass them as arguments or one per line on stdin", EXIT_INPUT)
    for t in tag_sentences(texts):
        print(json.dumps(t.to_dict(), ensure_ascii=False))


def _cmd_objective(args) -> None:
    from .wording.specificity import vague_note
    from .wording import check_specificity

    text = " ".join(args.text).strip() or sys.stdin.read().strip()
    if not text:
        raise _UserError("no objective given; write what your manager should say or do", EXIT_INPUT)
    spec = check_specificity(text)
    if args.json:
        print(json.dumps({"text": text, **spec.to_dict()}, ensure_ascii=False))
        return
    if spec.is_specific:
        print(f"Specific: action “{spec.action}”, object “{spec.object}”, time “{spec.time}”.")
    else:
        gaps = ", ".join(spec.missing) or "a concrete action"
        note = vague_note(spec)
        vague = f" {note}" if note else ""
        print(f"Not specific yet: missing {gaps}.{vague} Name an action, an object and a time, e.g. “enrol me on the "
              "leadership course before the March intake”.")


def _cmd_rehearse(args) -> None:
    """``rehearse --scenario ID --turn FILE ...``: a whole conversation from recorded replies (each
    file the reply to the manager's current line), saved like takes, then the report. ``--resume
    ID`` goes on with a saved conversation. Without ``--turn`` it is the microphone mode
    (:func:`_rehearse_microphone`)."""
    from .display.conversation_report import render_text
    from .rehearsal.rehearse import ScriptError, load_script
    from .store.takes import StoreError, TakeStore

    if args.resume is None and not args.scenario:
        raise _UserError("give --scenario ID (one of course, conference, leadership_slot, stretch_role, own) "
                         "or --resume CONVERSATION_ID", EXIT_INPUT)
    for f in args.turn:
        if not os.path.isfile(f):
            raise _UserError(f"--turn {_shown(f)}: {'not a file' if os.path.lexists(f) else 'no such file'}; "
                             "give one recorded reply per manager line", EXIT_INPUT)
    try:
        store = TakeStore(config.data_home())
        if store.read_only:
            print(f"voicecoach: {_printable(store.read_only)}. The conversation is not saved.", file=sys.stderr)
            store = None
    except StoreError as exc:
        store = None
        print(f"voicecoach: {_printable(str(exc))}. The conversation is not saved.", file=sys.stderr)
    from .rehearsal import conversation_run as run

    try:
        if args.resume is not None:
            if store is None:
                raise _UserError("cannot resume: the data folder cannot be used", EXIT_INPUT)
            session = run.resume(store, args.resume, model=args.model)
        else:
            prep = store.current_preparation() if store is not None else None
            script = load_script(args.scenario, preparation=prep)
            if len(args.turn) > script.max_turns:
                raise _UserError(f"{len(args.turn)} --turn files given, but the {args.scenario} conversation takes at "
                                 f"most {script.max_turns} replies; give one file per manager line", EXIT_INPUT)
            if not args.turn:
                return _rehearse_microphone(args, script, store)
            session = run.start(store, args.scenario, preparation=prep) if store is not None else None
            if session is None:
                return _rehearse_unsaved(args, script)
    except ScriptError as exc:
        raise _UserError(str(exc), EXIT_INPUT) from None
    cid = session.conversation.id
    for i, f in enumerate(args.turn):
        if session.rehearsal.finished:
            raise _UserError(f"the conversation ended after {len(session.rehearsal.turns)} replies, so "
                             f"{len(args.turn) - i} --turn file{'s were' if len(args.turn) - i != 1 else ' was'} "
                             f"left over (from {_shown(f)}); give one file per manager line (conversation {cid} "
                             "is saved)", EXIT_INPUT)
        with open(f, "rb") as fh:
            data = fh.read()
        run.reply(store, session, data, model=args.model, source="cli", ext=_ext(f))
    _print_conversation(session.rehearsal, as_json=args.json, render=render_text)
    print(f"Saved as conversation {cid} in {_printable(str(store.home))}", file=sys.stderr)
    if not session.rehearsal.finished:
        print(f"voicecoach: the conversation is not finished: your manager is waiting for your reply to "
              f"“{session.rehearsal.current.text}” (step {session.rehearsal.current.step}); go on with "
              f"`voicecoach rehearse --resume {cid} --turn FILE`", file=sys.stderr)


def _ext(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    return ext if ext and ext[1:].isalnum() and len(ext) <= 9 else ".wav"


def _print_conversation(rehearsal, *, as_json: bool, render) -> None:
    result = rehearsal.result()
    print(json.dumps(result.to_dict(), ensure_ascii=False) if as_json else _printable_lines(render(result)))


def _printable_lines(text: str) -> str:
    return "\n".join(_printable(line) for line in text.split("\n"))


def _rehearse_unsaved(args, script) -> None:
    """The conversation when the data folder cannot be used: analysed and judged, not saved."""
    from .display.conversation_report import render_text
    from .rehearsal.conversation_run import analyse_reply
    from .rehearsal.rehearse import Rehearsal

    rehearsal = Rehearsal(script)
    for i, f in enumerate(args.turn):
        if rehearsal.finished:
            raise _UserError(f"the conversation ended after {i} replies; {len(args.turn) - i} --turn file(s) were "
                             "left over; give one file per manager line", EXIT_INPUT)
        rehearsal.answer(analyse_reply(f, script=script, model=args.model))
    _print_conversation(rehearsal, as_json=args.json, render=render_text)


def _rehearse_microphone(args, script, store) -> None:
    """``rehearse --scenario ID`` with no ``--turn``: the manager speaks through the speakers
    (:mod:`voicecoach.rehearsal.manager_voice`; the line is printed too) and each reply is recorded from the
    microphone until a silence ends it; after the ask, only once the wait target has passed. Each
    reply is saved, analysed and judged (:mod:`voicecoach.rehearsal.conversation_run`) before the manager answers."""
    from .rehearsal import conversation_run as run
    from .speech.audio import AudioError
    from .display.conversation_report import render_text
    from .rehearsal.rehearse import Rehearsal

    try:
        import sounddevice as sd
    except OSError as exc:  # libportaudio missing
        raise _UserError(f"cannot use the microphone ({exc}); install libportaudio2 (`make run` does)", EXIT_MIC) from None
    session = run.start(store, args.scenario, preparation=store.current_preparation()) if store is not None \
        else run.Session(None, Rehearsal(script))
    rehearsal = session.rehearsal
    print(f"{script.title}. Your objective: {script.objective}\nEach reply ends when you stay silent; "
          "Ctrl+C stops (the conversation so far is saved).", file=sys.stderr)
    try:
        while not rehearsal.finished:
            line = rehearsal.current
            print(f"\nManager ({line.moment}): {line.text}", file=sys.stderr)
            spoken_s = _say(sd, line.text)
            end_s = rehearsal.settings.wait_target_s + 0.3 if line.moment == "ask" else _TURN_END_S
            if line.moment == "ask":
                print(f"State what you want, then hold the silence: the manager answers after "
                      f"{rehearsal.settings.wait_target_s:g} s.", file=sys.stderr)
            print("Your reply (speak now)…", file=sys.stderr, flush=True)
            data = _record_turn(sd, end_silence_s=end_s)
            try:
                if store is None:
                    rehearsal.answer(run.analyse_reply(data, script=script, model=args.model),
                                     manager_audio_s=spoken_s)
                else:
                    run.reply(store, session, data, model=args.model, manager_audio_s=spoken_s, source="microphone")
            except AudioError as exc:
                print(f"voicecoach: {_printable(str(exc))}. Reply again.", file=sys.stderr)
                continue
            t = rehearsal.turns[-1]
            print(f"You: {_printable((t.you or {}).get('transcript', ''))}  "
                  + "  ".join(f"{'✓' if v.met else '✗' if v.met is False else '?'} {v.code}" for v in t.checks),
                  file=sys.stderr)
    except KeyboardInterrupt:
        if store is not None:
            print(f"\nStopped. Go on later with `voicecoach rehearse --resume {session.conversation.id} --turn FILE`.",
                  file=sys.stderr)
        raise
    _print_conversation(rehearsal, as_json=args.json, render=render_text)
    if store is not None:
        print(f"Saved as conversation {session.conversation.id} in {_printable(str(store.home))}", file=sys.stderr)


_TURN_END_S = 1.2  # a silence this long ends a reply (after the ask: the wait target and a little more)
_TURN_MAX_S = 120.0  # the longest reply recorded
_TURN_NO_SPEECH_S = 30.0  # a reply that has not started by then ends (the analysis says nothing was heard)


def _say(sd, text: str) -> float | None:
    """The manager's line through the speakers; its length in seconds (None when it could not be rendered)."""
    import soundfile

    from .rehearsal import manager_voice as mv

    try:
        r = mv.render(text)
    except mv.VoiceError as exc:
        print(f"voicecoach: the manager cannot be heard ({_printable(str(exc))}); read the line above.", file=sys.stderr)
        return None
    if r.fallback:
        print(f"(espeak-ng speaks: {_printable(r.fallback)})", file=sys.stderr)
    y, sr = soundfile.read(str(r.path), dtype="float32")
    try:
        sd.play(y, sr)
        sd.wait()
    except sd.PortAudioError as exc:
        print(f"voicecoach: no speakers could be opened ({exc}); read the line above.", file=sys.stderr)
    return r.duration_s


class _TurnEnd:
    """Decides, block by block, when a reply is over: speech heard (Silero, as the analysis hears
    it) and then ``end_silence_s`` without speech; or ``max_s`` in all; or no speech by ``no_speech_s``."""

    def __init__(self, *, end_silence_s: float, max_s: float = _TURN_MAX_S, no_speech_s: float = _TURN_NO_SPEECH_S):
        from .speech.live_vad import StreamingVad

        self.vad, self.end_silence_s, self.max_s, self.no_speech_s = StreamingVad(), end_silence_s, max_s, no_speech_s

    def feed(self, block) -> bool:
        self.vad.push(block)
        now, regions = self.vad.processed_s, self.vad.regions
        if now >= self.max_s or (not regions and now >= self.no_speech_s):
            return True
        return bool(regions) and not self.vad.speaking and now - regions[-1].end_s >= self.end_silence_s


def _record_turn(sd, *, end_silence_s: float) -> bytes:
    """One reply from the microphone, 16 kHz mono, until :class:`_TurnEnd` says it is over."""
    import queue

    import numpy as np

    from .speech.audio import SR, to_wav_bytes

    blocks: queue.Queue = queue.Queue()
    end = _TurnEnd(end_silence_s=end_silence_s)
    got = []
    try:
        with sd.InputStream(samplerate=SR, channels=1, dtype="float32", blocksize=SR // 20,
                            callback=lambda block, frames, when, status: blocks.put(block[:, 0].copy())):
            while True:
                try:
                    b = blocks.get(timeout=5.0)
                except queue.Empty:
                    raise _UserError("the microphone sends no sound; check that it is plugged in and not muted",
                                     EXIT_MIC) from None
                got.append(b)
                if end.feed(b):
                    break
    except sd.PortAudioError as exc:
        raise _no_microphone(exc) from None
    return to_wav_bytes(np.concatenate(got))


def _cmd_models(args) -> None:
    from .speech.models import install

    path = install(args.name)
    print(f"Whisper {args.name} is ready in {path}; select it with --model {args.name} or VOICECOACH_MODEL={args.name}")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="voicecoach", description="Rehearse your ask out loud; everything stays on this machine.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyse", aliases=["analyze"], help="analyse a recorded take (WAV, FLAC, OGG, MP3, WebM)")
    a.add_argument("path")
    a.add_argument("--json", action="store_true", help="print the JSON contract instead of a report")
    a.add_argument("--model", help="tiny.en (default), base, or a CTranslate2 Whisper folder")
    a.add_argument("--objective", help="your influence objective: the request that says it is taken as your "
                   "request (else the most specific one)")
    a.add_argument("--request", type=int, metavar="N",
                   help="take sentence N (counted from 1) as your request and measure the wait after it")
    a.set_defaults(func=_cmd_analyse)

    r = sub.add_parser("record", help="record from the microphone, save the take, analyse it")
    r.add_argument("--seconds", type=float, default=30.0)
    r.add_argument("--out", help="also save a copy of the WAV here (a new file; the take is always kept in "
                   "the take history)")
    r.add_argument("--json", action="store_true")
    r.add_argument("--model")
    r.add_argument("--live", action="store_true", help="analyse while you speak: the words and the wait after "
                   "your request are shown as they come, the feedback the moment you stop (Enter or Ctrl+C; "
                   "--seconds is then the longest the take may run)")
    r.set_defaults(func=_cmd_record)

    h = sub.add_parser("takes", help="list the take history (newest first)")
    h.add_argument("--limit", type=int, default=None)
    h.add_argument("--json", action="store_true")
    h.add_argument("--add-back", action="store_true",
                   help="add the recordings in the audio folder that no take names back to the history")
    h.set_defaults(func=_cmd_takes)

    t = sub.add_parser("tag", help="tag sentences Push / Pull / Move Away (arguments or stdin lines; a "
                       "paragraph is split into its sentences)")
    t.add_argument("sentences", nargs="*")
    t.set_defaults(func=_cmd_tag)

    o = sub.add_parser("objective", help="check that your influence objective is specific")
    o.add_argument("text", nargs="*")
    o.add_argument("--json", action="store_true")
    o.set_defaults(func=_cmd_objective)

    rh = sub.add_parser("rehearse", help="rehearse a whole conversation with your manager: each --turn FILE is your "
                        "recorded reply to the manager's current line")
    rh.add_argument("--scenario", help="course, conference, leadership_slot, stretch_role, or own (your prepared "
                    "situation)")
    rh.add_argument("--turn", action="append", default=[], metavar="FILE",
                    help="your recorded reply to the manager's current line, in order (repeat for each line)")
    rh.add_argument("--resume", type=int, metavar="ID", help="go on with saved conversation ID (its next replies "
                    "are the --turn files)")
    rh.add_argument("--json", action="store_true", help="print the conversation contract instead of a report")
    rh.add_argument("--model")
    rh.set_defaults(func=_cmd_rehearse)

    m = sub.add_parser("models", help="assemble an optional model locally")
    msub = m.add_subparsers(dest="action", required=True)
    mi = msub.add_parser("install", help="assemble Whisper base into models/")
    mi.add_argument("name", choices=["base"])
    mi.set_defaults(func=_cmd_models)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse printed its usage and the error
        dashed = [a for a in argv if a.startswith("-") and a != "-" and not a.startswith("--") and os.path.lexists(a)]
        if exc.code and dashed:
            print(f"voicecoach: {_shown(dashed[0])} starts with '-' and was read as an option; put `--` before it "
                  f"(voicecoach analyse -- {_shown(dashed[0])}) or write ./{_shown(dashed[0])}", file=sys.stderr)
        raise
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    from .speech.audio import AudioError
    from .store.takes import StoreError
    from .speech.transcribe import ModelError
    from .wording.model import WordingModelError

    try:
        args.func(args)
    except _UserError as exc:
        print(f"voicecoach: {_printable(str(exc))}", file=sys.stderr)
        return exc.code
    except AudioError as exc:
        print(f"voicecoach: {_printable(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except (ModelError, WordingModelError) as exc:
        print(f"voicecoach: {_printable(str(exc))}", file=sys.stderr)
        return EXIT_MODEL
    except StoreError as exc:
        print(f"voicecoach: {_printable(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("voicecoach: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`voicecoach takes | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
