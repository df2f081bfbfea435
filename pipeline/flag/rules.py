"""The safety knowledge behind the flags, loaded from ``pipeline/data/safety/*.yaml``.

Users add files with ``--rules FILE``. A later file extends an earlier one: a cue entry, an
interaction, a cramp-inducing drug, a hazardous remedy or a child-medicine warning with the same
``name`` replaces the earlier entry; settings are overridden key by key. Every fact that can raise
a flag carries its severity, a ``why`` a reviewer can read and a ``source``. Loading refuses
unknown sections and keys, unknown cue sets, bad severities and broken patterns with a message
naming the file and the entry.

Cue phrases are indexed by their first words and patterns compiled, once, when the rules load. A
pattern entry may name ``anchors`` (one of these words must be in the comment for its patterns to
run) and ``also_anchors`` (a second list, one of whose words must be there too); the anchor
``{number}`` stands for any number, in digits or words. Anchors only save time: most comments
are settled by a set lookup instead of a regular-expression scan.
"""
from __future__ import annotations

import itertools
import operator
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Sequence

from pipeline.errors import RuleFileError
from pipeline.flag.text import NUMBER_PATTERN, NUMBER_WORDS
from pipeline.io.rule_files import check_keys, packaged_files, parse_yaml, string_list, user_files

SEVERITIES = ("low", "medium", "high", "urgent")
FLAGS = (
    "dvt", "red_flag_symptom", "polypharmacy", "drug_interaction", "cramp_inducing_drug", "hazardous_remedy",
    "pediatric_medication", "pregnancy", "elderly", "distress", "personal_data", "self_promotion", "medical_question",
)
STATUSES = ("current", "historical", "question", "suspected", "negated", "general")
DROP = "drop"

#: Cue sets whose entries raise flags themselves, so each needs a severity, a why and a source.
FACT_SETS = frozenset({
    "dvt_term", "dvt_sign", "red_flag_symptom", "pregnancy", "distress", "personal_data", "personal_contact",
    "self_promotion", "advice_request",
})
#: Cue sets that only give context; every name the rules look up must be listed here or in FACT_SETS.
CONTEXT_SETS = frozenset({
    "negation", "pseudo_negation", "negation_after", "history", "current", "general", "question", "bleeding",
    "symptom_words", "medicine_words", "dvt_risk_factor", "leg_complaint", "laxative_overuse", "age",
    "senior_context", "elderly_words", "child_young", "child_relation", "child_giving", "rhetorical_question",
    "pregnancy_idiom", "by_mouth", "medicine_count", "use_words", "hypothetical", "suspicion", "clot_all_clear",
    "relative_age", "past_story",
})
_SECTIONS = {
    "cue_sets", "status_severity", "settings", "red_flag_includes", "polypharmacy", "interactions",
    "interaction_with_bleeding", "cramp_inducing", "hazardous_remedies", "elderly", "pregnancy", "pediatric",
    "bleeding_red_flag",
}
_BLEEDING_KEYS = {"label", "severity", "why", "source", "with_any"}
_CUE_KEYS = {"name", "label", "phrases", "patterns", "anchors", "also_anchors", "severity", "why", "source", "more_than_minutes", "is_link",
             "needs_question"}
_SIDE_KEYS = {"classes", "concepts", "exclude_concepts"}
_INTERACTION_KEYS = {"name", "first", "second", "severity", "why", "source"}
_CRAMP_KEYS = {"severity", "drugs"}
_CRAMP_DRUG_KEYS = {"name", "label", "classes", "concepts", "why", "source"}
_HAZARD_KEYS = {"name", "label", "match", "requires_cue", "dose_over_mg", "with_any", "severity", "why", "source"}
_POLYPHARMACY_KEYS = {
    "categories", "generic_concepts", "medium_at", "high_at", "raise_classes", "raise_age", "severity_cap",
    "why_medium", "source_medium", "why_high", "source_high",
}
_ELDERLY_KEYS = {"label", "severity", "why", "source"}
_PREGNANCY_KEYS = {"severity", "severity_with_leg_sign", "why", "source"}
_PEDIATRIC_KEYS = {"severity", "severity_for_medicine", "high_categories", "why", "source", "warnings"}
_WARNING_KEYS = {"name", "concepts", "classes", "why", "source"}
_SETTING_KEYS = {
    "elderly_min_age", "senior_min_age", "child_max_age", "url_allowlist", "dvt_with_current_signs",
    "dvt_risk_with_leg_complaint",
}


class Hit(NamedTuple):
    """One cue found in a text."""

    cue: "Cue"
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Cue:
    """One entry of a cue set: phrases and patterns that mean the same thing."""

    name: str
    label: str
    severity: str = ""
    why: str = ""
    source: str = ""
    more_than_minutes: float | None = None
    is_link: bool = False
    needs_question: bool = False
    origin: str = ""


