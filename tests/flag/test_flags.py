"""Every flag on comments written for these tests: positives with their severity, near misses without.

Claims come from the real extract stage (see conftest.py), so these tests also pin how the flag
rules read extract's output (brand names folded, negation, questions, experiencer).
"""
from __future__ import annotations

import pytest

POSITIVES = [
    # dvt: current clot or signs urgent, past medium, asked about medium, ruled out or general low.
    ("My left calf is swollen and hot to the touch since yesterday and it hurts to walk.", "dvt", "urgent"),
    ("I have a blood clot in my leg and the calf looks red and swollen now.", "dvt", "urgent"),
    ("I've just been told I have deep vein thrombosis and started on blood thinners.", "dvt", "urgent"),
    ("One leg is swollen and the other is normal, it started two days ago.", "dvt", "urgent"),
    ("After my long flight home my calf is sore and tender.", "dvt", "high"),
    ("I had a DVT last year after my knee operation, so these cramps worry me.", "dvt", "medium"),
    ("My mum had a pulmonary embolism years ago.", "dvt", "medium"),
    ("Could this calf pain be a blood clot?", "dvt", "medium"),
    ("The scan showed no clots, thank goodness, just cramp.", "dvt", "low"),
    ("People with leg cramps should be aware of the risk of blood clots.", "dvt", "low"),
    # red_flag_symptom
    ("I woke with a cramp and now I have chest pain and feel sick.", "red_flag_symptom", "urgent"),
    ("Since this morning I get short of breath climbing the stairs and my calf aches.", "red_flag_symptom", "urgent"),
    ("My right leg went cold and white after the cramp and I can't feel my toes.", "red_flag_symptom", "urgent"),
    ("My left leg is swollen and twice the size of the other one.", "red_flag_symptom", "urgent"),
    ("I've got a cramp that has lasted 20 minutes and it is still there.", "red_flag_symptom", "urgent"),
    ("The leg cramp went on for over an hour tonight.", "red_flag_symptom", "urgent"),
    ("I'm coughing up blood and the cramps are back.", "red_flag_symptom", "urgent"),
    ("His face drooping and slurred speech started right after the cramp.", "red_flag_symptom", "urgent"),
    ("I take warfarin and my gums bleed every time I brush my teeth.", "red_flag_symptom", "urgent"),
    ("Last year I had numbness in my leg for a whole day.", "red_flag_symptom", "medium"),
    # polypharmacy: 5-9 medium, 10+ high, raised by a blood thinner or an age of 65+.
    ("I take metformin, lisinopril, atorvastatin, omeprazole and vitamin D every day.", "polypharmacy", "medium"),
    ("My daily pills are warfarin, bisoprolol, ramipril, furosemide, simvastatin and fish oil.", "polypharmacy", "high"),
    ("I take amlodipine, metformin, atorvastatin, omeprazole, levothyroxine, sertraline, vitamin D, magnesium, "
     "calcium, fish oil and zinc.", "polypharmacy", "high"),
    ("I'm 78 and on lisinopril, metformin, simvastatin, omeprazole and calcium.", "polypharmacy", "high"),
    ("Retired now, and I take ramipril, amlodipine, atorvastatin, metformin and glucosamine.", "polypharmacy", "high"),
    ("I swallow nine different tablets every morning and the cramps are worse than ever.", "polypharmacy", "medium"),
    # drug_interaction: high; omega-3 medium; asked about one level lower; bleeding urgent.
    ("I'm on warfarin and I've started taking ginkgo for my memory.", "drug_interaction", "high"),
    ("I take Coumadin and Plavix after my stent.", "drug_interaction", "high"),
    ("Since starting amiodarone my warfarin doses keep changing.", "drug_interaction", "high"),
    ("I'm on Xarelto and take ibuprofen for my knees.", "drug_interaction", "high"),
    ("I take Eliquis and a fish oil capsule every morning.", "drug_interaction", "medium"),
    ("Can I take vitamin E with my warfarin?", "drug_interaction", "medium"),
    ("I take warfarin and turmeric capsules and now I'm bruising all over.", "drug_interaction", "urgent"),
    # cramp_inducing_drug: low, context for the reviewer.
    ("I started atorvastatin last month and the night cramps began.", "cramp_inducing_drug", "low"),
    ("My water pill makes me pee all night and my calves cramp.", "cramp_inducing_drug", "low"),
    ("I use my salbutamol inhaler twice a day for asthma.", "cramp_inducing_drug", "low"),
    ("I take nifedipine for my blood pressure.", "cramp_inducing_drug", "low"),
    ("Lasix 40 mg every morning, and the cramps come at night.", "cramp_inducing_drug", "low"),
    ("I'm on Evista for my bones and my calves knot up at night.", "cramp_inducing_drug", "low"),
    # hazardous_remedy: quinine, laxative overuse, high-dose potassium high; tonic water, magnesium > 350 mg medium.
    ("I take a quinine tablet at bedtime and the cramps stopped.", "hazardous_remedy", "high"),
    ("My doctor prescribed Qualaquin for the cramps.", "hazardous_remedy", "high"),
    ("A glass of tonic water every night works for me.", "hazardous_remedy", "medium"),
    ("I take laxatives every day to keep my weight down.", "hazardous_remedy", "high"),
    ("I take potassium 500 mg tablets three times a day.", "hazardous_remedy", "high"),
    ("I take 500mg of magnesium at night.", "hazardous_remedy", "medium"),
    ("I'm on ramipril and I buy potassium tablets to stop the cramps.", "hazardous_remedy", "high"),
    # pediatric_medication: medicines high, supplements and remedies medium.
    ("Can I give my 6 year old magnesium for her leg cramps?", "pediatric_medication", "medium"),
    ("My son is 9 and gets cramps, is it safe to give him ibuprofen?", "pediatric_medication", "high"),
    ("What dose of aspirin for a 10-year-old with growing pains?", "pediatric_medication", "high"),
    ("Our kids get leg cramps; should we give them cough syrup so they sleep?", "pediatric_medication", "high"),
    ("I rub magnesium oil on my toddler's legs at bedtime.", "pediatric_medication", "medium"),
    ("My 8 year old daughter takes a banana every night and her cramps have eased.", "pediatric_medication", "medium"),
    # pregnancy: medium, urgent with a red or swollen leg.
    ("I'm 30 weeks pregnant and take magnesium for the cramps.", "pregnancy", "medium"),
    ("Is it safe to take quinine while breastfeeding?", "pregnancy", "medium"),
    ("Third trimester here, calf cramps every night, a banana before bed helps.", "pregnancy", "medium"),
    ("Two weeks postpartum and taking iron tablets; the cramps are awful.", "pregnancy", "medium"),
    ("We're expecting our first baby and my wife uses a magnesium spray.", "pregnancy", "medium"),
    ("I'm pregnant and my left calf is swollen and red, I rub arnica on it.", "pregnancy", "urgent"),
    # elderly: low.
    ("I'm 84 and the cramps are worse lately.", "elderly", "low"),
    ("I turned 80 last spring and the cramps started.", "elderly", "low"),
    ("My 88 year old dad takes warfarin and gets bad cramps.", "elderly", "low"),
    ("Ninety-two years old and still walking every day, but the night cramps are brutal.", "elderly", "low"),
    ("I am 77 years old, take a statin and get leg cramps.", "elderly", "low"),
    ("In my eighties now and the calf cramps keep me awake.", "elderly", "low"),
    # distress: self-harm urgent, a wish to die high, fear of dying and desperation medium, a plea for help low.
    ("I can't take this anymore, the cramps wake me every hour.", "distress", "medium"),
    ("Please help, I have tried everything for these cramps.", "distress", "low"),
    ("The pain makes me want to die.", "distress", "high"),
    ("I'm afraid I'm dying, my legs lock up every night.", "distress", "medium"),
    ("Sometimes I think about ending my life over this.", "distress", "urgent"),
    ("I'm at my wits end with the cramps.", "distress", "medium"),
    # personal_data
    ("Email me at jane.doe@example.com for the recipe.", "personal_data", "high"),
    ("Call me on 555-0142 after six.", "personal_data", "high"),
    ("My number is (555) 014-2233 if anyone wants to chat.", "personal_data", "high"),
    ("Text +44 7700 900123 for details.", "personal_data", "high"),
    ("Write to jane at example dot com and I will send the list.", "personal_data", "high"),
    ("I live at 42 Maple Street, come by any time.", "personal_data", "high"),
    ("My name is Harriet Gower and I've had cramps for years.", "personal_data", "high"),
    ("DM me and I'll tell you what worked.", "personal_data", "medium"),
    # self_promotion: low, sales included; medium for cure claims and medicines offered for sale.
    ("Check out my blog for more cramp tips!", "self_promotion", "low"),
    ("Order now with discount code CRAMP20 for 20% off.", "self_promotion", "low"),
    ("I can get you quinine tablets without a prescription, send me a message.", "self_promotion", "medium"),
    ("This miracle cure fixed my cramps in one night, doctors don't want you to know.", "self_promotion", "medium"),
    ("Visit www.crampfree-shop.com for the best supplements.", "self_promotion", "low"),
    ("I wrote about this on my lens about natural remedies.", "self_promotion", "low"),
    ("Subscribe to my channel for daily stretches.", "self_promotion", "low"),
    # medical_question: medium.
    ("Is it safe to take magnesium with my blood pressure pills?", "medical_question", "medium"),
    ("What can I do for cramps that wake me every night?", "medical_question", "medium"),
    ("How much potassium should I take?", "medical_question", "medium"),
    ("Does anyone know why my calves cramp after walking?", "medical_question", "medium"),
    ("Should I see a doctor about this numbness in my foot?", "medical_question", "medium"),
    ("Can I take ibuprofen for leg cramps", "medical_question", "medium"),
]

