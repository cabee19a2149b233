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
        # Keyed by class too: equal codes in different vocabularies ("other") must not collide.
        return LABELS[type(self), self.value]

    @classmethod
    def pairs(cls) -> list[tuple]:
        """(code, label) for every member, in declaration order."""
        return [(member.value, member.label) for member in cls]


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


class RiskLevel(Labelled):
    """The field worker's level of concern; an observation, not an assessment score."""

    NONE = "none"
    LOW = "low"
    ELEVATED = "elevated"
    ACUTE = "acute"


class SignGroup(Labelled):
    """How the warning-sign catalogue is grouped."""

    INDIVIDUAL = "individual"
    FAMILY = "family"
    FRIENDS = "friends"
    SCHOOL = "school"
    NEIGHBOURHOOD = "neighbourhood"


class ConsentParty(Labelled):
    """Who gave a consent."""

    YOUTH = "youth"
    GUARDIAN_1 = "guardian_1"
    GUARDIAN_2 = "guardian_2"


class Recipient(Labelled):
    """Whom a consent allows sharing with."""

    VPC = "vpc"
    #: The avhoppar-/konsultationsteam (work with those who want to leave crime).
    EXIT = "exit"
    SSPF = "sspf"
    #: Socialtjänstens mottagning (the intake unit).
    SOCIAL_SERVICES = "social"
    SCHOOL = "school"
    POLICE = "police"
    OTHER = "other"


class ConsentForm(Labelled):
    """How a consent was given."""

    ORAL = "oral"
    WRITTEN = "written"


class Urgency(Labelled):
    """How soon VPC must make first contact."""

    NORMAL = "normal"
    URGENT = "urgent"


class HandoffStatus(Labelled):
    """Where a handoff is: skickad → kvitterad → första kontakt → accepterad/avböjd → avslutad."""

    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    FIRST_CONTACT = "first_contact"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class HandoffBasis(Labelled):
    """The legal basis a handoff rests on: consent, or a recorded exception to secrecy."""

    CONSENT = "consent"
    OSL_10_2 = "osl_10_2"
    OSL_10_18B = "osl_10_18b"
    REPORT_OF_CONCERN = "report_of_concern"


class ConcernKind(Labelled):
    """What a report of concern is about; some kinds forbid telling the family."""

    VIOLENCE = "violence"
    SEXUAL_ABUSE = "sexual_abuse"
    HONOUR = "honour"
    CRIME = "crime"
    OTHER = "other"


class ReviewStatus(Labelled):
    """Where the team lead's review of a shift stands."""

    PENDING = "pending"
    REVIEWED = "reviewed"
    RETURNED = "returned"


class ReviewDecision(Labelled):
    """One step in the review of a shift: signed off, returned to the workers, or sent back for
    review after the workers answered."""

    REVIEWED = "reviewed"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"


class ContactKind(Labelled):
    """The two kinds of contact in the log."""

    ANONYMOUS = "anonymous"
    IDENTIFIED = "identified"


class Period(Labelled):
    """The length of a statistics period."""

    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    CUSTOM = "custom"


class Requester(Labelled):
    """Who asked for a register extract (registerutdrag)."""

    YOUTH = "youth"
    GUARDIAN = "guardian"
    REPRESENTATIVE = "representative"


class AccessFlag(Labelled):
    """Why an access in the access log deserves a second look in the loggkontroll."""

    NIGHT = "night"
    PROTECTED = "protected"
    NEVER_MET = "never_met"
    MANY_OUTSIDE_AREAS = "many_outside"
    #: Refused access: one of several requests for records out of scope close together.
    MANY_REFUSED = "many_refused"


class RetentionHold(Labelled):
    """What keeps a youth's record past its retention time."""

    OPEN_HANDOFF = "open_handoff"
    LEGAL_HOLD = "legal_hold"
    ACCESS_REQUEST = "access_request"


