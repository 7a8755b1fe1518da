"""The starter questionnaire of the implementation survey, written for the product from
the themes of the Capital Region's implementation evaluation (DOMAIN.md): clarity of the
function, collaboration with colleagues, the leader's goals, referrals, supervision and
community, wellbeing. The Centre changes it or copies it before a round opens."""

from django.db import migrations

P, L, C = "peers", "leaders", "colleagues"
ALL = (P, L, C)

# (theme, kind, text, asked of)
QUESTIONS = [
    ("clarity", "scale", "Det er klart for mig, hvad peermedarbejderen skal lave i vores enhed.", ALL),
    ("clarity", "scale", "Det er klart for mig, hvilke opgaver peermedarbejderen ikke skal løse.", ALL),
    ("colleagues", "scale", "Peermedarbejderen og de øvrige medarbejdere arbejder godt sammen.", ALL),
    ("colleagues", "scale", "Personalegruppen var forberedt på, at der kom en peermedarbejder.", ALL),
    (
        "colleagues",
        "scale",
        "Peermedarbejderen får de samme informationer som andre medarbejdere (møder, mails, "
        "intranet).",
        ALL,
    ),
    ("goals", "scale", "Lederen har sat klare mål for peerstøtten i enheden.", ALL),
    ("goals", "scale", "Leder og peermedarbejder følger jævnligt op på arbejdet sammen.", (P, L)),
    ("referrals", "scale", "Antallet af henvisninger passer til peermedarbejderens timer.", ALL),
    ("referrals", "scale", "Jeg ved, hvordan en patient bliver tilbudt peerstøtte.", (L, C)),
    ("community", "scale", "Jeg får den supervision, jeg har brug for i mit arbejde.", (P,)),
    ("community", "scale", "Jeg er en del af et fællesskab med andre peermedarbejdere.", (P,)),
    ("wellbeing", "scale", "Jeg trives i mit arbejde som peermedarbejder.", (P,)),
    ("wellbeing", "scale", "Peerstøtten gør en forskel for enhedens patienter.", ALL),
    ("other", "text", "Hvad fungerer godt ved peerstøtten hos jer?", ALL),
    ("other", "text", "Hvad skal laves om?", ALL),
]


def load(apps, schema_editor):
    Questionnaire = apps.get_model("evaluation", "Questionnaire")
    Question = apps.get_model("evaluation", "Question")
    if Questionnaire.objects.exists():
        return
    questionnaire = Questionnaire.objects.create(
        title="Implementeringsundersøgelse",
        intro=(
            "Vi spørger peermedarbejdere, ledere og kolleger i enhederne, hvordan peerstøtten "
            "er kommet på plads. Svar ud fra din egen erfaring. Du kan springe et spørgsmål "
            "over. Svarene gemmes uden dit navn, og der vises kun resultater for grupper med "
            "mindst 5 svar."
        ),
    )
    Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            order=(i + 1) * 10,
            theme=theme,
            kind=kind,
            text=text,
            for_peers=P in whom,
            for_leaders=L in whom,
            for_colleagues=C in whom,
        )
        for i, (theme, kind, text, whom) in enumerate(QUESTIONS)
    )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
