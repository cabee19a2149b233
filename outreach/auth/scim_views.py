"""The SCIM 2.0 endpoints under /scim/v2 (RFC 7644), for a kommun's identity provider: the
discovery documents, Users and Groups. The provider authenticates with its kommun's bearer
token (the admin makes it); the answer is SCIM JSON, errors included."""

import functools

from flask import Response, json, request, url_for
from pydantic import ValidationError
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    Error,
    ETag,
    Filter,
    InvalidSyntaxException,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    Patch,
    PatchOp,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    SearchRequest,
    ServiceProviderConfig,
    Sort,
    UnauthorizedException,
)

from outreach import transaction
from outreach.auth import bp, scim
from outreach.auth.scim_schema import Group
from outreach.auth.scim_schema import User as ScimUser
from outreach.extensions import csrf
from outreach.policy import public

PREFIX = "/scim/v2"
MEDIA_TYPE = "application/scim+json"
#: The most resources one page of a list holds.
MOST = 200
ALL = ["GET", "POST", "PUT", "PATCH", "DELETE"]

RESOURCE_TYPES = {
    "User": ResourceType.from_resource(ScimUser),
    "Group": ResourceType.from_resource(Group),
}
SCHEMAS = {str(model.__schema__): model.to_schema() for model in (ScimUser, Group)}
CONFIG = ServiceProviderConfig(
    patch=Patch(supported=True),
    bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
    filter=Filter(supported=True, max_results=MOST),
    change_password=ChangePassword(supported=False),
    sort=Sort(supported=False),
    etag=ETag(supported=False),
    authentication_schemes=[
        AuthenticationScheme(
            type="oauthbearertoken",
            name="Bearer token",
            description="The kommun's SCIM token, made by its system administrator.",
        )
    ],
)


def _answer(payload, status: int = 200, **headers) -> Response:
    response = Response(json.dumps(payload), status=status, mimetype=MEDIA_TYPE)
    response.headers.update(headers)
    return response


def _error(error: SCIMException) -> Response:
    transaction.abandon()  # nothing half-done stays
    extra = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
    return _answer(error.to_error().model_dump(), error.status, **extra)


def endpoint(view=None, *, read_only=False):
    """A SCIM endpoint: the provider's token checked, SCIM errors as SCIM JSON; `read_only`:
    a discovery document, which answers 405 to anything but GET."""
    if view is None:
        return functools.partial(endpoint, read_only=read_only)

    @functools.wraps(view)
    def answered(*args, **kwargs):
        try:
            token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            provider = scim.provider_of_token(token)
            if provider is None:
                raise UnauthorizedException(detail="A valid bearer token is required.")
            if read_only and request.method != "GET":
                error = Error(status=405, detail="Only GET: this is a discovery document.")
                return _answer(error.model_dump(), 405, Allow="GET")
            return view(provider, *args, **kwargs)
        except SCIMException as error:
            return _error(error)
        except ValidationError as error:
            return _error(SCIMException.from_error(Error.from_validation_error(error.errors()[0])))

    return public(csrf.exempt(answered))


def _body() -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="The body is not a JSON object.")
    return payload


def _users_location() -> str:
    return url_for("auth.scim_users", _external=True)


def _groups_location() -> str:
    return url_for("auth.scim_groups", _external=True)


def _listed(model, found: list, search: SearchRequest) -> Response:
    start = max(search.start_index or 1, 1)
    count = min(MOST if search.count is None else max(search.count, 0), MOST)
    page = found[start - 1 : start - 1 + count]
    listing = ListResponse[model](
        total_results=len(found), start_index=start, items_per_page=len(page), resources=page
    )
    return _answer(listing.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=search))


def _search(model, payload: dict) -> SearchRequest:
    return SearchRequest[model].model_validate(payload, scim_ctx=Context.SEARCH_REQUEST)


def _shown(resource, status: int = 200, context=Context.RESOURCE_QUERY_RESPONSE) -> Response:
    wanted = ResponseParameters[type(resource)].model_validate(
        {
            key: request.args[key]
            for key in ("attributes", "excludedAttributes")
            if key in request.args
        }
    )
    return _answer(
        resource.model_dump(scim_ctx=context, response_parameters=wanted),
        status,
        Location=resource.meta.location,
    )


# --- discovery -------------------------------------------------------------------------------


