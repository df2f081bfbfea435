"""Medicine flags from the extract stage's claims: ``polypharmacy``, ``drug_interaction``,
``cramp_inducing_drug`` and ``hazardous_remedy``.

Claims are matched by canonical concept (brand names are already folded into generics by
extract) or by lexicon class. Medicines are counted per experiencer, so one reader's list is
not mixed with what their husband takes, and general advice ("people on warfarin...") is not a
list anyone takes.
"""
from __future__ import annotations

from pipeline.flag.context import ClaimView, CommentView
from pipeline.flag.findings import Finding, lower, most_severe, raise_, reason
from pipeline.flag.people import senior_evidence
from pipeline.flag.rules import HazardousRemedy, Interaction, Polypharmacy, SafetyRules, Side
from pipeline.flag.text import dose_mg_near, parse_number

MAX_NAMED = 6
_WHOSE = {"self": "", "family": " taken by a family member", "friend": " taken by a friend",
          "other": " taken by someone else"}
_PAIR_SPAN = 120


def matches(claim: ClaimView, side: Side) -> bool:
    """The claim's concept is on this side of a rule, by name or by lexicon class."""
    if claim.concept in side.exclude:
        return False
    return claim.concept in side.concepts or bool(claim.classes & side.classes)


def polypharmacy_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Five or more distinct medicines and supplements taken by one person (not asked about, not past)."""
    rule = rules.polypharmacy
    if _most_medicines_possible(view, rule) < rule.medium_at:
        return []
    lists: dict[str, dict[str, ClaimView]] = {}
    for claim in _countable(view.claims, rule):
        if view.claim_status(claim) != "historical":
            lists.setdefault(claim.experiencer, {}).setdefault(claim.concept, claim)
    experiencer, taken = max(lists.items(), key=lambda item: (len(item[1]), item[0] == "self")) if lists else ("self", {})
    stated = _stated_count(view)
    count = max(len(taken), stated[0] if stated else 0)
    if count < rule.medium_at:
        return []
    high = count >= rule.high_at
    severity, why, source = ("high", rule.why_high, rule.source_high) if high else ("medium", rule.why_medium, rule.source_medium)
    raisers = _raisers(view, rules, list(taken.values()))
    if raisers:
        severity = raise_(severity, rule.severity_cap)
    claims = sorted(taken.values(), key=lambda c: c.start)
    if stated and stated[0] >= len(claims):
        hit = stated[1]
        lead = f"States taking {count} medicines (\"{hit.text.strip()}\")"
        spans = [(hit.start, hit.end)] + [(c.start, c.end) for c in claims]
    else:
        names = ", ".join(c.concept for c in claims[:MAX_NAMED]) + (", …" if len(claims) > MAX_NAMED else "")
        lead = f"Lists {count} different medicines and supplements{_WHOSE.get(experiencer, '')} ({names})"
        spans = [(c.start, c.end) for c in claims]
    text = reason(lead, why) + (f" Also {' and '.join(raisers)}." if raisers else "")
    return [Finding("polypharmacy", severity, text, spans[0][0], spans[0][1],
                    f"polypharmacy/{'10+' if high else '5+'}" + ("/raised" if raisers else ""), source,
                    tuple(spans[1:]))]


def _countable(claims: list[ClaimView], rule: Polypharmacy) -> list[ClaimView]:
    """Claims of a medicine someone takes: not asked about, denied, general, or a generic word ("my meds")."""
    return [claim for claim in claims
            if claim.category in rule.categories and not claim.negated and not claim.question
            and claim.experiencer != "general" and claim.concept not in rule.generic_concepts]


def _most_medicines_possible(view: CommentView, rule: Polypharmacy) -> int:
    """An upper bound of the count polypharmacy compares: before the costly checks of each claim's
    tense and each stated count's context, so most comments are settled by counting alone."""
    listed = 0
    if len(view.claims) >= rule.medium_at:  # fewer claims cannot list enough medicines
        people: dict[str, set[str]] = {}
        for claim in _countable(view.claims, rule):
            people.setdefault(claim.experiencer, set()).add(claim.concept)
        listed = max((len(concepts) for concepts in people.values()), default=0)
    stated = [parse_number(hit.text) for hit in view.hits("medicine_count")]
    return max([listed, *(int(number) for number in stated if number is not None)])


