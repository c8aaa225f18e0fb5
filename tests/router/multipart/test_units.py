"""Multipart pieces alone: placing files in variables, stripping them back out for the
subgraph, and the plan check that keeps an upload on one subgraph."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from router.config import ConfigError, load_config
from router.multipart import (
    SEVERAL_SUBGRAPHS,
    Upload,
    UploadError,
    UploadsConfig,
    _place,
    _strip,
    _UploadPlanCheck,
)
from router.pipeline import GraphQLRequest, RequestContext, RequestError
from router.plan import Fetch, Flatten, OperationKind, Parallel, QueryPlan, Sequence


def test_files_are_placed_at_nested_paths() -> None:
    variables: dict[str, Any] = {"input": {"files": [None, None], "title": "x"}, "one": None}
    assert _place(variables, "variables.input.files.1", "P1") == "input"
    assert _place(variables, "variables.one", "P0") == "one"
    assert variables == {"input": {"files": [None, "P1"], "title": "x"}, "one": "P0"}


@pytest.mark.parametrize(
    "path",
    ["query", "variables", "variables.missing.deep", "variables.input.files.7", "extensions.x", 3],
)
def test_paths_outside_the_variables_are_refused(path: Any) -> None:
    variables: dict[str, Any] = {"input": {"files": [None]}}
    with pytest.raises(UploadError) as caught:
        _place(variables, path, "P")
    assert caught.value.status == 400


def test_only_this_requests_placeholders_are_stripped() -> None:
    files = {"__router_upload__abc_0": object()}
    mapping: dict[str, list[str]] = {}
    variables = {
        "input": {"files": ["__router_upload__abc_0"], "note": "__router_upload__forged_0"},
        "again": "__router_upload__abc_0",
    }
    stripped = _strip(variables, "variables", mapping, files)
    assert stripped == {
        "input": {"files": [None], "note": "__router_upload__forged_0"},
        "again": None,
    }
    assert mapping == {"__router_upload__abc_0": ["variables.input.files.0", "variables.again"]}


def _prepared(plan: QueryPlan) -> Any:
    class Prepared:
        pass

    prepared = Prepared()
    prepared.plan = plan  # type: ignore[attr-defined]
    return prepared


def _fetch(service: str, *variables: str) -> Fetch:
    return Fetch(service, "mutation { x }", OperationKind.MUTATION, variables)


def test_an_upload_used_by_two_fetches_is_refused() -> None:
    upload = Upload(GraphQLRequest("mutation { x }"), {}, frozenset({"file"}))
    check = _UploadPlanCheck(upload)
    context = RequestContext()
    check.on_prepared(_prepared(QueryPlan(_fetch("files", "file"))), context)
    # other fetches without the upload are fine (payload fields from other subgraphs)
    mixed = Sequence((_fetch("files", "file"), Flatten(("x",), _fetch("chat", "other"))))
    check.on_prepared(_prepared(QueryPlan(mixed)), context)
    for plan in (
        Parallel((_fetch("files", "file"), _fetch("scanner", "file"))),
        Sequence((_fetch("files", "file"), Flatten(("x",), _fetch("files", "file")))),
    ):
        with pytest.raises(RequestError) as caught:
            check.on_prepared(_prepared(QueryPlan(plan)), context)
        assert caught.value.code == SEVERAL_SUBGRAPHS


def test_limits_come_from_the_config_and_the_environment(tmp_path: Path) -> None:
    assert load_config(env={}).uploads == UploadsConfig()
    assert UploadsConfig().max_request_bytes == 25 * 1024 * 1024
    legacy = {
        "ROUTER_MAX_UPLOAD_BYTES": "1000",
        "ROUTER_MAX_UPLOAD_FILES": "2",
        "ROUTER_MAX_UPLOAD_FILE_BYTES": "500",
        "ROUTER_UPLOAD_TIMEOUT": "7.5",
    }
    limits = load_config(env=legacy).uploads
    assert (limits.max_request_bytes, limits.max_files) == (1000, 2)
    assert (limits.max_file_bytes, limits.timeout) == (500, 7.5)
    path = tmp_path / "router.yaml"
    path.write_text("uploads:\n  enabled: false\n  max_files: 3\n  max-file-bytes: 100\n")
    from_file = load_config(path, env={"ROUTER_UPLOADS__MAX_FILES": "4"}).uploads
    assert (from_file.enabled, from_file.max_files, from_file.max_file_bytes) == (False, 4, 100)
    # the ROUTER_UPLOADS__ form wins over the older name
    both = {"ROUTER_MAX_UPLOAD_FILES": "2", "ROUTER_UPLOADS__MAX_FILES": "9"}
    assert load_config(env=both).uploads.max_files == 9


@pytest.mark.parametrize(
    "bad",
    [{"max_files": "many"}, {"max_files": 0}, {"unknown": 1}, {"enabled": "maybe"}, "x"],
)
def test_invalid_upload_settings_are_config_errors(bad: Any) -> None:
    with pytest.raises(ConfigError):
        load_config(env={}, uploads=bad)


def test_dev_passes_files_through_the_router(monkeypatch: pytest.MonkeyPatch) -> None:
    from saas_platform.commands.dev import _dev_passthrough

    for name in ("FILES_PUBLIC_URL", "ROUTER_PASSTHROUGH_ROUTES"):
        monkeypatch.setenv(name, "recorded")  # so that the teardown restores it
        monkeypatch.delenv(name)
    routes = _dev_passthrough("http://localhost:8000")
    config = load_config(env={}, passthrough_routes=routes)
    assert [(r.path_prefix, r.subgraph) for r in config.passthrough_routes] == [
        ("/files/", "files")
    ]
    assert config.passthrough_routes[0].forward_headers == ()
    assert os.environ["FILES_PUBLIC_URL"] == "http://localhost:8000"
    # an explicit FILES_PUBLIC_URL or ROUTER_PASSTHROUGH_ROUTES wins
    monkeypatch.setenv("FILES_PUBLIC_URL", "https://files.example.com")
    _dev_passthrough("http://localhost:8000")
    assert os.environ["FILES_PUBLIC_URL"] == "https://files.example.com"
    monkeypatch.setenv("ROUTER_PASSTHROUGH_ROUTES", "/dl/=files")
    assert _dev_passthrough("http://localhost:8000") is None
    env = {"ROUTER_PASSTHROUGH_ROUTES": "/dl/=files"}
    assert load_config(env=env).passthrough_routes[0].path_prefix == "/dl/"


@pytest.mark.parametrize(
    "routes",
    [
        "/files=files",
        "/graphql/=files",
        "/a/../b/=files",
        "/files/=",
        "nonsense",
        [{"path_prefix": "/x/", "subgraph": "a", "verb": "POST"}],
        [{"path_prefix": "/x/", "subgraph": "a"}, {"path_prefix": "/x/", "subgraph": "b"}],
    ],
)
def test_invalid_passthrough_routes_are_config_errors(routes: Any) -> None:
    with pytest.raises(ConfigError):
        load_config(env={}, passthrough_routes=routes)
