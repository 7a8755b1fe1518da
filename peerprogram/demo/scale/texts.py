"""The words of the generated programme: invented names, towns and short Danish sentences.

Every person is fictional; the towns are real Danish towns, used only as place names.
"""

from __future__ import annotations

FIRST_NAMES = [
    "Anne", "Mette", "Lone", "Susanne", "Pia", "Camilla", "Louise", "Maria", "Sara", "Ida",
    "Julie", "Emma", "Freja", "Signe", "Nanna", "Katrine", "Line", "Maja", "Helle", "Birgitte",
    "Karen", "Hanne", "Tina", "Rikke", "Sofie", "Laura", "Cecilie", "Astrid", "Malene", "Trine",
    "Jens", "Peter", "Lars", "Henrik", "Søren", "Anders", "Thomas", "Morten", "Jesper", "Martin",
    "Rasmus", "Mikkel", "Jonas", "Kasper", "Emil", "Frederik", "Simon", "Christian", "Nikolaj",
    "Oliver", "Lasse", "Benjamin", "Torben", "Kim", "Jakob", "Mads", "Troels", "Bo", "Allan",
    "Niels", "Esben", "Asger", "Ulla", "Gitte", "Bente", "Dorte", "Vibeke", "Ole", "Finn", "Erik",
]  # fmt: skip

LAST_NAMES = [
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
    "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Holm", "Kjærgaard", "Dahl",
    "Bech", "Krogh", "Friis", "Lauridsen", "Søgaard", "Iversen", "Brandt", "Winther", "Bak",
    "Juhl", "Skov", "Lind", "Damgaard", "Kirkegaard", "Falk", "Lynge", "Aagaard", "Storm",
    "Brix", "Vestergaard", "Østergaard", "Nørgaard", "Hviid", "Holst", "Kofoed", "Vinther",
    "Haugaard", "Jakobsen", "Mølgaard", "Riis", "Sand", "Bladt", "Dyhr", "Lorentzen", "Eskildsen",
]  # fmt: skip

# (organisation, towns). The region scale uses the first; the nation scale all five.
REGIONS = [
    (
        "Psykiatrien, Region Nord (fiktiv)",
        ["Aalborg", "Hjørring", "Frederikshavn", "Brønderslev", "Thisted", "Hobro", "Aars",
         "Skagen", "Sæby", "Nykøbing Mors", "Hirtshals", "Støvring", "Nibe", "Fjerritslev",
         "Løgstør", "Brovst", "Dronninglund", "Aabybro"],
    ),
    (
        "Psykiatrien, Region Midt (fiktiv)",
        ["Aarhus", "Randers", "Viborg", "Silkeborg", "Horsens", "Herning", "Holstebro", "Skive",
         "Grenaa", "Skanderborg", "Ikast", "Struer", "Lemvig", "Odder", "Ebeltoft", "Hammel"],
    ),
    (
        "Psykiatrien, Region Syd (fiktiv)",
        ["Odense", "Esbjerg", "Kolding", "Vejle", "Aabenraa", "Sønderborg", "Haderslev",
         "Svendborg", "Middelfart", "Fredericia", "Tønder", "Varde", "Ribe", "Nyborg"],
    ),
    (
        "Psykiatrien, Region Sjælland (fiktiv)",
        ["Roskilde", "Næstved", "Slagelse", "Holbæk", "Køge", "Nykøbing Falster", "Kalundborg",
         "Ringsted", "Vordingborg", "Sorø", "Nakskov", "Faxe"],
    ),
    (
        "Psykiatrien, Region Hovedstaden (fiktiv)",
        ["København", "Frederiksberg", "Hillerød", "Helsingør", "Glostrup", "Ballerup",
         "Gentofte", "Amager", "Bispebjerg", "Hvidovre", "Frederikssund", "Bornholm"],
    ),
]  # fmt: skip

QUARTERS = ["", " Nord", " Syd", " Øst", " Vest", " Midt", " By", " Land"]

