"""Pattern tables for :mod:`voicecoach.wording` (data only, no logic).

Every pattern runs on a normalised sentence: lower case, straight apostrophes, single
spaces (see ``wording.normalise``). The tagger tries the stages of ``STAGES`` in order and
the first pattern that matches decides the tag; its matched words become the sentence's cues.
The order is the model: Move Away and listening cues beat everything, incentives beat
requests, strong requests ("could you put me forward…") beat open questions, and so on.
Two stages are markers rather than patterns (``MODAL_YOU``, ``ANY_QUESTION``); the functions
that apply each stage, and the request adjustments after a match, are listed in
:mod:`voicecoach.wording` under "How a sentence is tagged". The tag of each behaviour is in
:mod:`voicecoach.wording.vocabulary`; the filler and hedge word lists are in :mod:`voicecoach.wording.markers`.
"""
from __future__ import annotations

import re

__all__ = [
    "QUOTES",
    "STAGES",
    "MODAL_YOU",
    "ANY_QUESTION",
    "MODAL_YOU_RE",
    "PULL_VERBS",
    "PROPOSAL_ASK_RE",
    "CONTRACTING_RE",
    "NOT_A_PAUSE_RE",
    "SELF_PROPOSAL_ASK_RE",
    "INCENTIVE_ASK_RE",
    "WH_START_RE",
    "QUESTION_START_RE",
    "PSEUDO_CLEFT_RE",
    "EMOTION",
    "EVAL_ADJ",
    "REASONS",
    "ACTION_RE",
    "ACTION_LEMMAS",
    "ACTION_LEMMA_RE",
    "VAGUE_ACTIONS",
    "NOUN_ASK_RE",
    "TIME_RE",
    "VAGUE_RE",
    "VAGUE_TIME_TERMS",
    "VAGUE_OBJECT_RE",
    "VAGUE_REQUEST_EXAMPLES",
]

# Curly quotes and the em dash, as Whisper and word processors write them, read as plain ones.
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-"})

_I_WOULD = r"(?:i'd|i would)"
_I_WANT = r"(?:i'd|i would|i)(?: really| also| just)? (?:like|want|need|love|expect|appreciate)"
_PRE = r"^(?:(?:so|and|but|okay|ok|well|now|then|right|also|um|uh),? )*"  # discourse openers
# Feeling words and judgement words, as regex alternations without word boundaries: used in the
# disclosing / evaluating stages and as the model's ``s=emotion`` / ``s=judgement`` features.
EMOTION = (r"(?:worried|nervous|anxious|uncertain|unsure|scared|afraid|concerned|confused|frustrated|upset|"
            r"disappointed|embarrassed|stressed|overwhelmed|unclear|torn|struggling|hesitant|out of my depth|"
            r"uneasy|insecure|defensive|emotional|intimidated|demotivated|stuck|lost|heated|worked up|anxious)")
_MINUTES = r"(?:a |one |two |five |ten |a few |a couple of |\d+ )?(?:moment|minute|minutes|mins|second|seconds)"
EVAL_ADJ = (
    r"(?:positive|negative|impressive|motivating|draining|energi[sz]ing|fulfilling|satisfying|tedious|"
    r"effective|ineffective|successful|unsuccessful|smooth|confusing|productive|worthwhile|pointless|"
    r"fun|challenging|stretching|invaluable|awful|terrible|disorgani[sz]ed|well organi[sz]ed|"
    r"great|fantastic|excellent|brilliant|rewarding|useful|valuable|helpful|frustrating|"
    r"difficult|hard|unfair|poor|disappointing|stressful|exhausting|amazing|good|bad|"
    r"repetitive|boring|inspiring|interesting|exciting|enjoyable|tough|messy|chaotic|"
    r"outstanding|impressive|solid|strong|weak|mediocre|underwhelming|superb|seamless|painful|inefficient|efficient|"
    r"clunky|slow|a slog|a grind|a win|a disaster|a waste|a letdown|"
    r"well run|badly run|a success|a failure|a mess|a highlight|a struggle)"
)


# Stage markers in STAGES (they carry no patterns):
MODAL_YOU = "@modal_you"  # "could/would/will you <verb>": a request unless the verb asks for talk
ANY_QUESTION = "@any_question"  # a question no earlier stage recognised is involving (Pull)


