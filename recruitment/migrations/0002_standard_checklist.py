"""The standard hiring and onboarding checklist and posting template (Centre staff edit them).

Sources: the North Denmark leader guide's checklist (page references are to that guide),
the team-preparation and onboarding checklists and the probation follow-ups of the
Peer-Partnerskabet mini-guide, and the leader duties at job start.
"""

from django.db import migrations

THEME_DAY_TITLE = "Hold en temadag om peerstøtte efter uddannelsen"
THEME_DAY_DESCRIPTION = (
    "Peermedarbejderen fortæller på et personalemøde eller en temadag, hvad uddannelsen har "
    "givet. Spørg sammen: Hvor er vi med peerstøtten? Hvad kræver den af os? Hvad har vi lært? "
    "Hvad er næste skridt? Hvem gør hvad, hvornår og hvordan?"
)

# (phase, title, description, responsible, anchor, offset_days, guide reference, derived)
ITEMS = [
    ("before", "Udpeg mentor", "Find en kollega i enheden, der passer til peermedarbejderen, og som kan mødes med hende eller ham hver uge det første halve år.", "leader", "start", -14, "Lederguiden s. 19", "mentor_appointed"),
    ("before", "Udarbejd stillingsopslag", "Tag udgangspunkt i Centrets skabelon. Centret deler opslaget i sine netværk.", "leader", "start", -75, "Lederguiden s. 21", "posting_published"),
    ("before", "Nedsæt ansættelsesudvalg", "Anbefalet: lederen, en medarbejderrepræsentant (gerne den kommende mentor), en medarbejder fra Centret og helst en peermedarbejder fra en anden enhed.", "leader", "start", -60, "Lederguiden s. 21", "committee_complete"),
    ("before", "Udarbejd ansættelseskontrakt", "HR hjælper med kontrakten.", "leader", "start", -21, "", ""),
    ("before", "Introducér den kommende rolle for personalegruppen", "Fortæl hvad en peermedarbejder laver, og hvad I håber at opnå.", "leader", "start", -21, "Lederguiden s. 23", ""),
    ("before", "Bestil arbejdsstation og andet udstyr", "Kontoret skal være klar på første dag; telefon og pc ved start.", "leader", "start", -14, "Lederguiden s. 23", ""),
    ("team", "Hold en teamdag om peerstøtte", "Drøft sammen med medarbejderne, hvordan peerstøtte skal indgå i opgaverne, fx stillingsbeskrivelse og forventninger.", "leader", "start", -30, "Mini-guiden: forberedelse af teamet", ""),
    ("team", "Spørg brugerrådet om den ønskede profil", "Brugerråd, dialogforum eller lignende.", "leader", "start", -75, "Mini-guiden: forberedelse af teamet", ""),
    ("team", "Kommunikér peerrollen tydeligt", "Både medarbejdere og patienter skal kunne forstå, hvordan samarbejdet bliver, og hvad det skal gøre muligt.", "leader", "start", -14, "Mini-guiden: forberedelse af teamet", ""),
    ("team", "Aftal hvor og hvornår bekymringer kan luftes", "Så løsninger kan findes i fællesskab.", "leader", "start", -14, "Mini-guiden: forberedelse af teamet", ""),
    ("team", "Afsæt tid til uddannelse i peerstøtte for teamet", "Hvad peerstøtte indebærer, og hvorfor det styrker praksis.", "leader", "start", -14, "Mini-guiden: forberedelse af teamet", ""),
    ("team", "Teamet kender funktionsbeskrivelsen", "", "leader", "start", 0, "Mini-guiden: forberedelse af teamet", ""),
    ("team", "Peermedarbejderen præsenterer sig på et fællesmøde", "", "peer", "start", 14, "Mini-guiden: forberedelse af teamet", ""),
    ("team", "Informér patienterne og aftal henvisning", "Hvordan kolleger skaber kontakt mellem patienter og peermedarbejderen: patienten selv, kontaktpersonen, handleplanen eller opstartssamtalen, andet.", "leader", "start", 14, "Mini-guiden: henvisningsaftaler", ""),
    ("onboarding", "Sørg for en egnet arbejdsplads", "Mulighed for samtaler og gruppeaktiviteter uden gennemgang.", "leader", "start", -1, "Mini-guiden: onboarding", ""),
    ("onboarding", "Beskriv opgaverne i en funktionsbeskrivelse", "Værdierne bag: indflydelse, tillid, anstændighed og professionalisme.", "leader", "start", 0, "Mini-guiden: onboarding", ""),
    ("onboarding", "Drøft eventuelle særlige hensyn", "Tages op i forbindelse med ansættelsen.", "leader", "start", 0, "Mini-guiden: onboarding", ""),
    ("onboarding", "Introduktion til arbejdspladsen og rollen", "", "leader", "start", 0, "", ""),
    ("onboarding", "Forventningsafstemning med opfølgning", "", "leader", "start", 7, "", ""),
    ("onboarding", "Sikr at peermedarbejderen kender oplysningspligten", "Hvis en patient vurderes at være til fare for sig selv eller andre.", "leader", "start", 7, "", ""),
    ("onboarding", "Aftal at eventuel psykiatrisk hjælp gives i en anden enhed", "Hvis peermedarbejderen selv får brug for hjælp, skal det ikke være i egen enhed.", "leader", "start", 7, "", ""),
    ("after", "Introducér peermedarbejderen for personalegruppen", "", "leader", "start", 7, "Lederguiden s. 25", ""),
    ("after", "Tilmeld de obligatoriske kurser", "Klinisk it-arbejdsplads, brandskole og konflikthåndtering.", "leader", "start", 14, "Lederguiden s. 22", "mandatory_courses"),
    ("after", "Tilmeld peeruddannelsen", "Næste hold; gebyret (ca. 14.000 kr.) betales af enhedens driftsbudget. Uddannelsen skal helst tages i det første ansættelsesår.", "leader", "start", 30, "Lederguiden s. 17", "education_enrolled"),
    ("after", "Oplæring i dokumentation efter CHIME", "Mentoren lærer peermedarbejderen at dokumentere.", "mentor", "start", 30, "Lederguiden s. 22", ""),
    ("after", "Skemalæg den aftalte uddannelse", "", "leader", "start", 30, "Mini-guiden: onboarding", ""),
    ("after", "Afvikl workshops om personlig recovery", "Centret kan hjælpe.", "centre", "start", 90, "Lederguiden s. 23", ""),
    ("probation", "Opfølgning efter 14 dage", "Samtale mellem peermedarbejderen og lederen.", "leader", "start", 14, "Mini-guiden: opfølgning på jobstart", ""),
    ("probation", "Opfølgning en uge før midten af prøvetiden", "Peermedarbejderen, lederen og kolleger deltager.", "leader", "probation_middle", -7, "Mini-guiden: opfølgning på jobstart", ""),
    ("probation", "Opfølgning tre uger før prøvetiden udløber", "Samtale mellem peermedarbejderen og lederen.", "leader", "probation_end", -21, "Mini-guiden: opfølgning på jobstart", ""),
    ("after", THEME_DAY_TITLE, THEME_DAY_DESCRIPTION, "leader", "education_completed", 60, "Lederguiden s. 17", ""),
    ("yearly", "Første MUS-samtale og trivselsundersøgelse", "Den årlige medarbejderudviklingssamtale.", "leader", "start", 365, "", ""),
]