CENTRE = "Center for Recovery og Samskabelse"
DOMAIN = "psykiatri-scale.example"
APPLICANT_DOMAIN = "ansoeger.example"
PATIENT_NAMES = [
    "A.K.", "B.M.", "C.L.", "D.H.", "E.J.", "F.N.", "G.S.", "H.T.", "I.V.", "J.P.", "K.R.",
    "L.B.", "M.D.", "N.F.", "O.G.", "P.W.", "Bjarne", "Dorthe", "Finn", "Grethe", "Kurt",
    "Lis", "Preben", "Tove", "Yvonne", "Ib", "Jytte", "Aksel", "Bodil", "Ejnar",
]  # fmt: skip

CONNECTEDNESS = [
    "Har genoptaget kontakten med sin søster og ringer til hende om søndagen.",
    "Savner kollegerne fra før sygemeldingen. Vil prøve fællesspisning i medborgerhuset.",
    "Føler sig mindre alene efter at have mødt andre med lignende erfaringer i gruppen.",
    "Naboen har tilbudt at gå tur med hende om tirsdagen.",
    "Er begyndt at komme i klubben om torsdagen og kender nu et par af de andre.",
    "Har fortalt sin bror, hvordan det går, og det gav ro.",
]
HOPE = [
    "Glæder sig til at starte på et hold i det lokale motionscenter.",
    "Siger, at det hjælper at høre, at andre er kommet igennem noget lignende.",
    "Håber at kunne tage barnebarnet med i zoologisk have til sommer.",
    "Tror på, at søvnen bliver bedre, nu hvor der er mere rytme i hverdagen.",
    "Kan se, at de gode dage er blevet flere end i foråret.",
]
IDENTITY = [
    "Er mere end sin diagnose: far, tidligere tømrer og god til at lave mad.",
    "Er begyndt at tegne igen og kalder sig selv kreativ.",
    "Vil gerne kendes som en, der er god til at lytte.",
    "Fortæller stolt om sin tid som spejderleder.",
]
MEANING = [
    "Hunden giver struktur på dagen og en grund til at komme ud.",
    "Vil gerne hjælpe til i det frivillige cykelværksted.",
    "Haven giver ro. Har sået kartofler sammen med sin datter.",
    "Synger i kor igen og siger, at det giver mening at være en del af noget.",
]
EMPOWERMENT = [
    "Har selv ringet til jobcentret og aftalt et møde.",
    "Bestemte selv dagsordenen i dag: søvn og rytme.",
    "Vil selv fortælle behandleren, at medicinen gør ham træt.",
    "Har lavet en plan for, hvad hun gør, når tankerne bliver for mange.",
    "Har selv booket tid hos egen læge.",
]
WORDS = [
    "Jeg vil gerne have, at der står, at jeg selv valgte at komme i dag.",
    "Det er første gang i lang tid, jeg har haft lyst til at planlægge noget.",
    "Jeg er ikke bare en patient. Jeg er også mor.",
    "Det hjælper at tale med en, der selv har prøvet det.",
]
NEXT_STEPS = [
    "Vi mødes igen torsdag kl. 10 i ambulatoriet.",
    "Vi går sammen til åbent hus i klubben næste uge.",
    "Hun tager selv kontakt til kontaktpersonen om medicinen. Vi ses om en uge.",
    "Han ringer, hvis han vil have følgeskab til motionscentret første gang.",
    "Vi tager en gåtur i parken næste gang og taler videre om planen.",
]
REVISED_NEXT_STEP = "Vi mødes igen fredag i stedet, fordi der er tandlæge torsdag."
ERROR_REASONS = [
    "Skrevet på den forkerte patient. Rettet i et nyt notat.",
    "Samtalen blev aflyst; notatet blev oprettet ved en fejl.",
    "Dobbeltregistreret.",
]
CONCERN_PASSED_TO = ["Kontaktpersonen", "Afsnitslederen", "Vagthavende læge", "Teamets læge"]
GROUP_TOPICS = [
    "Recovery-gruppe: at finde sine egne små skridt",
    "Søvn og hverdagsrytme",
    "At fortælle sin historie",
    "Håb, når det er svært",
    "Gåtur og snak om fællesskaber",
    "Stemmehørergruppe",
]
CO_FACILITATORS = ["Ergoterapeut i afsnittet", "Sygeplejerske i teamet", "Socialrådgiver", ""]
REFERRAL_REASONS = [
    "Vil gerne tale med en, der selv har prøvet at være indlagt. Er nervøs for at komme ud i "
    "hverdagen igen.",
    "Ønsker følgeskab til et fællesskab i lokalområdet.",
    "Har spurgt til peerstøtte efter et oplæg på afsnittet.",
    "Er ensom og vil gerne finde en forening at komme i.",
]
DECLINE_REASONS = [
    "Patienten kender mig privat. Jeg foreslår en peer fra et andet team.",
    "Har ikke plads i kalenderen før om to måneder; en kollega tager over.",
]
CONTACT_OTHER = "Via pårørende efter aftale med patienten"