NEAR_MISSES = [
    ("My legs feel hot and swollen after a long day on my feet.", "dvt"),
    ("I drink red wine and my leg cramps get worse.", "dvt"),
    ("A hot bath relaxes my calf muscles before bed.", "dvt"),
    ("My blood clotting tests are all fine.", "dvt"),
    ("I cramp up in both calves after long walks.", "dvt"),
    ("The cramp in my left calf was so hard I could see the muscle knot.", "dvt"),
    ("No chest pain or breathlessness, just the usual calf cramps.", "red_flag_symptom"),
    ("The cramp lasted about two minutes and then eased.", "red_flag_symptom"),
    ("I get out of breath running for the bus, which is normal for me.", "red_flag_symptom"),
    ("Chest pain can be a sign of a heart attack, so never ignore it.", "red_flag_symptom"),
    ("My feet are always cold in winter.", "red_flag_symptom"),
    ("I soak in a hot bath for 30 minutes and the cramps ease.", "red_flag_symptom"),
    ("I take magnesium, potassium and vitamin D.", "polypharmacy"),
    ("Over the years I've tried quinine, magnesium, potassium, calcium, vitamin E and B12, none worked.", "polypharmacy"),
    ("I don't take warfarin, aspirin, statins, diuretics or insulin.", "polypharmacy"),
    ("Should I take magnesium, potassium, calcium, zinc or vitamin D for cramps?", "polypharmacy"),
    ("I eat bananas, spinach, avocado, yogurt and almonds every day.", "polypharmacy"),
    ("I take my meds and my supplements every day.", "polypharmacy"),
    ("I take warfarin and magnesium, my INR is stable.", "drug_interaction"),
    ("I don't take aspirin because I'm on warfarin.", "drug_interaction"),
    ("Garlic in my cooking and vitamin C every day.", "drug_interaction"),
    ("Clopidogrel and aspirin are both antiplatelets.", "drug_interaction"),
    ("I take ibuprofen and fish oil for my joints.", "drug_interaction"),
    ("I stopped warfarin years ago; now I take ginkgo.", "drug_interaction"),
    ("I don't take any statins.", "cramp_inducing_drug"),
    ("I drink plenty of water and take magnesium.", "cramp_inducing_drug"),
    ("Ibuprofen helps my cramps.", "cramp_inducing_drug"),
    ("I take vitamin D and calcium for my bones.", "cramp_inducing_drug"),
    ("My doctor says cramps are common with age.", "cramp_inducing_drug"),
    ("I take metformin and omeprazole.", "cramp_inducing_drug"),
    ("I don't use quinine any more.", "hazardous_remedy"),
    ("I take 250 mg magnesium at night.", "hazardous_remedy"),
    ("Bananas are full of potassium.", "hazardous_remedy"),
    ("I took a laxative once before my colonoscopy.", "hazardous_remedy"),
    ("My GP refused to prescribe quinine, so I stretch instead.", "hazardous_remedy"),
    ("Potassium 99 mg capsules help me.", "hazardous_remedy"),
    ("My mum swears by bananas for her cramps.", "pediatric_medication"),
    ("My son told me to try magnesium.", "pediatric_medication"),
    ("I had leg cramps as a child and my mother fed me bananas.", "pediatric_medication"),
    ("My daughter is a nurse and she recommends magnesium.", "pediatric_medication"),
    ("Children often get growing pains at night.", "pediatric_medication"),
    ("My kids love bananas.", "pediatric_medication"),
    ("When I was pregnant with my son I had terrible cramps, magnesium helped.", "pregnancy"),
    ("I'm not pregnant but I get cramps every night, magnesium helps.", "pregnancy"),
    ("I'm 30 weeks pregnant and the cramps wake me up.", "pregnancy"),
    ("Cramps are common for pregnant women, so stretch before bed.", "pregnancy"),
    ("I wasn't expecting the magnesium to work so fast.", "pregnancy"),
    ("There was a pregnant pause when I said I drink tonic water.", "pregnancy"),
    ("I'm 45 and get cramps after running.", "elderly"),
    ("My cramps started 80 days ago.", "elderly"),
    ("I'm 80% sure it's the dairy.", "elderly"),
    ("I'm 76 and have never had a cramp, I walk every day.", "elderly"),
    ("I'm 5 foot 2 and weigh 90 pounds.", "elderly"),
    ("Being 60 is no fun with these cramps.", "elderly"),
    ("I'm not scared of a little cramp.", "distress"),
    ("This remedy will help you, please try it.", "distress"),
    ("My dog died last year.", "distress"),
    ("I could die laughing at some of these remedies.", "distress"),
    ("Help yourself to a banana before bed.", "distress"),
    ("I don't want to stop the magnesium, it works.", "distress"),
    ("I take 1500 mg on 5/26/13 and cramp 3-4 times a night.", "personal_data"),
    ("It happened on 2013-05-31 at 3 am.", "personal_data"),
    ("My e-mail is broken so I can't reply.", "personal_data"),
    ("I walked 3 miles down the road today.", "personal_data"),
    ("Call me crazy, but mustard works.", "personal_data"),
    ("My name is on the waiting list for a specialist.", "personal_data"),
    ("Great lens, thank you for sharing.", "self_promotion"),
    ("I read about this on https://www.nhs.uk/conditions/leg-cramps/ first.", "self_promotion"),
    ("My contact lens fell out during a cramp.", "self_promotion"),
    ("Check out the stretches in the article above.", "self_promotion"),
    ("I bought it at my local pharmacy.", "self_promotion"),
    ("It was a miracle, the cramps stopped!", "self_promotion"),
    ("Am I the only one who loves the taste of pickle juice?", "medical_question"),
    ("What kind of mustard did you use?", "medical_question"),
    ("I asked my doctor and she said magnesium is fine.", "medical_question"),
    ("Who knew bananas could work so well?", "medical_question"),
    ("Thanks for the great article!", "medical_question"),
    ("I know what causes my cramps: too much coffee.", "medical_question"),
]