Token = tuple[str, int, int]
_WORD_OF = operator.itemgetter(0)
# A possessive "'s" is its own token, so "toddler's" holds the word "toddler"; "can't", "i'm" stay whole.
_TOKEN = re.compile(r"\w+(?:['’](?![sS]\b)\w+)*|['’][sS]\b|[^\w\s]")


def tokenize(text: str) -> list[Token]:
    """Words (with inner apostrophes) and punctuation marks, lower-cased, with their offsets."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters ("İ") lower to two characters: offsets would drift
        return [(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    # Lower-casing keeps every character a word character or not, so the lowered text splits alike.
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(lowered.replace("’", "'"))]


#: The anchor word that stands for any number: a digit anywhere, or a word starting with a number word.
NUMBER_ANCHOR = "{number}"
_DIGIT = re.compile(r"\d")
# After a space in the text's words joined by spaces: a word starting with a number word.
_NUMBER_WORD_START = re.compile(rf" (?:{'|'.join(sorted(NUMBER_WORDS, key=len, reverse=True))})", re.IGNORECASE)


class TextWords:
    """A text's distinct lower-cased words, for the anchor check of patterns.

    Whether the text holds a number (the :data:`NUMBER_ANCHOR`) is worked out on first need: a
    digit anywhere, or a word starting with a number word. A pattern's ``{number}`` is written in
    digits or begins a word ("aged 93", "ninety-three"), so an entry anchored on ``{number}``
    cannot match a text without one.
    """

    __slots__ = ("text", "words", "_number")

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.words = frozenset(map(_WORD_OF, tokens))
        self._number: bool | None = None

    def has_any(self, anchors: frozenset[str]) -> bool:
        """One of ``anchors`` is a word of the text (``{number}``: the text holds a number)."""
        if not anchors.isdisjoint(self.words):
            return True
        return NUMBER_ANCHOR in anchors and self.has_number()

    def has_number(self) -> bool:
        if self._number is None:
            self._number = bool(_DIGIT.search(self.text) or not NUMBER_WORDS.isdisjoint(self.words)
                                or _NUMBER_WORD_START.search(" " + " ".join(self.words)))
        return self._number


@dataclass(frozen=True)
class AnchoredPattern:
    """One entry's patterns as one expression, run only when one of its anchor words is in the text
    and, if it has ``also_anchors``, one of those too."""

    cue: Cue
    pattern: re.Pattern
    anchors: frozenset[str]
    also_anchors: frozenset[str] = frozenset()

    def may_match(self, words: TextWords) -> bool:
        """The text holds an anchor of each list the entry has."""
        if self.anchors and not words.has_any(self.anchors):
            return False
        return not self.also_anchors or words.has_any(self.also_anchors)


@dataclass(frozen=True)
class CueSet:
    """All entries of one cue set.

    Phrases are looked up word by word in a dictionary keyed by their first word (like spaCy's
    PhraseMatcher, without a tokenizer pipeline). Patterns are compiled per entry; an entry with
    ``anchors`` is only run on texts holding one of those words, which keeps rare patterns from
    costing anything on the many comments that cannot match them. All is built once, at load.
    """

    name: str
    cues: tuple[Cue, ...]
    patterns: tuple[AnchoredPattern, ...]
    phrases: dict[str, tuple[tuple[tuple[str, ...], Cue], ...]] = field(default_factory=dict)
    #: Every anchor of the set's patterns when each entry has anchors: a text holding none skips them all.
    all_anchors: frozenset[str] | None = None
    #: Each entry's anchors or also_anchors are just ``{number}``: a text without a number skips them all.
    needs_number: bool = False

    def find(self, text: str, tokens: list[Token] | None = None, words: TextWords | None = None,
             phrase_hits: list[Hit] | None = None) -> list[Hit]:
        """Every hit in ``text`` in order; where hits overlap, the earlier, then the longer, wins.

        ``tokens``, ``words`` (for the anchor check) and this set's ``phrase_hits`` may be
        passed when already computed (see :meth:`SafetyRules.phrase_hits`).
        """
        if phrase_hits is not None:
            hits = list(phrase_hits)
        elif self.phrases:
            tokens = tokenize(text) if tokens is None else tokens
            hits = self.phrase_hits(text, tokens)
        else:
            hits = []
        if self.patterns and (self.all_anchors is not None or self.needs_number):
            if words is None:
                words = TextWords(text, tokenize(text) if tokens is None else tokens)
            if (self.all_anchors is not None and not words.has_any(self.all_anchors)
                    or self.needs_number and not words.has_number()):
                return _without_overlaps(hits)
        for entry in self.patterns:
            if entry.anchors:
                if words is None:
                    words = TextWords(text, tokenize(text) if tokens is None else tokens)
                if not entry.may_match(words):
                    continue
            hits += [Hit(entry.cue, m.start(), m.end(), m.group()) for m in entry.pattern.finditer(text)]
        return _without_overlaps(hits)

    def phrase_hits(self, text: str, tokens: list[Token]) -> list[Hit]:
        """Hits of the set's phrases, the longest phrase at each word."""
        hits = []
        words = tuple(word for word, _, _ in tokens)
        for index, (word, start, _) in enumerate(tokens):
            for phrase, cue in self.phrases.get(word, ()):
                size = len(phrase)
                if size == 1 or words[index : index + size] == phrase:
                    end = tokens[index + size - 1][2]
                    hits.append(Hit(cue, start, end, text[start:end]))
                    break
        return hits

    def cue(self, name: str) -> Cue | None:
        """The entry called ``name``, if any."""
        return next((cue for cue in self.cues if cue.name == name), None)