def _stated_count(view: CommentView) -> tuple[int, object] | None:
    """The largest stated number of medicines ("eight tablets a day"), not negated or asked about."""
    counts = []
    for hit in view.hits("medicine_count"):
        number = parse_number(hit.text)
        if number is not None and view.status(hit.start, hit.end) in ("current", "general"):
            counts.append((int(number), hit))
    return max(counts, key=lambda item: item[0]) if counts else None


def _raisers(view: CommentView, rules: SafetyRules, taken: list[ClaimView]) -> list[str]:
    reasons = []
    thinners = [c.concept for c in taken if c.classes & set(rules.polypharmacy.raise_classes)]
    if thinners:
        reasons.append(f"a blood thinner ({', '.join(sorted(set(thinners)))})")
    senior = senior_evidence(view, rules, rules.polypharmacy.raise_age)
    if senior:
        reasons.append(f"older age ({senior})")
    return reasons


def interaction_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Pairs from the interaction table named by one person in one comment."""
    groups: dict[str, list[ClaimView]] = {}
    for claim in view.claims:
        if not claim.negated and claim.experiencer != "general" and _may_interact(claim, rules):
            groups.setdefault(claim.experiencer, []).append(claim)
    groups = {person: claims for person, claims in groups.items() if len({c.concept for c in claims}) > 1}
    if not groups:
        return []
    bleeding = _current_bleeding(view)
    findings = []
    for claims in groups.values():
        for order, interaction in enumerate(rules.interactions):
            pair = _first_pair(claims, interaction)
            finding = _interaction_finding(view, rules, interaction, pair, bleeding, order) if pair else None
            if finding is not None:
                findings.append(finding)
    return findings


def _may_interact(claim: ClaimView, rules: SafetyRules) -> bool:
    """The claim is on some side of the interaction table (a pair needs two such claims)."""
    return rules.interacting.may_match(claim.concept, claim.classes)


def _first_pair(claims: list[ClaimView], interaction: Interaction) -> tuple[ClaimView, ClaimView] | None:
    firsts = [c for c in claims if matches(c, interaction.first)]
    seconds = [c for c in claims if matches(c, interaction.second)]
    pairs = [(a, b) for a in firsts for b in seconds if a.concept != b.concept]
    if not pairs:
        return None
    return min(pairs, key=lambda p: (p[0].question or p[1].question, max(p[0].end, p[1].end), p[0].start))


def _interaction_finding(view: CommentView, rules: SafetyRules, interaction: Interaction,
                         pair: tuple[ClaimView, ClaimView], bleeding: bool, order: int) -> Finding | None:
    first, second = sorted(pair, key=lambda c: c.start)
    statuses = {view.claim_status(first), view.claim_status(second)}
    severity = interaction.severity
    if "historical" in statuses:
        return None  # a medicine stopped before the other was started does not interact
    if bleeding:
        severity = most_severe(severity, rules.interaction_with_bleeding)
    elif "question" in statuses:
        severity = lower(severity)
    verb = ("Asks about taking" if "question" in statuses
            else "Mentions someone taking" if first.experiencer != "self" else "Takes")
    lead = f"{verb} {_named(first)} and {_named(second)} together" + (" and mentions bleeding" if bleeding else "")
    start, end = first.start, second.end
    extra: tuple[tuple[int, int], ...] = ()
    if end - start > _PAIR_SPAN:
        start, end, extra = first.start, first.end, ((second.start, second.end),)
    return Finding("drug_interaction", severity, reason(lead, interaction.why), start, end,
                   f"interaction/{interaction.name}", interaction.source, extra, order)


def _named(claim: ClaimView) -> str:
    """The concept, with the words the commenter used when they differ ("warfarin (Jantoven)")."""
    surface = claim.surface.strip()
    return claim.concept if surface.lower() == claim.concept else f"{claim.concept} ({surface})"


def _quoted(surface: str, label: str) -> str:
    """The commenter's words in quotes, unless the label already says them."""
    surface = surface.strip()
    return "" if surface.lower() in label.lower() else f' ("{surface}")'