def _id(case: tuple) -> str:
    return f"{case[1]}:{case[0][:40]}"


@pytest.mark.parametrize("text, flag, severity", POSITIVES, ids=[_id(c) for c in POSITIVES])
def test_positive_is_flagged_at_its_severity(flags_of, text: str, flag: str, severity: str) -> None:
    found = flags_of(text)
    assert flag in found, f"{flag} not raised; got {sorted(found)}"
    assert found[flag]["severity"] == severity, found[flag]["reason"]


@pytest.mark.parametrize("text, flag", NEAR_MISSES, ids=[_id(c) for c in NEAR_MISSES])
def test_near_miss_is_not_flagged(flags_of, text: str, flag: str) -> None:
    found = flags_of(text)
    assert flag not in found, f"{flag} raised: {found.get(flag, {}).get('reason')}"


@pytest.mark.parametrize("flag", sorted({c[1] for c in POSITIVES}))
def test_every_flag_has_six_positives_and_six_near_misses(flag: str) -> None:
    assert sum(c[1] == flag for c in POSITIVES) >= 6
    assert sum(c[1] == flag for c in NEAR_MISSES) >= 6


def test_all_thirteen_flags_are_covered() -> None:
    from pipeline.flag.rules import FLAGS

    assert {c[1] for c in POSITIVES} == set(FLAGS) == {c[1] for c in NEAR_MISSES}