LABELS = {
    (Topic, Topic.SCHOOL.value): _l("School"),
    (Topic, Topic.FAMILY.value): _l("Family"),
    (Topic, Topic.LEISURE.value): _l("Leisure"),
    (Topic, Topic.DRUGS.value): _l("Drugs"),
    (Topic, Topic.VIOLENCE.value): _l("Violence"),
    (Topic, Topic.CRIME.value): _l("Crime"),
    (Topic, Topic.WORK.value): _l("Work"),
    (Topic, Topic.MENTAL_HEALTH.value): _l("Mental health"),
    (Topic, Topic.SOCIAL_MEDIA.value): _l("Social media"),
    (Topic, Topic.OTHER.value): _l("Other"),
    (Action, Action.CONVERSATION.value): _l("Conversation"),
    (Action, Action.INFORMATION.value): _l("Information"),
    (Action, Action.REFERRAL.value): _l("Referral"),
    (Action, Action.GUARDIAN_CONTACT.value): _l("Contact with guardian"),
    (Action, Action.POLICE_CONTACT.value): _l("Contact with police"),
    (AgeBand, AgeBand.UP_TO_12.value): _l("12 or younger"),
    (AgeBand, AgeBand.AGE_13_15.value): _l("13–15"),
    (AgeBand, AgeBand.AGE_16_17.value): _l("16–17"),
    (AgeBand, AgeBand.AGE_18_20.value): _l("18–20"),
    (AgeBand, AgeBand.AGE_21_PLUS.value): _l("21 or older"),
    (Gender, Gender.GIRL.value): _l("Girl"),
    (Gender, Gender.BOY.value): _l("Boy"),
    (Gender, Gender.OTHER.value): _l("Other or unknown"),
    (LegalBasis, LegalBasis.CONSENT.value): _l("Consent"),
    (LegalBasis, LegalBasis.REPORT_OF_CONCERN.value): _l("Report of concern"),
    (LegalBasis, LegalBasis.HANDOFF.value): _l("Handoff"),
    (LegalBasis, LegalBasis.PROTECTION_ASSESSMENT.value): _l("Protection assessment"),
    (RiskLevel, RiskLevel.NONE.value): _l("No concern"),
    (RiskLevel, RiskLevel.LOW.value): _l("Low"),
    (RiskLevel, RiskLevel.ELEVATED.value): _l("Elevated"),
    (RiskLevel, RiskLevel.ACUTE.value): _l("Acute"),
    (SignGroup, SignGroup.INDIVIDUAL.value): _l("Individual"),
    (SignGroup, SignGroup.FAMILY.value): _l("Family"),
    (SignGroup, SignGroup.FRIENDS.value): _l("Friends"),
    (SignGroup, SignGroup.SCHOOL.value): _l("School"),
    (SignGroup, SignGroup.NEIGHBOURHOOD.value): _l("Neighbourhood"),
    (ConsentParty, ConsentParty.YOUTH.value): _l("The youth"),
    (ConsentParty, ConsentParty.GUARDIAN_1.value): _l("Guardian 1"),
    (ConsentParty, ConsentParty.GUARDIAN_2.value): _l("Guardian 2"),
    (Recipient, Recipient.VPC.value): _l("Violence prevention centre (VPC)"),
    (Recipient, Recipient.EXIT.value): _l("Exit programme (avhopparverksamhet)"),
    (Recipient, Recipient.SSPF.value): _l("SSPF (school, social services, police, leisure)"),
    (Recipient, Recipient.SOCIAL_SERVICES.value): _l("Social services intake"),
    (Recipient, Recipient.SCHOOL.value): _l("School"),
    (Recipient, Recipient.POLICE.value): _l("Police"),
    (Recipient, Recipient.OTHER.value): _l("Other"),
    (ConsentForm, ConsentForm.ORAL.value): _l("Oral"),
    (ConsentForm, ConsentForm.WRITTEN.value): _l("Written"),
    (Urgency, Urgency.NORMAL.value): _l("Normal"),
    (Urgency, Urgency.URGENT.value): _l("Urgent"),
    (HandoffStatus, HandoffStatus.SENT.value): _l("Sent"),
    (HandoffStatus, HandoffStatus.ACKNOWLEDGED.value): _l("Acknowledged"),
    (HandoffStatus, HandoffStatus.FIRST_CONTACT.value): _l("First contact made"),
    (HandoffStatus, HandoffStatus.ACCEPTED.value): _l("Accepted"),
    (HandoffStatus, HandoffStatus.DECLINED.value): _l("Declined"),
    (HandoffStatus, HandoffStatus.CLOSED.value): _l("Closed"),
    (HandoffStatus, HandoffStatus.WITHDRAWN.value): _l("Withdrawn"),
    (HandoffBasis, HandoffBasis.CONSENT.value): _l("Consent covering the unit"),
    (HandoffBasis, HandoffBasis.OSL_10_2.value): _l("Exception: OSL 10 ch. 2 §"),
    (HandoffBasis, HandoffBasis.OSL_10_18B.value): _l("Exception: OSL 10 ch. 18 b §"),
    (HandoffBasis, HandoffBasis.REPORT_OF_CONCERN.value): _l("Exception: report of concern"),
    (ConcernKind, ConcernKind.VIOLENCE.value): _l("Violence"),
    (ConcernKind, ConcernKind.SEXUAL_ABUSE.value): _l("Sexual abuse"),
    (ConcernKind, ConcernKind.HONOUR.value): _l("Honour-related"),
    (ConcernKind, ConcernKind.CRIME.value): _l("Crime or recruitment into crime"),
    (ConcernKind, ConcernKind.OTHER.value): _l("Other"),
    (ReviewStatus, ReviewStatus.PENDING.value): _l("To review"),
    (ReviewStatus, ReviewStatus.REVIEWED.value): _l("Reviewed"),
    (ReviewStatus, ReviewStatus.RETURNED.value): _l("Returned"),
    (ReviewDecision, ReviewDecision.REVIEWED.value): _l("Signed off"),
    (ReviewDecision, ReviewDecision.RETURNED.value): _l("Returned to the workers"),
    (ReviewDecision, ReviewDecision.RESUBMITTED.value): _l("Sent back for review"),
    (ContactKind, ContactKind.ANONYMOUS.value): _l("Anonymous contact"),
    (ContactKind, ContactKind.IDENTIFIED.value): _l("Contact with named youth"),
    (Period, Period.WEEK.value): _l("Week"),
    (Period, Period.MONTH.value): _l("Month"),
    (Period, Period.YEAR.value): _l("Year"),
    (Period, Period.CUSTOM.value): _l("Own dates"),
    (Requester, Requester.YOUTH.value): _l("The youth"),
    (Requester, Requester.GUARDIAN.value): _l("A guardian"),
    (Requester, Requester.REPRESENTATIVE.value): _l("A representative with power of attorney"),
    (AccessFlag, AccessFlag.NIGHT.value): _l("At night, outside a shift"),
    (AccessFlag, AccessFlag.PROTECTED.value): _l("Protected identity"),
    (AccessFlag, AccessFlag.NEVER_MET.value): _l("Never met the youth"),
    (AccessFlag, AccessFlag.MANY_OUTSIDE_AREAS.value): _l(
        "Many youths outside the user's shift areas"
    ),
    (AccessFlag, AccessFlag.MANY_REFUSED.value): _l("Many refusals in a short time"),
    (RetentionHold, RetentionHold.OPEN_HANDOFF.value): _l("Open handoff to VPC"),
    (RetentionHold, RetentionHold.LEGAL_HOLD.value): _l("Legal hold"),
    (RetentionHold, RetentionHold.ACCESS_REQUEST.value): _l("Register extract being answered"),
}

