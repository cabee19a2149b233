"""The fixed vocabulary of the domain: codes stored in the database and their UI labels.

Codes are English identifiers; labels are English msgids translated by Flask-Babel.
"""

import enum

from flask_babel import lazy_gettext as _l


class Labelled(enum.StrEnum):
    """A StrEnum whose members carry a translatable label."""

    @property
    def label(self):
        """The translatable label (a lazy string, translated when shown)."""
        return LABELS[self]

    @classmethod
    def pairs(cls) -> list[tuple]:
        """(code, label) for every member, in declaration order."""
        return [(member.value, LABELS[member]) for member in cls]


class Topic(Labelled):
    SCHOOL = "school"
    FAMILY = "family"
    LEISURE = "leisure"
    DRUGS = "drugs"
    VIOLENCE = "violence"
    CRIME = "crime"
    WORK = "work"
    MENTAL_HEALTH = "mental_health"
    SOCIAL_MEDIA = "social_media"
    OTHER = "other"


class Action(Labelled):
    CONVERSATION = "conversation"
    INFORMATION = "information"
    REFERRAL = "referral"
    GUARDIAN_CONTACT = "guardian_contact"
    POLICE_CONTACT = "police_contact"


class AgeBand(Labelled):
    UP_TO_12 = "age_0_12"
    AGE_13_15 = "age_13_15"
    AGE_16_17 = "age_16_17"
    AGE_18_20 = "age_18_20"
    AGE_21_PLUS = "age_21_plus"


class Gender(Labelled):
    GIRL = "girl"
    BOY = "boy"
    OTHER = "other"


class LegalBasis(Labelled):
    """Why an identified youth may be registered at all."""

    CONSENT = "consent"
    REPORT_OF_CONCERN = "report_of_concern"
    HANDOFF = "handoff"
    PROTECTION_ASSESSMENT = "protection_assessment"


LABELS = {
    Topic.SCHOOL: _l("School"),
    Topic.FAMILY: _l("Family"),
    Topic.LEISURE: _l("Leisure"),
    Topic.DRUGS: _l("Drugs"),
    Topic.VIOLENCE: _l("Violence"),
    Topic.CRIME: _l("Crime"),
    Topic.WORK: _l("Work"),
    Topic.MENTAL_HEALTH: _l("Mental health"),
    Topic.SOCIAL_MEDIA: _l("Social media"),
    Topic.OTHER: _l("Other"),
    Action.CONVERSATION: _l("Conversation"),
    Action.INFORMATION: _l("Information"),
    Action.REFERRAL: _l("Referral"),
    Action.GUARDIAN_CONTACT: _l("Contact with guardian"),
    Action.POLICE_CONTACT: _l("Contact with police"),
    AgeBand.UP_TO_12: _l("12 or younger"),
    AgeBand.AGE_13_15: _l("13–15"),
    AgeBand.AGE_16_17: _l("16–17"),
    AgeBand.AGE_18_20: _l("18–20"),
    AgeBand.AGE_21_PLUS: _l("21 or older"),
    Gender.GIRL: _l("Girl"),
    Gender.BOY: _l("Boy"),
    Gender.OTHER: _l("Other or unknown"),
    LegalBasis.CONSENT: _l("Consent"),
    LegalBasis.REPORT_OF_CONCERN: _l("Report of concern"),
    LegalBasis.HANDOFF: _l("Handoff"),
    LegalBasis.PROTECTION_ASSESSMENT: _l("Protection assessment"),
}

#: Headings for counts of several youths by gender (the anonymous tally).
GENDER_PLURAL = {
    Gender.GIRL: _l("Girls"),
    Gender.BOY: _l("Boys"),
    Gender.OTHER: _l("Other or unknown gender"),
}

#: The four roles as the UI names them (role codes are in auth.models.Role).
ROLE_LABELS = {
    "field_worker": _l("Field worker"),
    "team_lead": _l("Team lead"),
    "caseworker": _l("VPC caseworker"),
    "admin": _l("System administrator"),
}

#: Team kinds as the UI names them.
TEAM_KIND_LABELS = {"field": _l("Field team"), "vpc": _l("Violence prevention centre")}

PLACE_KIND_LABELS = {
    "square": _l("Square"),
    "school": _l("School"),
    "youth_centre": _l("Youth centre"),
    "station": _l("Station"),
    "mall": _l("Shopping centre"),
    "park": _l("Park"),
    "other": _l("Other place"),
}
