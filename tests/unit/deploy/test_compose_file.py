"""The production deployment files, checked without running them (no Docker engine here):
docker-compose.yml against the official Compose schema and our own rules, deploy/Dockerfile
and its entry script, the Kubernetes manifests, and the Prometheus and Grafana configs.

The invariant behind most of these tests: every setting reaches a process through an
environment variable that deploy/config.yml reads, every process of ours is a module that
exists, and every dependency, database, port and probe named in one file matches the others.
"""
from __future__ import annotations

import copy
import functools
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from services import launcher
from services.common import migrations, token_keys
from services.common.migrations import load_config

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SCHEMA_FILE = ROOT / "tests" / "fixtures" / "compose" / "compose-spec.json"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
ENTRYPOINT = ROOT / "deploy" / "docker-entrypoint.sh"
DOCKERIGNORE = ROOT / ".dockerignore"
INIT_SQL = ROOT / "deploy" / "postgres" / "init-databases.sql"
K8S_DIR = ROOT / "deploy" / "k8s"
PROMETHEUS_FILE = ROOT / "deploy" / "prometheus" / "prometheus.yml"
GRAFANA_DIR = ROOT / "deploy" / "grafana"
CONFIG_FILE = ROOT / "deploy" / "config.yml"

#: The nameko service class of each process (services/<name>/service.py).
SERVICE_CLASSES = {"gateway": "GatewayService", "documents": "DocumentsService",
                   "workflow": "WorkflowService", "search": "SearchService",
                   "notify": "NotifyService", "storage": "StorageService",
                   "signing": "SigningService", "exchange": "ExchangeService"}
#: Our processes and the port each serves /metrics on (its WEB_SERVER_ADDRESS; the
#: gateway's METRICS_ADDRESS, off its public port).
METRICS_PORTS = {"gateway": 8100, "documents": 8101, "workflow": 8102, "search": 8103,
                 "notify": 8104, "storage": 8105, "signing": 8106, "exchange": 8108}
#: The port each process serves its own HTTP on (WEB_SERVER_ADDRESS).
WEB_PORTS = METRICS_PORTS | {"gateway": 8000}
DATABASE_SERVICES = ("documents", "workflow", "search", "notify", "storage", "signing",
                     "exchange")
SCALABLE = ("documents", "workflow", "search", "notify", "signing", "exchange")
#: The reference axis (services/axis): run from our image by the entry script, but not a
#: nameko process (no config.yml, no token key, no database of ours), and optional: compose
#: starts it only under its profile, and its Kubernetes manifest is not in the kustomization.
AXIS = "axis"
AXIS_PORT = 8109
AXIS_DATA_DIR = "/data/axis"
AXIS_SYSTEMS_FILE = "/etc/eoffice/axis/systems.json"
#: Kubernetes manifests applied on their own, never by `kubectl apply -k`.
OPTIONAL_MANIFESTS = {"axis.yaml"}
AUTOSCALED = ("workflow", "documents", "gateway")
OUR_DOCKERFILE = "deploy/Dockerfile"


class PlainLoader(yaml.SafeLoader):
    """yaml.SafeLoader without nameko's ``${VAR}`` resolver.

    ``load_config`` (nameko's ``setup_yaml_parser``) registers that resolver on
    yaml.SafeLoader for the whole process; the compose file's own ``${VAR:?message}``
    must be read as the literal strings Compose sees.
    """


PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "!env_var"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=PlainLoader)


def read_yaml_documents(path: Path) -> list:
    return [doc for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=PlainLoader)
            if doc is not None]


COMPOSE = read_yaml(COMPOSE_FILE)
SERVICES = COMPOSE["services"]


def runs_our_image(service: dict) -> bool:
    build = service.get("build")
    return isinstance(build, dict) and build.get("dockerfile") == OUR_DOCKERFILE


def our_processes() -> dict:
    """Compose services running one of our nameko processes, by the process they run."""
    return {service["command"][0]: name for name, service in SERVICES.items()
            if runs_our_image(service) and service["command"][0] not in ("migrate", AXIS)}


def our_migrations() -> dict:
    return {service["command"][1]: name for name, service in SERVICES.items()
            if runs_our_image(service) and service["command"][0] == "migrate"}


def interpolate(value: str) -> str:
    """The value as Compose would pass it, with every variable set to "secret" unless the
    reference has a default (``${VAR:-default}``)."""
    def replace(match):
        operator, default = match.group(2) or "", match.group(3) or ""
        return default if operator.endswith("-") else "secret"
    return re.sub(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}", replace, str(value))


