"""The Centre's starter list of the staff group's questions before a peer worker starts.

Written for the product from the facts of the North Denmark leader guide's questions for
dialogue ("Får vi en patient som kollega?" and the others)."""

from django.db import migrations

QUESTIONS = [
    (
        "Får vi en patient som kollega?",
        "Nej. Peermedarbejderen er ansat som kollega på lige fod med alle andre. "
        "Vedkommende er kommet så langt i sin egen recovery, at erfaringerne kan bruges til "
        "at støtte andre, og har peeruddannelsen i recovery, recovery-orientering og CHIME.",
    ),
    (
        "Hvad sker der, hvis peermedarbejderen selv får brug for psykiatrisk hjælp?",
        "Så får vedkommende hjælp et andet sted i regionen end i den enhed, hvor "
        "vedkommende arbejder, præcis som det gælder for alle andre ansatte.",
    ),
    (
        "Skal peermedarbejderen erstatte en af os?",
        "Nej. Peermedarbejderen supplerer det tværfaglige team med et særligt blik for den "
        "personlige recovery og overtager ikke en anden faggruppes opgaver.",
    ),
    (
        "Får peermedarbejderen kun de gode opgaver?",
        "Opgaverne står i funktionsbeskrivelsen, fx individuelle samtaler, grupper, "
        "følgeskab og brobygning. De løses sammen med patienten og teamet omkring patienten.",
    ),
    (
        "Har peermedarbejderen tavshedspligt?",
        "Ja. De samme regler gælder for peermedarbejderen som for alle andre i teamet.",
    ),
    (
        "Arbejder peermedarbejderen imod behandlingen?",
        "Nej. Peermedarbejderen hjælper patienten med at sætte ord på sine ønsker og håb, "
        "også om behandlingen, og er dermed en medspiller i den.",
    ),
    (
        "Hvad mener peermedarbejderen om medicin?",
        "Det er ikke en del af peerstøtten. Opgaven er at hjælpe patienten med selv at "
        "formulere sine ønsker og spørgsmål om medicin; peermedarbejderens egen holdning "
        "holdes ude af samtalen.",
    ),
]


def load(apps, schema_editor):
    Question = apps.get_model("employment", "StaffQuestion")
    if not Question.objects.exists():
        Question.objects.bulk_create(
            Question(question=q, answer=a, order=(i + 1) * 10) for i, (q, a) in enumerate(QUESTIONS)
        )


class Migration(migrations.Migration):
    dependencies = [("employment", "0005_presentation_staffquestion")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