POSTING = """{title}

{unit} søger en peermedarbejder, {hours} timer om ugen ({employment_form}), med start {start_date}.

Som peermedarbejder bruger du dine egne, bearbejdede erfaringer med psykisk sygdom og recovery i samtaler med patienter, i grupper og når du bygger bro til hverdagslivet uden for psykiatrien. Du bliver en del af et tværfagligt team, du får en mentor blandt dine kolleger, og du tager den fælles peeruddannelse i dit første ansættelsesår.

Vi forventer, at du
- har levede erfaringer med psykisk sygdom og recovery, og at du har afstand nok til dem til at kunne bruge dem til gavn for andre
- kan indgå i et samarbejde med kolleger, patienter og pårørende
- har lyst til at lære og til at være med til at udvikle peerstøtten

Du ansættes efter gældende overenskomst. Uddannelse inden for social- og sundhedsområdet er ikke et krav.

Vil du vide mere, så kontakt {contact}.

Ansøgningsfrist: {deadline}.
"""


def load(apps, schema_editor):
    Item = apps.get_model("recruitment", "ChecklistTemplateItem")
    Template = apps.get_model("recruitment", "PostingTemplate")
    if not Item.objects.exists():
        Item.objects.bulk_create(
            Item(
                phase=phase, title=title, description=description, responsible=responsible,
                anchor=anchor, offset_days=offset, guide_reference=ref, derived_from=derived,
                order=(index + 1) * 10,
            )
            for index, (phase, title, description, responsible, anchor, offset, ref, derived)
            in enumerate(ITEMS)
        )
    if not Template.objects.exists():
        Template.objects.create(name="Centrets standardopslag for peermedarbejdere", body=POSTING)


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