def _without_overlaps(hits: list[Hit]) -> list[Hit]:
    if len(hits) < 2:
        return hits
    hits.sort(key=lambda h: (h.start, h.start - h.end))
    kept = [hits[0]]
    for hit in hits[1:]:
        if hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


@dataclass(frozen=True)
class Side:
    """Which concepts count: by lexicon class or by canonical name, minus exclusions."""

    classes: frozenset[str] = frozenset()
    concepts: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AnySide:
    """The concepts and classes of several sides together: a claim outside them matches none of the sides."""

    concepts: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, sides: Sequence[Side]) -> "AnySide":
        return cls(frozenset().union(*(side.concepts for side in sides)),
                   frozenset().union(*(side.classes for side in sides)))

    def may_match(self, concept: str, classes: frozenset[str]) -> bool:
        return concept in self.concepts or not self.classes.isdisjoint(classes)


@dataclass(frozen=True)
class Interaction:
    """A well-established interacting pair."""

    name: str
    first: Side
    second: Side
    severity: str
    why: str
    source: str


@dataclass(frozen=True)
class CrampDrug:
    """A medicine (class) known to cause cramps."""

    name: str
    label: str
    side: Side
    why: str
    source: str


@dataclass(frozen=True)
class HazardousRemedy:
    """A self-treatment with a known hazard, with the condition under which it counts."""

    name: str
    label: str
    side: Side
    severity: str
    why: str
    source: str
    requires_cue: str = ""
    dose_over_mg: float | None = None
    with_any: Side | None = None


@dataclass(frozen=True)
class ChildWarning:
    """A medicine with a specific warning for children."""

    name: str
    side: Side
    why: str
    source: str


@dataclass(frozen=True)
class Polypharmacy:
    """How many distinct medicines make a list worth a review, and what raises its severity."""

    categories: frozenset[str]
    generic_concepts: frozenset[str]
    medium_at: int
    high_at: int
    raise_classes: tuple[str, ...]
    raise_age: int
    severity_cap: str
    why_medium: str
    source_medium: str
    why_high: str
    source_high: str


@dataclass(frozen=True)
class PersonRule:
    """Severity, explanation and source of the elderly, pregnancy or pediatric flag."""

    severity: str
    raised_severity: str
    why: str
    source: str
    label: str = ""
    high_categories: frozenset[str] = frozenset()
    warnings: tuple[ChildWarning, ...] = ()


@dataclass(frozen=True)
class BleedingRule:
    """Bleeding signs in someone on a medicine that makes bleeding dangerous."""

    label: str
    severity: str
    why: str
    source: str
    with_any: Side


