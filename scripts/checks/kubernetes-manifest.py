#!/usr/bin/env python3
"""Checks deploy/kubernetes/detour.yaml without a Kubernetes cluster: it parses, its parts refer to
each other (labels, ports, service account, replicas), and every variable it sets is one Detour's
configuration reads. Needs PyYAML. KubernetesDiscoveryTest checks the configuration side."""
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIGS = ["deploy/kubernetes/detour.conf", "router/src/main/resources/detour-defaults.conf",
           "router/src/main/resources/reference.conf", "persistence/src/main/resources/reference.conf"]


def check(ok, problem):
    if not ok:
        sys.exit("kubernetes manifest: " + problem)


docs = [d for d in yaml.safe_load_all((ROOT / "deploy/kubernetes/detour.yaml").read_text()) if d]
by_kind = {d["kind"]: d for d in docs}
check(set(by_kind) == {"ServiceAccount", "Role", "RoleBinding", "Deployment", "Service"}, f"kinds {sorted(by_kind)}")
deployment, pod = by_kind["Deployment"], by_kind["Deployment"]["spec"]["template"]
labels = pod["metadata"]["labels"]
check(deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), "the selector misses the pods")
check(by_kind["Service"]["spec"]["selector"].items() <= labels.items(), "the Service misses the pods")
check(labels.get("app") == "detour", "pods need app=detour, what pod-label-selector app=%s matches")
container = pod["spec"]["containers"][0]
ports = {p["name"]: p["containerPort"] for p in container["ports"]}
env = {e["name"]: e for e in container["env"]}
check(ports == {"http": 8080, "management": 8558, "remoting": 25520}, f"ports {ports}")
check(env["DETOUR_REMOTE_PORT"]["value"] == str(ports["remoting"]), "DETOUR_REMOTE_PORT is not the remoting port")
check(env["DETOUR_MANAGEMENT_PORT"]["value"] == str(ports["management"]), "DETOUR_MANAGEMENT_PORT is not management")
check(env["DETOUR_CLUSTER_REQUIRED_CONTACTS"]["value"] == str(deployment["spec"]["replicas"]),
      "DETOUR_CLUSTER_REQUIRED_CONTACTS is not the number of replicas")
check(env["DETOUR_DISCOVERY"]["value"] == "kubernetes-api", "DETOUR_DISCOVERY is not kubernetes-api")
for name in ["DETOUR_REMOTE_HOST", "DETOUR_MANAGEMENT_HOST"]:
    check(env[name]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP", name + " is not the pod's IP")
for name in ["DETOUR_PG_URL", "DETOUR_PG_USER", "DETOUR_PG_PASSWORD", "DETOUR_ADMIN_TOKEN"]:
    check("secretKeyRef" in env[name].get("valueFrom", {}), name + " must come from a Secret")
# Detour's own endpoints on the API port, which binds only once the pod is a member with every
# breaker answered: the startup probe covers the cluster's formation, liveness never the providers.
check(container["startupProbe"]["httpGet"] == {"path": "/live", "port": "http"}, "startup is not the API's /live")
check(container["livenessProbe"]["httpGet"] == {"path": "/live", "port": "http"}, "liveness is not the API's /live")
check(container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}, "readiness is not the API's /ready")
binding, role = by_kind["RoleBinding"], by_kind["Role"]
check(binding["subjects"][0]["name"] == pod["spec"]["serviceAccountName"] == by_kind["ServiceAccount"]["metadata"]["name"],
      "the RoleBinding is not the pods' service account's")
check(binding["roleRef"]["name"] == role["metadata"]["name"], "the RoleBinding names another Role")
check(role["rules"][0]["resources"] == ["pods"] and set(role["rules"][0]["verbs"]) == {"get", "watch", "list"},
      "the Role must allow get, watch and list on pods")
read = set()
for path in CONFIGS:
    read |= set(re.findall(r"\$\{\?([A-Z0-9_]+)\}", (ROOT / path).read_text()))
unread = sorted(set(env) - read)
check(not unread, f"variables no configuration reads: {unread}")
print(f"kubernetes manifest: ok ({len(docs)} objects, {len(env)} variables, each read by the configuration)")
