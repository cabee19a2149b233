"""What the demo setting holds (`flask demo load`, demo.py): two kommuner with their teams,
units, areas and places, the demo users, and the youths and notes of the demo's history."""

from datetime import date

from outreach.auth.models import Role
from outreach.org.models import PlaceKind, TeamKind
from outreach.vocabulary import Gender, RiskLevel

#: Receiving units with first-contact times of their own (normal, urgent), in hours.
UNIT_HOURS = {("Malmö", "Avhopparverksamheten"): (48, 12)}

#: The two demo kommuner, so that the boundary between them can be seen: each with field
#: teams and receiving units, areas with places, and users.
KOMMUNER = {
    "Malmö": {
        "code": "1280",
        "teams": [
            ("Fältgruppen Norr", TeamKind.FIELD),
            ("Fältgruppen Söder", TeamKind.FIELD),
            ("Fältgruppen Öster", TeamKind.FIELD),
            ("Våldspreventivt centrum", TeamKind.VPC),
            ("Avhopparverksamheten", TeamKind.EXIT),
            ("Socialtjänstens mottagning", TeamKind.INTAKE),
        ],
        "areas": {
            "Centrum": [
                ("Gustav Adolfs torg", PlaceKind.SQUARE),
                ("Malmö C", PlaceKind.STATION),
                ("Triangeln köpcentrum", PlaceKind.MALL),
                ("Pildammsparken", PlaceKind.PARK),
            ],
            "Rosengård": [
                ("Rosengårds centrum", PlaceKind.MALL),
                ("Rosengårdsskolan", PlaceKind.SCHOOL),
                ("Fritidsgården Rosengård", PlaceKind.YOUTH_CENTRE),
                ("Station Rosengård", PlaceKind.STATION),
            ],
            "Möllevången": [
                ("Möllevångstorget", PlaceKind.SQUARE),
                ("Folkets park", PlaceKind.PARK),
                ("Fritidsgården Möllan", PlaceKind.YOUTH_CENTRE),
            ],
            "Värnhem": [
                ("Värnhemstorget", PlaceKind.SQUARE),
                ("S:t Petri skola", PlaceKind.SCHOOL),
            ],
            "Hyllie": [
                ("Emporia", PlaceKind.MALL),
                ("Hyllie station", PlaceKind.STATION),
                ("Hyllievångsparken", PlaceKind.PARK),
            ],
        },
    },
    "Botkyrka": {
        "code": "0127",
        "teams": [
            ("Fältgruppen Alby–Fittja", TeamKind.FIELD),
            ("Fältgruppen Tumba", TeamKind.FIELD),
            ("Våldspreventivt centrum", TeamKind.VPC),
            ("Socialtjänstens mottagning", TeamKind.INTAKE),
        ],
        "areas": {
            "Alby": [
                ("Alby centrum", PlaceKind.MALL),
                ("Albyskolan", PlaceKind.SCHOOL),
                ("Alby station", PlaceKind.STATION),
            ],
            "Fittja": [
                ("Fittja centrum", PlaceKind.SQUARE),
                ("Fittja fritidsgård", PlaceKind.YOUTH_CENTRE),
            ],
            "Tumba": [
                ("Tumba centrum", PlaceKind.MALL),
                ("Tumba station", PlaceKind.STATION),
                ("Tumba park", PlaceKind.PARK),
            ],
        },
    },
}