@dataclass(frozen=True)
class SafetyRules:
    """Everything the flag stage knows, loaded and compiled once."""

    cue_sets: dict[str, CueSet]
    status_severity: dict[str, dict[str, str]]
    red_flag_includes: tuple[str, ...]
    polypharmacy: Polypharmacy
    interactions: tuple[Interaction, ...]
    interaction_with_bleeding: str
    cramp_drugs: tuple[CrampDrug, ...]
    cramp_severity: str
    hazardous_remedies: tuple[HazardousRemedy, ...]
    elderly: PersonRule
    pregnancy: PersonRule
    pediatric: PersonRule
    bleeding_red_flag: BleedingRule | None
    settings: dict[str, Any]
    files: tuple[str, ...] = ()
    classes: frozenset[str] = field(default=frozenset())
    phrase_index: "PhraseIndex" = field(default_factory=dict)
    #: Every side of the interactions, the hazardous remedies and the cramp-inducing drugs: a claim
    #: outside them is skipped before any costlier check.
    interacting: AnySide = AnySide()
    hazardous: AnySide = AnySide()
    cramping: AnySide = AnySide()

    def cues(self, name: str) -> CueSet:
        """The cue set called ``name`` (an empty one when no file defines it)."""
        return self.cue_sets.get(name) or CueSet(name, (), ())

    def phrase_hits(self, text: str, tokens: list[Token]) -> dict[str, list[Hit]]:
        """The phrase hits of every cue set in one pass over the words, by cue set.

        At each word, each set keeps its longest phrase; overlaps within a set are settled
        later by :meth:`CueSet.find`.
        """
        found: defaultdict[str, list[Hit]] = defaultdict(list)
        index = self.phrase_index
        words = list(map(_WORD_OF, tokens))
        words.append("")  # the word after the last one
        for position in itertools.compress(itertools.count(), map(index.__contains__, words)):
            word, start, end = tokens[position]
            singles, longer_by_set = index[word]
            if singles:
                piece = text[start:end]
                for set_name, cue in singles:
                    found[set_name].append(Hit(cue, start, end, piece))
            following = words[position + 1]
            for set_name, longer, single in longer_by_set:
                for phrase, size, cue in longer.get(following, ()):
                    if words[position : position + size] == phrase:
                        phrase_end = tokens[position + size - 1][2]
                        found[set_name].append(Hit(cue, start, phrase_end, text[start:phrase_end]))
                        break
                else:
                    if single is not None:
                        found[set_name].append(Hit(single, start, end, text[start:end]))
        return dict(found)


def load_safety_rules(extra: Sequence[Path] = ()) -> SafetyRules:
    """Load the packaged safety rules and then the user's files (``--rules``).

    Raises:
        RuleFileError: a file is unreadable, not YAML, has an unknown section, key, cue set
            or severity, an entry without its severity, why or source, a pattern that does not
            compile, or the packaged files miss a required setting.
    """
    merged = _Merged()
    files = [*packaged_files("safety"), *user_files(extra)]
    for name, text in files:
        document = parse_yaml(name, text)
        if document is None:
            continue
        check_keys(name, "top level", document, _SECTIONS)
        merged.add(name, document)
    return merged.build(tuple(name for name, _ in files))


