#!/usr/bin/env python3
"""A cluster as `kubectl get deployments -A -o json` prints it: one top-level List of N Deployments.

A fifth (--ai-every 5) are AI workloads: a serving image (vLLM, TGI, Triton, Ollama, KServe's
runtime) and the aimsgate.io annotations of docs/annotations.md, some of them incomplete so that
rules both pass and fail; the rest are ordinary web services. Objects carry what a listed object
carries (uid, resourceVersion, creationTimestamp, generation, a status), about 760 bytes each, so
30,000 Deployments are 23 MB and 300,000 are 230 MB. Deterministic: the same arguments give the same bytes.

  bench/cluster/gen_list.py --count 30000 > /tmp/list-30k.json
  bench/cluster/gen_list.py --count 300000 --out /tmp/list-300k.json
"""
import argparse
import json
import sys

AI_IMAGES = ["vllm/vllm-openai:v0.6.3", "ghcr.io/huggingface/text-generation-inference:2.4.0",
             "nvcr.io/nvidia/tritonserver:24.08-py3", "ollama/ollama:0.3.14",
             "kserve/huggingfaceserver:v0.14.0"]
WEB_IMAGES = ["nginx:1.27", "redis:7.4", "ghcr.io/example/shop-api:3.2.1", "postgres:16", "busybox:1.36"]
NAMESPACES = ["shop", "ml", "support", "payments", "search", "data", "platform", "web", "ops", "research"]


def deployment(i, ai_every):
    ns = NAMESPACES[i % len(NAMESPACES)]
    ai = ai_every > 0 and i % ai_every == 0
    name = ("model-" if ai else "web-") + f"{i:06d}"
    image = AI_IMAGES[(i // ai_every) % len(AI_IMAGES)] if ai else WEB_IMAGES[i % len(WEB_IMAGES)]
    annotations = {"deployment.kubernetes.io/revision": str(1 + i % 7)}
    if ai:
        annotations.update({"aimsgate.io/system-id": f"sys-{i:06d}", "aimsgate.io/risk-tier": ["minimal", "limited", "high"][i % 3]})
        if i % 3 != 0:  # two thirds name an owner and a purpose: the rest fail those rules
            annotations.update({"aimsgate.io/owner": f"team-{i % 40}@example.com",
                                "aimsgate.io/intended-purpose": "answer customer questions from the knowledge base"})
    container = {"name": "main", "image": image, "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                 "resources": {"limits": {"cpu": "2", "memory": "4Gi"}, "requests": {"cpu": "500m", "memory": "1Gi"}}}
    if ai and i % 2 == 0:
        container["resources"]["limits"]["nvidia.com/gpu"] = "1"
    uid = f"{i:08x}-0000-4000-8000-{i * 7919 % 10**12:012d}"
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "uid": uid, "resourceVersion": str(100000 + i),
                     "generation": 1 + i % 3, "creationTimestamp": "2026-10-01T08:00:00Z",
                     "labels": {"app": name, "tier": "ai" if ai else "web"}, "annotations": annotations},
        "spec": {"replicas": 1 + i % 3, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container]}}},
        "status": {"observedGeneration": 1 + i % 3, "replicas": 1 + i % 3, "readyReplicas": 1 + i % 3},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=30000)
    ap.add_argument("--ai-every", type=int, default=5, help="every Nth Deployment is an AI workload")
    ap.add_argument("--out", help="file to write (default: stdout)")
    a = ap.parse_args()
    out = open(a.out, "w") if a.out else sys.stdout
    # Written item by item: the 300,000 list need not fit in this script's memory either.
    out.write('{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[\n')
    for i in range(a.count):
        out.write(("," if i else "") + json.dumps(deployment(i, a.ai_every), separators=(",", ":")) + "\n")
    out.write("]}\n")
    if a.out:
        out.close()


if __name__ == "__main__":
    main()
