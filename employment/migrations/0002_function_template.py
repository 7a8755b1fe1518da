"""The Centre's starter template for function descriptions (edited in the app afterwards).

Written for the product from the guides' facts: the North Denmark leader guide (the four
values, the kinds of peer task) and the Capital Region report (say which tasks are not
solved; agree who is offered peer support)."""

from django.db import migrations

TEMPLATE = {
    "purpose": (
        "Peermedarbejderen bruger sine egne, bearbejdede erfaringer med psykisk sygdom og "
        "recovery til at støtte patienternes personlige recovery. Støtten skaber håb og "
        "forbindelse, viser at bedring er mulig, og bringer patientens perspektiv ind i "
        "teamets arbejde. Samtalerne tager udgangspunkt i CHIME: forbundethed, håb, "
        "identitet, mening og mestring."
    ),
    "values": (
        "Funktionen hviler på fire værdier:\n"
        "- Indflydelse: patienten bestemmer over sit eget forløb og over, hvad der skrives "
        "i peernotatet.\n"
        "- Tillid: samtalerne bygger på ligeværd og fortrolighed inden for tavshedspligtens "
        "rammer.\n"
        "- Ordentlighed: peermedarbejderen møder patienter og kolleger åbent og med respekt.\n"
        "- Professionalisme: egne erfaringer bruges bevidst og til gavn for patienten, og "
        "peermedarbejderen dokumenterer og samarbejder som andre medarbejdere."
    ),
    "not_tasks": (
        "Medicinhåndtering og udlevering af medicin\n"
        "Sygeplejefaglige opgaver og observationer\n"
        "Udredning, diagnoser og behandlingsbeslutninger\n"
        "Tvang og magtanvendelse\n"
        "At være alene med ansvaret for afsnittet"
    ),
    "criteria": (
        "Peerstøtte tilbydes patienter, der selv ønsker det, og som kan have gavn af at tale "
        "med en, der har stået i en lignende situation. Patient og kontaktperson vurderer "
        "sammen, om tilbuddet passer nu. Patienten kan altid sige nej tak eller stoppe."
    ),
    "referral_agreement": (
        "Alle i teamet fortæller patienterne om tilbuddet. Henvisningen sendes i "
        "Peerprogram. Aftal på et teammøde, hvordan kontakten skabes hos jer, og hvor hurtigt "
        "peermedarbejderen svarer."
    ),
}


def load(apps, schema_editor):
    Template = apps.get_model("employment", "FunctionTemplate")
    if not Template.objects.exists():
        Template.objects.create(pk=1, **TEMPLATE)


class Migration(migrations.Migration):
    dependencies = [("employment", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