def _c(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


# (behaviour, is_request, patterns) in the order they are tried; behaviour None is neutral.
STAGES: tuple[tuple[str, bool, tuple[re.Pattern[str], ...]], ...] = (
    ("disengaging", False, _c(
        r"\b(?:pause|stop|break|stop here)(?: for)? (?:a sec|a second|a moment|a minute|a bit)\b|\bbreak off\b",
        r"\b(?:leave|park|hold) (?:that|this|it)(?: one)? (?:for (?:now|the next|another|later|today)|until|till)\b",
        r"\b(?:can|could|may) i (?:get|come) back to you\b|\b(?:continue|finish|pick up) (?:this|it) (?:another|some other|later|tomorrow|next)\b",
        r"\b(?:take|have|need|like|want|get|grab)\b[^.?!]{0,20}\b(?:break|breather|pause|time-?out)\b",
        r"\b(?:pause|stop|break|paus(?:e|ed|ing)|stop(?:ped|ping)?|leave it|leaving it|wrap(?:ped)? up) "
        r"(?:here|there|for a|for " + _MINUTES + r"|for now|for today)",
        r"\bcarr(?:y|ied|ying) on (?:with (?:this|it) )?(?:later|tomorrow|next time|another (?:time|day)|after (?:the |a )?(?:break|lunch|coffee))\b",
        r"\blet me (?:think|reflect|mull|sleep) (?:about|on|over)\b|\b(?:think|reflect)\b[^.?!]*\b(?:come|get) back to you\b",
        r"\b(?:take|need|have|give me|pause for|break for)\b[^.?!]{0,12}?\b" + _MINUTES + r"\b",
        r"\bstep (?:away|back|out)\b",
        r"\b(?:gather|collect) my thoughts\b|\bsleep on it\b|\bneed (?:some )?time to (?:think|process|reflect)\b",
        r"\b(?:pick (?:this|it) up|continue|come back to (?:this|it)) (?:later|after|tomorrow|next)",
    )),
    ("avoiding", False, _c(
        r"\bmov(?:e|ing) on\b|\bit is what it is\b|\b(?:not going to|won'?t|don'?t want to) argue\b|\benough about (?:me|that)\b",
        r"\bi'?d (?:sooner|rather|prefer (?:it if )?(?:we|you)) (?:skip|didn'?t|not|leave|avoid|drop)\b|\bskip (?:the|that|this|over)\b",
        r"\b(?:do|have it) (?:what|whatever) you (?:want|like|think)\b",
        r"\blet'?s not\b",
        _I_WOULD + r" (?:rather|prefer) (?:not|leave|skip|park|wait|hold off|put)\b",
        r"\b(?:prefer|rather) to (?:skip|leave|avoid|not|park|wait)\b",
        r"\blet'?s (?:just )?(?:move on|skip|leave|drop|park|change the subject)\b|\bchange the subject\b",
        r"\b(?:park|shelve|table) (?:that|this|it)\b",
        r"\bnever ?mind\b",
        r"\bforget (?:it|about it|i said)\b",
        r"\b(?:doesn'?t|does not|don'?t|do not) (?:really )?matter\b",
        r"\bnot (?:a big deal|important|worth (?:discussing|going into)|the right time)\b",
        r"\b(?:some ?other|another) time\b",
        r"\bwhatever\b",
        r"\b(?:don'?t|do not) (?:really )?(?:want|need) to (?:go into|talk about|get into|discuss)\b",
        r"\b(?:not|avoid) (?:get|go|getting|going) into\b",
        r"\bleave (?:that|it|this) (?:for|aside|there)\b",
        r"\b(?:talk about|discuss) something else\b",
        r"\bnot (?:really )?something i (?:want|'d like|would like|need) to (?:talk about|discuss|go into|get into)\b",
        r"^anyway\b|\blet'?s (?:just )?(?:carry on|keep going)\b",
        r"\bit'?s nothing\b|\bdon'?t worry about (?:it|that)\b|\bno big deal\b",
        r"^(?:it'?s fine|it'?s ok(?:ay)?|no worries|fine)\b",
    )),
    (None, False, _c(  # small talk and meeting logistics are neutral whatever their form
        r"\bhear me\b(?! out)|\b(?:can|could) you see me\b|\b(?:see|share) my screen\b|\bscreen ?shar",
        r"\b(?:the|my|your) (?:door|window|camera|mic|microphone|connection|wi-?fi|audio|video|parking|traffic|commute|weather)\b",
        r"\b(?:on|off) mute\b|\b(?:un)?mute\b|\byou'?re frozen\b|\bcutting out\b|\byou cut out\b|\bsay that (?:last (?:bit|part) )?again\b",
        r"^(?:hi|hello|hey|morning|good morning|good afternoon|afternoon)\b|\bhow are you(?: doing| keeping| today)?\s*[?.!,]?$",
        r"\bhow (?:was|were) (?:your|the) (?:weekend|holiday|holidays|trip|break|leave|christmas|summer|flight|drive|journey)\b",
        r"\b(?:can|could|may) i (?:have|get|grab) (?:a |some |a quick )?(?:glass of water|water|coffee|tea|drink|seat|chair|pen|tissue)\b"
        r"|\b(?:can|could|may) i (?:have|take|get) (?:a )?(?:quick )?look at (?:the|your|my) (?:slides|agenda|notes|doc|document|deck|screen)\b",
        r"\bcongratulations\b|\b(?:parking|car park) (?:spot|space)\b|\bcan you see (?:the|my) (?:doc|document|screen|slides|file|deck)\b",
        r"^(?:let me|i'?ll) (?:just )?(?:put|turn|grab|close|open|shut|find|pull up|get) (?:my|the|us|you)\b(?! (?:\w+ )?(?:for|on|in) (?:the|a) (?:course|role|project|programme|panel))",
    )),
    ("listening", False, _c(
        r"\bwhat i'?m hearing\b|\bif i'?m hearing you\b",
        r"\b(?:so )?(?:what )?you'?re (?:saying|telling me)\b",
        r"\bif i(?:'ve| have)? (?:understood|understand|got (?:this|that|you))\b",
        r"\b(?:make sure|check)(?: that)? i(?:'ve| have)? (?:understand|understood|got)\b",
        r"\b(?:check|test|confirm) my understanding\b|\bcorrect me if\b|\bam i right\b",
        r"\bsounds like\b",
        r"\bto summari[sz]e\b|\bin summary\b|\bsumming up\b|\bto recap\b|\bplay (?:that|it) back\b",
        r"^so (?:your|the|for you,? the) (?:main |biggest |real |key |big )?(?:concern|worry|point|priority|question|thing|issue)\b",
        r"^(?:okay|ok|right),? so (?:the|your|you|for you)\b",
        r"^so (?:for you|you)\b(?! (?:can|could|'?ll|will))",
        r"\bi hear (?:you|that|what)\b",
        r"\byou'?re (?:worried|concerned)\b",
        r"\bin other words\b",
        r"\bjust to (?:check|confirm|clarify)\b|\bso (?:that )?i'?m clear\b",
        r"\bdid i get that right\b",
        r"\bi (?:can see|understand|get) (?:why|how|where) you\b|\bi (?:understand|get|see) where you'?re coming from\b",
        r"\bwhat you'?re (?:describing|suggesting|proposing|asking for)\b|\bso you(?:'d| would) (?:rather|prefer)\b",
    )),
    ("disclosing", False, _c(  # a sentence that opens with a feeling or doubt is about that
        r"^(?:honestly,? |to be honest,? |i'?ll be honest,? )?i(?:'m| am) (?:a bit |a little |quite |really |very |still |also |\w+ly )?"
        r"(?:not sure|unsure|uncertain|worried|nervous|anxious|scared|afraid|torn|hesitant|not confident)\b",
        r"^(?:honestly,? |to be honest,? )?i (?:worry|doubt|wonder whether i)\b",
    )),
    ("involving", False, _c(
        r"\b(?:can|could|may) i (?:have|get|ask for|grab) your (?:thoughts|view|views|opinion|take|feedback|input|advice|perspective|steer|read)\b",
        _PRE + r"(?:what|where|which|how|why|when|who)(?:'s|'re)?\b(?! if\b| about (?:i|me|we|if|my)\b)[^.?!]*"
        r"\b(?:do|does|did|would) you (?:\w+ )?(?:think|see|want|need|expect|prefer|suggest|recommend|like|say|"
        r"rate|describe|define|measure|look for|value|approach|advise|change|do differently)\b",
    )),
    ("incentives", False, _c(  # an explicit exchange beats the polite request around it ("…if you could…, I'll…")
        r"\bin (?:return|exchange)\b|\bas part of the deal\b",
        r"\bif you\b(?!(?:'re| are| were)? (?:not|unable)\b| (?:don'?t|can'?t|won'?t|couldn'?t|decide not|say no|need|have any)\b)[^.?!]*?,? "
        r"(?:and |then )?(?:i'?ll|i will|i can|i could|" + _I_WOULD + r" (?:happily|gladly|also|(?:be )?(?:happy|glad|willing|prepared) to)|"
        r"i'?m (?:happy|willing|prepared|glad|ready) to)\b(?! (?:need|have to|be able)\b)",
        r"^(?:please,? )?(?:approve|sign|fund|give|put|send|let|book|enrol|enroll|move|promote)\b[^.?!]*\band (?:i'?ll|i will)\b",
        r"^should you\b[^.?!]*\b(?:i'?ll|i will|i'?d|i would)\b",
    )),
    ("stating_expectations", True, _c(  # "I'd appreciate it if you…", "it would help if you…": polite requests
        r"\b(?:appreciate it|be (?:grateful|great|good|helpful|ideal|brilliant)|help(?: me)?|mean a lot|make a (?:big |real )?difference)"
        r" if you(?:'d| would| could| can| were| are)?\b",
    )),
    ("incentives", False, _c(
        r"\bif you\b[^.?!]*\b(?:i'?ll|i will|i can|(?:i'?d|i would) be(?!(?: \w+)? (?:grateful|delighted|thrilled|pleased|chuffed|happy|glad)\b(?! to\b)))\b",
        r"\bin (?:return|exchange)\b|\bas long as\b|\bprovided (?:that )?(?:you|i|the)\b",
        r"\b(?:i'?ll|i will|i'?d|i would|i may|i might)(?: have| need) to (?:consider|start|look|reconsider|leave|move|think about (?:my|other|leaving))\b",
        r"\b(?:other|another|outside|external) (?:offers?|role elsewhere|job)\b|\boffer from\b|\bbeen approached\b",
        r"\blook(?:ing)? elsewhere\b",
        r"^otherwise\b|\bor (?:else )?(?:i'?ll|i will|i'?m (?:gone|off|out|leaving|walking)|i walk|i go|i quit)\b",
        r"\b(?:willing|happy|prepared|ready|glad) to\b[^.?!]*\b(?:if|as part of|in return|provided|as long as)\b",
        r"\bi(?:'ll| will| can| could| would|'d)\b[^.?!]*\bif (?:i|you|the|this|that|my|it)\b",
        r"\bif (?:i can'?t|nothing changes)\b|^if (?:this|that|it) (?:doesn'?t|does not|can'?t|won'?t|isn'?t)\b",
        r"^(?:\w+,? )?if (?:\w+ ){1,4}(?:doesn'?t|does not|don'?t|can'?t|won'?t|isn'?t|aren'?t|never)\b[^.?!]*\bi(?:'ll| will|'d| would| may| might)\b",
        r"\b(?:think (?:\w+ )?about|consider|weigh up|review|explore) (?:my|other) options\b",
        r"\bto make (?:this|it|that) (?:work|happen)\b",
        r"\b(?:apply|applying|look|looking|go|going|move|moving) elsewhere\b|\bpart of the deal\b",
    )),
    (MODAL_YOU, True, ()),  # "could you <verb> …": see MODAL_YOU_RE and PULL_VERBS
    ("stating_expectations", True, _c(
        _PRE + r"please\b(?! (?:tell|say|explain|share|go on|continue|help me understand))",
        r"(?:[,;]|\bso|\band|\bnow)(?: so| now| just)? please (?!tell|say|explain|share|go on|continue|help me understand|don'?t|bear with|let me (?:finish|explain))\w+",
        r"\b(?:can|could|may) i (?:get|have|go|attend|join|be|lead|move|start|take part|sign up|ask you to|take|present|do|run|swap|switch|shadow|drop|work|try)\b(?! back)",
        r"\b(?:is it|would it be|will it be|would that be)(?: at all| even| ever)? possible\b|\b(?:any|is there a|is there any) chance\b|\bis there (?:any|a) way\b",
        r"\b(?:any|some|is there any|would there be any|there'?d be any) scope for\b|\bwould i be able to\b",
        _PRE + r"(?:sorry,? |please,? )?(?:can|could|may|might) i(?:,? um,?| just| possibly| please)? (?!ask|check|say|add|clarify|interrupt|just ask|be honest|get back|come back|think|sleep|help|support)\w+",
        r"\bsee your way to\b|\bcome to me\b|\bi (?:humbly |kindly )?request\b|\b(?:i'?d|i would) rather be (?:given|put|moved|on)\b",
        r"\bi'?d be (?:\w+ )?keen to (?:go|get|be|do|join|attend|take|try|move|lead)\b",
        r"\b(?:can|could) we (?:\w+ ){0,3}(?:me|my)\b(?! (?:thoughts|mind|head|breath)\b)",
        r"\bi (?:wonder|was wondering|am wondering|'m wondering) (?:if|whether) you(?:'d| would| could| might| can)\b",
        r"\bkindly\b|\byou'?ll (?:keep|put|send|let|give|sign|book|look into|think about|consider)\b",
        r"\bi need to know (?:by|whether|if|when)\b|\bi need (?:an answer|a decision|a yes or no)\b",
        r"\bwhat i'?m (?:really |actually )?after\b|\bthat'?s what i (?:want|need|'m after|'m asking for)\b",
        _I_WANT.replace("(?: really| also| just)?", "(?: really| also| just| do)?") + r"(?: for)? you to\b|" + _I_WANT + r" us to (?:agree|confirm|decide|set|fix|book)\b",
        r"^(?:please )?let me know (?:by|whether|if i|when i|your decision)\b",
        r"\bi(?:'?m| am) (?:asking|hoping|requesting)\b[^.?!]*\byou\b|\bi was hoping (?:you|to get|for)\b",
        r"\b(?<!reason )(?<!why )(?:what )?i'?m (?:asking|looking) (?:for|is)\b|\bmy (?:request|ask) (?:is|would be)\b",
        r"\bwhat i (?:need|want|would like|'d like|am asking for|'m after) (?:from you|is)\b",
        r"\b(?:would|it'?d) (?:mean a lot|really help me|be great|be good) if you\b",
        r"\bif you (?:could|would|can)\b",
        _I_WOULD + r"(?: really)? (?:appreciate|be grateful|welcome)\b",
        r"\bi'?m hoping you'?ll\b|\bi hope you'?ll\b|\bi'?m after (?:a|an|your|some)\b",
        r"\b(?:can|could) we agree (?:that|on|to)\b",
        r"\bare you (?:able|willing|happy|prepared) to (?!(?:share|say|tell|explain|talk|discuss|hear|walk|describe)\b)",
        r"\b(?:can|could|shall) we (?:set up|book|schedule|fix|arrange|get|lock in|put (?:me|my name|in)|add me|move me|confirm)\b",
        _PRE + r"(?:please |look,? |just )?(?:put|send|sign|enrol|enroll|book|nominate|approve|add|assign|introduce|invite|loop|register|move|"
        r"give|sort|pay|promote|let|make|get|find|transfer|keep|bring|pair|copy|cc|include|train|fund|sponsor|back) (?:me|my)\b",
    )),
    ("shared_vision", False, _c(
        r"\bimagine\b|\benvision\b|\benvisage\b",
        r"(?:^|\bi |\bjust )picture\b|\bpicture (?:us|the team|what|this|it|where)\b",
        r"\b(?:i )?(?:can )?see us\b|\bwhat i see (?:for us|for the team)\b|\bi(?:'d love to| can| could) see (?:the|a|us|our)\b",
        r"\b(?:a|the|our) future (?:where|in which|together)\b|\bi see a future\b",
        _I_WOULD + r" love (?:for )?(?:us|the team|our team)\b",
        r"\bin (?:a|one|two|three|five) years?'?s? time\b|\ba year from now\b|\bone day we\b",
        r"\b(?:what i'?d love|my hope|my dream|my vision) is\b|\bfor us to be\b",
        r"\bour vision\b|\btogether we could\b|\bwe could (?:become|be the)\b|\bwouldn'?t it be (?:great|amazing|good)\b",
    )),
    ("common_ground", False, _c(
        r"\bwe(?:'ve|'re| have| are)? both\b|\b(?:you and i|you and me) both\b|\bboth (?:of us|want|care)\b",
        r"\bwe (?:all )?agree\b|\bwe(?:'re| are) (?:aligned|in agreement|agreed)\b|\bsame page\b|\bi (?:\w+ly |do )?agree\b(?! to\b)",
        r"^like you\b|\bjust like you\b|\bas you do\b|\b(?:as|like) you said\b|\byou'?re right\b",
        r"\bwe share\b|\bshare (?:the same|your)\b|\bwe have (?:in common|the same)\b|\bcommon ground\b",
        r"\bcomplement(?:s)? each other\b|\bwe (?:want|need|care about) the same\b",
        r"\bour (?:goals|aims|priorities|interests|values) (?:are|seem|overlap)\b",
    )),
    ("proposing", False, _c(
        r"\bi (?:propose|suggest|recommend)\b",
        _I_WOULD + r"(?: like to)? (?:suggest|propose|recommend)\b",
        r"\bmy (?:proposal|suggestion|idea|plan|recommendation|thinking|thought) (?:is|would be|was)\b",
        _PRE + r"what if (?:i|we|you)\b",
        r"\b(?:why don'?t you|how about you|what about you)\b|\b(?:option|idea|plan|thought|suggestion|way to do it)(?: would be| is| might be|,)? (?:for )?you\b",
        _PRE + r"how about (?:i|me|we|if)\b",
        r"\bwhat about (?:me|if i|if we)\b",
        r"\bwhy don'?t (?:i|we)\b|\bhow would it be if i\b|\bwould it (?:help|work) if i\b",
        r"\bhow would you feel (?:about|if) (?:me|i)\b",
        _PRE + r"(?:suppose|say) (?:i|we)\b",
        _PRE + r"(?:maybe|perhaps) (?:i|we) (?!(?:was|were|am|'m|feel|felt|think|thought|don'?t|didn'?t|should|could have|need|just)\b)\w+",
        r"\b(?:one|another|an|the other|an alternative) (?:option|idea|approach|thought) (?:is|would be|might be|could be)\b",
        r"\bi(?:'m| am|'d be| would be) (?:more than |very |really |also )?(?:happy|willing|glad|prepared|ready) to\b",
        r"\b(?:next|first) step (?:is|would be|might be|could be)\b",
        r"(?:^|[,;] |\b(?:and|so|then|or|maybe|perhaps|alternatively|thinking|wondering if|reckon|suppose) )(?:i|we) (?:could|can)(?: also| easily| maybe| perhaps| always| then)? (?!be\b|have\b|see\b|feel\b|tell\b|hear\b|understand\b|imagine\b|"
        r"only\b|not\b|never\b|afford\b|get\b|go\b|do with\b|say\b|ask\b|think\b|remember\b|trust\b)[a-z]+\b",
        r"\blet me (?:own|take|lead|run|handle|pick|draft|organi[sz]e|coordinate|set up)\b",
        r"\bi should\b(?! have)|\bthe way i see it\b|\b(?:what )?i'?m (?:proposing|suggesting)\b|\bi'?d be up for\b|\bi(?:'m| am) offering to\b",
        r"\b(?:is|be) for me to\b",
        r"\blet'?s (?:try|plan|set|agree|schedule|start)\b",
    )),
    ("reasoning", False, _c(  # strong lead-ins only; weaker reasoning cues come last
        _PRE + r"(?:because|since|given that|as a result|that way|this way|so that)\b",
        r"\bthe (?:reason|benefit|advantage|upside)\b(?: for (?:you|us|the team))?(?: i'?m \w+)? is\b",
        r"\bthe (?:main|key|real|important|big|crucial|bigger) (?:thing|point|reason|issue|argument|factor) (?:here |for me )?is\b",
    )),
    ("stating_expectations", True, _c(  # statements of what I want that only the manager can grant
        _I_WANT + r"(?: to)? (?:be (?:considered|put forward|promoted|enrolled|nominated|included|given|moved|part)|be \w+ing)\b",
        _I_WANT + r" (?:a|an|your|some|more|the|my) \w+",
        r"(?<!said )(?<!where )(?<!that )(?<!think )(?<!feel )\bi (?:want|need|expect) to\b(?! (?:say|ask|talk|check|understand|make sure|suggest|propose|share|know|be honest|be clear))",
        _I_WOULD + r"(?: really| just| also)? (?:like|love) to (?:get|go|attend|join|have|present|move|transfer|enrol|sign up|spend|"
        r"work|do|try|teach|sit|cover|train|study|be(?! honest| clear| able to (?:talk|say|explain|discuss))|"
        r"take on|take over|lead|run|own|manage|pick up|head up|step up|shadow)\b",
        r"\bideally,? (?:i'?d|i would|i) (?:get|have|be|move|go|join|start|like|want)\b",
        r"\bi'?m requesting\b|\bi'?m (?:looking for|keen to (?:get|be|go|attend|join|move))\b",
    )),
    ("stating_expectations", False, _c(
        r"\bi'?m (?:looking|aiming|planning|hoping|keen|determined) to (?!ask|check|understand|hear|talk|discuss|get your)\w+",
        r"\bmy (?:goal|aim|ambition|target|plan) (?:is|for (?:the|next) \w+ is) to\b",
    )),
    (ANY_QUESTION, False, ()),  # any other question invites the manager's view: involving
    ("evaluating", False, _c(  # a past feeling about something that happened is an evaluation
        r"\bi was (?:really |very |so |quite |a bit )?(?:disappointed|pleased|impressed|happy|unhappy|frustrated|"
        r"delighted|thrilled|proud|annoyed|upset) (?:with|by|about|that|how|when)\b",
    )),
    ("disclosing", False, _c(
        r"\bi'?m not (?:sure|certain|confident|clear)\b|\bi am not (?:sure|certain|confident)\b",
        r"\bi (?:don'?t|do not) (?:really )?know\b|\bi (?:wasn'?t|was not) sure\b",
        r"\bi (?:feel|felt)\b",
        r"\bi(?:'m| am)(?: getting| becoming| feeling)?(?: a bit| a little| quite| really| very| so| pretty| also| still| \w+ly)? "
        + EMOTION + r"\b|\bi (?:get|got|become|feel|felt)(?: \w+)? " + EMOTION + r"\b",
        r"\bpart of me\b",
        r"\bi'?m (?:still )?(?:figuring|working) out\b|\bi haven'?t (?:figured|worked) out\b|\bi'?m still learning\b",
        r"\bi (?:have to |must )?(?:admit|confess)\b|\bi'?ll be honest\b|\bto be honest\b",
        r"\bi (?:should|could|shouldn'?t|ought to) have\b|\bi should'?ve\b|\bi (?:made|make) (?:a |some )?mistakes?\b|\bmy mistake\b|\bi got\b[^.?!]*\bwrong\b|\bi (?:messed|screwed) up\b",
        r"\bi find (?:this|it|these)(?: \w+)? (?:hard|difficult|tough|uncomfortable|awkward|stressful)\b",
        r"\b(?:the )?first time i'?ve\b|\bi'?ve never\b|\bi struggle\b|\bit makes me (?:nervous|anxious|uneasy)\b",
        r"\bi (?:worry|doubt)\b|\bi have doubts\b|\bmy (?:worry|fear|concern) is\b|\bi'?m not (?:good|great) at\b",
        r"\b(?:that'?s|that was|it'?s|it was) on me\b|\bi dropped the ball\b|\bi (?:froze|panicked|lost my (?:thread|temper|nerve))\b",
        r"\bburn(?:t|ed) out\b|\bi'?ll admit\b|\bthat stung\b|\bi find (?:these|this|it)(?: \w+){0,2} (?:hard|difficult|tough)\b",
    )),
    ("involving", False, _c(
        r"\btell me (?:more|about|what|how|why|where)\b|\b(?:walk|talk|take) me through\b",
        r"\bhelp me understand\b",
        r"\bi'?m curious\b|\bi (?:wonder|was wondering) (?:what|how|whether|if|why)\b",
        r"\bwhat do you think\b|\byour (?:view|thoughts|perspective|opinion|take)\b",
        r"\bhow can i (?:help|support)\b|\bi'?d (?:love|like) to (?:hear|know|understand)\b",
        r"\b(?:interested|keen) (?:to (?:hear|know|understand)|in (?:hearing|your))\b|\byour (?:advice|input|read|steer)\b",
    )),
    ("evaluating", False, _c(
        r"\bi (?:really |genuinely |particularly |especially |also )?(?:enjoyed|loved|liked|valued|appreciated|struggled|hated|disliked)\b",
        r"\bi (?:didn'?t|did not|haven'?t|have not|don'?t|do not) (?:really |particularly )?(?:enjoy|enjoyed|like|liked|love|value)\b",
        r"\bi (?:really )?(?:enjoy|love)\b",
        r"\bi found (?:the|it|that|this|working|my|our)\b",
        r"\bproud of\b",
        r"\b(?:was|were|has been|have been|is|are|felt)(?: (?:a|an|really|very|so|quite|pretty|the most|a really|just|not|\w+ly))* " + EVAL_ADJ + r"\b",
        r"\b(?:handled|run|managed|done|organi[sz]ed|communicated|led)(?: really| very| so)? (?:well|badly|poorly)\b",
        r"\b(?:worked (?:really )?well|didn'?t work|went (?:really |very )?(?:well|badly|smoothly)|handled (?:badly|well|poorly))\b",
        r"\b(?:most|least) (?:rewarding|enjoyable|valuable|interesting|useful|difficult|frustrating)\b",
        r"\b(?:isn'?t|is not|aren'?t|wasn'?t|weren'?t) (?:working|helping)\b|\bi learned a lot\b",
        r"\bthe (?:highlight|best part|worst part|low point|high point)\b|\ba (?:\w+ )?(?:highlight|waste of time|pleasure|nightmare)\b",
    )),
    ("reasoning", False, _c(
        r"\b(?:because|since|given that|as a result|so that|that way|which means|which is (?:exactly|why)|that'?s why)\b",
        r"\b(?:would|will|could|should|'d|'ll) (?:also )?(?:help|save|free up|reduce|cut|improve|increase|make it easier|mean|allow|let you|support|give you|be (?:ready|able|in a position))\b",
        r"\b(?:this|that|it) (?:fits|supports|aligns|matters|helps|saves|reduces|lines up|ties in|builds on|means|would mean|'d mean)\b",
        r"\byou (?:wouldn'?t|won'?t|would not|will not) (?:have|need) to\b|\byou'?d no longer\b",
        r"\byou (?:mentioned|said|told me)\b|\b(?:doesn'?t|wouldn'?t|won'?t) need\b|\bno need for\b|\bwould matter\b",
        r"\b(?:in line|lines up|fits|aligns|ties in) with\b|\binstead of\b|\brather than\b",
        r"\b(?:a chance|an opportunity|a way) to\b|\bi'?m (?:the (?:obvious|natural|right) (?:fit|choice|person)|well placed|well positioned)\b",
        r"\bi'?ve (?:already )?(?:delivered|shown|proven|demonstrated|led|managed|built)\b",
        r"\b(?:i|we)(?:'ve| have)? (?:already |successfully |also |recently )?(?:delivered|shipped|launched|saved|grew|grown|reduced|"
        r"cut|increased|improved|doubled|halved|mentored|trained|won|closed|exceeded|automated|migrated|led|built|onboarded|"
        r"hit (?:every|all|my|our)|brought in)\b",
        r", so (?:i|we|you|it|that|the)\b|\bso (?:you|we) (?:can|could|would|'d)\b",
        r"\b(?:higher|lower|more|less|fewer|faster|cheaper|bigger|smaller|above|below) than\b|\b(?:\d+|\w+) ?(?:%|percent|per cent)\b",
        r"\b(?:nobody|no one|no-one|none of the others) (?:else )?(?:on|in|at)\b|\b(?:nobody|no one|no-one) else\b|\bthe only (?:one|person)\b",
    )),
)

# An offer whose condition is something the manager does or grants is also the ask
# ("If you approve the course, I'll…", "…if I can go to the conference", "I need an answer soon").
INCENTIVE_ASK_RE = re.compile(
    r"\bif you\b(?!(?:'re| are| were)? (?:not|unable)\b| (?:don'?t|can'?t|won'?t|couldn'?t|decide not|say no)\b)|^should you\b"
    r"|\bif i (?:can|could|get|got|am given|'m given|was given|were given|'m allowed|am allowed)\b"
    r"|\bif (?:the|my|this|that) (?:\w+ ){0,3}(?:goes through|go through|changes|is approved|gets approved|happens|comes through)\b"
    r"|\bi need (?:an answer|a decision|to hear)\b"
    r"|^(?:please |look,? |so,? )?(?:sign|approve|fund|give|put|send|let|book|enrol|enroll|move|promote|pay|match|make|get)\b"
    r"[^.?!]*\b(?:and|or) (?:else )?i\b|\b(?:need|want) you to\b"
)
# A proposal about the speaker's own role, time or development needs the manager's yes: an ask
# ("How about I step in as acting lead?", "Let me run the induction", "…for me to shadow the lead").
SELF_PROPOSAL_ASK_RE = re.compile(
    r"\b(?:how about|what if|why don'?t|suppose|what about) (?:i|me)\b(?! (?:just )?(?:explain|tell|show|ask|check)\b)"
    r"|\blet me (?!(?:just )?(?:know|think|check|explain|finish|say|ask|be|make sure|put it|start|turn|grab|get back)\b)\w+"
    r"|\b(?:propos\w*|suggest\w*|recommend\w*|thinking|idea|plan|proposal)(?: is)?(?: that|:)? i (?:take|run|cover|lead|own|handle|move|go|join|manage|head|step|spend|keep|drop|work|pick|become|act|shadow|start|try|do|present|switch|swap)\b"
    r"|\b(?:propos\w*|suggest\w*|recommend\w*)(?: is)?(?: that|:)? (?:we|you) (?:\w+ ){1,2}(?:me|my)\b(?! (?:thoughts|mind|head|breath)\b)"
    r"|\bi should be the one\b|\btry me (?:on|in|as|out)\b|\bso i (?:cover|take|lead|run|own|get)\b"
    r"|\bfor me to\b|\b(?:i|me) (?:could|can|should) (?:take|lead|run|own|step|move|go|shadow|spend|join|head|manage|pick|"
    r"act|cover|attend|sit|present|work|switch|swap|drop|start)\b"
)
# Time asked for outside the conversation is a request, not a pause: a break from a duty, a career
# break, minutes at a meeting to present something ("Can I have ten minutes at the all-hands to demo…").
NOT_A_PAUSE_RE = re.compile(
    r"\bcareer break\b|\bsabbatical\b"
    r"|\b(?:break|pause|rest|time-?out|time away|time off)\b (?:from|away from) (?!(?:this|it|here|the conversation|talking|that)\b)"
    r"|\b(?:minutes?|mins|slot)\b[^.?!]*\b(?:at|in|during|on) (?:the |a |our |next |this |\w+'s )?(?:\w+ )?"
    r"(?:meeting|all-hands|stand-?up|review|briefing|huddle|session|away-?day|offsite|showcase|forum|board)\b"
    r"|\b(?:minutes?|mins)\b[^.?!]*\bto (?:present|pitch|demo|show|talk (?:about|through) (?:the|my))\b"
    r"|\bbreak for (?:\w+ )?(?:weeks|months|a year|a month|a term)\b"
)
# Contracting at the start ("What I want out of this conversation is clarity") is not a request.
CONTRACTING_RE = re.compile(
    r"\b(?:out of|from) (?:this|today|the|our) (?:conversation|meeting|chat|session|one-to-one|1:1|catch-up|time)\b"
    r"|\b(?:out of|from) today\b|\bby the end of (?:this|today|the meeting|the conversation)\b(?! (?:week|month|year|quarter))"
)
PROPOSAL_ASK_RE = re.compile(
    r"\byou(?:'d| would| could| can| just)? (?!know|mean|think|see|said|say|feel|want|need|were|are|have|had|do|did|get|"
    r"told|like|prefer|tell|asked|heard|hear)\w+ (?:\w+ )?(?:me|my)\b"
)

# "could you / would you …" questions: the verb decides between a request and a Pull question.
MODAL_YOU_RE = re.compile(
    r"\b(?:could|can|would|will) you(?: please| possibly| perhaps| maybe| kindly| also)?"
    r"(?: be able to| be willing to| mind)? (\w+)(?: (\w+))?"
)
PULL_VERBS = frozenset({
    "say", "tell", "explain", "describe", "share", "walk", "clarify", "elaborate", "expand",
    "talk", "like", "prefer", "see", "remind", "repeat", "unpack", "go", "know",
})
# "when can you confirm…" asks for a date: a request; other wh + modal-you questions ask for a view
WH_START_RE = re.compile(_PRE + r"(?:what|how|why|where|which|who)(?:'s|'re)?\b")
QUESTION_START_RE = re.compile(
    _PRE + r"(?:what|how|why|where|when|which|who|do|does|did|is|are|was|were|could|can|would|will|"
    r"should|have|has|shall|may|might)\b"
)
# "What worked well for me was…", "What I'd like is…": statements that start like questions
PSEUDO_CLEFT_RE = re.compile(
    r"^what (?:i|i'm|i'd|i've|we|we're|really|worked|matters|helps|helped|happened|\w+ed)\b[^?]*"
    r"\b(?:is|was|are|were)\b[^?]*$"
)

REASONS = {
    "proposing": "Puts forward an idea or plan of your own: Push (proposing).",
    "reasoning": "Gives a reason that backs a proposal or view: Push (reasoning).",
    "stating_expectations": "Asks the manager to do or grant something: a request, Push (stating expectations).",
    "evaluating": "Judges what went well or badly: Push (evaluating).",
    "incentives": "Offers something in return or names a consequence: Push (incentives and pressures).",
    "involving": "Invites the manager's view with an open question: Pull (involving).",
    "listening": "Reflects back or summarises what the manager said: Pull (listening).",
    "disclosing": "Shares your own uncertainty, feelings or mistakes: Pull (disclosing).",
    "common_ground": "Names what you and the manager agree on or share: Pull (common ground).",
    "shared_vision": "Paints a picture of a future you build together: Pull (shared vision).",
    "disengaging": "Deliberately pauses the conversation: Move Away (disengaging).",
    "avoiding": "Steers away from a topic: Move Away (avoiding).",
    None: "Neither Push, Pull nor Move Away: neutral (greetings, small talk, logistics).",
}

# ---- specificity -------------------------------------------------------------------------
_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|november|"
          r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)")
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_UNIT = r"(?:day|week|month|quarter|year|sprint|cycle|term|half|spring|summer|autumn|fall|winter)"
_EVENT = r"(?:intake|review|meeting|round|cycle|deadline|session|board|call|offsite|planning|release|1:1|one-to-one)"
_ORDINAL = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
            r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|"
            r"(?:twenty|thirty)-?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))")