class _Merged:
    """Sections of every file, later files replacing same-named entries and settings."""

    def __init__(self) -> None:
        self.cue_sets: dict[str, dict[str, Cue]] = {}
        self.status: dict[str, dict[str, str]] = {}
        self.settings: dict[str, Any] = {}
        self.includes: list[str] = []
        self.blocks: dict[str, dict[str, tuple[str, Any]]] = {
            "polypharmacy": {}, "elderly": {}, "pregnancy": {}, "pediatric": {}, "cramp_inducing": {},
        }
        self.named: dict[str, dict[str, Any]] = {"interactions": {}, "hazardous_remedies": {}, "cramp_drugs": {}, "warnings": {}}
        self.bleeding = ("", "")
        self.bleeding_rule: BleedingRule | None = None
        self.patterns: dict[str, list[tuple[Cue, tuple]]] = {}

    def add(self, name: str, document: dict) -> None:
        for set_name, entries in _mapping(name, "cue_sets", document.get("cue_sets")).items():
            self._add_cue_set(name, set_name, entries)
        for set_name, policy in _mapping(name, "status_severity", document.get("status_severity")).items():
            self.status.setdefault(set_name, {}).update(_status_policy(name, set_name, policy))
        settings = _mapping(name, "settings", document.get("settings"))
        check_keys(name, "settings", settings, _SETTING_KEYS)
        self.settings.update(settings)
        self.includes.extend(string_list(name, "red_flag_includes", document.get("red_flag_includes")))
        if document.get("bleeding_red_flag") is not None:
            self.bleeding_rule = _bleeding_rule(name, document["bleeding_red_flag"])
        if "interaction_with_bleeding" in document:
            self.bleeding = (name, _severity(name, "interaction_with_bleeding", document["interaction_with_bleeding"]))
        for block, allowed in (("polypharmacy", _POLYPHARMACY_KEYS), ("elderly", _ELDERLY_KEYS),
                               ("pregnancy", _PREGNANCY_KEYS), ("pediatric", _PEDIATRIC_KEYS),
                               ("cramp_inducing", _CRAMP_KEYS)):
            section = _mapping(name, block, document.get(block))
            check_keys(name, block, section, allowed)
            self.blocks[block].update({key: (name, value) for key, value in section.items()})
        for index, entry in enumerate(_entries(name, "interactions", document.get("interactions")), start=1):
            self._add_named("interactions", _interaction(name, index, entry))
        for index, entry in enumerate(_entries(name, "hazardous_remedies", document.get("hazardous_remedies")), start=1):
            self._add_named("hazardous_remedies", _hazard(name, index, entry))
        cramp = _mapping(name, "cramp_inducing", document.get("cramp_inducing"))
        for index, entry in enumerate(_entries(name, "cramp_inducing.drugs", cramp.get("drugs")), start=1):
            self._add_named("cramp_drugs", _cramp_drug(name, index, entry))
        pediatric = _mapping(name, "pediatric", document.get("pediatric"))
        for index, entry in enumerate(_entries(name, "pediatric.warnings", pediatric.get("warnings")), start=1):
            self._add_named("warnings", _warning(name, index, entry))

    def _add_named(self, section: str, item: Any) -> None:
        self.named[section][item.name] = item

    def _add_cue_set(self, name: str, set_name: str, entries: Any) -> None:
        if set_name not in FACT_SETS | CONTEXT_SETS:
            known = ", ".join(sorted(FACT_SETS | CONTEXT_SETS))
            raise RuleFileError(f"{name}: cue_sets: unknown cue set {set_name!r} (known: {known})")
        target = self.cue_sets.setdefault(set_name, {})
        for index, entry in enumerate(_entries(name, f"cue_sets.{set_name}", entries), start=1):
            cue, patterns = _cue(name, set_name, index, entry)
            target[cue.name] = cue
            self.patterns.setdefault(set_name, [])
            self.patterns[set_name] = [(c, p) for c, p in self.patterns[set_name] if c.name != cue.name]
            self.patterns[set_name].append((cue, patterns))

    def build(self, files: tuple[str, ...]) -> SafetyRules:
        cue_sets = {set_name: _compile_set(set_name, entries) for set_name, entries in self.patterns.items()}
        for set_name in self.includes:
            if set_name not in cue_sets:
                raise RuleFileError(f"red_flag_includes: cue set {set_name!r} is not defined in any rule file")
        settings = self._settings()
        warnings = tuple(self.named["warnings"].values())
        interactions = tuple(self.named["interactions"].values())
        return SafetyRules(
            cue_sets=cue_sets,
            status_severity=self.status,
            red_flag_includes=tuple(dict.fromkeys(self.includes)),
            polypharmacy=self._polypharmacy(),
            interactions=tuple(self.named["interactions"].values()),
            interaction_with_bleeding=self.bleeding[1] or "urgent",
            cramp_drugs=tuple(self.named["cramp_drugs"].values()),
            cramp_severity=self._block_severity("cramp_inducing", "severity"),
            hazardous_remedies=tuple(self.named["hazardous_remedies"].values()),
            elderly=self._person("elderly"),
            pregnancy=self._person("pregnancy", "severity_with_leg_sign"),
            pediatric=self._person("pediatric", "severity_for_medicine", warnings),
            bleeding_red_flag=self.bleeding_rule,
            settings=settings,
            files=files,
            classes=self._classes(warnings),
            phrase_index=_phrase_index(cue_sets),
            interacting=AnySide.of([side for i in interactions for side in (i.first, i.second)]),
            hazardous=AnySide.of([remedy.side for remedy in self.named["hazardous_remedies"].values()]),
            cramping=AnySide.of([drug.side for drug in self.named["cramp_drugs"].values()]),
        )

    def _required(self, block: str, key: str) -> tuple[str, Any]:
        if key not in self.blocks[block]:
            raise RuleFileError(f"safety rules: {block}: missing key {key!r} (no rule file sets it)")
        return self.blocks[block][key]

    def _text(self, block: str, key: str) -> str:
        name, value = self._required(block, key)
        if not isinstance(value, str) or not value.strip():
            raise RuleFileError(f"{name}: {block}: {key!r} must be a non-empty string")
        return value.strip()

    def _number(self, block: str, key: str) -> int:
        name, value = self._required(block, key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RuleFileError(f"{name}: {block}: {key!r} must be a positive whole number, found {value!r}")
        return value

    def _block_severity(self, block: str, key: str) -> str:
        name, value = self._required(block, key)
        return _severity(name, f"{block}.{key}", value)

    def _polypharmacy(self) -> Polypharmacy:
        def strings(key: str) -> list[str]:
            name, value = self._required("polypharmacy", key)
            return string_list(name, f"polypharmacy.{key}", value)

        medium_at, high_at = self._number("polypharmacy", "medium_at"), self._number("polypharmacy", "high_at")
        if high_at < medium_at:
            high_file, medium_file = self._required("polypharmacy", "high_at")[0], self._required("polypharmacy", "medium_at")[0]
            raise RuleFileError(
                f"{medium_file}: polypharmacy: high_at ({high_at}, set in {high_file}) is below medium_at ({medium_at})"
            )
        return Polypharmacy(
            categories=frozenset(strings("categories")),
            generic_concepts=frozenset(c.lower() for c in strings("generic_concepts")),
            medium_at=medium_at,
            high_at=high_at,
            raise_classes=tuple(strings("raise_classes")),
            raise_age=self._number("polypharmacy", "raise_age"),
            severity_cap=self._block_severity("polypharmacy", "severity_cap"),
            why_medium=self._text("polypharmacy", "why_medium"),
            source_medium=self._text("polypharmacy", "source_medium"),
            why_high=self._text("polypharmacy", "why_high"),
            source_high=self._text("polypharmacy", "source_high"),
        )

    def _person(self, block: str, raised_key: str = "", warnings: tuple[ChildWarning, ...] = ()) -> PersonRule:
        high_categories: frozenset[str] = frozenset()
        if block == "pediatric":
            name, value = self._required(block, "high_categories")
            high_categories = frozenset(string_list(name, "pediatric.high_categories", value))
        return PersonRule(
            severity=self._block_severity(block, "severity"),
            raised_severity=self._block_severity(block, raised_key) if raised_key else "",
            why=self._text(block, "why"),
            source=self._text(block, "source"),
            label=self._text(block, "label") if "label" in self.blocks[block] else "",
            high_categories=high_categories,
            warnings=warnings,
        )

    def _settings(self) -> dict[str, Any]:
        settings = dict(self.settings)
        for key in ("elderly_min_age", "senior_min_age", "child_max_age"):
            value = settings.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise RuleFileError(f"safety rules: settings: {key!r} must be a whole number (found {value!r})")
        for key in ("dvt_with_current_signs", "dvt_risk_with_leg_complaint"):
            settings[key] = _severity("safety rules", f"settings.{key}", settings.get(key))
        settings["url_allowlist"] = tuple(
            d.lower() for d in string_list("safety rules", "settings.url_allowlist", settings.get("url_allowlist"))
        )
        return settings

    def _classes(self, warnings: tuple[ChildWarning, ...]) -> frozenset[str]:
        """Every lexicon class any rule refers to (the stage resolves them once)."""
        sides: list[Side] = []
        for interaction in self.named["interactions"].values():
            sides += [interaction.first, interaction.second]
        sides += [drug.side for drug in self.named["cramp_drugs"].values()]
        for hazard in self.named["hazardous_remedies"].values():
            sides += [hazard.side] + ([hazard.with_any] if hazard.with_any else [])
        sides += [warning.side for warning in warnings]
        if self.bleeding_rule is not None:
            sides.append(self.bleeding_rule.with_any)
        classes = {c for side in sides for c in side.classes}
        if "polypharmacy" in self.blocks and "raise_classes" in self.blocks["polypharmacy"]:
            name, value = self.blocks["polypharmacy"]["raise_classes"]
            classes.update(string_list(name, "polypharmacy.raise_classes", value))
        return frozenset(classes)


def _mapping(name: str, where: str, value: Any) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RuleFileError(f"{name}: {where}: expected a mapping, found {type(value).__name__}")
    return value


def _entries(name: str, where: str, value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RuleFileError(f"{name}: {where}: expected a list of entries, found {type(value).__name__}")
    return value


def _severity(name: str, where: str, value: Any) -> str:
    if value not in SEVERITIES:
        raise RuleFileError(f"{name}: {where}: unknown severity {value!r} (choose from: {', '.join(SEVERITIES)})")
    return value


def _status_policy(name: str, set_name: str, policy: Any) -> dict[str, str]:
    where = f"status_severity.{set_name}"
    check_keys(name, where, policy, set(STATUSES))
    result = {}
    for status, value in policy.items():
        result[status] = DROP if value == DROP else _severity(name, f"{where}.{status}", value)
    return result


def _text_key(name: str, where: str, entry: dict, key: str, required: bool) -> str:
    value = entry.get(key)
    if value is None:
        if required:
            raise RuleFileError(f"{name}: {where}: missing key {key!r}")
        return ""
    if not isinstance(value, str) or not value.strip():
        raise RuleFileError(f"{name}: {where}: {key!r} must be a non-empty string")
    return value.strip()


def _cue(name: str, set_name: str, index: int, entry: Any) -> tuple[Cue, list[str]]:
    where = f"cue_sets.{set_name} entry {index}"
    check_keys(name, where, entry, _CUE_KEYS, {"name"})
    cue_name = _text_key(name, where, entry, "name", True)
    where = f"cue_sets.{set_name} entry {cue_name!r}"
    is_fact = set_name in FACT_SETS
    severity = _severity(name, where, entry.get("severity")) if is_fact or "severity" in entry else ""
    minutes = entry.get("more_than_minutes")
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, (int, float))):
        raise RuleFileError(f"{name}: {where}: 'more_than_minutes' must be a number, found {minutes!r}")
    cue = Cue(
        name=cue_name,
        label=_text_key(name, where, entry, "label", False) or cue_name,
        severity=severity,
        why=_text_key(name, where, entry, "why", is_fact),
        source=_text_key(name, where, entry, "source", is_fact),
        more_than_minutes=float(minutes) if minutes is not None else None,
        is_link=bool(entry.get("is_link", False)),
        needs_question=bool(entry.get("needs_question", False)),
        origin=name,
    )
    phrases = [tuple(word for word, _, _ in tokenize(p)) for p in string_list(name, where, entry.get("phrases"))]
    patterns = []
    for raw in string_list(name, where, entry.get("patterns")):
        pattern = raw.replace("{number}", NUMBER_PATTERN)
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as error:
            raise RuleFileError(f"{name}: {where}: pattern {raw!r} does not compile: {error}") from None
        if re.search(r"\(\?P<", raw):
            raise RuleFileError(f"{name}: {where}: pattern {raw!r} may not name groups (use (?:...))")
        patterns.append(pattern)
    if not patterns and not phrases and set_name != "personal_contact":
        raise RuleFileError(f"{name}: {where}: needs 'phrases' or 'patterns'")
    anchors = _anchors(name, where, entry, "anchors", patterns)
    also_anchors = _anchors(name, where, entry, "also_anchors", patterns)
    if also_anchors and not anchors:
        raise RuleFileError(f"{name}: {where}: 'also_anchors' need 'anchors' (list the likelier words there)")
    return cue, (phrases, patterns, anchors, also_anchors)


