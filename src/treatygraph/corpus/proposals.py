"""What a draft proposes for a text: quotations with speakers, name mentions, resolved dates.

Each proposal is found by plain rules on the text and settled with a maintained library:
names are matched to the graph's labels and altLabels exactly, then with rapidfuzz for near
misses ("Russia’s", "King’s College in London"); dates are resolved by dateparser against the
document's own publication date. Nothing here decides; a person reviews the draft.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from treatygraph.corpus.documents import DocumentText
from treatygraph.corpus.mentions import candidates

NEAR_MISS = 85  #: rapidfuzz ratio (0-100) from which a name is proposed as a known entity
_QUOTE = re.compile(r"“([^“”]+)”|\"([^\"\n]+)\"")
_SENTENCE_END = re.compile(r"[.?!][”’\"')\]]*(?=\s)|\n")
_VERB = r"told|tells|said|says|saying|wrote|writes|added|adds|called|calls|continued|argued"
_AFTER = re.compile(rf"^[\s,”\"]*(?P<pre>[^“\"]*?)\b(?P<verb>{_VERB})\b(?P<post>[^“\"]*)")
_BEFORE = re.compile(rf"\b(?P<verb>{_VERB})\b[^“\"]*$")
_PRONOUNS = {"he", "she", "they", "we", "i", "it"}
_DATE_WORDS = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday",
}  # fmt: skip
#: Sentence-initial words that are capitalised only for that (checked when no name matches).
_FILLER = re.compile(
    r"[A-Z][a-z]+ing|According|Across|Despite|Remember|However|Although|While|After|Before"
    r"|During|Since|Because|Still|Yet|Here|There|These|Those|What|Where|When|Why|How"
    r"|In|On|At|By|For|From|With|As|To|Of|The|A|An|This|That|It|Its"
    r"|One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Eleven|Twelve"
)
_NUMBER_WORDS = "(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)|\\d+"
_MONTH = "January|February|March|April|May|June|July|August|September|October|November|December"
_WEEKDAY = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_PREPOSITION = r"(?:(?i:on|in|since|by|effective|from|until|last|next|this|early|late) )?"
_DATE_PHRASES = re.compile(
    rf"\b{_PREPOSITION}(?:"
    rf"(?:{_MONTH})(?: \d{{1,2}})?(?:,? (?:19|20)\d\d)?"
    rf"|(?:{_WEEKDAY})"
    rf"|(?:[Tt]oday|[Yy]esterday|[Tt]omorrow)"
    rf"|(?:{_NUMBER_WORDS}) (?:days?|weeks?|months?|years?) ago"
    rf"|(?:19|20)\d\d"
    rf")\b"
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class QuoteProposal:
    """A direct quotation and the speaker proposed from the attribution next to it."""

    text: str
    start: int
    end: int
    who: str | None  #: the words naming the speaker, as the text has them
    speaker: str | None  #: slug of the matched entity (None: no match)
    basis: str  #: how the speaker was found, for the reviewer


@dataclass(frozen=True)
class MentionProposal:
    """A proper name: linked to a known entity, a near miss, a new-entity candidate, or ignored."""

    surface: str
    start: int
    end: int
    slug: str | None
    kind: str  #: "label", "near miss", "new", "ignored"
    reason: str


@dataclass(frozen=True)
class DateProposal:
    """A date phrase resolved against the publication date."""

    phrase: str
    start: int
    end: int
    value: str  #: lexical form at the precision dateparser gives (2018-10-20, 2018-06, 2014)
    datatype: str  #: "date", "gYearMonth" or "gYear"
    basis: str  #: "StatedDate" (a year is written) or "RelativeToPublication"


class Names:
    """The graph's names (labels and altLabels) for matching mentions and speakers."""

    def __init__(self, names: dict[str, str]) -> None:
        self.by_lower = {name.lower(): slug for name, slug in names.items()}
        self.choices = list(self.by_lower)

    def exact(self, name: str) -> str | None:
        return self.by_lower.get(_bare(name).lower())

    def near(self, name: str) -> tuple[str, str, float] | None:
        """(slug, matched name, score) of the closest name, when it is close enough."""
        if not self.choices:
            return None
        best = process.extractOne(_bare(name).lower(), self.choices, scorer=fuzz.ratio)
        if best is None or best[1] < NEAR_MISS:
            return None
        return self.by_lower[best[0]], best[0], float(best[1])