#: Headings for counts of several youths by gender (the anonymous tally).
GENDER_PLURAL = {
    Gender.GIRL: _l("Girls"),
    Gender.BOY: _l("Boys"),
    Gender.OTHER: _l("Other or unknown gender"),
}

#: Whom consent must cover for a handoff to a receiving unit, as its admin may choose.
UNIT_RECIPIENTS = [
    (recipient.value, recipient.label)
    for recipient in (
        Recipient.VPC,
        Recipient.EXIT,
        Recipient.SSPF,
        Recipient.SOCIAL_SERVICES,
        Recipient.OTHER,
    )
]

#: The UI's languages, each named in itself (i18n.DEFAULT, Swedish, unless chosen).
LANGUAGES = {"sv": "Svenska", "en": "English"}

#: The roles as the UI names them (role codes are in auth.models.Role).
ROLE_LABELS = {
    "field_worker": _l("Field worker"),
    "team_lead": _l("Team lead"),
    "caseworker": _l("VPC caseworker"),
    "admin": _l("System administrator"),
    "operator": _l("Operator"),
    "coordinator": _l("Regional coordinator"),
}
#: The roles a kommun's admin gives (the operator is made from the command line).
KOMMUN_ROLES = [role for role in ROLE_LABELS if role != "operator"]

#: Team kinds as the UI names them.
TEAM_KIND_LABELS = {
    "field": _l("Field team"),
    "vpc": _l("Violence prevention centre"),
    "exit": _l("Exit programme (avhopparteam)"),
    "sspf": _l("SSPF"),
    "intake": _l("Social services intake"),
    "other": _l("Other receiving unit"),
}

PLACE_KIND_LABELS = {
    "square": _l("Square"),
    "school": _l("School"),
    "youth_centre": _l("Youth centre"),
    "station": _l("Station"),
    "mall": _l("Shopping centre"),
    "park": _l("Park"),
    "other": _l("Other place"),
}

#: The youth record's fields as the UI names them (for the record's change history).
YOUTH_FIELD_LABELS = {
    "alias": _l("Alias"),
    "name": _l("Name"),
    "birth_year": _l("Birth year"),
    "gender": _l("Gender"),
    "personnummer": _l("Personal identity number"),
    "home_area_id": _l("Home area"),
    "school": _l("School"),
    "interpreter_language": _l("Interpreter"),
    "protected_identity": _l("Protected identity"),
    "legal_basis": _l("Purpose and legal basis"),
    "guardians": _l("Guardians"),
}

#: What moves from a duplicate record when it is merged (the merge's history).
MERGED_LABELS = {
    "contacts": _l("Contacts"),
    "risk_markings": _l("Risk markings"),
    "consents": _l("Consents"),
    "handoffs": _l("Handoffs"),
    "reports": _l("Reports of concern"),
    "legal_holds": _l("Legal holds"),
    "access_requests": _l("Register extract requests"),
    "grants": _l("Access grants"),
}

#: The buttons for the steps on a handoff.
HANDOFF_STEP_LABELS = {
    "acknowledge": _l("Acknowledge"),
    "first_contact": _l("First contact made"),
    "accept": _l("Accept"),
    "decline": _l("Decline"),
    "close": _l("Close"),
    "withdraw": _l("Withdraw the handoff"),
}