_ANCHOR = (
    r"(?:(?:end|start|beginning|middle) of (?:the |this |next )?(?:" + _UNIT + "|" + _MONTH + ")"
    r"|(?:next|this|coming|upcoming)(?: \w+(?:'s)?)?(?: \w+)? (?:" + _UNIT + "|" + _EVENT + r")s?"
    r"|(?:next |this |coming )?" + _DAY + r"(?:'s)?(?:(?: \w+)? " + _EVENT + ")?"
    r"|(?:\d{1,2}(?:st|nd|rd|th)?|" + _ORDINAL + ") (?:of )?" + _MONTH +
    r"|" + _MONTH + r"(?:'s)?(?: \d{1,2}(?:st|nd|rd|th)?)?(?: " + _EVENT + ")?"
    r"|q[1-4]|h[12]|tomorrow|today|tonight|20\d\d"
    r"|(?:the next |the coming )?(?:\w+|\d+) (?:days|weeks|months)(?: time| from now)?"
    r")"
)
TIME_RE = re.compile(
    r"\b(?:(?:by|before|after|until|till|from|in|at|on|during|for|within|ahead of|no later than|"
    r"starting(?: in| on| from)?|in time for) )?(?:the )?" + _ANCHOR + r"\b"
)
# concrete actions a manager can take (first match in the sentence is the action)
ACTION_RE = re.compile(
    r"\b(?P<action>put (?:me|my name|\w+) forward|put forward|sign (?:me )?up|sign off|sign-off|make me|"
    r"make(?= (?:my|our|the|this) )|"
    r"enrol|enroll|register|book|send|invite|nominate|recommend|approve|fund|sponsor|promote|"
    r"introduce|give|assign|confirm|schedule|add|include|move|transfer|pay|offer|appoint|"
    r"take on|take over|lead|run|manage|attend|join|present|go to|cover|allow|let|consider|considered|think about|look into|"
    r"keep (?:me )?in mind|support|help)\b"
)
# Inflected action verbs ("My manager enrols me…", "has booked me…") read as their base form.
ACTION_LEMMAS = {
    **{f: "enrol" for f in ("enrols", "enrolled", "enrolling", "enrolls", "enroll")},
    **{f: "send" for f in ("sends", "sent", "sending")},
    **{f: "give" for f in ("gives", "gave", "given", "giving")},
    **{f: "put" for f in ("puts", "putting")},
    **{f: "book" for f in ("books", "booked", "booking")},
    **{f: "invite" for f in ("invites", "invited", "inviting")},
    **{f: "nominate" for f in ("nominates", "nominated", "nominating")},
    **{f: "approve" for f in ("approves", "approved", "approving")},
    **{f: "fund" for f in ("funds", "funded", "funding")},
    **{f: "sign" for f in ("signs", "signed", "signing")},
    **{f: "promote" for f in ("promotes", "promoted", "promoting")},
    **{f: "register" for f in ("registers", "registered", "registering")},
    **{f: "assign" for f in ("assigns", "assigned", "assigning")},
    **{f: "sponsor" for f in ("sponsors", "sponsored", "sponsoring")},
    **{f: "schedule" for f in ("schedules", "scheduled", "scheduling")},
    **{f: "confirm" for f in ("confirms", "confirmed", "confirming")},
    **{f: "transfer" for f in ("transfers", "transferred", "transferring")},
    **{f: "appoint" for f in ("appoints", "appointed", "appointing")},
    **{f: "recommend" for f in ("recommends", "recommended", "recommending")},
    **{f: "introduce" for f in ("introduces", "introduced", "introducing")},
    **{f: "offer" for f in ("offers", "offered", "offering")},
    **{f: "pay" for f in ("pays", "paid", "paying")},
    **{f: "move" for f in ("moves", "moved", "moving")},
    **{f: "add" for f in ("adds", "added", "adding")},
    **{f: "allow" for f in ("allows", "allowed", "allowing")},
    **{f: "let" for f in ("lets", "letting")},
}
ACTION_LEMMA_RE = re.compile(r"\b(?:" + "|".join(sorted(ACTION_LEMMAS, key=len, reverse=True)) + r")\b", re.I)
VAGUE_ACTIONS = frozenset({"consider", "considered", "think about", "look into", "keep in mind",
                           "keep me in mind", "support", "help"})
