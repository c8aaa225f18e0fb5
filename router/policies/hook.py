"""`PolicyHook`: the edge policies as one `RouterHook`, run before any subgraph call.

Order in `on_request`: request id and trace context, tenant, token (its `tid` must equal the
tenant), outgoing headers, rate limit, persisted queries, limits, cost, authorization. Each
step may refuse the request with a `RequestError`; `on_response` adds the nulls and errors of
denied fields, the cost estimate when asked, and cleans error messages.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from router.config import RouterConfig
from router.observability.logs import bind_log_context
from router.pipeline import (
    GraphQLRequest,
    PreparedOperation,
    RequestContext,
    RequestError,
    Router,
    RouterHook,
)
from router.policies import authz
from router.policies.analysis import AnalysisCache
from router.policies.clientip import ClientAddress
from router.policies.context import UNAUTHENTICATED, EdgeContext
from router.policies.cost import COST_TOO_EXPENSIVE, estimate
from router.policies.directives import SchemaRules, read_rules
from router.policies.headers import HeaderRules, child_traceparent, request_id
from router.policies.jwt import TokenError, TokenVerifier, bearer
from router.policies.masking import clean_errors
from router.policies.persisted import PersistedQueries, PersistedQueryError
from router.policies.ratelimit import (
    LIMITER_UNAVAILABLE,
    RATE_LIMITED,
    Decision,
    RateLimiter,
    build_limiter,
)
from router.policies.refusals import with_request_id
from router.policies.tenant import TenantError, TenantLookupError, TenantResolver

logger = logging.getLogger("router.policies")
_PLACEHOLDER = "{ __typename }"
TENANT_LOOKUP_FAILED = "TENANT_LOOKUP_FAILED"


def _unauthenticated(message: str) -> RequestError:
    return RequestError(message, UNAUTHENTICATED, 401, 401)


class PolicyHook(RouterHook):
    """Duck-typed `RouterHook` (see router.pipeline) configured from `config.policies`."""

    def __init__(
        self,
        config: RouterConfig,
        router: Router,
        *,
        verifier: TokenVerifier | None = None,
        limiter: RateLimiter | None = None,
        evaluator: authz.PolicyEvaluator | None = None,
    ) -> None:
        p = config.policies
        self.config = config
        self.router = router
        self.settings = p
        production = config.profile.strip().lower() == "production"
        self.strip_suggestions = (
            production if p.errors.strip_suggestions is None else p.errors.strip_suggestions
        )
        self.mask_subgraphs = (
            production if p.errors.mask_subgraph_errors is None else p.errors.mask_subgraph_errors
        )
        self.tenants = (
            TenantResolver(p.tenant, router.client, self._urls) if p.tenant.enabled else None
        )
        self.verifier = verifier or (TokenVerifier(p.jwt) if p.jwt.enabled else None)
        self.limiter = limiter or (build_limiter(p.rate_limit) if p.rate_limit.enabled else None)
        self.persisted = PersistedQueries(p.persisted_queries)
        rl = p.rate_limit
        self.client_address = ClientAddress(rl.trusted_proxies, rl.forwarded_header)
        # with tenant resolution on, a caller's own tenant headers never reach a subgraph
        never: tuple[str, ...] = (p.tenant.header,) if p.tenant.enabled and p.tenant.header else ()
        never += tuple(h for h in ("x-client-ip", p.headers.client_ip) if h)  # router-set only
        self.headers = HeaderRules(
            p.headers, p.tenant.forward_header, config.propagate_headers, never
        )
        self.evaluator = evaluator or authz.load_evaluator(p.authz.policy_evaluator)
        self.analyses = AnalysisCache()
        self._state: Any = None
        self._rules = SchemaRules()
        self.rejections: dict[str, int] = {}
        self._filtered: dict[tuple[str, str | None, authz.Grants], Any] = {}

    async def aclose(self) -> None:
        if self.limiter is not None:
            await self.limiter.aclose()
        await self.persisted.aclose()

    def _urls(self) -> Any:
        state = self.router.state
        return state.subgraph_urls if state is not None else {}

    # ---- on_request ----------------------------------------------------------------------

    async def on_request(
        self, request: GraphQLRequest, context: RequestContext
    ) -> GraphQLRequest | None:
        incoming = context.request_headers
        s = self.settings
        edge = EdgeContext(request_id=request_id(incoming))
        context.edge = edge
        if s.headers.request_id:
            context.response_headers.append((b"x-request-id", edge.request_id.encode()))
        if s.headers.traceparent:
            edge.traceparent = child_traceparent(incoming.get("traceparent"))
        edge.client_ip = self.client_address.resolve(context.client, incoming)
        try:
            await self._identify(incoming, edge)
        finally:
            tenant = edge.tenant.id if edge.tenant else None
            bind_log_context(edge.request_id, tenant)
        context.headers = self.headers.outgoing(incoming, edge)
        if self.limiter is not None:
            await self._rate_limit(edge, context)
        return await self._analyse(request, edge)

    async def _identify(self, incoming: dict[str, str], edge: EdgeContext) -> None:
        s = self.settings
        if self.tenants is not None:
            header = incoming.get(s.tenant.header) if s.tenant.header else None
            try:
                edge.tenant = await self.tenants.resolve(incoming.get("host"), header)
            except TenantLookupError as exc:
                logger.warning("%s", exc)
                error = RequestError("Tenant lookup unavailable.", TENANT_LOOKUP_FAILED, 503, 503)
                raise self._refuse(error) from None
            except TenantError:
                raise self._refuse(_unauthenticated("Unknown tenant.")) from None
        if self.verifier is not None:
            opaque = False
            try:
                token = bearer(incoming.get(s.jwt.header))
                # opaque credentials (API keys) are verified by the subgraphs, not here
                opaque = token is not None and token.startswith(s.jwt.opaque_prefixes or ("\0",))
                if token is not None and not opaque:
                    edge.principal = await self.verifier.verify(token)
            except TokenError as exc:
                logger.info("token refused: %s", exc)
                raise self._refuse(_unauthenticated("Invalid or expired token.")) from None
            if edge.principal is None and s.jwt.required and not opaque:
                raise self._refuse(_unauthenticated("Authentication required."))
        principal, tenant = edge.principal, edge.tenant
        if principal is not None and principal.platform:
            # platform tokens (operators) act in no tenant: naming one is refused, not ignored
            if tenant is not None:
                raise self._refuse(_unauthenticated("A platform token cannot act in a tenant."))
            return
        if self.tenants is None:
            return
        if tenant is None and s.tenant.required:
            raise self._refuse(_unauthenticated("This request names no tenant."))
        if principal is not None and (tenant is None or principal.tenant_id != tenant.id):
            raise self._refuse(_unauthenticated("The token is for another tenant."))

    async def _rate_limit(self, edge: EdgeContext, context: RequestContext) -> None:
        assert self.limiter is not None
        address = None
        if self.settings.rate_limit.per_ip_capacity > 0:
            address = edge.client_ip
        tenant = edge.tenant.id if edge.tenant else "-"
        decisions = await self.limiter.take(address, tenant)  # IP first, then the tenant
        for decision in decisions:
            self._check_rate(decision, context)
        # the headers describe the tighter bucket
        known = [d for d in decisions if not d.unavailable]
        if known:
            context.response_headers.extend(min(known, key=lambda d: d.remaining).headers())

    def _check_rate(self, decision: Decision, context: RequestContext) -> None:
        if decision.allowed:
            return
        if decision.unavailable:  # Redis down and `fail_open: false`
            raise self._refuse(
                RequestError("Rate limiter unavailable.", LIMITER_UNAVAILABLE, 503, 503)
            )
        context.response_headers.extend(decision.headers())
        error = RequestError("Rate limit exceeded.", RATE_LIMITED, 429, 429)
        error.errors[0]["extensions"]["rateLimit"] = decision.scope  # "ip" or "tenant"
        context.response_headers.append((b"retry-after", str(decision.reset).encode()))
        raise self._refuse(error)

    def _refuse(self, error: RequestError) -> RequestError:
        self.rejections[error.code] = self.rejections.get(error.code, 0) + 1
        return error

    async def _analyse(self, request: GraphQLRequest, edge: EdgeContext) -> GraphQLRequest | None:
        try:
            text = await self.persisted.resolve(request.query, request.extensions)
        except PersistedQueryError as exc:
            raise self._refuse(RequestError(exc.message, exc.code)) from None
        if text is not None:
            request = replace(request, query=text)
        replaced = text is not None
        state = self.router.state
        if state is None:
            return request if replaced else None
        if state is not self._state:
            self._state = state
            self._rules = read_rules(state.supergraph)
            self.analyses.clear()
            self._filtered.clear()  # denials carry the old schema's types
        s = self.settings
        analysis = self.analyses.get(
            request.query, request.operation_name, state.api_schema, self._rules, s.limits
        )
        if analysis.error is not None:
            raise self._refuse(RequestError(analysis.error.message, analysis.error.code))
        if analysis.operation is None:
            return request if replaced else None
        if s.cost.enabled:
            edge.cost_requested = bool((request.extensions or {}).get("cost"))
            self._check_cost(analysis, request, state, edge)
        if analysis.needs and s.authz.enabled:
            authorized = await self._authorize(request, analysis, state, edge)
            if authorized is not None:
                return authorized
        return request if replaced else None

    def _check_cost(
        self, analysis: Any, request: GraphQLRequest, state: Any, edge: EdgeContext
    ) -> None:
        cost = analysis.static_cost
        if cost is None:
            cost = estimate(
                state.api_schema,
                self._rules,
                analysis.operation,
                analysis.fragments,
                request.variables,
                self.settings.cost.list_size,
            )
            if not analysis.operation.variable_definitions:
                analysis.static_cost = cost
        edge.cost = cost
        if self.settings.cost.mode == "enforce" and cost > self.settings.cost.max_cost:
            error = RequestError(
                f"The estimated query cost {cost} exceeds the maximum of "
                f"{self.settings.cost.max_cost}.",
                COST_TOO_EXPENSIVE,
            )
            error.errors[0]["extensions"]["cost"] = {"estimated": cost}
            raise self._refuse(error)

    async def _authorize(
        self, request: GraphQLRequest, analysis: Any, state: Any, edge: EdgeContext
    ) -> GraphQLRequest | None:
        grants = await authz.grants_for(edge.principal, analysis.needs, self.evaluator)
        key = (request.query, request.operation_name, grants)
        found = self._filtered.get(key)
        if found is None:
            found = authz.filter_operation(
                self._rules, state.api_schema, analysis.operation, analysis.fragments, grants
            )
            self._filtered[key] = found
            if len(self._filtered) > 2_000:
                self._filtered.pop(next(iter(self._filtered)))
        text, denied = found
        if not denied or text is None:
            return None
        edge.denied = denied
        if text == "":  # nothing left to ask: no subgraph call, only nulls and errors
            edge.placeholder = True
            return replace(request, query=_PLACEHOLDER, operation_name=None, variables=None)
        return replace(request, query=text)

    # ---- on_prepared/on_response -----------------------------------------------------------

    def on_prepared(self, prepared: PreparedOperation, context: RequestContext) -> None:
        return None

    def on_response(
        self,
        response: dict[str, Any],
        prepared: PreparedOperation | None,
        context: RequestContext,
    ) -> None:
        edge = context.edge
        if edge is None:
            return
        if edge.denied:
            authz.apply_denials(response, edge.denied)
            if edge.placeholder and isinstance(response.get("data"), dict):
                response["data"].pop("__typename", None)
        errors = response.get("errors")
        if errors and "data" not in response and self.settings.headers.request_id:
            errors = with_request_id(errors, edge.request_id)  # a refusal: name the request
        if errors:
            response["errors"] = clean_errors(
                errors,
                strip_suggestions=self.strip_suggestions,
                mask_subgraphs=self.mask_subgraphs,
                max_errors=self.settings.limits.max_errors,
                request_id=edge.request_id,
            )
        if edge.cost is not None and (self.settings.cost.expose or edge.cost_requested):
            response.setdefault("extensions", {})["cost"] = {"estimated": edge.cost}