#: (username, name, role, kommun, teams); the operator works for no kommun. Malmö's intake
#: unit receives reports of concern in Outreach; Botkyrka's has no one here (reports go on
#: paper).
USERS = [
    ("falt", "Fatima Fältarbetare", Role.FIELD_WORKER, "Malmö", ["Fältgruppen Söder"]),
    ("falt2", "Johan Lindqvist", Role.FIELD_WORKER, "Malmö", ["Fältgruppen Söder"]),
    ("falt3", "Sara Öberg", Role.FIELD_WORKER, "Malmö", ["Fältgruppen Norr"]),
    ("teamledare", "Tomas Teamledare", Role.TEAM_LEAD, "Malmö", ["Fältgruppen Söder"]),
    ("handlaggare", "Hanna Handläggare", Role.CASEWORKER, "Malmö", ["Våldspreventivt centrum"]),
    ("vpcledare", "Viktor VPC-ledare", Role.TEAM_LEAD, "Malmö", ["Våldspreventivt centrum"]),
    ("avhopp", "Amir Avhoppscoach", Role.CASEWORKER, "Malmö", ["Avhopparverksamheten"]),
    (
        "mottagning",
        "Maria Mottagningssekreterare",
        Role.CASEWORKER,
        "Malmö",
        ["Socialtjänstens mottagning"],
    ),
    ("admin", "Anders Systemförvaltare", Role.ADMIN, "Malmö", []),
    ("samordnare", "Sam Samordnare", Role.COORDINATOR, "Malmö", []),
    ("bfalt", "Bella Fältarbetare", Role.FIELD_WORKER, "Botkyrka", ["Fältgruppen Alby–Fittja"]),
    ("bfalt2", "Erik Nyström", Role.FIELD_WORKER, "Botkyrka", ["Fältgruppen Alby–Fittja"]),
    ("bteamledare", "Leyla Teamledare", Role.TEAM_LEAD, "Botkyrka", ["Fältgruppen Alby–Fittja"]),
    ("bhandlaggare", "Karin Handläggare", Role.CASEWORKER, "Botkyrka", ["Våldspreventivt centrum"]),
    ("badmin", "Bo Systemförvaltare", Role.ADMIN, "Botkyrka", []),
    ("drift", "Dana Driftansvarig", Role.OPERATOR, None, []),
]

#: One demo user per role and kommun, printed by `make run`.
LOGINS = [
    ("falt", "Fältarbetare, Malmö (Fältgruppen Söder)"),
    ("teamledare", "Teamledare, Malmö (Fältgruppen Söder)"),
    ("handlaggare", "VPC-handläggare, Malmö"),
    ("vpcledare", "Teamledare, Våldspreventivt centrum Malmö"),
    ("avhopp", "Handläggare, Avhopparverksamheten Malmö"),
    ("mottagning", "Socialtjänstens mottagning, Malmö (tar emot orosanmälningar)"),
    ("admin", "Systemförvaltare, Malmö"),
    ("samordnare", "Regional samordnare (anonym statistik för alla kommuner)"),
    ("bfalt", "Fältarbetare, Botkyrka (Fältgruppen Alby–Fittja)"),
    ("bteamledare", "Teamledare, Botkyrka"),
    ("bhandlaggare", "VPC-handläggare, Botkyrka"),
    ("badmin", "Systemförvaltare, Botkyrka"),
    ("drift", "Driftansvarig (alla kommuner, inga personuppgifter)"),
]


#: (alias, birth year, gender, level of concern or None)
DEMO_YOUTHS = [
    ("Kille i röd keps vid Möllevångstorget", 2010, Gender.BOY, RiskLevel.ELEVATED),
    ("Tjej med cykel vid Folkets park", 2011, Gender.GIRL, RiskLevel.LOW),
    ("Lång kille med två telefoner", 2009, Gender.BOY, RiskLevel.ACUTE),
    ("Kille från fritidsgården Möllan", 2012, Gender.BOY, None),
    ("Tjej i grön jacka vid Triangeln", 2008, Gender.GIRL, RiskLevel.LOW),
]


SITUATIONS = [
    "Lugnt, många ute efter skolan.",
    "Oro efter bråk vid torget i helgen; polisen var på plats.",
    "Fritidsgården stängde tidigt, ungdomar samlades vid stationen.",
    "Regn, få ute.",
    "Många yngre ute sent; pratade med några föräldrar.",
]


#: Youths met years ago and not since: what gallring has to do (alias, born, serial).
OLD_YOUTHS = [
    ("Kille med skateboard vid Värnhem", date(2004, 3, 15), 331),  # archived first
    ("Tjej vid Hyllie station", date(2005, 8, 9), 442),
    ("Kille vid Emporia", date(2004, 11, 2), 553),  # kept by a legal hold
]