def _current_bleeding(view: CommentView) -> bool:
    return any(view.status(hit.start, hit.end) == "current" for hit in view.hits("bleeding"))


def cramp_drug_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Medicines known to cause cramps, taken by someone (not said in general)."""
    findings = []
    for claim in view.medicine_claims():
        if claim.experiencer == "general" or not rules.cramping.may_match(claim.concept, claim.classes):
            continue
        for drug in rules.cramp_drugs:
            if not matches(claim, drug.side):
                continue
            blamed = claim.role == "trigger" and claim.effect in ("worsened", "partial", "unclear")
            lead = f"{'Blames cramps on' if blamed else 'Takes'} {_named(claim)}, {drug.label}"
            findings.append(Finding("cramp_inducing_drug", rules.cramp_severity, reason(lead, drug.why), claim.start, claim.end,
                                    f"cramp_inducing/{drug.name}", drug.source))
            break
    return findings


def hazardous_remedy_findings(view: CommentView, rules: SafetyRules) -> list[Finding]:
    """Quinine, tonic water, laxative overuse, high-dose potassium or magnesium, not negated."""
    found = []
    for claim in view.claims:
        if claim.negated or not rules.hazardous.may_match(claim.concept, claim.classes):
            continue
        remedies = [remedy for remedy in rules.hazardous_remedies if matches(claim, remedy.side)]
        if remedies and _taken(view, claim):
            found += [(remedy, claim) for remedy in remedies if _conditions_met(view, remedy, claim)]
    if not found:
        return []
    bleeding = _current_bleeding(view)
    return [_hazard_finding(view, rules, remedy, claim, bleeding) for remedy, claim in found]


def _taken(view: CommentView, claim: ClaimView) -> bool:
    """A remedy or trigger claim is use; a bare mention needs a use word in its sentence or the one before."""
    if claim.role != "mention" or claim.question or dose_mg_near(view.text, claim.start, claim.end) is not None:
        return True
    sentence = view.sentence_of(claim.start)
    start = view.sentences[max(sentence - 1, 0)][0]
    end = view.sentences[sentence][1]
    return bool(view.hits_between("use_words", start, end))


def _conditions_met(view: CommentView, remedy: HazardousRemedy, claim: ClaimView) -> bool:
    if remedy.requires_cue and not _required_cues(view, remedy, claim):
        return False
    if remedy.dose_over_mg is not None:
        dose = dose_mg_near(view.text, claim.start, claim.end)
        if dose is None or dose <= remedy.dose_over_mg:
            return False
    if remedy.with_any is not None:
        return any(matches(other, remedy.with_any) for other in view.claims if not other.negated)
    return True


def _required_cues(view: CommentView, remedy: HazardousRemedy, claim: ClaimView) -> list:
    """The cue a remedy needs (e.g. "every day" for laxatives), in the claim's sentence."""
    return view.hits_between(remedy.requires_cue, *view.sentence_range(claim.start)) if remedy.requires_cue else []


def _hazard_finding(view: CommentView, rules: SafetyRules, remedy: HazardousRemedy, claim: ClaimView,
                    bleeding: bool) -> Finding:
    status = view.claim_status(claim)
    severity = remedy.severity
    if bleeding:
        severity = most_severe(severity, rules.interaction_with_bleeding)
    elif status in ("question", "historical"):
        severity = lower(severity)
    verb = {"question": "Asks about", "historical": "Used", "general": "Recommends"}.get(status, "Uses")
    cues = _required_cues(view, remedy, claim)
    said = f"{claim.surface.strip()} … {cues[0].text.strip()}" if cues else claim.surface
    lead = f"{verb} {remedy.label}{_quoted(said, remedy.label)}" + (" in the past" if status == "historical" else "")
    if bleeding:
        lead += " and mentions bleeding"
    return Finding("hazardous_remedy", severity, reason(lead, remedy.why), claim.start, claim.end,
                   f"hazardous/{remedy.name}/{status}", remedy.source, tuple((c.start, c.end) for c in cues[:1]))
