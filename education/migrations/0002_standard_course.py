"""The peer education's seven modules, the mandatory courses, and the two erfa groups
(DOMAIN.md). Centre staff edit them in the app."""

from django.db import migrations

COURSE = (
    "Peeruddannelsen",
    "Fælles uddannelse for peermedarbejdere: syv moduler, hver på to sammenhængende "
    "undervisningsdage à fem timer. Udbydes en gang om året.",
)

MODULES = [
    (1, "Recovery – personlig recovery og CHIME"),
    (2, "Den gode peerrelation og den livgivende samtale"),
    (3, "Livstemaer, livssituationer og livshistoriefortælling"),
    (4, "Mening og mestring – selvskade, misbrug og forebyggelse af selvmord"),
    (5, "Brobygning og tværfagligt samarbejde"),
    (6, "Giv stemmerne mening"),
    (7, "Peerbaserede gruppeforløb"),
]

MANDATORY = [
    ("Klinisk it-arbejdsplads", "Adgang til og brug af det kliniske it-system."),
    ("Brandskole", ""),
    ("Konflikthåndtering", ""),
]

GROUPS = [
    (
        "Erfagruppe for peermedarbejdere",
        "Peermedarbejdere fra alle enheder mødes en gang om måneden i halvanden time, "
        "typisk på Teams. Skiftevis ekstern vidensdeling (et oplæg om et emne, I selv vælger) "
        "og intern vidensdeling (jeres egne sager, drøftet gennem CHIME).",
        "peers",
        90,
    ),
    (
        "Erfagruppe for mentorer",
        "Mentorerne mødes online fire gange om året i en time.",
        "mentors",
        60,
    ),
]


def load(apps, schema_editor):
    Course = apps.get_model("education", "Course")
    Module = apps.get_model("education", "Module")
    MandatoryCourse = apps.get_model("education", "MandatoryCourse")
    ErfaGroup = apps.get_model("education", "ErfaGroup")
    if not Course.objects.exists():
        course = Course.objects.create(name=COURSE[0], description=COURSE[1])
        Module.objects.bulk_create(
            Module(course=course, number=number, title=title) for number, title in MODULES
        )
    if not MandatoryCourse.objects.exists():
        MandatoryCourse.objects.bulk_create(
            MandatoryCourse(name=name, description=description, order=(i + 1) * 10)
            for i, (name, description) in enumerate(MANDATORY)
        )
    if not ErfaGroup.objects.exists():
        ErfaGroup.objects.bulk_create(
            ErfaGroup(name=name, description=description, audience=audience, duration_minutes=minutes)
            for name, description, audience, minutes in GROUPS
        )


class Migration(migrations.Migration):
    dependencies = [("education", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
