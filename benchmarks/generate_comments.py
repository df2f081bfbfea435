"""Synthetic reader comments about leg cramps, for benchmarking remedy-miner.

The comments are assembled from the invented templates and word lists in
``comment_vocabulary.yaml``: remedies that helped or failed, triggers, questions, hedges,
relatives, medicine lists with doses and brand names, blood clot warnings, children, spam with
links, e-mail addresses and phone numbers, typos, lower case, the odd emoji, about 2 % in other
languages and about 0.5 % blank. Lengths run from 3 words to about 250.

The output depends only on ``seed``, and a smaller corpus is a prefix of a larger one with the
same seed, so the 10,000-comment benchmark reads the first 10,000 comments of the 100,000 one.

Usage::

    python benchmarks/generate_comments.py 100000 comments.jsonl.gz --seed 7
"""
from __future__ import annotations

import argparse
import bisect
import functools
import gzip
import json
import math
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from random import Random
from typing import Callable, Iterable, Iterator, Sequence, TextIO, TypeVar, Union

import yaml

VOCABULARY_FILE = Path(__file__).with_name("comment_vocabulary.yaml")

FIRST_POST = datetime(2012, 1, 1, tzinfo=timezone.utc)
MEAN_SECONDS_BETWEEN_COMMENTS = 300.0  # a million comments span about ten years
AUTHOR_POOL_SIZE = 20_000

# Story length in words: log-normal (median about 27 words), capped so that the sentence which
# crosses the target still ends near 250 words.
WORD_TARGET_LOG_MEAN = 3.3
WORD_TARGET_LOG_SIGMA = 0.8
WORD_TARGET_MAX = 225

SAME_KIND_AGAIN = 0.3
OPENER_SHARE = 0.15
CLOSER_SHARE = 0.12
TYPO_SENTENCE_SHARE = 0.1
LOWERCASE_SHARE = 0.12
EMOJI_SHARE = 0.05
ELLIPSIS_SHARE = 0.05
PARAGRAPHS_SHARE = 0.4  # of stories with five sentences or more
ANONYMOUS_SHARE = 0.04
NO_AUTHOR_SHARE = 0.01
SPAM_AFTER_PRAISE_SHARE = 0.3

BLANK_TEXTS = ("", " ", "\n", "   ")
ANONYMOUS = "Anonymous"

_SLOT = re.compile(r"\{(\w+)\}")
T = TypeVar("T")