# "I'd like a slot …", "I want a pay rise": the ask is a noun, the action is the manager giving it
NOUN_ASK_RE = re.compile(
    r"\b(?:like|want|need|love|appreciate|get|have|asking for|is|be) (?P<object>(?:a|an|your|the|my|some|more)"
    r"(?: \w+(?:-\w+)?){1,8})"
)
# vague words that stand where a time should be: "is not a time" rather than "not an action"
VAGUE_TIME_TERMS = frozenset({"soon", "at some point", "eventually", "in the future", "sometime"})
VAGUE_RE = re.compile(
    r"\b(?:support|commitment|committed|backing|buy-in|help|think about it|consider(?:ed)?|"
    r"look into it|keep me in mind|bear me in mind|more responsibility|development|growth|"
    r"opportunit(?:y|ies)|visibility|exposure|soon|at some point|eventually|in the future|"
    r"something|anything|sometime)\b"
)
VAGUE_OBJECT_RE = re.compile(
    r"^(?:(?:your|my|some|more|the|a|an|any|of|with|on|me|it|that|this|for|in|and|my|career|"
    r"personal|professional|manager'?s?)\s*|"
    r"(?:support|commitment|backing|buy-in|help|development|growth|opportunit(?:y|ies)|"
    r"responsibility|visibility|exposure|progression|encouragement|guidance|something|things)\b\s*)+$"
)
VAGUE_REQUEST_EXAMPLES = (
    "enrol me on the leadership course before the March intake",
    "send me an email invitation to the data conference by Friday",
    "give me a slot to present my proposal at next Tuesday's leadership meeting",
)