@bp.route(f"{PREFIX}/ServiceProviderConfig", methods=ALL)
@endpoint(read_only=True)
def scim_config(provider):
    """What this SCIM service supports."""
    return _answer(CONFIG.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@bp.route(f"{PREFIX}/ResourceTypes", methods=ALL)
@endpoint(read_only=True)
def scim_resource_types(provider):
    """The kinds of resource served: users and groups."""
    return _listed(ResourceType, list(RESOURCE_TYPES.values()), SearchRequest())


@bp.route(f"{PREFIX}/ResourceTypes/<name>", methods=ALL)
@endpoint(read_only=True)
def scim_resource_type(provider, name: str):
    """One kind of resource."""
    if name not in RESOURCE_TYPES:
        raise NotFoundException(detail="No such resource type.")
    return _answer(RESOURCE_TYPES[name].model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@bp.route(f"{PREFIX}/Schemas", methods=ALL)
@endpoint(read_only=True)
def scim_schemas(provider):
    """The schemas of the resources served."""
    return _listed(Schema, list(SCHEMAS.values()), SearchRequest())


@bp.route(f"{PREFIX}/Schemas/<urn>", methods=ALL)
@endpoint(read_only=True)
def scim_schema(provider, urn: str):
    """One schema."""
    if urn not in SCHEMAS:
        raise NotFoundException(detail="No such schema.")
    return _answer(SCHEMAS[urn].model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


# --- users -----------------------------------------------------------------------------------


@bp.route(f"{PREFIX}/Users", methods=["GET", "POST"])
@endpoint
def scim_users(provider):
    """The provider's users (GET, filtered and paged), or a new one (POST)."""
    if request.method == "GET":
        search = _search(ScimUser, request.args.to_dict())
        return _listed(
            ScimUser, scim.find_users(provider, _users_location(), search.filter), search
        )
    resource = ScimUser.model_validate(_body(), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    identity = scim.create(provider, resource)
    return _shown(
        scim.user_resource(identity, _users_location()), 201, Context.RESOURCE_CREATION_RESPONSE
    )


@bp.route(f"{PREFIX}/Users/.search", methods=["POST"])
@endpoint
def scim_search_users(provider):
    """The provider's users matching a search request."""
    search = _search(ScimUser, _body())
    return _listed(ScimUser, scim.find_users(provider, _users_location(), search.filter), search)


@bp.route(f"{PREFIX}/Users/<resource_id>", methods=["GET", "PUT", "PATCH", "DELETE"])
@endpoint
def scim_user(provider, resource_id: str):
    """One of the provider's users: read, replaced, patched or deleted."""
    identity = scim.identity_of(provider, resource_id)
    if request.method == "DELETE":
        scim.remove(provider, identity)
        return Response(status=204)
    if request.method == "PUT":
        resource = ScimUser.model_validate(_body(), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
        scim.save(provider, identity, resource)
    elif request.method == "PATCH":
        resource = scim.user_resource(identity, _users_location())
        patch = PatchOp[ScimUser].model_validate(_body(), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
        patch.patch(resource)
        scim.save(provider, identity, resource)
    return _shown(scim.user_resource(identity, _users_location()))


# --- groups ----------------------------------------------------------------------------------


def _group_resource(group) -> Group:
    return scim.group_resource(group, _groups_location(), _users_location())


@bp.route(f"{PREFIX}/Groups", methods=["GET", "POST"])
@endpoint
def scim_groups(provider):
    """The provider's groups (GET, filtered and paged), or a new one (POST)."""
    if request.method == "GET":
        search = _search(Group, request.args.to_dict())
        found = scim.find_groups(provider, _groups_location(), _users_location(), search.filter)
        return _listed(Group, found, search)
    resource = Group.model_validate(_body(), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    group = scim.create_group(provider, resource)
    return _shown(_group_resource(group), 201, Context.RESOURCE_CREATION_RESPONSE)


@bp.route(f"{PREFIX}/Groups/.search", methods=["POST"])
@endpoint
def scim_search_groups(provider):
    """The provider's groups matching a search request."""
    search = _search(Group, _body())
    found = scim.find_groups(provider, _groups_location(), _users_location(), search.filter)
    return _listed(Group, found, search)


@bp.route(f"{PREFIX}/Groups/<resource_id>", methods=["GET", "PUT", "PATCH", "DELETE"])
@endpoint
def scim_group(provider, resource_id: str):
    """One of the provider's groups: read, replaced, patched or deleted."""
    group = scim.group_of(provider, resource_id)
    if request.method == "DELETE":
        scim.remove_group(provider, group)
        return Response(status=204)
    if request.method == "PUT":
        resource = Group.model_validate(_body(), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
        scim.save_group(provider, group, resource)
    elif request.method == "PATCH":
        resource = _group_resource(group)
        patch = PatchOp[Group].model_validate(_body(), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
        patch.patch(resource)
        scim.save_group(provider, group, resource)
    return _shown(_group_resource(group))


# --- the rest --------------------------------------------------------------------------------


@bp.route(f"{PREFIX}/.search", methods=["POST"])
@endpoint
def scim_search_everything(provider):
    """Searching users and groups at once is not offered."""
    raise NotImplementedException(detail="Search /Users or /Groups.")


@bp.route(f"{PREFIX}/<path:rest>", methods=ALL)
@endpoint
def scim_unknown(provider, rest: str):
    """Anything else under /scim/v2: a SCIM 404."""
    raise NotFoundException(detail="No such endpoint.")