def _anchors(name: str, where: str, entry: dict, key: str, patterns: list[str]) -> frozenset[str]:
    """An entry's anchor words: single words, or ``{number}`` for any number."""
    anchors = [word.lower().replace("’", "'") for word in string_list(name, where, entry.get(key))]
    if anchors and not patterns:
        raise RuleFileError(f"{name}: {where}: {key!r} only apply to 'patterns'")
    unusable = [word for word in anchors if word != NUMBER_ANCHOR and len(tokenize(word)) != 1]
    if unusable:
        raise RuleFileError(f"{name}: {where}: anchor {unusable[0]!r} in {key!r} must be a single word or {NUMBER_ANCHOR}")
    return frozenset(anchors)


#: First word -> the cue sets where it is a whole phrase and nothing longer starts with it, as
#: (set, cue); and the sets with longer phrases starting with it, as (set, those phrases by second
#: word, longest first, as (words, size, cue), the cue of the one-word phrase or None).
PhraseIndex = dict[str, tuple[tuple[tuple[str, Cue], ...],
                              tuple[tuple[str, dict[str, tuple[tuple[list[str], int, Cue], ...]], Cue | None], ...]]]


def _phrase_index(cue_sets: dict[str, CueSet]) -> PhraseIndex:
    """The phrases of every set by first and second word, so one pass over a comment's words finds
    them all and compares only the phrases that can still match."""
    singles: dict[str, list[tuple[str, Cue]]] = {}
    longer_by_set: dict[str, list] = {}
    for set_name in sorted(cue_sets):
        for word, entries in cue_sets[set_name].phrases.items():
            longer: dict[str, list[tuple[list[str], int, Cue]]] = {}
            for phrase, cue in entries:
                if len(phrase) > 1:
                    longer.setdefault(phrase[1], []).append((list(phrase), len(phrase), cue))
            single = next((cue for phrase, cue in entries if len(phrase) == 1), None)
            if longer:
                longer_by_set.setdefault(word, []).append((set_name, {w: tuple(p) for w, p in longer.items()}, single))
            else:
                singles.setdefault(word, []).append((set_name, single))
    return {word: (tuple(singles.get(word, ())), tuple(longer_by_set.get(word, ())))
            for word in sorted(singles.keys() | longer_by_set.keys())}


