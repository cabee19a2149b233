"""The SCIM resources Outreach serves (scim2-models): the core User and Group schemas, with
the attributes it keeps. Named as SCIM names them (a member's reference names "User")."""

import enum
from typing import Annotated, Any

from pydantic import Field
from scim2_models import (
    CaseExact,
    ComplexAttribute,
    Mutability,
    Reference,
    Required,
    Resource,
    Uniqueness,
)
from scim2_models.urn import URN


class User(Resource[Any]):
    """The core User schema, with the attributes Outreach keeps of an account (every account
    has a name to show, and is in use or stopped: those two are required)."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:User")

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    display_name: Annotated[str | None, Required.true] = None
    active: Annotated[bool | None, Required.true] = None


class MemberType(enum.StrEnum):
    """What a member is: always a user (groups are not nested)."""

    USER = "User"


class Member(ComplexAttribute):
    """A member of a group: a user of the provider's."""

    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    ref: Annotated[Reference["User"] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    type: Annotated[MemberType | None, Mutability.immutable] = None


class Group(Resource[Any]):
    """The core Group schema: a name, and members (users; Outreach does not nest groups)."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:Group")

    display_name: Annotated[str | None, Required.true] = None
    members: list[Member] | None = None