def _bare(name: str) -> str:
    """A name without a possessive ending or surrounding article and punctuation."""
    name = re.sub(r"[’']s$", "", name.strip(" ,.;:—–-"))
    return re.sub(r"^(?:the|a|an) ", "", name, flags=re.IGNORECASE)


def sentence_bounds(text: str, start: int, end: int, limit: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]``, without the spaces (no-break ones too) before it."""
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    while left < start and text[left].isspace():
        left += 1
    right = limit
    for match in _SENTENCE_END.finditer(text, end, limit):
        right = match.start() if match.group() == "\n" else match.end()
        break
    return left, right


def _who_after(after: str) -> str | None:
    """The speaker named after a quote: "…,” Trump told reporters", "…,” said Vipin Narang"."""
    match = _AFTER.match(after)
    if not match:
        return None
    pre = match.group("pre").strip(" ,")
    if pre:
        return pre.split(",")[0].strip()
    post = re.sub(r"^(?:me|reporters|the \w+)\b\s*", "", match.group("post").strip(" ,"))
    return post.split(",")[0].strip() or None


def _who_before(before: str) -> str | None:
    """The speaker named before a quote: "Bolton called the accord “", "what he calls the “"."""
    verbs = list(re.finditer(rf"\b(?:{_VERB})\b", before))
    if not verbs or re.search(r"[“\"]", before[verbs[-1].end() :]):
        return None
    pre = before[: verbs[-1].start()].rstrip(" ,")
    last = pre.split()[-1] if pre.split() else ""
    if last.lower() in _PRONOUNS:
        return last
    subject = re.sub(r"^(?:At the time|Before [^,]*|In [^,]*|And|But|So),\s*", "", pre.strip())
    subject = re.split(r",| on | in ", subject, maxsplit=1)[0].strip()
    if re.fullmatch(r"(?:[A-Z][\w’'.-]*\s?)+", subject):
        return subject
    name = re.search(r"(?:[A-Z][\w’'.-]*\s?)+$", pre)
    if name and name.start() > 0 and pre[name.start() - 1] in " ,":
        return name.group(0).strip()
    return subject or None


def _person_name(who: str) -> str:
    """A name after a title: "German Foreign Minister Heiko Maas" -> "Heiko Maas"."""
    words = who.split()
    if len(words) >= 3 and all(w[0].isupper() for w in words):
        return " ".join(words[-2:])
    return who


def full_names(body: str) -> dict[str, str]:
    """Surname -> the first fuller name in the text that ends with it ("Gorbachev" ->
    "Mikhail Gorbachev", "Trump" -> "Donald Trump" from "President Donald Trump")."""
    found: dict[str, str] = {}
    for run in _runs(body):
        words = body[run.start : run.end].split()
        if 2 <= len(words) and all(w[0].isupper() for w in words):
            name = _person_name(" ".join(words))
            found.setdefault(name.split()[-1], name)
    return found


def propose_quotes(text: DocumentText, names: Names) -> list[QuoteProposal]:
    """Every quotation in the body, each with a speaker from the attribution beside it."""
    body = text.body
    surnames = full_names(body)
    found: list[QuoteProposal] = []
    last: dict[int, str] = {}  # paragraph start -> the last speaker's words there
    for match in _QUOTE.finditer(body):
        group = 1 if match.group(1) is not None else 2
        start, end = match.start(group), match.end(group)
        left, right = sentence_bounds(body, start, end, len(body))
        paragraph = body.rfind("\n", 0, start) + 1
        quoted = body[start:end]
        if quoted[-1:] in (".", "?", "!"):  # the quote ends its sentence: “… a trap.”
            right = end + 1
        who = _who_after(body[end + 1 : right]) if quoted[-1:] in ",.?!" else None
        who = who or _who_before(body[left : start - 1])
        basis = "the attribution in its sentence"
        if who is None and paragraph in last:
            who, basis = last[paragraph], "the previous quotation's speaker in its paragraph"
        elif who and who.lower() in _PRONOUNS:
            first = re.match(r"(?:[A-Z][\w’'.-]*\s?)+", body[paragraph:])
            if first:
                who, basis = first.group(0).strip(), f"{who!r}: the paragraph's first name"
        elif who and re.fullmatch(r"the \w+", who):
            earlier = [q.who for q in found if q.who and who.split()[1] in q.who]
            if earlier:
                who, basis = earlier[-1], f"{who!r}: the earlier speaker it refers to"
        speaker = None
        if who:
            who = _person_name(who)
            if names.exact(who) is None and who in surnames:
                who, basis = surnames[who], basis + f" ({who!r}: the fuller name in the text)"
            speaker = names.exact(who)
            if speaker is None:
                near = names.near(who)
                if near is not None:
                    speaker = near[0]
                    basis += f" (near miss for {near[1]!r}, score {near[2]:.0f})"
                else:
                    speaker = slug_for(who)
                    basis += " (a new entity)"
        found.append(QuoteProposal(quoted, start, end, who, speaker, basis))
        if who:
            last[paragraph] = who
    return found


def slug_for(name: str) -> str:
    """The slug a new resource named ``name`` would get: ASCII words joined by hyphens."""
    import unicodedata

    bare = re.sub(r"[’']", "", _bare(name))
    ascii_only = unicodedata.normalize("NFKD", bare).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")


def _runs(body: str) -> list[Span]:
    """Runs of capitalised candidate words joined by spaces or short connectors ("Center for a
    New American Security"); a date word ("in May", "on Saturday") always stands alone."""
    runs: list[Span] = []
    previous = ""
    for word in candidates(body):
        if runs and word.word not in _DATE_WORDS and previous not in _DATE_WORDS:
            gap = body[runs[-1].end : word.start]
            if re.fullmatch(r"(?:[’']s)? (?:(?:of|on|in|for|a|the)[ ])*| ?[-–] ?", gap):
                runs[-1] = Span(runs[-1].start, word.end)
                previous = word.word
                continue
        runs.append(Span(word.start, word.end))
        previous = word.word
    return runs


def _starts_sentence(body: str, start: int) -> bool:
    before = body[max(0, start - 8) : start]
    return bool(re.search(r"(?:^|[.?!:][”’\"')\]]*\s+|\n)[“\"(‘\[]*$", before))


def propose_mentions(text: DocumentText, names: Names) -> list[MentionProposal]:
    """Every proper name of the body, matched to known names; the rest are new candidates."""
    body = text.body
    surnames = full_names(body)
    found: list[MentionProposal] = []
    for run in _runs(body):
        tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", body[run.start : run.end])]
        tokens = [(run.start + a, run.start + b) for a, b in tokens]
        first = body[tokens[0][0] : tokens[0][1]]
        if (
            _starts_sentence(body, tokens[0][0])
            and _FILLER.fullmatch(first)
            and names.exact(first) is None
        ):
            reason = "capitalised only because it starts a sentence"
            found.append(MentionProposal(first, *tokens[0], None, "ignored", reason))
            tokens = tokens[1:]
            while tokens and body[tokens[0][0]].islower():
                tokens = tokens[1:]
        words = [body[a:b] for a, b in tokens]
        if any(w.islower() for w in words) and not any(
            names.exact(body[tokens[i][0] : tokens[j][1]])
            for i in range(len(tokens))
            for j in range(i, len(tokens))
        ):  # "Treaty on Conventional Armed Forces in Europe": one name, however it ends
            found += _unmatched(body, [(tokens[0][0], tokens[-1][1])], names, surnames)
            continue
        i = 0
        pending: list[tuple[int, int]] = []
        while i < len(tokens):
            match = None
            for j in range(len(tokens), i, -1):
                surface = body[tokens[i][0] : tokens[j - 1][1]]
                slug = names.exact(surface)
                if slug is not None:
                    match = (j, surface, slug)
                    break
            if match is None:
                pending.append(tokens[i])
                i += 1
                continue
            found += _unmatched(body, pending, names, surnames)
            pending = []
            j, surface, slug = match
            bare = _bare(surface)
            found.append(
                MentionProposal(
                    bare, tokens[i][0], tokens[i][0] + len(bare), slug, "label", "exact name"
                )
            )
            i = j
        found += _unmatched(body, pending, names, surnames)
    return found


def _unmatched(
    body: str, tokens: list[tuple[int, int]], names: Names, surnames: dict[str, str]
) -> list[MentionProposal]:
    """Consecutive words no exact name covers: a date word, a near miss, or a new entity."""
    out: list[MentionProposal] = []
    groups: list[list[tuple[int, int]]] = []
    for token in tokens:
        if groups and body[groups[-1][-1][1] : token[0]].strip(" -–") == "":
            groups[-1].append(token)
        else:
            groups.append([token])
    for group in groups:
        while group and body[group[-1][0]].islower():  # "Geneva on" the New START: "Geneva"
            group = group[:-1]
        while group and body[group[0][0]].islower():
            group = group[1:]
        if not group:
            continue
        start, end = group[0][0], group[-1][1]
        surface = _bare(body[start:end]).strip('“”"()')
        start = body.index(surface, start)
        end = start + len(surface)
        if surface in _DATE_WORDS:
            out.append(MentionProposal(surface, start, end, None, "ignored", "date word"))
            continue
        if surface.lower() in _PRONOUNS:
            out.append(MentionProposal(surface, start, end, None, "ignored", "pronoun"))
            continue
        near = names.near(surface)
        if near is not None:
            reason = f"near miss for {near[1]!r} (rapidfuzz score {near[2]:.0f})"
            out.append(MentionProposal(surface, start, end, near[0], "near miss", reason))
            continue
        if surface in surnames and surnames[surface] != surface:
            reason = f"no label or altLabel; the fuller name in the text is {surnames[surface]!r}"
            out.append(
                MentionProposal(surface, start, end, slug_for(surnames[surface]), "new", reason)
            )
            continue
        out.append(
            MentionProposal(surface, start, end, slug_for(surface), "new", "no label or altLabel")
        )
    return out


def propose_dates(text: DocumentText, published: dt.date, language: str) -> list[DateProposal]:
    """Every date phrase of the body, resolved by dateparser against ``published``."""
    from dateparser.date import DateDataParser

    parser = DateDataParser(
        languages=[language],
        settings={
            "RELATIVE_BASE": dt.datetime.combine(published, dt.time()),
            "PREFER_DATES_FROM": "current_period",
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    found = []
    for match in _DATE_PHRASES.finditer(text.body):
        phrase = match.group(0)
        core = re.sub(r"^(?i:on|in|since|by|effective|from|until) ", "", phrase)
        data = parser.get_date_data(core)
        if data.date_obj is None:
            continue
        day = data.date_obj.date()
        if data.period == "year":
            value, datatype = f"{day.year:04d}", "gYear"
        elif data.period == "month":
            value, datatype = f"{day.year:04d}-{day.month:02d}", "gYearMonth"
        else:
            value, datatype = day.isoformat(), "date"
        basis = "StatedDate" if re.search(r"\b(?:19|20)\d\d\b", phrase) else "RelativeToPublication"
        found.append(DateProposal(phrase, match.start(), match.end(), value, datatype, basis))
    return found