# Regression tests from the audit of the review queue: false alarms that sat at the top of it.

CLOT_FEARED_THEN_RULED_OUT = [
    ("Ended up at the walk-in clinic because my calf ached so badly after a cramp that I was certain it was a clot. "
     "The ultrasound found no clots, only a pulled muscle.", "low"),
    ("Thought I had a DVT. The doppler showed no clot, just a strained calf.", "low"),
    ("I was convinced it was a blood clot but it wasn't a clot at all, just a knot in the muscle.", "low"),
    ("Spent the weekend panicking about a clot; the scan on Monday was clear.", "low"),
    ("My GP ruled out a clot, so it's plain cramp after all.", "low"),
    ("I'm afraid my swollen leg is a clot but the swelling has gone down today.", "medium"),
    # A scan in the past does not settle a swollen hot calf now.
    ("The scan last spring showed no clot, but now my right calf is swollen and hot again.", "urgent"),
]


@pytest.mark.parametrize("text, severity", CLOT_FEARED_THEN_RULED_OUT)
def test_clot_feared_then_ruled_out_is_not_urgent(flags_of, text: str, severity: str) -> None:
    found = flags_of(text)
    assert found["dvt"]["severity"] == severity, found["dvt"]["reason"]


@pytest.mark.parametrize("text", [
    "Two biscuits after dinner and I'm cramping all night long.",
    "Sugar does it to me, I cramp on and off all night.",
    "Every night my calves cramp for hours after too much coffee.",
])
def test_cramps_coming_back_all_night_are_not_one_long_cramp(flags_of, text: str) -> None:
    assert "red_flag_symptom" not in flags_of(text)


