"""The claim context rules, one parametrized table per question the extract stage answers.

Every sentence here was written for these tests, in the style of reader feedback. The
expected values are what a careful reader would label (see the claim semantics spec);
where the engine still disagrees the case is kept and marked ``xfail(strict=True)`` so
that fixing the rule turns it into a visible XPASS.

A case selects the row whose ``surface`` contains the given words (case-insensitive) and
compares only the columns it names. Every row of every case must keep its offsets.
"""
from __future__ import annotations

import pandas as pd
import pytest

CLAIM_ROLES = {"remedy", "trigger"}


def case(text: str, surface: str, *, xfail: str = "", **expected: object):
    """One line of a table: the comment, the words that pick the row, the expected columns."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(text, surface, expected, marks=marks, id=text)


def negative(text: str, concept: str, *, xfail: str = ""):
    """A comment that must not yield a remedy or trigger claim for ``concept``."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(text, concept, marks=marks, id=text)


def checked_rows(text: str, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows, after checking that every one points at its own words in the text."""
    for row in rows.itertuples():
        assert text[row.start : row.end] == row.surface, row
    return rows


def row_for(rows: pd.DataFrame, surface: str) -> pd.Series:
    picked = rows[rows["surface"].str.lower().str.contains(surface.lower(), regex=False)]
    assert len(picked) >= 1, f"no claim row whose surface contains {surface!r}; rows: {rows[['surface', 'concept', 'role']].to_dict('records')}"
    return picked.iloc[0]


def assert_case(claims_of, text: str, surface: str, expected: dict, parent: str | None = None) -> None:
    row = row_for(checked_rows(text, claims_of(text, parent)), surface)
    for column, value in expected.items():
        if column == "rule_prefix":
            assert str(row["rule"]).startswith(str(value)), (column, row["rule"], row["cues"])
        else:
            assert row[column] == value, (column, row[column], row["rule"], row["cues"])


# --- the decision rules, by the name they leave in the `rule` column ------------------------
RULE_CASES = [
    case("A spoonful of mustard helps my leg cramps every time.", "mustard", concept="mustard", role="remedy", effect="helped", rule="helped"),
    case("Pickle juice worked wonders for my calf cramps.", "pickle juice", role="remedy", effect="helped", rule="helped"),
    case("Mustard makes the cramps stop.", "mustard", role="remedy", effect="helped"),
    case("Gin and tonic at night keeps the cramps away.", "tonic", concept="tonic water", role="remedy", effect="helped"),
    case("Magnesium helps somewhat with the cramps.", "magnesium", role="remedy", effect="partial", rule="partial"),
    case("Tonic water kinda worked for my night cramps.", "tonic water", role="remedy", effect="partial", rule="partial"),
    case("Quinine took the edge off but the cramps still came.", "quinine", role="remedy", effect="partial", rule="partial"),
    case("I tried potassium pills and they did nothing for my cramps.", "potassium", role="remedy", effect="no_effect", rule="no_effect"),
    case("Bananas didn't help my leg cramps at all.", "bananas", role="remedy", effect="no_effect", rule="no_effect", negated=False),
    case("I had rum last night and had no reaction at all.", "rum", concept="alcohol", role="trigger", effect="no_effect", rule="trigger_no_reaction"),
    case("No cramps from red wine for me.", "red wine", concept="alcohol", role="trigger", effect="no_effect", rule="trigger_no_reaction"),
    case("Coffee doesn't bother me at all.", "coffee", role="trigger", effect="no_effect", rule="trigger_no_reaction"),
    case("Since I stopped drinking soda, no more cramps.", "soda", role="trigger", effect="worsened", rule="cessation_relief", negated=False),
    case("I quit coffee a month ago and haven't had a cramp since.", "coffee", role="trigger", effect="worsened", rule="cessation_relief"),
    case("I cut out dairy and still cramp every night.", "dairy", role="trigger", effect="no_effect", rule="cessation_no_change", negated=False),
    case("I never eat sugar but still wake up with cramps.", "sugar", role="trigger", effect="no_effect", rule="cessation_no_change"),
    case("I stopped taking magnesium and the cramps came back.", "magnesium", role="remedy", effect="helped", rule="cessation_relapse"),
    case("When I forget my magnesium, the cramps come back.", "magnesium", role="remedy", effect="helped", rule="cessation_relapse"),
    case("I'm not on any statin and I still get cramps.", "statin", role="trigger", effect="no_effect", rule="negated_exposure", negated=True),
    case("I never took quinine and still cramp every night.", "quinine", role="trigger", effect="no_effect", rule="negated_exposure", negated=True),
    case("If I have wine, I cramp all night.", "wine", concept="alcohol", role="trigger", effect="worsened", rule="conditional_trigger"),
    case("Whenever I eat chocolate my legs cramp.", "chocolate", role="trigger", effect="worsened", rule="conditional_trigger"),
    case("If I take magnesium before bed I have no cramps.", "magnesium", role="remedy", effect="helped", rule="conditional_relief"),
    case("Every time I drink pickle juice the cramps go away.", "pickle juice", role="remedy", effect="helped", rule="conditional_relief"),
    case("Statins cause leg cramps.", "statins", concept="statin", role="trigger", effect="worsened", rule="causative"),
    case("Coffee triggers my cramps.", "coffee", role="trigger", effect="worsened", rule="causative"),
    case("My cramps were caused by the statin.", "statin", role="trigger", effect="worsened", rule="causative"),
    case("My leg cramps are due to caffeine.", "caffeine", role="trigger", effect="worsened", rule="causative"),
    case("Cramps are a side effect of lisinopril.", "lisinopril", role="trigger", effect="worsened", rule="causative"),
    case("I get cramps from too much coffee.", "coffee", role="trigger", effect="worsened", rule="causative"),
    case("Magnesium does not cause my cramps.", "magnesium", role="trigger", effect="no_effect", rule="causative_negated"),
    case("I don't think magnesium helps at all.", "magnesium", role="remedy", effect="no_effect", rule="helped_negated"),
    case("Lasix gives me terrible leg cramps.", "lasix", concept="furosemide", role="trigger", effect="worsened"),
    case("The cramps went away because of the magnesium.", "magnesium", role="remedy", effect="helped", rule="causal_relief"),
    case("Since the cramps were caused by low potassium, bananas help.", "bananas", role="remedy", effect="helped", rule="causal_relief"),
    case("Since the cramps were caused by low potassium, bananas help.", "low potassium", role="trigger", effect="worsened"),
    case("My cramps started after I began atorvastatin.", "atorvastatin", role="trigger", effect="worsened", rule="temporal_trigger"),
    case("Ever since I went on lisinopril I get leg cramps.", "lisinopril", role="trigger", effect="worsened", rule="temporal_trigger"),
    case("I drank wine and an hour later my calves cramped.", "wine", concept="alcohol", role="trigger", effect="worsened", rule="temporal_trigger"),
    case("Soon after I started magnesium the cramps stopped.", "magnesium", role="remedy", effect="helped", rule="temporal_relief"),
    case("I ate a big bowl of ice cream and got cramps that night.", "ice cream", concept="dairy", role="trigger", effect="worsened", rule="exposure_outcome"),
    case("I had beer and woke up with cramps.", "beer", concept="alcohol", role="trigger", effect="worsened", rule="exposure_outcome"),
    case("I had two glasses of red wine and cramped all night.", "red wine", concept="alcohol", role="trigger", effect="worsened"),
    case("Magnesium works better than potassium for my cramps.", "potassium", role="remedy", effect="unclear", rule="comparison_baseline"),
    case("Magnesium works better than potassium for my cramps.", "magnesium", role="remedy", effect="helped", rule="helped"),
    case("Tonic water helps but not as well as mustard.", "mustard", role="remedy", effect="unclear", rule="comparison_baseline"),
    case("Magnesium is not as strong as quinine for cramps.", "magnesium", role="remedy", effect="partial", rule="partial"),
    case("I take magnesium for cramps.", "magnesium", role="remedy", effect="unclear", rule="use_for_condition"),
    case("I take potassium to help with cramps.", "potassium", role="remedy", effect="unclear", rule="use_for_condition"),
    case("I use tonic water for my leg cramps.", "tonic water", role="remedy", effect="unclear", rule="use_for_condition"),
    case("I try to drink tonic water every night.", "tonic water", role="remedy", effect="unclear", rule="intended_remedy"),
    case("I make sure to eat a banana daily.", "banana", role="remedy", effect="unclear", rule="intended_remedy"),
    case("I make sure to avoid sugar.", "sugar", role="trigger", effect="worsened", rule="intended_avoidance"),
    case("I try to stay away from caffeine at night.", "caffeine", role="trigger", effect="worsened", rule="intended_avoidance"),
    case("I'm trying to stop drinking soda.", "soda", role="trigger", rule="intended_avoidance"),
    case("I'm trying to stop drinking soda for my cramps.", "soda", role="trigger"),
    case("I'm going to try magnesium tonight.", "magnesium", role="remedy", effect="unclear", rule="intended_remedy"),
    case("I tried pickle juice.", "pickle juice", role="remedy", effect="unclear", rule="tried"),
    case("I have tried quinine.", "quinine", role="remedy", effect="unclear", rule="tried"),
    case("Drink tonic water before bed.", "tonic water", role="remedy", effect="unclear", rule="advice_to_use", experiencer="general"),
    case("Take magnesium for your cramps.", "magnesium", role="remedy", effect="unclear", experiencer="general"),
    case("Stop eating sugar if you have them.", "sugar", role="trigger", effect="worsened", rule="advice_to_avoid", experiencer="general"),
    case("Avoid caffeine if you get these cramps.", "caffeine", role="trigger", effect="worsened", rule="advice_to_avoid"),
    case("Does pickle juice help with leg cramps?", "pickle juice", role="remedy", effect="unclear", rule="question_remedy", question=True),
    case("Does alcohol contribute to cramps?", "alcohol", role="trigger", effect="unclear", rule="question_trigger", question=True),
    case("I had a hysterectomy for fibroids and the cramps went away.", "fibroids", role="trigger", effect="worsened", rule="treated_cause"),
    case("I had a hysterectomy for fibroids and the cramps went away.", "hysterectomy", role="remedy", effect="helped", rule="helped"),
    case("Surgery to remove my varicose veins cured the cramps.", "varicose veins", role="trigger", effect="worsened"),
    case("Vinegar is great for my heartburn.", "vinegar", role="mention", rule="about_another_complaint"),
    case("I take lisinopril for my blood pressure and the cramps come and go.", "lisinopril", role="mention", rule="unrelated"),
    case("Is it safe to take quinine with warfarin?", "warfarin", role="mention", rule="question_companion", question=False),
    case("Cut out the soda. I have a small diet soda now and then. No cramps since.", "diet soda", role="mention", rule="yields_to_own_sentence_claim"),
    case("Cut out the soda. I have a small diet soda now and then. No cramps since.", "soda", role="trigger", effect="worsened"),
    case("Apple cider vinegar works for my acid reflux.", "apple cider vinegar", role="mention", rule="about_another_complaint"),
]


@pytest.mark.parametrize(("text", "surface", "expected"), RULE_CASES)
def test_decision_rule(claims_of, text, surface, expected):
    assert_case(claims_of, text, surface, expected)


# --- negation: the concept itself, and how far a negation reaches ----------------------------
NEGATION_CASES = [
    case("I never took quinine.", "quinine", role="mention", negated=True),
    case("I'm not taking any statins and I still have cramps.", "statins", negated=True, role="trigger", effect="no_effect"),
    case("I don't drink coffee.", "coffee", role="mention", negated=True),
    case("I don't drink coffee and I still get cramps.", "coffee", role="trigger", effect="no_effect"),
    case("Magnesium didn't help me.", "magnesium", negated=False, effect="no_effect"),
    case("I don't eat bananas but mustard helps my cramps.", "mustard", negated=False, role="remedy", effect="helped"),
    case("I don't take statins, and magnesium helps my cramps.", "magnesium", negated=False, role="remedy", effect="helped"),
    case("I don't take statins, and magnesium helps my cramps.", "statins", negated=True, role="mention"),
    case("I get cramps after beer but no reaction to vodka.", "beer", concept="alcohol", role="trigger", effect="worsened"),
    case("I get cramps after beer but no reaction to vodka.", "vodka", concept="alcohol", role="trigger", effect="no_effect"),
    case("Red wine gives me cramps but white wine doesn't bother me.", "red wine", role="trigger", effect="worsened", variant="red wine"),
    case("Red wine gives me cramps but white wine doesn't bother me.", "white wine", role="trigger", effect="no_effect"),
    case("Mustard helps me, but pickle juice did nothing.", "mustard", role="remedy", effect="helped"),
    case("Mustard helps me, but pickle juice did nothing.", "pickle juice", role="remedy", effect="no_effect"),
    case("Mustard helps, but my legs still cramp after beer.", "beer", role="trigger", effect="worsened"),
]


@pytest.mark.parametrize(("text", "surface", "expected"), NEGATION_CASES)
def test_negation_scope(claims_of, text, surface, expected):
    assert_case(claims_of, text, surface, expected)


# --- hedging ---------------------------------------------------------------------------------
HEDGE_CASES = [
    case("I think magnesium helps my cramps.", "magnesium", hedged=True, role="remedy", effect="helped"),
    case("Maybe the coffee causes my cramps.", "coffee", hedged=True, role="trigger", effect="worsened"),
    case("It might be the wine that causes my cramps.", "wine", hedged=True, role="trigger"),
    case("Not sure if it's related but potassium seems to help.", "potassium", hedged=True, role="remedy", effect="helped"),
    case("Could it be the statin causing these cramps?", "statin", hedged=True, role="trigger", question=False),
    case("Possibly the magnesium helps.", "magnesium", hedged=True, effect="helped"),
    case("I suspect the statin is the culprit.", "statin", hedged=True, role="trigger", effect="worsened"),
    case("I'm pretty sure the statin causes my cramps.", "statin", hedged=True, role="trigger"),
    case("I wonder if the coffee is behind my cramps.", "coffee", hedged=True, role="trigger", effect="worsened", question=False),
    case("Magnesium seems to help my cramps.", "magnesium", hedged=True, role="remedy", effect="helped"),
    case("Mustard helps my cramps.", "mustard", hedged=False),
    case("Coffee triggers my cramps.", "coffee", hedged=False),
]


@pytest.mark.parametrize(("text", "surface", "expected"), HEDGE_CASES)
def test_hedging(claims_of, text, surface, expected):
    assert_case(claims_of, text, surface, expected)


# --- questions: only the asking clause; rhetorical questions are claims ---------------------
QUESTION_CASES = [
    case("What kind of mustard do you use?", "mustard", role="remedy", question=True),
    case("Is it safe to take quinine?", "quinine", role="remedy", question=True),
    case("Has anyone tried pickle juice?", "pickle juice", role="remedy", question=True),
    case("Why does coffee cause cramps?", "coffee", role="trigger", effect="unclear", question=True),
    case("Is it the wine that triggers my cramps?", "wine", role="trigger", rule="question_trigger", question=True),
    case("Mustard stops my cramps. Does anyone know if pickle juice works too?", "mustard", role="remedy", effect="helped", question=False),
    case("Mustard stops my cramps. Does anyone know if pickle juice works too?", "pickle juice", role="remedy", question=True),
    case("Magnesium helps me, but what kind of mustard do you use?", "magnesium", effect="helped", question=False),
    case("Magnesium helps me, but what kind of mustard do you use?", "mustard", question=True),
    case("Mustard works. What about vinegar?", "mustard", question=False, effect="helped"),
    case("Am I the only one who gets relief from tonic water?", "tonic water", role="remedy", effect="helped", question=False),
    case("Is it just me or does mustard work instantly?", "mustard", role="remedy", effect="helped", question=False),
    case("Is it just me or does sugar trigger leg cramps?", "sugar", role="trigger", effect="worsened", question=False),
    case("Who knew pickle juice works so well?", "pickle juice", role="remedy", effect="helped", question=False),
    case("Who knew pickle juice could stop cramps so fast?", "pickle juice", role="remedy", effect="helped", question=False),
]


@pytest.mark.parametrize(("text", "surface", "expected"), QUESTION_CASES)
def test_question_scope(claims_of, text, surface, expected):
    assert_case(claims_of, text, surface, expected)


# --- experiencer -----------------------------------------------------------------------------
EXPERIENCER_CASES = [
    case("Mustard helps my cramps.", "mustard", experiencer="self"),
    case("My husband swears by tonic water for his cramps.", "tonic water", experiencer="family", effect="helped"),
    case("My aunt uses tonic water for cramps.", "tonic water", experiencer="family"),
    case("My friend uses pickle juice for cramps.", "pickle juice", experiencer="friend"),
    case("My neighbour drinks pickle juice and swears it works.", "pickle juice", experiencer="friend", effect="helped"),
    case("My coworker says tonic water helped him.", "tonic water", experiencer="friend"),
    case("A lady at church told me bananas cure cramps.", "bananas", experiencer="other", role="remedy"),
    case("My patient takes quinine for cramps.", "quinine", experiencer="other"),
    case("Everyone should try magnesium for cramps.", "magnesium", experiencer="general", role="remedy"),
    case("You should take magnesium for cramps.", "magnesium", experiencer="general"),
    case("Take a spoonful of mustard when a cramp hits.", "mustard", experiencer="general", role="remedy"),
    case("People who drink tonic water rarely get cramps.", "tonic water", experiencer="general", role="remedy", effect="helped"),
    case("My dad had terrible cramps. He takes magnesium now and it helps.", "magnesium", experiencer="family", effect="helped"),
    case("My husband gets cramps. Magnesium works for him.", "magnesium", experiencer="family"),
    case("My dad had terrible cramps. I take magnesium and it helps.", "magnesium", experiencer="self"),
    case("My husband swears by mustard. I prefer pickle juice for my cramps.", "pickle juice", experiencer="self"),
    case("Statins gave my father cramps.", "statins", experiencer="family", role="trigger", effect="worsened"),
    case("My doctor has me on HCTZ and the cramps started after that.", "hctz", experiencer="self", role="trigger"),
]


@pytest.mark.parametrize(("text", "surface", "expected"), EXPERIENCER_CASES)
def test_experiencer(claims_of, text, surface, expected):
    assert_case(claims_of, text, surface, expected)


# --- discovery of products no lexicon knows ---------------------------------------------------
DISCOVERY_CASES = [
    case("I take Restorin for my cramps and it works.", "restorin", concept="restorin", role="remedy", effect="helped", discovered=True),
    case("I take Zorblex for my cramps but it did nothing.", "zorblex", role="remedy", effect="no_effect", discovered=True),
    case("I take Crampeze for cramps.", "crampeze", role="remedy", effect="unclear", discovered=True),
    case("Thanks to my copper bracelet, no more cramps.", "copper bracelet", role="remedy", effect="helped", discovered=True),
    case("I rub Blue Goo on my calves and the cramps go away.", "blue goo", role="remedy", effect="helped", discovered=True),
    case('I take "Night Calm" and it helps my cramps.', "night calm", role="remedy", effect="helped", discovered=True, match_rule="discovery:quoted"),
    case('My wife swears by "Leg Ease" for cramps.', "leg ease", role="remedy", discovered=True, experiencer="family"),
    case("Mustard helps my cramps.", "mustard", discovered=False, match_rule="lexicon"),
]


@pytest.mark.parametrize(("text", "surface", "expected"), DISCOVERY_CASES)
def test_discovery(claims_of, text, surface, expected):
    assert_case(claims_of, text, surface, expected)


# --- replies that point at the parent's remedy -------------------------------------------------
PARENT = "Mustard stopped my cramps."
REPLY_CASES = [
    case("@Ann: I use the same thing", "the same", concept="mustard", role="remedy", rule_prefix="reply_reference"),
    case("@Ann: same here", "same here", concept="mustard", role="remedy", effect="helped", rule_prefix="reply_reference"),
    case("@Ann: what brand?", "what brand", concept="mustard", role="remedy", question=True, rule_prefix="reply_reference"),
    case("@Ann: tried it and it did nothing for me", "it", concept="mustard", role="remedy", effect="no_effect", rule_prefix="reply_reference"),
]


@pytest.mark.parametrize(("text", "surface", "expected"), REPLY_CASES)
def test_reply_reference(claims_of, text, surface, expected):
    assert_case(claims_of, text, surface, expected, parent=PARENT)


@pytest.mark.parametrize(
    ("text", "parent"),
    [
        pytest.param("@Ann: I use the same thing", None, id="no parent, nothing to refer to"),
        pytest.param("@Ann: I prefer pickle juice for my cramps.", PARENT, id="reply names its own remedy"),
        pytest.param("@Ann: I use the same thing", "Thanks for the article.", id="parent claims nothing"),
    ],
)
def test_reply_without_reference_adds_no_parent_claim(claims_of, text, parent):
    rows = checked_rows(text, claims_of(text, parent))
    assert "mustard" not in set(rows["concept"])
    assert not rows["rule"].str.startswith("reply_reference").any()


# --- concept matching: folds, variants, brands, misspellings ----------------------------------
CONCEPT_CASES = [
    case("Ice cream at night gives me cramps.", "ice cream", concept="dairy", variant="ice cream", category="food"),
    case("Cheese triggers my cramps.", "cheese", concept="dairy", variant="cheese"),
    case("Milk before bed helps my cramps.", "milk", concept="dairy", variant="milk"),
    case("Red wine gives me cramps but white wine doesn't bother me.", "red wine", concept="alcohol", variant="red wine"),
    case("Beer causes my cramps.", "beer", concept="alcohol", variant="beer", category="drink"),
    case("Bourbon sets mine off.", "bourbon", concept="alcohol", variant="bourbon"),
    case("Too much icing on cake gives me cramps.", "icing", concept="sugar", variant="icing"),
    case("Dessert after dinner makes them worse.", "dessert", concept="sugar", variant="dessert"),
    case("A water pill gave me cramps.", "water pill", concept="diuretic", category="medication"),
    case("Since I started statins I cramp every night.", "statins", concept="statin"),
    case("I take Coumadin and Plavix.", "coumadin", concept="warfarin", category="medication"),
    case("I take Coumadin and Plavix.", "plavix", concept="clopidogrel", category="medication"),
    case("I was put on Jantoven last year.", "jantoven", concept="warfarin"),
    case("I'm on Lasix 40 mg.", "lasix", concept="furosemide", category="medication"),
    case("My doctor has me on HCTZ and the cramps started after that.", "hctz", concept="hydrochlorothiazide"),
    case("Meds: Amiodaron 200 MG daily.", "amiodaron", concept="amiodarone", category="medication", match_rule="fuzzy"),
    case("Hydrochlrothia 25 MG once a day.", "hydrochlrothia", concept="hydrochlorothiazide", match_rule="fuzzy"),
    case("Metoprolol 25 MG twice daily", "metoprolol", concept="metoprolol", category="medication"),
    case("I take Keppra 500 mg.", "keppra", concept="levetiracetam", category="medication", match_rule="drug-dictionary"),
]


@pytest.mark.parametrize(("text", "surface", "expected"), CONCEPT_CASES)
def test_concept_matching(claims_of, text, surface, expected):
    assert_case(claims_of, text, surface, expected)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I am starting a new job next week.", id="starting"),
        pytest.param("I eat a banan every morning.", id="banan"),
        pytest.param("Starting tomorrow I will walk more.", id="Starting"),
        pytest.param("Banan every morning keeps cramps away.", id="Banan"),
        pytest.param("We had pizza tonight.", id="pizza"),
    ],
)
def test_ordinary_words_are_not_medications(claims_of, text):
    rows = checked_rows(text, claims_of(text))
    assert not (rows["category"] == "medication").any(), rows[["surface", "concept", "match_rule"]].to_dict("records")


# --- precision traps: no remedy or trigger claim -----------------------------------------------
NEGATIVE_CASES = [
    negative("I drink lots of water but still get cramps.", "water"),
    negative("Dr. Mustard said to stretch before bed.", "mustard"),
    negative("Dr. Mustard told me to stretch.", "mustard"),
    negative("Music is a tonic for the soul.", "tonic water"),
    negative("Bananas are a source of potassium.", "banana"),
    negative("Bananas are a source of potassium.", "potassium"),
    negative("We had pizza tonight.", "pizza"),
    negative("I love hot dogs with mustard.", "mustard"),
    negative("I had a glass of milk.", "dairy"),
    negative("A man at the gym swears by pickle juice.", "exercise"),
    negative("I take my dog for a walk every night.", "walking"),
]


@pytest.mark.parametrize(("text", "concept"), NEGATIVE_CASES)
def test_no_claim_for(claims_of, text, concept):
    rows = checked_rows(text, claims_of(text))
    claimed = rows[(rows["concept"] == concept) & rows["role"].isin(CLAIM_ROLES) & (rows["effect"] != "no_effect")]
    assert claimed.empty, claimed[["surface", "role", "effect", "rule"]].to_dict("records")


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for the article!",
        "Great article, thanks.",
        "Thanks to everyone for the tips!",
        "Read more at https://example.com/mustard-helps-cramps today.",
        "I love this site: https://www.example.org/cramps?remedy=mustard",
        "See www.pickle-juice.com/cramps for more.",
        "I take the bus to work and my cramps are fine.",
        "I take it every night and it helps.",
        "Music is a tonic for the soul.",
    ],
)
def test_no_claims_at_all(claims_of, text):
    rows = checked_rows(text, claims_of(text))
    assert rows.empty, rows[["surface", "concept", "role", "rule"]].to_dict("records")