# A compiled template: a plain string, or (literal, slot name or "") pairs.
Template = Union[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Vocabulary:
    """The compiled contents of ``comment_vocabulary.yaml``."""

    threads: tuple[str, ...]
    first_names: tuple[str, ...]
    last_initials: tuple[str, ...]
    places: tuple[str, ...]
    handle_words: tuple[str, ...]
    emoji: tuple[str, ...]
    kinds: tuple[str, ...]
    kind_weights: tuple[float, ...]
    filler_kinds: tuple[str, ...]
    filler_weights: tuple[float, ...]
    templates: dict[str, tuple[Template, ...]]
    openers: tuple[Template, ...]
    slots: dict[str, tuple[Template, ...]]
    non_english: tuple[tuple[str, ...], ...]


COMPUTED_SLOTS = ("meds", "email", "phone", "url", "age", "old_age", "year", "number")
KINDS_WITHOUT_TEMPLATES = ("blank", "non_english")


def compile_template(text: str) -> Template:
    """Split ``text`` at its ``{slot}`` holes once, so filling it is a loop over pieces."""
    if "{" not in text:
        return text
    pieces: list[tuple[str, str]] = []
    position = 0
    for match in _SLOT.finditer(text):
        pieces.append((text[position:match.start()], match.group(1)))
        position = match.end()
    pieces.append((text[position:], ""))
    return tuple(pieces)


def _slot_names(template: Template) -> Iterator[str]:
    if not isinstance(template, str):
        yield from (slot for _, slot in template if slot)


@functools.lru_cache(maxsize=None)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """Read and compile the vocabulary, rejecting a template that names an unknown slot.

    Raises:
        ValueError: a template uses a slot that is neither listed nor computed, or a kind has
            no templates.
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    _check_strings(raw, path, [])
    compile_all = lambda texts: tuple(compile_template(t) for t in texts)  # noqa: E731
    slots = {name: compile_all(values) for name, values in raw["slots"].items()}
    slots["place"] = compile_all(raw["places"])
    slots["first_name"] = compile_all(raw["first_names"])
    templates = {kind: compile_all(texts) for kind, texts in raw["templates"].items()}
    vocabulary = Vocabulary(
        threads=tuple(raw["threads"]),
        first_names=tuple(raw["first_names"]),
        last_initials=tuple(raw["last_initials"]),
        places=tuple(raw["places"]),
        handle_words=tuple(raw["handle_words"]),
        emoji=tuple(raw["emoji"]),
        kinds=tuple(raw["kinds"]),
        kind_weights=tuple(float(w) for w in raw["kinds"].values()),
        filler_kinds=tuple(raw["filler_kinds"]),
        filler_weights=tuple(float(w) for w in raw["filler_kinds"].values()),
        templates=templates,
        openers=compile_all(raw["openers"]),
        slots=slots,
        non_english=tuple(tuple(sentences) for sentences in raw["non_english"].values()),
    )
    _check_vocabulary(vocabulary, path)
    return vocabulary


def _check_strings(node: object, path: Path, where: list[str]) -> None:
    """Every list entry must be a string: an unquoted ``a: b`` in YAML silently becomes a mapping."""
    if isinstance(node, dict):
        for key, value in node.items():
            _check_strings(value, path, [*where, str(key)])
    elif isinstance(node, list):
        for entry in node:
            if not isinstance(entry, str):
                raise ValueError(f"{path}: {'.'.join(where)}: entry {entry!r} is not a string (quote it)")


def _check_vocabulary(vocabulary: Vocabulary, path: Path) -> None:
    known = set(vocabulary.slots) | set(COMPUTED_SLOTS)
    every_template = [t for group in vocabulary.templates.values() for t in group]
    every_template += [t for group in vocabulary.slots.values() for t in group] + list(vocabulary.openers)
    for template in every_template:
        unknown = sorted(set(_slot_names(template)) - known)
        if unknown:
            raise ValueError(f"{path}: template {template!r} uses unknown slot(s) {unknown}")
    needed = [k for k in (*vocabulary.kinds, *vocabulary.filler_kinds) if k not in KINDS_WITHOUT_TEMPLATES]
    missing = sorted(set(needed) - set(vocabulary.templates))
    if missing:
        raise ValueError(f"{path}: kinds without templates: {missing}")


class CommentWriter:
    """Writes one comment text at a time from a vocabulary and a random generator."""

    def __init__(self, vocabulary: Vocabulary, rng: Random) -> None:
        self.vocabulary = vocabulary
        self.rng = rng
        self._kind_cumulative = _cumulative(vocabulary.kind_weights)
        self._filler_cumulative = _cumulative(vocabulary.filler_weights)
        self._computed: dict[str, Callable[[], str]] = {
            "meds": self._medicine_list,
            "email": self._email,
            "phone": self._phone,
            "url": self._url,
            "age": lambda: str(rng.randint(24, 92)),
            "old_age": lambda: str(rng.randint(75, 96)),
            "year": lambda: str(rng.randint(2005, 2023)),
            "number": lambda: str(rng.randint(2, 12)),
        }

    def text(self) -> str:
        """One comment's text."""
        rng = self.rng
        kind = pick_weighted(rng, self.vocabulary.kinds, self._kind_cumulative)
        if kind == "blank":
            return rng.choice(BLANK_TEXTS)
        if kind == "non_english":
            return self._foreign()
        if kind == "spam":
            sentences = [self.sentence("spam")]
            if rng.random() < SPAM_AFTER_PRAISE_SHARE:
                sentences.insert(0, self.sentence("helped"))
        elif kind == "short":
            sentences = [self.sentence("short")]
        else:
            sentences = self._story(kind)
        return self._dress(sentences)

    def sentence(self, kind: str) -> str:
        """A sentence from one of the ``kind`` templates, its first letter in upper case."""
        sentence = self.fill(pick(self.rng, self.vocabulary.templates[kind]))
        return sentence[:1].upper() + sentence[1:]

    def fill(self, template: Template) -> str:
        """The template with every slot filled (slot entries may hold slots themselves)."""
        if isinstance(template, str):
            return template
        # The innermost loop of the generator: names are bound locally and plain-string entries
        # skip the recursive call.
        random = self.rng.random
        slots = self.vocabulary.slots
        computed_slots = self._computed
        parts: list[str] = []
        for literal, slot in template:
            parts.append(literal)
            if not slot:
                continue
            computed = computed_slots.get(slot)
            if computed is not None:
                parts.append(computed())
                continue
            options = slots[slot]
            entry = options[int(random() * len(options))]
            parts.append(entry if isinstance(entry, str) else self.fill(entry))
        return "".join(parts)

    def _story(self, kind: str) -> list[str]:
        """The ``kind`` sentence (a contact comment starts as an ordinary story), then fillers."""
        rng = self.rng
        target = min(WORD_TARGET_MAX, int(rng.lognormvariate(WORD_TARGET_LOG_MEAN, WORD_TARGET_LOG_SIGMA)))
        main_kind = "helped" if kind == "contact" else kind
        sentences = [self.sentence(main_kind)]
        words = len(sentences[0].split())
        while words < target:
            if rng.random() < SAME_KIND_AGAIN:
                filler = main_kind
            else:
                filler = pick_weighted(rng, self.vocabulary.filler_kinds, self._filler_cumulative)
            sentence = self.sentence(filler)
            sentences.append(sentence)
            words += len(sentence.split())
        if kind == "contact":
            sentences.insert(rng.randint(1, len(sentences)), self.sentence("contact"))
        if rng.random() < OPENER_SHARE:
            sentences.insert(0, self.fill(pick(rng, self.vocabulary.openers)))
        if rng.random() < CLOSER_SHARE:
            sentences.append(self.sentence("closer"))
        return sentences

    def _dress(self, sentences: list[str]) -> str:
        """Join sentences the way people type them: typos, paragraphs, lower case, emoji."""
        rng = self.rng
        sentences = [self._typo(s) if rng.random() < TYPO_SENTENCE_SHARE else s for s in sentences]
        if len(sentences) >= 5 and rng.random() < PARAGRAPHS_SHARE:
            text = _paragraphs(sentences, rng)
        else:
            text = " ".join(sentences)
        if rng.random() < ELLIPSIS_SHARE and text.endswith("."):
            text += ".."
        if rng.random() < LOWERCASE_SHARE:
            text = text.lower()
        if rng.random() < EMOJI_SHARE:
            text += " " + rng.choice(self.vocabulary.emoji)
        return text

    def _typo(self, sentence: str) -> str:
        """Swap, drop or double one letter inside one longer plain word."""
        rng = self.rng
        words = sentence.split(" ")
        index = rng.randrange(len(words))
        word = words[index]
        if len(word) < 4 or not word.isalpha():
            return sentence
        at = rng.randrange(1, len(word) - 1)
        mistake = rng.random()
        if mistake < 0.4:
            word = word[:at - 1] + word[at] + word[at - 1] + word[at + 1:]
        elif mistake < 0.7:
            word = word[:at] + word[at + 1:]
        else:
            word = word[:at] + word[at] + word[at:]
        words[index] = word
        return " ".join(words)

    def _foreign(self) -> str:
        language = self.rng.choice(self.vocabulary.non_english)
        count = self.rng.randint(1, min(3, len(language)))
        return " ".join(self.rng.sample(language, count))

    def _medicine_list(self) -> str:
        medicines = [self.fill(m) for m in self.rng.sample(self.vocabulary.slots["med"], self.rng.randint(3, 8))]
        if self.rng.random() < 0.5:
            return ", ".join(medicines[:-1]) + " and " + medicines[-1]
        return ", ".join(medicines)

    def _email(self) -> str:
        name = self.rng.choice(self.vocabulary.first_names).lower()
        domain = self.rng.choice(("example.com", "example.org", "example.net", "mail.example.com"))
        return f"{name}{self.rng.randint(1, 99)}@{domain}"

    def _phone(self) -> str:
        area = self.rng.choice(("212", "312", "415", "503", "617", "713"))
        line = f"555-01{self.rng.randint(0, 99):02d}"
        return f"({area}) {line}" if self.rng.random() < 0.5 else f"{area}-{line}"

    def _url(self) -> str:
        scheme = self.rng.choice(("http://", "https://", "https://www.", "www."))
        host = self.rng.choice(("example.com", "example.net", "example.org", "cramp-cure.example.com"))
        path = self.rng.choice(("", "/", "/cure", "/free-guide", "/shop?ref=cramps", "/blog/night-cramps"))
        return scheme + host + path


def pick(rng: Random, items: Sequence[T]) -> T:
    """``rng.choice`` without its generality: about twice as fast, which matters at a million comments."""
    return items[int(rng.random() * len(items))]


def pick_weighted(rng: Random, items: Sequence[T], cumulative: Sequence[float]) -> T:
    """``rng.choices(items, cum_weights=cumulative)[0]``, faster."""
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = 0.0
    cumulative = []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


def _paragraphs(sentences: list[str], rng: Random) -> str:
    breaks = set(rng.sample(range(1, len(sentences)), rng.randint(1, min(3, len(sentences) - 1))))
    return "".join(("\n\n" if i in breaks else " " if i else "") + s for i, s in enumerate(sentences))


def author_pool(vocabulary: Vocabulary, rng: Random, size: int = AUTHOR_POOL_SIZE) -> list[str]:
    """Display names in the styles commenters use: first names, initials, handles, places."""
    pool = []
    for _ in range(size):
        first = rng.choice(vocabulary.first_names)
        style = rng.random()
        if style < 0.3:
            pool.append(first)
        elif style < 0.5:
            pool.append(f"{first} {rng.choice(vocabulary.last_initials)}.")
        elif style < 0.65:
            pool.append(f"{first} from {rng.choice(vocabulary.places)}")
        elif style < 0.85:
            pool.append(f"{first.lower()}_{rng.choice(vocabulary.last_initials).lower()}{rng.randint(1, 99)}")
        else:
            words = rng.sample(vocabulary.handle_words, 2)
            pool.append(f"{words[0]}_{words[1]}{rng.randint(1, 999)}")
    return pool


def generate_comments(n: int, seed: int = 7) -> Iterator[dict[str, str]]:
    """Yield ``n`` comments as dicts with ``id``, ``author``, ``created_at``, ``thread``, ``text``.

    Deterministic: the same ``n`` and ``seed`` give the same comments, and the first ``k``
    comments do not depend on ``n``.
    """
    if n < 0:
        raise ValueError(f"n must be zero or more, not {n}")
    vocabulary = load_vocabulary()
    rng = Random(seed)
    writer = CommentWriter(vocabulary, rng)
    authors = author_pool(vocabulary, Random(f"authors-{seed}"))
    # A few threads and a few prolific authors carry most comments, as on real sites.
    thread_cumulative = _cumulative([1.0 / (rank + 1) for rank in range(len(vocabulary.threads))])
    seconds = 0.0
    for index in range(1, n + 1):
        seconds += rng.expovariate(1.0 / MEAN_SECONDS_BETWEEN_COMMENTS)
        who = rng.random()
        if who < NO_AUTHOR_SHARE:
            author = ""
        elif who < NO_AUTHOR_SHARE + ANONYMOUS_SHARE:
            author = ANONYMOUS
        else:
            author = authors[int(len(authors) * rng.random() ** 2)]
        yield {
            "id": f"c{index:07d}",
            "author": author,
            "created_at": (FIRST_POST + timedelta(seconds=math.floor(seconds))).isoformat(),
            "thread": pick_weighted(rng, vocabulary.threads, thread_cumulative),
            "text": writer.text(),
        }


def write_jsonl(comments: Iterable[dict[str, str]], out: TextIO) -> int:
    """Write one JSON object a line; return how many were written."""
    count = 0
    dumps = json.dumps
    for comment in comments:
        out.write(dumps(comment, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def open_output(path: Path) -> TextIO:
    """A text stream to ``path``, gzip-compressed when the name ends in ``.gz``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        # Level 6 is zlib's default; gzip's own default (9) triples the time for little gain.
        return gzip.open(path, "wt", encoding="utf-8", newline="\n", compresslevel=6)
    return path.open("w", encoding="utf-8", newline="\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write synthetic reader comments about leg cramps as JSON lines.",
        epilog="Example: python benchmarks/generate_comments.py 100000 comments.jsonl.gz --seed 7",
    )
    parser.add_argument("n", type=int, help="how many comments")
    parser.add_argument("out", type=Path, help="output file (.jsonl, or .jsonl.gz to compress)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be zero or more")
    with open_output(args.out) as out:
        count = write_jsonl(generate_comments(args.n, args.seed), out)
    print(f"wrote {count} comments to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