def _compile_set(set_name: str, entries: list[tuple[Cue, tuple]]) -> CueSet:
    """A first-word index of the set's phrases (longest first) and one expression per entry's patterns."""
    index: dict[str, list[tuple[tuple[str, ...], Cue]]] = {}
    anchored: list[AnchoredPattern] = []
    for cue, (phrases, patterns, anchors, also_anchors) in entries:
        for phrase in phrases:
            index.setdefault(phrase[0], []).append((phrase, cue))
        if patterns:
            expression = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
            anchored.append(AnchoredPattern(cue, expression, anchors, also_anchors))
    phrases_by_word = {word: tuple(sorted(found, key=lambda item: -len(item[0]))) for word, found in index.items()}
    all_anchors = frozenset().union(*(p.anchors for p in anchored)) if all(p.anchors for p in anchored) else None
    only_number = frozenset({NUMBER_ANCHOR})
    needs_number = bool(anchored) and all(only_number in (p.anchors, p.also_anchors) for p in anchored)
    return CueSet(set_name, tuple(cue for cue, _ in entries), tuple(anchored), phrases_by_word, all_anchors, needs_number)


def _side(name: str, where: str, value: Any) -> Side:
    check_keys(name, where, value, _SIDE_KEYS)
    side = Side(
        classes=frozenset(string_list(name, where, value.get("classes"))),
        concepts=frozenset(c.lower() for c in string_list(name, where, value.get("concepts"))),
        exclude=frozenset(c.lower() for c in string_list(name, where, value.get("exclude_concepts"))),
    )
    if not side.classes and not side.concepts:
        raise RuleFileError(f"{name}: {where}: needs 'classes' or 'concepts'")
    return side