CHECKIN_NOTES = [
    "Talte om at finde sin plads i personalegruppen.",
    "Gennemgik et notat efter CHIME sammen.",
    "Sparring om en svær samtale fra sidste uge.",
    "Aftalte at deltage i næste personalemøde sammen.",
]
CHECKIN_CANCELLED = "Aflyst på grund af sygdom."

APPLICANT_MOTIVATION = [
    "Vil gerne bruge egne erfaringer til at give håb.",
    "Har selv fået hjælp af en peer og vil gerne give det videre.",
    "Ønsker at arbejde et sted, hvor erfaringerne er en styrke.",
]
APPLICANT_RECOVERY = [
    "Fortæller roligt om sin egen recovery og om, hvad der hjalp.",
    "Har god afstand til de svære år og kan sætte ord på dem.",
]
APPLICANT_ROBUSTNESS = [
    "Kender sine grænser og siger til, når noget bliver for meget.",
    "Har en god plan for hvile og støtte.",
]
APPLICANT_READINESS = [
    "Glæder sig mest til samtalerne; lidt spændt på gruppeforløb.",
    "Vil gerne bygge bro til foreninger og frivillige tilbud.",
]
REJECT_REASONS = [
    "Vi har valgt en ansøger, hvis erfaringer passer bedre til teamet.",
    "For kort afstand til egne erfaringer lige nu. Velkommen til at søge igen.",
]
ASSESSMENTS = [
    ("Fortæller roligt om sin egen recovery og om, hvad der hjalp.", "yes"),
    ("Reflekterer godt, men virker stadig tæt på de svære erfaringer.", "maybe"),
    ("Har svært ved at se sine erfaringer fra en andens side endnu.", "no"),
]
REFEREES = [
    ("Tidligere leder i et botilbud", "Stabil, varm og god til at samarbejde."),
    ("Koordinator i en frivillig forening", "Pålidelig og god til at skabe tryghed."),
]

MEETING_TOPICS = [
    "Peerdrift – hvordan holder vi fast i peerrollen?",
    "Recovery-colleges i Danmark",
    "Pårørende som samarbejdspartnere",
    "Selvmordsforebyggelse i samtalen",
    "At dele sin egen historie – hvor meget og hvornår?",
    "Brobygning til frivillige foreninger",
]
SPEAKER = "Oplægsholder fra Recovery-netværket"
MEETING_CANCEL_REASON = "Aflyst: for få tilmeldte i ferien."
SUPERVISORS = ["Anne Thorsen, psykolog", "Poul Krag, psykoterapeut", "Lise Dam, supervisor"]
SUPERVISION_TOPICS = [
    "Balancen mellem det professionelle og det private",
    "Når en samtale rører ved egne erfaringer",
    "Peerrollen i et travlt team",
]
PROPOSALS = [
    ("Humor i samtalen", "Et oplæg om, hvornår humor hjælper – og hvornår ikke."),
    ("Peerstøtte for unge", "Hvad er anderledes, når patienten er under 25?"),
    ("Sorg og tab", ""),
]
EXTERNAL_ORGANISATIONS = ["Kommune, Socialpsykiatrien", "Kommune, Bostøtten", "Kommune"]
COMPLETION_REASON = "Indhentede den manglende dag på det næste hold."
