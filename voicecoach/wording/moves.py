"""Conversation moves: pure detectors on one sentence's text, for rehearsing a whole conversation.

Each detector answers one question the guide asks of a moment in the conversation (see
``../shared/GUIDE.md``): did the speaker ask an open question, summarise, push back defensively,
name a deliberate pause, offer an incentive, evaluate the meeting, state a follow-up with a time,
or contract (time, focus, how the meeting is recorded)? They are transparent cue-phrase rules,
like :mod:`voicecoach.wording.rules`, on the sentence as :func:`voicecoach.wording.stages.normalise`
reads it (lower case, straight quotes, single spaces).

Every detector is ``name(text) -> bool``; :func:`cue` gives the words that decided it (or None)
and :func:`why` gives every detector that fired with its cue. A detector fires when one of its
``positive`` patterns matches and none of its ``blockers`` does; the blockers are the hard
negatives (a closed question, a "but" that is not pushback, a request rather than an offer).

The labelled sets are ``data/moves_tune.tsv`` (developed on) and four blind sets, the last of
them (``data/moves_blind_d.tsv``, written with the detectors frozen) the gate; their history is in
``data/LABELLING.md`` and ``scripts/eval_moves.py`` scores them. The rules are precise (no false
positive above 11% on the gate set) but miss phrasings they have not seen: read a False as "not
recognised", not as "certainly absent".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .rules import NOT_A_PAUSE_RE, TIME_RE
from .stages import normalise

__all__ = [
    "DETECTORS", "Detector", "cue", "why",
    "open_question", "summary", "defensive", "named_pause", "incentive", "evaluation",
    "follow_up_with_time", "contracting",
]

_PRE = (r"^(?:(?:so|and|but|okay|ok|well|now|then|right|also|um|uh|erm|look|sure|great|thanks|thank you|yeah|yes|no|"
        r"sorry|hold on|hang on|go on|first|first of all|to start|before we (?:start|begin|get going|dive in))[,;:]? )*")


def _c(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@dataclass(frozen=True)
class Detector:
    """One move: it fires when a ``positive`` pattern matches and no ``blocker`` does.

    ``needs`` (optional) is a further test on the normalised sentence that must also hold (for
    example, that a follow-up names a time)."""

    name: str
    positive: tuple[re.Pattern[str], ...]
    blockers: tuple[re.Pattern[str], ...] = ()
    needs: Callable[[str], bool] | None = None

    def cue(self, n: str) -> str | None:
        for b in self.blockers:
            if b.search(n):
                return None
        if self.needs is not None and not self.needs(n):
            return None
        for p in self.positive:
            m = p.search(n)
            if m:
                return m.group(0).strip(" ,") or m.group(0)
        return None


# ---- open question -------------------------------------------------------------------------
# An open question invites the manager to talk (what / how / why / tell me more); a closed one
# can be answered yes or no ("do you think…?", "is it…?"), and a proposal dressed as a question
# ("how about I lead…?", "what if I…?") or a request ("when can you confirm my place?") is not one.
OPEN_QUESTION = Detector(
    "open_question",
    positive=_c(
        _PRE + r"(?:what|how|why|which|where|in what way|to what extent)\b",
        r"\b(?:tell|show) me (?:more|about|what|how|why|where)\b|\b(?:walk|talk|take) me through\b",
        r"\b(?:can|could|would) you (?:say (?:more|a bit|a little|what|how|why|which)|tell me|talk|explain|expand|elaborate|describe|unpack|give me an example)\b",
        r"\bhelp me understand\b|\bi'?m curious (?:about|what|how|why|to)\b|\bi'?d (?:love|like) to (?:hear|know|understand) (?:more|what|how|why|your)\b",
        r"\bsay (?:a bit |a little )?more\b",
        r"\bi (?:wonder|was wondering|'m wondering) (?:what|how|why|where|which)\b",
        r"^(?:\w+,? )?but (?:what|how|why|where|which)\b[^.!]*\?",
    ),
    blockers=_c(
        _PRE + r"(?:how|what) about (?:i|me|if|we|you)\b|" + _PRE + r"what if\b|" + _PRE + r"why don'?t (?:you|we|i)\b|" + _PRE + r"why not\b",
        r"^(?:\w+,? )*what (?:i|i'm|i'd|i've|you|you'd|you're|we|we're|really|worked|matters|helps|helped|happened|\w+ed)\b[^?]*\b(?:is|was|are|were)\b[^?]*$",
        r"\b(?:what|how) you'?re (?:saying|telling)\b|\bsounds like\b|\bwhat i'?m hearing\b",
        r"^(?:\w+,? )?(?:when|how soon) (?:can|could|will|would) you\b",
        r"^how (?:are you|was your|is your|'s your)\b|^how'?s (?:it going|things|your)\b",
        r"\bwhy (?:is it )?(?:always )?me\b|\bpick(?:s|ing|ed)? on me\b|\bwhat (?:else )?(?:was|am) i (?:supposed|meant|expected) to\b|\bhow (?:was|am) i (?:supposed|meant|expected) to\b",
    ),
)

# ---- summary / testing understanding -------------------------------------------------------
SUMMARY = Detector(
    "summary",
    positive=_c(
        r"\b(?:it |that )?sounds like\b",
        r"\b(?:so )?what (?:i'?m|i am) hearing\b|\bif i'?m hearing you\b|\bi hear you saying\b",
        r"\b(?:so )?(?:what )?you'?re (?:saying|telling me)\b|\bwhat you'?re (?:describing|asking for|suggesting)\b",
        r"\bif i(?:'ve| have)? (?:understood|understand|got) (?:you|this|that|it)\b|\bif i understand (?:correctly|rightly)\b",
        r"^(?:so,? )?you'?re (?:worried|concerned|saying|feeling|not convinced|not sure|uneasy|nervous)\b|^(?:so,? )?you (?:feel|think|need|want|see)\b[^.?!]*\b(?:right|fair|correct)\?$",
        r"\bif i'?m (?:following|reading|hearing) you\b|\bsounds as (?:if|though)\b|\bjust so i'?m clear\b|\bso i'?m clear\b"
        r"|\b(?:make sure|check|be sure) i'?(?:ve| have)? (?:got|understood|understand)\b|\bfrom your (?:side|point of view|perspective|end),? (?:it'?s|the|you)\b"
        r"|\bso your (?:main |biggest |real |big )?(?:worry|concern|point|issue|question|priority|fear|view|feeling|sense) is\b",
        r"^(?:\w+,? )?so,? (?:basically |essentially |really |then,? )?(?:the (?:gist|upshot|bottom line|crux|sticking point|bit|thing|part|issue|problem|worry|concern|point|main thing)\b"
        r"|what you(?:'d|'re| would| are)? (?:need|want|saying|mean|looking for|asking|after)\b|you(?:'d| would)? (?:back|support|want|need|feel|think|mean|rather|prefer)\b)",
        r"\bwhat i'?m (?:picking up|taking (?:from|away)|getting from|understanding|hearing)\b|\bif i (?:heard|understood|read) you (?:correctly|right|rightly)\b",
        r"\byou\b[^?]*\b(?:is that (?:it|right|fair|correct)|have i got that right|did i get that right|yeah|right)\?$|\bin (?:short|a nutshell)\b",
        r"\b(?:bit|thing|part|what)(?: that)?(?:'s| is) (?:bothering|worrying|concerning|bugging) you\b|\b(?:see|check) (?:if|whether) i'?(?:ve| have)? got\b|\b(?:repeat|say) (?:that|it) back\b",
        r"\b(?:it |that )?(?:seems|looks) like (?:the|your|you)\b|\bthe bottom line is\b|\blet me (?:play|read|say) (?:that|it|this) back\b|\bif i can (?:summari[sz]e|sum up|play)\b",
        r"\b(?:check|test|confirm|make sure) (?:my understanding|(?:that )?i(?:'ve| have)? (?:understood|got (?:it|that|this)))\b",
        r"\bin other words\b|\bto (?:summari[sz]e|sum up|recap)\b|\bin summary\b|\bsumming up\b|\bplay (?:that|it) back\b",
        r"\bso (?:we'?ve|we have) agreed\b|\bso (?:to be clear|the plan is|the upshot is)\b|\bjust to (?:check|confirm|be clear)\b",
        r"^so (?:your|the) (?:main |biggest |real |key )?(?:concern|worry|point|priority|issue|question|worries|concerns)\b",
        r"\bam i right (?:that|in thinking)\b|\byou\b[^?]*\bis that (?:right|fair|a fair summary)\?$|\bdid i get that right\b|\bcorrect me if\b",
        r"^so,? (?:you|for you)(?:'d| would)? (?:feel|think|want|need|see|mean|prefer|are|were|'re)\b",
    ),
    blockers=_c(r"\bsounds like (?:a |an )?(?:plan|great|good|fun)\b",
                r"^(?:\w+,? )?(?:that|it) sounds (?:like|as if) (?:a|an|hard|fun|great|good|a lot|loads|plenty|too much|quite)\b(?![^.?!]*\b(?:you|your)\b)"),
)

# ---- defensive pushback -------------------------------------------------------------------
DEFENSIVE = Detector(
    "defensive",
    positive=_c(
        r"\b(?:that'?s|that is|this is|it'?s|it is) (?:just |simply |really |so |completely |totally |absolutely |a bit |quite )*(?:not fair|unfair|not true|untrue|ridiculous|rubbish|nonsense|rich|harsh|not right)\b",
        r"\b(?:not|hardly|never|isn'?t|wasn'?t) (?:my fault|on me|down to me)\b|\bwhy (?:is it )?(?:always )?me\b|\bpick(?:s|ing|ed)? on me\b",
        r"\b(?:nobody|no one|no-one) (?:ever )?(?:told|explained|showed|trained|warned|said|mentioned|asked)\b|\b(?:nobody|no one|no-one) else (?:was|would|did|could)\b",
        r"\bthat'?s (?:just |simply |completely |totally )?wrong\b|\byou'?re being (?:\w+ )?(?:unfair|harsh|unreasonable|picky)\b|\bnot my (?:call|decision|job|problem|responsibility)\b",
        r"\b(?:don'?t|can'?t|cannot|shouldn'?t) (?:put (?:that|this|it) on me|blame me|hold me (?:responsible|accountable)|pin (?:that|this|it) on me)\b",
        r"\bi don'?t see why (?:this|that|it)(?:'s| is) (?:a|such a) (?:big )?(?:problem|deal|issue)\b|\bi wasn'?t even\b",
        r"\b(?:not|wasn'?t|isn'?t) my fault\b|\b(?:wasn'?t|isn'?t|not) (?:down to|on) me\b|\bblame\b",
        _PRE + r"but i\b(?! (?:wonder|hear|take|see|understand|appreciate|'d like to (?:understand|hear|know)|want to understand|also want to|do want|would like|get (?:that|it|your)))",
        r"\b(?:nobody|no one|no-one) (?:ever )?told me\b|\byou never (?:told|said|asked|gave)\b|\bi was never (?:told|given|asked)\b",
        r"\bi (?:did|was doing) (?:my best|everything|what i was told|what you asked)\b|\bi had no (?:choice|option)\b",
        r"\bthat'?s not (?:what happened|how it happened|the whole story|my job)\b|\byou don'?t (?:understand|know what|see)\b",
        r"\bi only (?:did|said|missed|went|sent)\b[^.?!]*\bbecause\b|\bthe only reason i\b",
        r"\b(?:because|since) (?:the|my|our) (?:\w+ ){0,3}(?:didn'?t|never|failed|kept|was late|were late)\b|\bif (?:they|the \w+|you) had(?:n'?t)?\b",
        r"\b(?:\w+'s|their|his|her|your|its) fault\b|\bit was (?:the|their|his|her|your) (?:[\w']+ )?(?:fault|call|decision|problem)\b|\bi wasn'?t (?:the only one|even there)\b",
        r"\b(?:everyone|everybody) else (?:does|did|was)\b|\bwhat (?:else )?was i supposed to\b|\bhow was i supposed to\b",
        r"\bwith (?:all due )?respect,? (?:you|that|i)\b",
        r"\bif\b[^.?!]{0,40}\bhad(?:n'?t| not)?\b[^.?!]*\b(?:would(?:'ve| have)|'d have|wouldn'?t have|we'?d|i'?d)\b",
        r"\bi (?:don'?t|do not) (?:think|feel) (?:that'?s|that is|it'?s|it is|this is) (?:\w+ )?(?:fair|true|right|accurate)\b|\bi don'?t see (?:the|what the) problem\b",
        r"\bin (?:fairness|fairness to me|my defen[cs]e)\b|\bto be fair to me\b|\bit'?s not like i\b|\bi was (?:only|just) (?:doing|trying|following)\b",
    ),
    blockers=_c(r"^(?:\w+,? )?(?:that'?s|that is) (?:fair|true)\b(?!,? but)|\bi can see (?:why|how)\b"),
)

# ---- a deliberate, named Move Away -----------------------------------------------------------
_BREAK = r"(?:break|breather|pause|time-?out|moment|minute|minutes|second|few minutes|step back)"
NAMED_PAUSE = Detector(
    "named_pause",
    positive=_c(
        r"\bi (?:notice|can feel|can tell|realise|realize|feel) (?:that )?i'?m (?:getting|becoming|feeling|a bit|quite|really)?\s?(?:defensive|heated|worked up|wound up|frustrated|upset|emotional|reactive)\b",
        r"\b(?:can|could|shall|may) (?:we|i) (?:just )?(?:take|have|pause|stop|break)\b[^.?!]{0,25}\b" + _BREAK + r"\b",
        r"\b(?:i'?d|i would|i) (?:like|need|want) (?:to take |to have |)?(?:a |some |five |two |ten |a few |a short |a quick |a brief )*" + _BREAK + r"\b",
        r"\b(?:let'?s|let us) (?:take|have|pause|stop)\b[^.?!]{0,20}\b" + _BREAK + r"\b|\blet'?s pause\b",
        r"\b(?:pause|stop) (?:here|there|for a (?:moment|minute|second|bit))\b",
        r"\b(?:come|get) back to (?:this|it|you) (?:in|after|later|tomorrow)\b|\bstep (?:away|back|out) (?:for|briefly)\b",
        r"\b(?:gather|collect) my thoughts\b",
        r"\b(?:give me|let me (?:take|have)|i need|i'?d like|can i (?:take|have)|could i (?:take|have)) (?:just )?(?:a|one|a quick|a short|a brief) (?:second|sec|moment|minute)\b",
        r"\b(?:do you mind|would you mind|is it (?:ok|okay|alright)) if we (?:take|have|pause|stop|break)\b",
        r"\bpark (?:this|that|it) for (?:a|ten|five|two|\d+|a few|a couple of) (?:minutes?|moment|second|bit)\b",
        r"\b(?:stop|pause) (?:there|here) for a (?:moment|minute|second|bit)\b|\bi can (?:hear|feel) myself (?:getting|becoming)\b",
        r"\b(?:need|needs|want|like|take|have|give me|grab)\b (?:just )?(?:a|one|a quick|a short|a brief|a couple of|a few|two|five|ten|some) ?(?:second|sec|moment|minute|breather|break|pause)s?\b",
        r"\bi(?:'m| am) (?:aware|conscious) (?:that )?i'?m\b|\bi'?m (?:reacting|getting (?:a bit )?(?:defensive|heated|wound up|worked up|cross|rattled))\b[^.?!]*\b(?:so|can we|let me|i'?d like|i need)\b",
        r"\btake (?:five|ten|two)\b|\bstep (?:away|out|outside)\b|\b(?:stop|pause|leave it) (?:there|here) for (?:now|today)\b",
        r"\bpick (?:it|this) (?:back )?up (?:on|later|tomorrow|after|next|in)\b|\bcome back to (?:this|it)\b",
    ),
    blockers=_c(
        r"\b(?:break|time) (?:from|off) (?:the |my )?(?:on-?call|nights|rota|shifts?|work|project|team)\b",
        r"\b(?:took|had|taken|last|career) (?:a )?break\b|\bsabbatical\b|\bparental\b",
        r"\bminutes? (?:to|for) (?:present|talk|pitch|speak|show|demo)\b|\bat (?:the|a|our|next) (?:next |team |leadership |weekly |monthly )?(?:meeting|all-hands|huddle|stand-?up|review|call|session|briefing|away-?day)\b|\bto (?:demo|present|pitch|show the)\b",
        r"\b(?:break|time) (?:from|off|away from) (?!this|here|the conversation)\w+",
        r"\bstep (?:back|away) from (?:the|my|being)\b",
    ),
    needs=lambda n: not NOT_A_PAUSE_RE.search(n),
)

# ---- an incentive of value to the manager ---------------------------------------------------
_OFFER = (r"(?:i'?ll|i will|i can|i could|i'?d|i would|i'?m (?:happy|willing|glad|prepared|ready) to|"
          r"i'?d be (?:happy|willing|glad|prepared) to)(?: also| happily| gladly| personally| make sure| definitely)?")
INCENTIVE = Detector(
    "incentive",
    positive=_c(
        r"\bin (?:return|exchange)\b|\bas part of the deal\b|\bin turn\b|\bfor my part\b|\bmy side of the deal\b",
        r"\bif you\b[^.?!]*\b" + _OFFER + r" (?!need|have to|be able to|be (?:so |really )?(?:grateful|happy|pleased|delighted|thrilled))\w+",
        _OFFER + r" (?!need|have to)\w+[^.?!]*\bif you\b",
        r"\b(?:and|then) " + _OFFER + r" (?:cover|take|train|mentor|run|handle|pick up|write|document|share|teach|stay|commit|make up|lead|own|do)\b[^.?!]*\b(?:for you|for the team|in return|afterwards|after)\b",
        r"\bthat way you(?:'d| would| will|'ll)? (?:get|have)\b",
        r"\bto make (?:it|this|that) (?:work|easier) for (?:you|the team)\b",
        r"\bif (?:the|my|this|that|it) (?:\w+ ){0,3}(?:gets?|is|goes|comes) (?:approved|signed off|through|agreed|funded)\b[^.?!]*\b" + _OFFER + r" (?!need|have to|be able)\w+",
        r"^(?:please,? )?(?:give|let|put|send|approve|sign|fund|back|move|make) (?:me|my|it|the)\b[^.?!]*\band " + _OFFER + r" (?!need|have to|be able)\w+",
        _OFFER + r"[^.?!]*\b(?:so (?:that )?(?:nothing|the team|you|there|no one|nobody|we)\b[^.?!]*\b(?:drops|short|won'?t|don'?t|doesn'?t|isn'?t|aren'?t|never|covered|lose|miss)|before i (?:go|leave|move|start))\b",
    ),
    blockers=_c(
        r"\b(?:look|looking|move|go|apply|applying) elsewhere\b|\b(?:resign|quit|leave the company|hand in my notice)\b|\bother offers?\b|\bconsider my options\b",
        r"\bif you (?:don'?t|won'?t|can'?t|say no|refuse|decide not)\b",
        r"\bif you (?:need|want|have) (?:any|more|questions)\b|\bif you (?:have|'ve got) (?:time|a minute|questions)\b",
    ),
)

# ---- evaluating the meeting -----------------------------------------------------------------
_MEETING = r"(?:this|today|that|it|our chat|this chat|this conversation|the conversation|this meeting|the meeting|our conversation|our meeting|talking (?:this|it) through|this session)"
_GOOD = (r"(?:(?:one of )?the (?:most|more) )?(?:useful|helpful|valuable|productive|constructive|worthwhile|good|great|positive|clarifying|"
         r"reassuring|encouraging|honest|open|fair|difficult|hard|tough|uncomfortable|frustrating|a good|a great|"
         r"a useful|a really|a very|the most)")
EVALUATION = Detector(
    "evaluation",
    positive=_c(
        r"\b" + _MEETING + r"(?: was|'s been| has been| have been| felt| turned out)(?: \w+ly| really| very| so| such| genuinely| quite| a| an| actually| more| much)* " + _GOOD + r"\b",
        r"\b(?:i'?ve|i have) (?:got|gotten|taken) (?:a lot|loads|so much|plenty) (?:out of|from) (?:this|today|that|our)\b|\b(?:this|that|today|it)(?:'s| has) (?:really )?helped(?: me)?(?: a lot| loads| enormously)?\b",
        r"\bit'?s been (?:really |so |very )?(?:good|great|helpful|useful) to (?:talk|speak|have this|go through|discuss)\b",
        r"\bi(?: found|'ve found| have found) " + _MEETING + r"(?: \w+)? (?:really |very |so |genuinely |quite )?(?:useful|helpful|valuable|productive|constructive|reassuring|clarifying|hard|difficult)\b",
        r"\b(?:this|that|today|it) went (?:a lot |much |really |so |far |pretty )?(?:better|well)\b",
        r"\bi (?:really )?(?:appreciated|appreciate|valued|value) (?:the chance|being able|the time|you making|how open|your honesty|you being|this)\b",
        r"\b(?:really |genuinely )?(?:useful|helpful|productive|good|great|valuable|open|honest|constructive|worthwhile|positive) (?:conversation|chat|meeting|discussion|session|one-to-one|1:1|catch-up)\b",
        r"\bi'?m (?:really )?glad we (?:talked|had this|spoke|did this|sat down)\b|\bi (?:feel|am|'m) (?:much |a lot |so much )?(?:clearer|better|more confident) (?:now|about|after)\b",
        r"\bthat went (?:better|well|really well)\b|\bthanks?,? (?:that|this) (?:was|has been|'s been) (?:really |very |so )?(?:useful|helpful|valuable)\b",
    ),
    blockers=_c(
        r"\b(?:would|will|could|might) be (?:really |very )?(?:useful|helpful|valuable|good|great)\b",
        r"\b(?:that'?s|that is) a (?:good|great|fair|useful) (?:point|question|idea)\b",
        r"\b(?:project|course|launch|release|sprint|quarter|year|rollout|migration|training|conference|retro|retrospective|all-hands|offsite|workshop|interview|appraisal|audit|stocktake|winter|summer)\b",
    ),
)

# ---- a follow-up action with a time ----------------------------------------------------------
_EXTRA_TIME_RE = re.compile(
    r"\b(?:this (?:afternoon|morning|evening)|end of (?:the )?day|eod|close of play|later today|tonight|"
    r"first thing|within (?:the |a )?(?:hour|day|week)|in (?:a|two|three|\d+) (?:days?|weeks?|months?)|"
    r"(?:a|one|two|three) weeks? from now|same time next|(?:in )?a fortnight|the week after next|(?:\w+) (?:weeks|months)'? time"
    r"|after (?:the|our|your|my) [\w' -]{0,30}\b(?:opens|closes|finishes|is over|meeting|launch|review|merger|holidays?|opening|exhibition|inspection))\b"
)


def _has_time(n: str) -> bool:
    return bool(TIME_RE.search(n) or _EXTRA_TIME_RE.search(n))


FOLLOW_UP = Detector(
    "follow_up_with_time",
    positive=_c(
        r"\b(?:i'?ll|i will|i'?m going to|i can|we'?ll|we will|we'?re going to|you'?ll|you will|let'?s|let me|let us|shall i|shall we|can we|could we|we can|i'?ll make sure)"
        r" (?:also |then |just |definitely )?(?:send|email|share|book|schedule|set up|put|write|draft|circulate|follow up|check in|catch up|meet|"
        r"confirm|get back|come back|update|speak|talk|reconvene|review|revisit|look at|forward|pull together|put together|sort|chase|"
        r"register|sign up|enrol|enroll|apply|call|ring|phone|text|ping|message|diary|calendar|add|drop|touch base|go through|finalise|finalize|submit|pencil|"
        r"get (?:the|it|this|my|that|a|an)|have (?:another|a) (?:chat|catch-up|look|conversation|meeting|check-in)|regroup|sit down|check|"
        r"reconnect|feed back|report back|let (?:the )?(?:\w+ )?know|have (?:the|it|my|that|this|a) [\w' -]{0,40}(?:with you|to you|ready|done))\b",
        r"\b(?:next step|follow-?up|action) (?:is|will be|for me is)\b",
        r"\b(?:i'?ll|i will|we'?ll|we will) (?:make sure|ensure|have|get) (?:the |my |it |that |this |a |an )?[\w' -]{0,40}\b(?:done|documented|finished|ready|sent|to you|written|booked|in)\b",
    ),
    blockers=_c(
        r"\bif you\b", r"\b(?:could|can|would|will) you\b", r"\bin (?:return|exchange)\b",
        r"\b(?:i|we) (?:sent|emailed|booked|shared|met|spoke)\b",
    ),
    needs=_has_time,
)

# ---- contracting: time, focus, how the meeting is recorded ----------------------------------
_SPAN = r"(?:half an hour|an hour|(?:about |around |roughly )?(?:\d+|five|ten|fifteen|twenty|twenty-five|thirty|forty|forty-five|sixty) (?:minutes|mins)|until|till|the full)"
CONTRACTING = Detector(
    "contracting",
    positive=_c(
        # time
        r"(?<!can )(?<!could )(?<!may )\b(?:we|i|you)(?:'ve| have)?(?: only| still| just)? (?:got|have) " + _SPAN + r"\b(?!'s| of| commute| drive| journey)",
        r"\b(?:are|is) (?:you|that|this)(?: still)? (?:ok|okay|alright|fine|good) (?:for|with) " + _SPAN + r"\b|\b(?:i'?ve|i have|we'?ve) (?:blocked|booked|set aside|got the room)(?: out)? (?:" + _SPAN + r"|the room|this room)",
        r"\b(?:aim|need|have) to (?:finish|stop|wrap up|be done) (?:by|at)\b|\bso we'?re not rushed\b|\bhow much time (?:have|do) (?:we|you)\b",
        r"\bwhat'?s (?:most )?important (?:for|to) you (?:to )?(?:get through|cover|get out of|talk about)\b|\b(?:start|begin) by (?:saying|telling you|explaining) what i'?d like\b",
        r"\bcover (?:two|three|a few|a couple of) things\b|\b(?:first|next) (?:ten|five|fifteen|twenty|few|\d+) minutes on\b|\bthe rest (?:of the time )?on\b",
        r"\b(?:keep|kept) (?:the )?notes\b|\bwrite up the notes\b|\bput the actions (?:in|on)\b",
        r"\b(?:are|is) (?:you|everyone) (?:alright|all right|ok|okay|good|fine) for time\b|\b(?:we said|we agreed|we booked|we'?ve booked|we need|i booked) (?:about |around |roughly )?" + _SPAN + r"\b",
        r"\b(?:use|spend) (?:today|(?:most of |some of |all of )?(?:this|our|the) (?:time|meeting|session|slot|half hour|hour))\b",
        r"\b(?:is|was) there anything (?:else )?you(?: want| wanted|'d like| would like)? to (?:cover|add|discuss|talk about|raise|go through|bring up|get through|get to|mention|sort out)\b",
        r"\b(?:get|take) (?:out of|from|away from) (?:this|today|our (?:chat|meeting|conversation|time))\b(?! (?:project|role|team|job))",
        r"\b(?:write|note|jot) (?:up|down) what we (?:decide|agree|discuss|said)\b|\b(?:notes?|actions?|points)\b[^.?!]*\bas we go\b",
        r"\b(?:the|an|our|my|your) agenda\b(?! for (?:the|next|tomorrow))|\b(?:taking|take|keep|keeping) (?:the )?minutes\b",
        r"\bsplit (?:it|the time|our time|the hour|the half hour)\b|\bhalf (?:on|for) (?:the|my|your)\b[^.?!]*\bhalf (?:on|for)\b|\brun out of time\b",
        r"\b(?:kick off|start|go first)\b,? or shall i\b|\bshall i (?:kick off|start|go first)\b|\bwho (?:wants to|should) (?:start|go first|kick off)\b",
        r"\b(?:shall i|should i|would it (?:help|be useful) if i|do you mind if i|are you (?:ok|okay|happy|alright) (?:if i|for me to)|is it (?:ok|okay|alright) if i|do you want me to)\b[^.?!]*"
        r"\b(?:notes?|write (?:up|down)|wrote (?:up|down)|type (?:up|out)|typed up|capture|record|the minutes|actions|key points|summary)\b",
        r"\bmakes? (?:this|today|it) (?:a )?(?:useful|worthwhile|good|productive|valuable)\b[^.?!]*\b(?:for you|hour|meeting|session|time)\b|\bhow (?:long|much time) (?:can|could|will) you (?:give|spare|do)\b",
        r"\b(?:got|have|booked) the room (?:till|until|for)\b",
        r"\b(?:cover|focus on|discuss|get through|talk about|go through|raise)\b[^.?!]{0,40}\b(?:today|this (?:meeting|session|morning|afternoon|time|half hour|hour)|in (?:this|our) (?:time|meeting|session|chat))\b",
        r"\bhow (?:long|much time) (?:do|have) (?:we|you)\b|\b(?:is|are) " + _SPAN + r"(?: still)? (?:ok|okay|enough|alright|fine|still)\b",
        r"\b(?:do|have) (?:you|we) (?:still )?(?:got|have) " + _SPAN + r"\b|\bhard stop\b|\bneed to (?:finish|stop|wrap up) (?:by|at)\b",
        # focus of this meeting
        r"\bwhat (?:would|do) you (?:like|want|hope|need) (?:to|us to) (?:focus on|cover|get out of|talk about|discuss|achieve)\b[^.?!]*\b(?:today|this|here|now|meeting|conversation|time|\?)",
        r"\bwhat (?:would|do) you (?:like|want) to (?:focus on|cover|get out of)\b",
        r"\b(?:i'?d|i would) like (?:us )?to (?:focus|use (?:this|our|the) time|spend (?:this|our|the) time)\b[^.?!]*\b(?:today|this (?:meeting|conversation|time|half hour|hour)|now|first)\b",
        r"\b(?:out of|from) (?:this|today'?s?|our) (?:conversation|meeting|chat|session|one-to-one|1:1|catch-up|time)\b|\bfor (?:this|today'?s) (?:meeting|conversation|chat)\b",
        r"\bis there anything (?:else )?you(?: want|'d like| would like| wanted) to (?:cover|add|discuss|talk about|raise)\b|\b(?:my|your) agenda\b|\bon the agenda\b",
        r"\bwhat'?s (?:on your mind|top of your list) (?:for|today)\b|\bwhere (?:would|shall|should) (?:you like to|we) start\b",
        # how it is recorded
        r"\b(?:take|make|keep|jot down) (?:some )?notes\b|\bnote ?taking\b|\bwrite (?:it|this|them|the actions|things) up\b|\bsend (?:them|the notes|it|a summary|the actions) round\b",
        r"\bhow (?:shall|should|do|will|would) we (?:record|capture|note|keep track|document|write up)\b|\b(?:record|capture|log) (?:the |our )?(?:actions|outcomes|what we agree)\b",
        r"\b(?:our|the) (?:shared|1:1|one-to-one) (?:doc|document|notes)\b",
    ),
    blockers=_c(
        r"\bfocus on (?:\w+ ){0,3}(?:next|this) (?:year|quarter|month)\b(?![^.?!]*(?:meeting|conversation|today))",
        r"\b(?:took|made|kept) notes (?:at|in|for|during|on)\b|\b(?:notes|minutes) (?:for|at|in|of) the (?:\w+ )?(?:meeting|board|team|site|client|briefing|stand-?up)\b",
    ),
)

DETECTORS: dict[str, Detector] = {d.name: d for d in (
    OPEN_QUESTION, SUMMARY, DEFENSIVE, NAMED_PAUSE, INCENTIVE, EVALUATION, FOLLOW_UP, CONTRACTING)}


def cue(name: str, text: str) -> str | None:
    """The words that made detector ``name`` fire on ``text``, or None when it does not."""
    n = normalise(text)
    if not n:
        return None
    return DETECTORS[name].cue(n)


def why(text: str) -> dict[str, str]:
    """Every detector that fires on ``text``, with the words that decided it."""
    n = normalise(text)
    if not n:
        return {}
    out = {}
    for name, det in DETECTORS.items():
        c = det.cue(n)
        if c is not None:
            out[name] = c
    return out


def open_question(text: str) -> bool:
    """An open question that invites the manager to talk ("What would you need to see from me?",
    "Tell me more about that"); not a closed yes/no question, a proposal or a request."""
    return cue("open_question", text) is not None


def summary(text: str) -> bool:
    """A summary or test of understanding ("It sounds like timing is the issue", "So what you're
    saying is…", "So we've agreed that…")."""
    return cue("summary", text) is not None


def defensive(text: str) -> bool:
    """Defensive pushback: "that's not fair", "but I…", justifying, blaming others."""
    return cue("defensive", text) is not None


def named_pause(text: str) -> bool:
    """A deliberate, named Move Away: naming one's own state and/or asking for a short break
    inside the conversation ("I notice I'm getting defensive; can we take a short break?")."""
    return cue("named_pause", text) is not None


def incentive(text: str) -> bool:
    """An offer of value to the manager in return ("If you approve it, I'll cover the on-call
    rota", "In return I'll…"); not a threat, and not the ask alone."""
    return cue("incentive", text) is not None


def evaluation(text: str) -> bool:
    """A brief evaluation of the meeting itself ("This was a really useful conversation")."""
    return cue("evaluation", text) is not None


def follow_up_with_time(text: str) -> bool:
    """A follow-up action with a time ("I'll send you the course details by Friday")."""
    return cue("follow_up_with_time", text) is not None


def contracting(text: str) -> bool:
    """Agreeing the meeting's time, focus or how it is recorded ("we have half an hour", "what
    would you like to focus on?", "shall I take notes and send them round?")."""
    return cue("contracting", text) is not None