def _interaction(name: str, index: int, entry: Any) -> Interaction:
    where = f"interactions entry {index}"
    check_keys(name, where, entry, _INTERACTION_KEYS, _INTERACTION_KEYS)
    where = f"interactions entry {entry['name']!r}"
    return Interaction(
        name=_text_key(name, where, entry, "name", True),
        first=_side(name, f"{where}: first", entry["first"]),
        second=_side(name, f"{where}: second", entry["second"]),
        severity=_severity(name, where, entry["severity"]),
        why=_text_key(name, where, entry, "why", True),
        source=_text_key(name, where, entry, "source", True),
    )


def _cramp_drug(name: str, index: int, entry: Any) -> CrampDrug:
    where = f"cramp_inducing.drugs entry {index}"
    check_keys(name, where, entry, _CRAMP_DRUG_KEYS, {"name", "why", "source"})
    drug_name = _text_key(name, where, entry, "name", True)
    return CrampDrug(
        name=drug_name,
        label=_text_key(name, where, entry, "label", False) or drug_name,
        side=_side(name, where, {k: entry[k] for k in ("classes", "concepts") if k in entry}),
        why=_text_key(name, where, entry, "why", True),
        source=_text_key(name, where, entry, "source", True),
    )


def _hazard(name: str, index: int, entry: Any) -> HazardousRemedy:
    where = f"hazardous_remedies entry {index}"
    check_keys(name, where, entry, _HAZARD_KEYS, {"name", "match", "severity", "why", "source"})
    hazard_name = _text_key(name, where, entry, "name", True)
    where = f"hazardous_remedies entry {hazard_name!r}"
    dose = entry.get("dose_over_mg")
    if dose is not None and (isinstance(dose, bool) or not isinstance(dose, (int, float)) or dose < 0):
        raise RuleFileError(f"{name}: {where}: 'dose_over_mg' must be a number of mg, found {dose!r}")
    requires_cue = _text_key(name, where, entry, "requires_cue", False)
    if requires_cue and requires_cue not in CONTEXT_SETS | FACT_SETS:
        raise RuleFileError(f"{name}: {where}: requires_cue {requires_cue!r} is not a known cue set")
    return HazardousRemedy(
        name=hazard_name,
        label=_text_key(name, where, entry, "label", False) or hazard_name,
        side=_side(name, f"{where}: match", entry["match"]),
        severity=_severity(name, where, entry["severity"]),
        why=_text_key(name, where, entry, "why", True),
        source=_text_key(name, where, entry, "source", True),
        requires_cue=requires_cue,
        dose_over_mg=float(dose) if dose is not None else None,
        with_any=_side(name, f"{where}: with_any", entry["with_any"]) if entry.get("with_any") is not None else None,
    )


def _bleeding_rule(name: str, entry: Any) -> BleedingRule:
    where = "bleeding_red_flag"
    check_keys(name, where, entry, _BLEEDING_KEYS, _BLEEDING_KEYS)
    return BleedingRule(
        label=_text_key(name, where, entry, "label", True),
        severity=_severity(name, where, entry["severity"]),
        why=_text_key(name, where, entry, "why", True),
        source=_text_key(name, where, entry, "source", True),
        with_any=_side(name, f"{where}: with_any", entry["with_any"]),
    )


def _warning(name: str, index: int, entry: Any) -> ChildWarning:
    where = f"pediatric.warnings entry {index}"
    check_keys(name, where, entry, _WARNING_KEYS, {"name", "why", "source"})
    return ChildWarning(
        name=_text_key(name, where, entry, "name", True),
        side=_side(name, where, {k: entry[k] for k in ("classes", "concepts") if k in entry}),
        why=_text_key(name, where, entry, "why", True),
        source=_text_key(name, where, entry, "source", True),
    )