@pytest.mark.parametrize("text", [
    "I have a cramp that won't go away, it's been forty minutes.",
    "My cramp has lasted 25 minutes and counting.",
    "It's been hours and the cramp still won't release.",
    "The cramp went on for hours last night.",
])
def test_one_cramp_lasting_too_long_is_still_urgent(flags_of, text: str) -> None:
    assert flags_of(text)["red_flag_symptom"]["severity"] == "urgent"


RELATIVE_PAST_CLOT_AND_ADVICE = [
    ("My uncle thought his sore calf was just cramp but it was a clot. He spent a week in hospital. "
     "If one leg is swollen and warm, please get it looked at.", {"dvt": "medium", "red_flag_symptom": None}),
    ("Everyone should learn the warning signs of a clot. If one calf is swollen and red, go to A&E.",
     {"dvt": "low", "red_flag_symptom": None}),
    ("Read up on blood clots, people. My gran had a sore calf for days, then she got chest pain and it turned "
     "out the clot had reached her lungs. If one leg is swollen please get it checked.",
     {"dvt": "medium", "red_flag_symptom": "medium"}),
    # A clause starting with "if" after the sign does not make the sign hypothetical.
    ("My left calf is swollen and red, if it's no better tomorrow I'll ring the GP.",
     {"dvt": "urgent", "red_flag_symptom": "urgent"}),
]


@pytest.mark.parametrize("text, expected", RELATIVE_PAST_CLOT_AND_ADVICE)
def test_a_relative_s_past_clot_and_general_advice_are_not_urgent(flags_of, text: str, expected: dict) -> None:
    found = flags_of(text)
    assert {flag: found.get(flag, {}).get("severity") for flag in expected} == expected


@pytest.mark.parametrize("text, severity", [
    ("My daughter is 35 and she takes magnesium every night.", None),
    ("My son, who is 40, takes magnesium for his legs.", None),
    ("My 38 year old daughter takes magnesium for her cramps.", None),
    ("My grown-up son takes magnesium for his cramps.", None),
    ("My 10 year old gets cramps, we give him a banana.", "medium"),
    ("Our 7 year old has cramps, so I give her a glass of milk at bedtime.", "medium"),
    ("My daughter is 9 and she takes magnesium.", "medium"),
])
def test_adult_children_are_not_children_but_a_food_given_to_a_child_is(flags_of, text: str, severity) -> None:
    assert flags_of(text).get("pediatric_medication", {}).get("severity") == severity


@pytest.mark.parametrize("text, severity", [
    ("Visit my shop, 10% off with code LEGS10 this week.", "low"),
    ("Have a look at my site for the formula, full money back guarantee.", "medium"),
    ("My ebook will end your leg cramps for good, grab it while it's cheap.", "medium"),
    ("A glass of red wine and I'm awake at 3am with a calf cramp, guaranteed.", None),
])
def test_self_promotion_is_low_unless_it_claims_a_cure_or_looks_like_health_fraud(flags_of, text: str, severity) -> None:
    assert flags_of(text).get("self_promotion", {}).get("severity") == severity