def environment_of(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def depends_on_of(service: dict) -> dict:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        deps = {name: {"condition": "service_started"} for name in deps}
    return deps


def variables_config_yml_does_not_read(names, monkeypatch) -> list:
    """Loads deploy/config.yml with nameko's loader after giving each variable a unique
    value; a variable whose value shows up nowhere in the result is one it never reads."""
    for name in names:
        monkeypatch.setenv(name, f"zz{name}zz")
    config = load_config(str(CONFIG_FILE))

    def leaves(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from leaves(value)
        elif isinstance(node, list):
            for value in node:
                yield from leaves(value)
        else:
            yield str(node)

    values = list(leaves(config))
    return sorted(name for name in names if not any(f"zz{name}zz" in value for value in values))


# ------------------------------------------------------------------ compose: schema

def test_the_compose_schema_fixture_is_the_official_draft_7_compose_specification():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["title"] == "Compose Specification"
    assert "service" in schema["definitions"]
    jsonschema.Draft7Validator.check_schema(schema)


def test_the_compose_file_validates_against_the_compose_specification_schema():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(COMPOSE),
                    key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors)


def test_the_schema_rejects_a_compose_file_with_a_misspelt_service_key():
    """The validation above is not vacuous: a typo in a service key fails it."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    broken = {"services": {"web": {"image": "x", "helthcheck": {"test": ["CMD", "true"]}}}}
    assert not jsonschema.Draft7Validator(schema).is_valid(broken)


def test_the_compose_file_has_no_obsolete_version_key():
    assert "version" not in COMPOSE


# ------------------------------------------------------------ compose: our processes

def test_the_compose_file_runs_every_one_of_our_processes_and_migrations():
    assert set(our_processes()) == set(METRICS_PORTS)
    assert set(our_migrations()) == set(DATABASE_SERVICES)
    for service, compose_name in our_migrations().items():
        assert compose_name == f"{service}-migrate"


@pytest.mark.parametrize("process", sorted(METRICS_PORTS))
def test_every_process_the_compose_file_runs_refers_to_a_service_module_that_exists(process):
    """Checked by path: some of these modules are being written alongside this file."""
    assert process in our_processes()
    module = ROOT / "services" / process / "service.py"
    assert module.is_file(), f"{module.relative_to(ROOT)} does not exist"
    assert re.search(rf"^class {SERVICE_CLASSES[process]}\b", module.read_text(encoding="utf-8"),
                     flags=re.MULTILINE), f"no class {SERVICE_CLASSES[process]} in {module}"


@pytest.mark.parametrize("service", DATABASE_SERVICES)
def test_every_migration_job_refers_to_a_migration_tree_that_exists(service):
    assert (ROOT / "services" / service / "migrations" / "env.py").is_file()
    assert service in migrations.SERVICES_WITH_DATABASE


def test_every_depends_on_target_is_a_service_of_the_compose_file():
    missing = [(name, target) for name, service in SERVICES.items()
               for target in depends_on_of(service) if target not in SERVICES]
    assert not missing


def test_a_service_waited_on_as_healthy_has_a_healthcheck():
    for name, service in SERVICES.items():
        for target, how in depends_on_of(service).items():
            if how.get("condition") == "service_healthy":
                assert "healthcheck" in SERVICES[target], f"{name} waits on {target}"


@pytest.mark.parametrize("service", DATABASE_SERVICES)
def test_each_service_with_a_database_waits_for_its_migration_and_for_rabbitmq(service):
    deps = depends_on_of(SERVICES[our_processes()[service]])
    assert deps[f"{service}-migrate"]["condition"] == "service_completed_successfully"
    assert deps["rabbitmq"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", DATABASE_SERVICES)
def test_each_migration_job_is_one_shot_and_waits_for_a_healthy_postgres(service):
    job = SERVICES[f"{service}-migrate"]
    assert job.get("restart") == "no"
    assert depends_on_of(job)["postgres"]["condition"] == "service_healthy"
    assert set(environment_of(job)) == {f"{service.upper()}_DB_URL"}


def test_the_gateway_waits_for_a_healthy_rabbitmq():
    assert depends_on_of(SERVICES["gateway"])["rabbitmq"]["condition"] == "service_healthy"


@pytest.mark.parametrize("process,port", sorted(METRICS_PORTS.items()))
def test_each_of_our_services_listens_on_its_own_port_and_checks_health_on_its_metrics(
        process, port):
    service = SERVICES[our_processes()[process]]
    assert environment_of(service)["WEB_SERVER_ADDRESS"] == f"0.0.0.0:{WEB_PORTS[process]}"
    if process == "gateway":
        assert environment_of(service)["METRICS_ADDRESS"] == f"0.0.0.0:{port}"
        assert f"{port}:{port}" not in service["ports"]
    test = service["healthcheck"]["test"]
    command = " ".join(test) if isinstance(test, list) else test
    assert f"127.0.0.1:{port}/metrics" in command


@pytest.mark.parametrize("process", SCALABLE)
def test_the_scalable_services_have_no_container_name_and_no_host_ports(process):
    """`docker compose up --scale NAME=N` fails on a fixed name or host port."""
    service = SERVICES[our_processes()[process]]
    assert "container_name" not in service
    assert "ports" not in service


def test_no_service_of_ours_sets_a_container_name():
    assert not [name for name, service in SERVICES.items()
                if runs_our_image(service) and "container_name" in service]


def test_the_processes_listed_here_are_the_launchers_with_the_same_classes_and_ports():
    """The lists above follow the code: a new service shows up here or this fails."""
    assert SERVICE_CLASSES == launcher.SERVICE_CLASSES
    assert set(DATABASE_SERVICES) == set(migrations.SERVICES_WITH_DATABASE)
    assert set(METRICS_PORTS) == set(token_keys.SIGNERS)
    for process, port in METRICS_PORTS.items():
        offset = launcher.PORT_OFFSETS["gateway_metrics" if process == "gateway" else process]
        assert port == 8000 + offset, process


def section_variables(name: str) -> set:
    """The environment variables of config.yml's section NAME (and NAME_DB_URL)."""
    text = CONFIG_FILE.read_text(encoding="utf-8")
    section = re.search(rf"^{name}:\n((?:[ #].*\n)+)", text, flags=re.MULTILINE).group(1)
    return set(re.findall(r"\$\{(\w+):", section)) | {f"{name}_DB_URL"}


def signing_variables() -> set:
    """The environment variables of config.yml's SIGNING section (and SIGNING_DB_URL)."""
    return section_variables("SIGNING")


def exchange_variables() -> set:
    """The environment variables of config.yml's EXCHANGE section (and EXCHANGE_DB_URL)."""
    return section_variables("EXCHANGE")


def test_the_signing_service_gets_every_signing_setting_from_the_environment():
    environment = environment_of(SERVICES[our_processes()["signing"]])
    assert signing_variables() <= set(environment)
    for name in signing_variables():
        assert environment[name].startswith("${" + name) or name == "SIGNING_DB_URL", name


def test_the_exchange_service_gets_every_exchange_setting_from_the_environment():
    environment = environment_of(SERVICES[our_processes()["exchange"]])
    assert {"EXCHANGE_AXIS_URL", "EXCHANGE_SYSTEM_ID", "EXCHANGE_SECRET_KEY",
            "EXCHANGE_STORAGE_URL"} <= exchange_variables()
    assert exchange_variables() <= set(environment)
    for name in exchange_variables():
        assert environment[name].startswith("${" + name) or name == "EXCHANGE_DB_URL", name


def test_the_exchange_service_uses_the_reference_axis_unless_told_otherwise():
    """The axis's URL defaults to the reference axis's service; set but empty it stays
    empty (not connected), which `${VAR-default}` allows and `${VAR:-default}` would not."""
    environment = environment_of(SERVICES[our_processes()["exchange"]])
    assert environment["EXCHANGE_AXIS_URL"] == "${EXCHANGE_AXIS_URL-http://axis:%d}" % (
        AXIS_PORT)
    for name in ("EXCHANGE_SYSTEM_ID", "EXCHANGE_SECRET_KEY"):
        assert environment[name].startswith("${" + name + ":?"), name


def test_the_services_that_fetch_storage_urls_inside_the_network_know_their_public_base():
    """Storage signs URLs under STORAGE_PUBLIC_URL; signing and exchange swap that base for
    storage's own port (…_STORAGE_URL), which they can only do knowing the same base."""
    storage = environment_of(SERVICES["storage"])
    swapping = {name: environment_of(SERVICES[name]) for name in our_processes().values()
                if any(key.endswith("_STORAGE_URL") for key in environment_of(SERVICES[name]))}
    assert {"signing", "exchange"} <= set(swapping)
    for name, environment in swapping.items():
        assert environment.get("STORAGE_PUBLIC_URL") == storage["STORAGE_PUBLIC_URL"], name
        internal = next(value for key, value in environment.items()
                        if key.endswith("_STORAGE_URL"))
        assert urlsplit(interpolate(internal)).netloc == "storage:8105", name


def test_the_reference_axis_is_not_started_by_default():
    """Only `docker compose --profile axis up` starts it: a deployment connected to the
    national axis never runs it, and nothing started by default waits for it."""
    axis = SERVICES[AXIS]
    assert axis["profiles"] == [AXIS]
    default = {name for name, service in SERVICES.items() if not service.get("profiles")}
    assert AXIS not in default
    assert not [name for name in default if AXIS in depends_on_of(SERVICES[name])]


def test_the_reference_axis_runs_from_our_image_through_the_entry_script():
    axis = SERVICES[AXIS]
    assert runs_our_image(axis)
    assert axis["command"] == [AXIS]
    # Nothing of config.yml, no token key and no secret of ours: it is not one of our
    # nameko processes, and the exchange reaches it by the service name.
    assert "environment" not in axis
    assert "ports" not in axis and "container_name" not in axis
    test = " ".join(axis["healthcheck"]["test"])
    assert f"127.0.0.1:{AXIS_PORT}/health" in test


def test_the_reference_axis_keeps_its_data_in_a_named_volume_and_reads_its_systems_read_only():
    mounts = {volume.split(":")[1]: volume for volume in SERVICES[AXIS]["volumes"]}
    data = mounts[AXIS_DATA_DIR].split(":")
    assert data[0] in COMPOSE["volumes"] and len(data) == 2
    assert mounts[AXIS_SYSTEMS_FILE] == f"./axis/systems.json:{AXIS_SYSTEMS_FILE}:ro"


def test_no_pin_or_passphrase_in_the_compose_file_has_a_default_value():
    """A PIN or passphrase is required (`:?`) or empty when unset (that key store is off)."""
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    references = re.findall(r"\$\{([A-Z0-9_]*(?:PIN|PASSPHRASE)[A-Z0-9_]*)([^}]*)\}", text)
    assert {name for name, _ in references} >= {"SIGNING_PKCS11_PIN",
                                                 "SIGNING_PKCS12_PASSPHRASE"}
    assert all(rest.startswith(":?") or rest == ":-" for _, rest in references), references


def test_the_signing_trust_list_and_pkcs12_files_are_mounted_read_only():
    service = SERVICES[our_processes()["signing"]]
    mounts = {interpolate(volume).split(":")[1]: volume for volume in service["volumes"]}
    for target in ("/etc/eoffice/signing/trust", "/etc/eoffice/signing/pkcs12"):
        assert mounts[target].endswith(":ro"), target
    roots = interpolate(environment_of(service)["SIGNING_TRUST_ROOTS"]).split(",")
    assert roots and all(root.startswith("/etc/eoffice/signing/trust/") for root in roots)


def test_the_gateway_and_storage_ports_are_published_for_clients():
    assert "8000:8000" in SERVICES["gateway"]["ports"]
    assert "8105:8105" in SERVICES["storage"]["ports"]
    assert environment_of(SERVICES["storage"])["STORAGE_PUBLIC_URL"]


def test_storage_uses_minio_and_search_uses_elasticsearch():
    storage_url = urlsplit(interpolate(environment_of(SERVICES["storage"])["STORAGE_URL"]))
    assert (storage_url.scheme, storage_url.hostname, storage_url.port,
            storage_url.path) == ("s3", "minio", 9000, "/eoffice")
    assert environment_of(SERVICES["search"])["SEARCH_URL"] == "http://elasticsearch:9200"


def test_the_secret_key_comes_from_the_environment_with_no_default():
    for process, name in our_processes().items():
        value = environment_of(SERVICES[name])["EOFFICE_SECRET_KEY"]
        assert value.startswith("${EOFFICE_SECRET_KEY:?"), process


def test_each_process_gets_its_own_token_signing_key_and_every_public_key():
    for process, name in our_processes().items():
        environment = environment_of(SERVICES[name])
        own = f"EOFFICE_{name.upper()}_SIGNING_KEY"
        assert environment["EOFFICE_SIGNING_KEY"].startswith("${" + own + ":?"), process
        assert environment["EOFFICE_PUBLIC_KEYS"].startswith("${EOFFICE_PUBLIC_KEYS:?")


def test_no_password_in_the_compose_file_has_a_default():
    """Every ${...PASSWORD...} reference fails loudly when unset (`:?`), none falls back."""
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    references = re.findall(r"\$\{([A-Z_]*(?:PASSWORD|SECRET)[A-Z_]*)([^}]*)\}", text)
    assert references
    assert all(rest.startswith(":?") for _, rest in references), references


def test_every_database_url_names_a_database_the_init_script_creates():
    created = set(re.findall(r"CREATE DATABASE\s+\"?(\w+)\"?", INIT_SQL.read_text(),
                             flags=re.IGNORECASE))
    assert created == set(DATABASE_SERVICES)
    seen = set()
    for name, service in SERVICES.items():
        for key, value in environment_of(service).items():
            if not key.endswith("_DB_URL"):
                continue
            url = urlsplit(interpolate(value))
            database = url.path.lstrip("/")
            assert url.scheme == "postgresql+psycopg2", (name, key)
            assert url.hostname == "postgres", (name, key)
            assert database in created, (name, key, database)
            assert key == f"{database.upper()}_DB_URL", (name, key)
            seen.add(key)
    assert seen == {f"{service.upper()}_DB_URL" for service in DATABASE_SERVICES}


def test_postgres_runs_the_init_script_and_has_a_pg_isready_healthcheck():
    postgres = SERVICES["postgres"]
    assert any("deploy/postgres/init-databases.sql:/docker-entrypoint-initdb.d/" in volume
               for volume in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_rabbitmq_uses_a_3x_management_image_with_a_diagnostics_healthcheck():
    rabbitmq = SERVICES["rabbitmq"]
    assert re.fullmatch(r"rabbitmq:3[.\d]*-management", rabbitmq["image"])
    assert rabbitmq["healthcheck"]["test"] == ["CMD", "rabbitmq-diagnostics", "-q", "ping"]


def test_elasticsearch_is_a_9x_single_node_and_is_not_published():
    elasticsearch = SERVICES["elasticsearch"]
    assert re.search(r":9\.\d+\.\d+$", elasticsearch["image"])
    assert environment_of(elasticsearch)["discovery.type"] == "single-node"
    assert "ports" not in elasticsearch


def test_every_backend_keeps_its_data_in_a_named_volume():
    volumes = set(COMPOSE["volumes"])
    for service, path in (("postgres", "/var/lib/postgresql/data"), ("minio", "/data"),
                          ("elasticsearch", "/usr/share/elasticsearch/data"),
                          ("rabbitmq", "/var/lib/rabbitmq")):
        sources = [volume.split(":")[0] for volume in SERVICES[service]["volumes"]
                   if volume.split(":")[1] == path]
        assert sources and sources[0] in volumes, service


def test_the_config_file_parses_with_nameko_env_var_loader(monkeypatch):
    for name in ("DOCUMENTS_DB_URL", "AMQP_URI", "WEB_SERVER_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(str(CONFIG_FILE))
    assert config["AMQP_URI"].startswith("pyamqp://")
    assert set(config["DB_URLS"]) == set(DATABASE_SERVICES)


def test_every_environment_variable_compose_sets_for_our_code_is_read_by_config_yml(
        monkeypatch):
    names = {key for service in SERVICES.values() if runs_our_image(service)
             for key in environment_of(service)}
    assert variables_config_yml_does_not_read(names, monkeypatch) == []


def test_the_unread_variable_check_catches_a_misspelt_name(monkeypatch):
    assert variables_config_yml_does_not_read(
        ["DOCUMENT_DB_URL", "DOCUMENTS_DB_URL"], monkeypatch) == ["DOCUMENT_DB_URL"]


# ------------------------------------------------------------ Dockerfile and entry script

def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuations joined, comments dropped), by stage."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        current += " " + stripped[:-1] if stripped.endswith("\\") else " " + stripped
        if not stripped.endswith("\\"):
            instructions.append(current.strip())
            current = ""
    stages = []
    for instruction in instructions:
        if instruction.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def test_the_dockerfile_is_multi_stage_on_python_3_11_slim():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "python:3.11-slim" in text
    assert len(dockerfile_stages()) >= 2


def test_the_dockerfile_final_stage_runs_as_a_non_root_user():
    final = dockerfile_stages()[-1]
    users = [instruction.split()[1] for instruction in final
             if instruction.upper().startswith("USER ")]
    assert users, "the final stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    useradd = [instruction for instruction in final if "useradd" in instruction]
    assert useradd and useradd[-1].rstrip().endswith(" eoffice")
    uid = re.search(r"--uid (\d+)", useradd[-1]).group(1)
    assert user in ("eoffice", uid)


def test_the_dockerfile_final_stage_installs_no_build_tools():
    final = " ".join(dockerfile_stages()[-1])
    for tool in ("build-essential", "gcc", "g++", "make ", "libpq-dev", "python3-dev"):
        assert tool not in final, tool


def test_the_dockerfile_installs_wheels_built_in_the_builder_stage():
    stages = dockerfile_stages()
    assert any("pip wheel" in instruction for instruction in stages[0])
    assert any("from=builder" in instruction and "pip install" in instruction
               for instruction in stages[-1])


def test_the_dockerfile_copies_the_code_and_config_into_app_and_runs_the_entry_script():
    final = dockerfile_stages()[-1]
    assert "WORKDIR /app" in final
    assert any(instruction.startswith("COPY services ") for instruction in final)
    assert any(instruction.startswith("COPY deploy/config.yml ") for instruction in final)
    entrypoint = [instruction for instruction in final if instruction.startswith("ENTRYPOINT")]
    assert entrypoint and "/app/deploy/docker-entrypoint.sh" in entrypoint[-1]


def test_the_dockerfile_installs_softhsm_and_pdfsig_and_exposes_every_port():
    final = " ".join(dockerfile_stages()[-1])
    installs = re.search(r"apt-get install ([^&]*)", final).group(1).split()
    assert "softhsm2" in installs      # to try signing with a software HSM only
    assert "poppler-utils" in installs  # pdftotext for storage, pdfsig for operators
    exposed = re.search(r"EXPOSE ([\d ]+)", final).group(1).split()
    assert {str(port) for port in WEB_PORTS.values()} <= set(exposed)


def test_the_dockerignore_keeps_the_build_context_to_what_the_image_needs():
    lines = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[0] == "*"
    for needed in ("!pyproject.toml", "!README.md", "!services/", "!deploy/config.yml",
                   "!deploy/docker-entrypoint.sh"):
        assert needed in lines


@pytest.fixture
def fake_commands(tmp_path):
    """A PATH whose `nameko` and `python` print their arguments instead of running."""
    for command in ("nameko", "python"):
        script = tmp_path / command
        script.write_text(f'#!/bin/sh\necho {command} "$@"\n')
        script.chmod(0o755)
    return tmp_path


def run_entrypoint(fake_commands, *args, **env):
    environment = {"PATH": f"{fake_commands}:/usr/bin:/bin", **env}
    return subprocess.run(["sh", str(ENTRYPOINT), *args], capture_output=True, text=True,
                          env=environment, timeout=10)


@pytest.mark.parametrize("process", sorted(METRICS_PORTS))
def test_the_entry_script_runs_the_named_service_under_nameko(fake_commands, process):
    result = run_entrypoint(fake_commands, process)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["nameko", "run", "--config", "/app/deploy/config.yml",
                                     f"services.{process}.service:{SERVICE_CLASSES[process]}"]


def test_the_entry_script_runs_the_service_named_by_eoffice_service(fake_commands):
    result = run_entrypoint(fake_commands, EOFFICE_SERVICE="workflow")
    assert result.stdout.split()[-1] == "services.workflow.service:WorkflowService"


def test_the_entry_script_refuses_to_start_without_a_service(fake_commands):
    result = run_entrypoint(fake_commands)
    assert result.returncode != 0
    assert "EOFFICE_SERVICE" in result.stderr
    assert set(METRICS_PORTS) <= set(re.findall(r"\w+", result.stderr))


def axis_arguments(argv: list[str]) -> dict:
    """``--name value`` pairs of a command line, by name."""
    return {argv[i][2:]: argv[i + 1] for i in range(0, len(argv), 2)}


def test_the_entry_script_runs_the_reference_axis_on_its_port_data_and_systems(fake_commands):
    result = run_entrypoint(fake_commands, AXIS)
    assert result.returncode == 0, result.stderr
    argv = result.stdout.split()
    assert argv[:3] == ["python", "-m", "services.axis"]
    assert axis_arguments(argv[3:]) == {"port": str(AXIS_PORT), "data": AXIS_DATA_DIR,
                                        "systems": AXIS_SYSTEMS_FILE, "host": "0.0.0.0"}
    assert AXIS_PORT == 8000 + launcher.PORT_OFFSETS[AXIS]


def test_the_entry_script_takes_the_reference_axis_settings_from_the_environment(
        fake_commands):
    result = run_entrypoint(fake_commands, AXIS, AXIS_PORT="9000", AXIS_DATA_DIR="/srv/axis",
                            AXIS_SYSTEMS_FILE="/run/systems.json", AXIS_HOST="10.0.0.5",
                            AXIS_MAX_SIZE="1048576")
    assert axis_arguments(result.stdout.split()[3:]) == {
        "port": "9000", "data": "/srv/axis", "systems": "/run/systems.json",
        "host": "10.0.0.5", "max-size": "1048576"}


def test_the_reference_axis_accepts_the_command_line_the_entry_script_gives(
        fake_commands, monkeypatch):
    """Checked once services/axis exists (it is being written alongside this file)."""
    server = pytest.importorskip("services.axis.server")
    argv = run_entrypoint(fake_commands, AXIS, AXIS_MAX_SIZE="1048576").stdout.split()[3:]
    served = []
    monkeypatch.setattr(server, "serve", lambda *args, **kwargs: served.append(args))
    server.main(argv)
    assert served == [(AXIS_DATA_DIR, AXIS_PORT, AXIS_SYSTEMS_FILE, "0.0.0.0", 1048576)]


def test_the_image_makes_the_reference_axis_data_folder_owned_by_its_user():
    """A named volume mounted there starts with the folder's owner: root-owned, the axis
    (uid 10001) could not write its database."""
    final = dockerfile_stages()[-1]
    [made] = [instruction for instruction in final if AXIS_DATA_DIR in instruction]
    assert re.search(rf"mkdir -p [^&]*{AXIS_DATA_DIR}\b", made)
    assert re.search(rf"chown eoffice:eoffice [^&]*{AXIS_DATA_DIR}\b", made)
    assert str(AXIS_PORT) in re.search(r"EXPOSE ([\d ]+)", " ".join(final)).group(1).split()


def test_the_entry_script_migrations_command_is_one_the_migrations_cli_accepts(
        fake_commands, monkeypatch):
    result = run_entrypoint(fake_commands, "migrate", "documents", "workflow")
    argv = result.stdout.split()
    assert argv[:3] == ["python", "-m", "services.common.migrations"]
    argv = [str(CONFIG_FILE) if arg == "/app/deploy/config.yml" else arg for arg in argv[3:]]
    upgraded = []

    def upgrade(cfg, revision):
        service = Path(cfg.get_main_option("script_location")).parent.name
        upgraded.append((service, revision))

    monkeypatch.setattr(migrations.command, "upgrade", upgrade)
    assert migrations.main(argv) == 0
    assert upgraded == [("documents", "head"), ("workflow", "head")]


# ------------------------------------------------------------------------ Kubernetes

@functools.cache
def _parsed_k8s_documents() -> tuple[tuple[str, dict], ...]:
    documents = []
    for path in sorted(K8S_DIR.glob("*.yaml")):
        if path.name == "kustomization.yaml":   # kustomize's input, not an API object
            continue
        documents.extend((path.name, doc) for doc in read_yaml_documents(path))
    return tuple(documents)


def k8s_documents() -> list[tuple[str, dict]]:
    """Every Kubernetes object of deploy/, parsed once (PyYAML's pure-Python parser took
    most of this module's time when each test parsed them again); each test gets its own
    copy, so none sees another's changes."""
    return copy.deepcopy(list(_parsed_k8s_documents()))


def k8s_objects(kind: str) -> dict:
    return {doc["metadata"]["name"]: doc for _, doc in k8s_documents()
            if doc.get("kind") == kind}


def test_the_kubernetes_files_parse_and_each_object_names_its_kind_and_name():
    documents = k8s_documents()
    assert documents
    for filename, doc in documents:
        assert doc.get("apiVersion") and doc.get("kind"), filename
        assert doc.get("metadata", {}).get("name"), filename


def test_the_kustomization_lists_every_manifest_but_the_secret_template_and_the_optional_ones():
    kustomization = read_yaml(K8S_DIR / "kustomization.yaml")
    resources = set(kustomization["resources"])
    assert all((K8S_DIR / resource).is_file() for resource in resources)
    manifests = {path.name for path in K8S_DIR.glob("*.yaml")}
    assert OPTIONAL_MANIFESTS <= manifests
    assert resources == manifests - {"kustomization.yaml", "secret.example.yaml"} - (
        OPTIONAL_MANIFESTS)


def test_each_optional_manifest_says_at_its_top_that_it_is_not_in_the_kustomization():
    for name in OPTIONAL_MANIFESTS:
        head = (K8S_DIR / name).read_text(encoding="utf-8").split("apiVersion:")[0]
        assert "NOT in kustomization.yaml" in head, name


@pytest.mark.parametrize("process,port", sorted(METRICS_PORTS.items()))
def test_each_process_has_a_deployment_and_a_service_on_its_metrics_port(process, port):
    deployment = k8s_objects("Deployment")[process]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == [process]
    web = WEB_PORTS[process]
    assert {"name": "WEB_SERVER_ADDRESS", "value": f"0.0.0.0:{web}"} in container["env"]
    assert {"name": "http", "containerPort": web} in container["ports"]
    if process == "gateway":   # metrics on their own port, which the Service leaves out
        assert {"name": "METRICS_ADDRESS", "value": f"0.0.0.0:{port}"} in container["env"]
        assert {"name": "metrics", "containerPort": port} in container["ports"]
    service = k8s_objects("Service")[process]
    assert [p["port"] for p in service["spec"]["ports"]] == [web]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert all(labels.get(key) == value for key, value in service["spec"]["selector"].items())


@pytest.mark.parametrize("process", sorted(METRICS_PORTS))
def test_each_deployment_has_resource_requests_limits_and_probes_on_metrics(process):
    pod = k8s_objects("Deployment")[process]["spec"]["template"]["spec"]
    for container in pod["containers"]:
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"])
        assert {"cpu", "memory"} <= set(resources["limits"])
        for probe in ("readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["path"] == "/metrics", probe
            assert container[probe]["httpGet"]["port"] == (
                "metrics" if process == "gateway" else "http"), probe


@pytest.mark.parametrize("process", sorted(METRICS_PORTS))
def test_each_deployment_runs_as_the_non_root_image_user(process):
    pod = k8s_objects("Deployment")[process]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0


@pytest.mark.parametrize("process", AUTOSCALED)
def test_workflow_documents_and_gateway_are_autoscaled(process):
    hpa = k8s_objects("HorizontalPodAutoscaler")[process]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": process}
    assert 1 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    assert "replicas" not in k8s_objects("Deployment")[process]["spec"]


@pytest.mark.parametrize("service", DATABASE_SERVICES)
def test_each_database_has_a_kubernetes_migration_job(service):
    job = k8s_objects("Job")[f"{service}-migrate"]
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["migrate", service]
    assert [env["name"] for env in container["env"]] == [f"{service.upper()}_DB_URL"]
    assert {"requests", "limits"} <= set(container["resources"])


def test_every_environment_variable_the_kubernetes_files_set_is_read_by_config_yml(
        monkeypatch):
    names, renamed = set(), set()
    for _, doc in k8s_documents():
        if doc["kind"] in ("Deployment", "Job"):
            for container in doc["spec"]["template"]["spec"]["containers"]:
                names.update(env["name"] for env in container.get("env", []))
                # A Secret key given to a variable of another name (each process's own
                # token signing key, EOFFICE_<PROCESS>_SIGNING_KEY → EOFFICE_SIGNING_KEY)
                # is checked under that variable's name.
                renamed.update(
                    env["valueFrom"]["secretKeyRef"]["key"] for env in container.get("env", [])
                    if env.get("valueFrom", {}).get("secretKeyRef", {}).get("key",
                                                                          env["name"])
                    != env["name"])
        elif doc["kind"] == "ConfigMap":
            names.update(doc["data"])
    secret = read_yaml(K8S_DIR / "secret.example.yaml")
    names.update(set(secret["stringData"]) - renamed)
    assert variables_config_yml_does_not_read(names, monkeypatch) == []


def test_each_kubernetes_process_reads_its_own_token_signing_key_and_the_public_keys():
    deployments = k8s_objects("Deployment")
    assert set(deployments) == set(METRICS_PORTS) | {AXIS}
    for name, deployment in deployments.items():
        if name == AXIS:      # not one of ours: no token key (checked below)
            continue
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        refs = {env["name"]: env["valueFrom"]["secretKeyRef"]["key"]
                for env in container.get("env", []) if "valueFrom" in env}
        assert refs["EOFFICE_SIGNING_KEY"] == f"EOFFICE_{name.upper()}_SIGNING_KEY", name
        assert refs["EOFFICE_PUBLIC_KEYS"] == "EOFFICE_PUBLIC_KEYS", name
        others = {key for key in refs.values()
                  if key.endswith("_SIGNING_KEY") and key != refs["EOFFICE_SIGNING_KEY"]}
        assert not others, name      # no process holds another's private key


def test_every_secret_key_the_deployments_use_is_in_the_secret_template():
    keys = set(read_yaml(K8S_DIR / "secret.example.yaml")["stringData"])
    for _, doc in k8s_documents():
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == "eoffice-secrets"
                    assert ref["key"] in keys


def test_the_secret_template_has_every_token_key_and_every_public_key_name():
    secret = read_yaml(K8S_DIR / "secret.example.yaml")["stringData"]
    for signer in token_keys.SIGNERS:
        assert f"EOFFICE_{signer.upper()}_SIGNING_KEY" in secret, signer
    names = [item.partition("=")[0] for item in secret["EOFFICE_PUBLIC_KEYS"].split(",")]
    assert sorted(names) == sorted(token_keys.SIGNERS)


def test_the_kubernetes_signing_settings_come_from_the_config_map_and_the_secret():
    [container] = k8s_objects("Deployment")["signing"]["spec"]["template"]["spec"]["containers"]
    refs = {env["name"]: env["valueFrom"]["secretKeyRef"]
            for env in container["env"] if "valueFrom" in env}
    config = k8s_objects("ConfigMap")["eoffice-config"]["data"]
    for name in ("SIGNING_PKCS11_PIN", "SIGNING_PKCS12_PASSPHRASE", "SIGNING_DB_URL"):
        assert refs[name]["key"] == name
        assert name not in config          # secrets never in the ConfigMap
    # SoftHSM2's configuration is for trying things out, not for a cluster.
    assert signing_variables() - {"SOFTHSM2_CONF"} <= set(config) | set(refs)


def test_the_kubernetes_signing_pod_mounts_its_trust_list_and_pkcs12_files_read_only():
    pod = k8s_objects("Deployment")["signing"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    mounts = {mount["name"]: mount for mount in container["volumeMounts"]}
    assert volumes["trust"]["configMap"]["name"] == "eoffice-signing-trust"
    assert volumes["pkcs12"]["secret"]["secretName"] == "eoffice-signing-pkcs12"
    assert mounts["trust"]["readOnly"] is True and mounts["pkcs12"]["readOnly"] is True
    roots = k8s_objects("ConfigMap")["eoffice-config"]["data"]["SIGNING_TRUST_ROOTS"]
    assert all(root.startswith(mounts["trust"]["mountPath"] + "/")
               for root in roots.split(","))


def test_the_kubernetes_exchange_settings_come_from_the_config_map_and_the_secret():
    [container] = k8s_objects("Deployment")["exchange"]["spec"]["template"]["spec"][
        "containers"]
    refs = {env["name"]: env["valueFrom"]["secretKeyRef"]
            for env in container["env"] if "valueFrom" in env}
    config = k8s_objects("ConfigMap")["eoffice-config"]["data"]
    for name in ("EXCHANGE_SYSTEM_ID", "EXCHANGE_SECRET_KEY", "EXCHANGE_DB_URL"):
        assert refs[name]["key"] == name
        assert name not in config          # secrets never in the ConfigMap
    assert exchange_variables() <= set(config) | set(refs)
    assert config["EXCHANGE_STORAGE_URL"] == "http://storage:8105"


def test_the_kubernetes_reference_axis_is_one_pod_with_its_data_on_a_volume_claim():
    objects = read_yaml_documents(K8S_DIR / "axis.yaml")
    kinds = {(doc["kind"], doc["metadata"]["name"]): doc for doc in objects}
    deployment = kinds[("Deployment", AXIS)]
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"]["type"] == "Recreate"   # one SQLite writer
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["args"] == [AXIS]
    assert {"name": "http", "containerPort": AXIS_PORT} in container["ports"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}, probe
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    mounts = {mount["mountPath"]: mount for mount in container["volumeMounts"]}
    claim = volumes[mounts[AXIS_DATA_DIR]["name"]]["persistentVolumeClaim"]["claimName"]
    assert ("PersistentVolumeClaim", claim) in kinds
    systems = mounts[str(Path(AXIS_SYSTEMS_FILE).parent)]
    assert systems["readOnly"] is True
    assert volumes[systems["name"]]["secret"]["secretName"] == "eoffice-axis-systems"
    assert pod["securityContext"]["fsGroup"] == pod["securityContext"]["runAsUser"] == 10001
    # Not one of our processes: no token key, no setting or secret of ours.
    assert "env" not in container and "envFrom" not in container
    service = kinds[("Service", AXIS)]
    assert [p["port"] for p in service["spec"]["ports"]] == [AXIS_PORT]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert all(labels.get(key) == value for key, value in service["spec"]["selector"].items())


def test_the_kubernetes_readme_describes_every_manifest():
    readme = (K8S_DIR / "README.md").read_text(encoding="utf-8")
    for resource in [*read_yaml(K8S_DIR / "kustomization.yaml")["resources"],
                     *sorted(OPTIONAL_MANIFESTS)]:
        assert f"`{resource}`" in readme, resource


# ------------------------------------------------------------- Prometheus and Grafana

def test_prometheus_scrapes_every_process_on_its_metrics_port_and_every_replica():
    config = read_yaml(PROMETHEUS_FILE)
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for process, port in METRICS_PORTS.items():
        job = jobs[process]
        assert job.get("metrics_path", "/metrics") == "/metrics"
        # DNS discovery: one target per replica of a scaled service.
        assert job["dns_sd_configs"] == [{"names": [process], "type": "A", "port": port,
                                          "refresh_interval": "30s"}]


def test_compose_mounts_the_prometheus_config():
    assert ("./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro"
            in SERVICES["prometheus"]["volumes"])


def test_the_grafana_dashboard_charts_latency_quantiles_calls_by_outcome_and_outbox_lag():
    dashboard = json.loads((GRAFANA_DIR / "dashboards" / "eoffice.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"]
                   for target in panel.get("targets", [])]
    latency = [expr for expr in expressions if "eoffice_entrypoint_latency_seconds_bucket" in expr]
    assert any("histogram_quantile(0.5" in expr for expr in latency)
    assert any("histogram_quantile(0.95" in expr for expr in latency)
    assert all("by (le, service, entrypoint)" in expr for expr in latency)
    assert any("eoffice_entrypoint_calls_total" in expr and "outcome" in expr
               for expr in expressions)
    assert any("eoffice_outbox_pending_events" in expr for expr in expressions)
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def test_the_grafana_processes_up_panel_lists_every_process():
    dashboard = json.loads((GRAFANA_DIR / "dashboards" / "eoffice.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"]
                   for target in panel.get("targets", [])]
    [jobs] = [re.search(r'up\{job=~"([^"]+)"\}', expr).group(1) for expr in expressions
              if re.search(r"\bup\{", expr)]
    assert set(jobs.split("|")) == set(METRICS_PORTS)


def test_every_eoffice_metric_the_dashboard_queries_is_one_the_services_define():
    dashboard = (GRAFANA_DIR / "dashboards" / "eoffice.json").read_text()
    defined = (ROOT / "services" / "common" / "metrics.py").read_text()
    queried = set(re.findall(r"eoffice_[a-z_]+", dashboard)) - {"eoffice_entrypoint_calls_total"}
    for metric in queried:
        base = re.sub(r"_(bucket|count|sum)$", "", metric)
        assert f'"{base}"' in defined, metric
    assert '"eoffice_entrypoint_calls_total"' in defined


def test_compose_provisions_grafana_from_the_deploy_grafana_folder():
    volumes = SERVICES["grafana"]["volumes"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in volumes
    assert "./deploy/grafana/dashboards:/etc/grafana/dashboards:ro" in volumes
    provider = read_yaml(GRAFANA_DIR / "provisioning" / "dashboards" / "eoffice.yml")
    assert provider["providers"][0]["options"]["path"] == "/etc/grafana/dashboards"
    datasource = read_yaml(GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml")
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
