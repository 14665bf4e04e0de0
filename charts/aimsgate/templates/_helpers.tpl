{{/* Names and labels. */}}
{{- define "aimsgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "aimsgate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "aimsgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "aimsgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aimsgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "aimsgate.labels" -}}
helm.sh/chart: {{ include "aimsgate.chart" . }}
{{ include "aimsgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: aimsgate
{{- end -}}

{{- define "aimsgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "aimsgate.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "aimsgate.auditServiceAccountName" -}}
{{- default (printf "%s-audit" (include "aimsgate.fullname" .)) .Values.audit.serviceAccount.name -}}
{{- end -}}

{{- define "aimsgate.tlsSecretName" -}}
{{- if eq .Values.certificates.source "existingSecret" -}}
{{- required "certificates.existingSecret.name is required when certificates.source=existingSecret" .Values.certificates.existingSecret.name -}}
{{- else -}}
{{- printf "%s-tls" (include "aimsgate.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Webhook pods allowed at once: the replicas (or the autoscaler's maximum) plus one surge pod. */}}
{{- define "aimsgate.maxPods" -}}
{{- add1 (ternary .Values.autoscaling.maxReplicas .Values.replicaCount .Values.autoscaling.enabled | int) -}}
{{- end -}}

{{- define "aimsgate.caSecretName" -}}
{{- printf "%s-ca" (include "aimsgate.fullname" .) -}}
{{- end -}}

{{/* The DNS name the apiserver dials: <service>.<namespace>.svc, the server certificate's subject. */}}
{{- define "aimsgate.serviceDNSName" -}}
{{- printf "%s.%s.svc" (include "aimsgate.fullname" .) .Release.Namespace -}}
{{- end -}}

{{/*
An image reference from (list {repository, tag, digest} $ "values.path"); the digest wins, the tag
defaults to appVersion. No aimsgate image is published, so the placeholder repository of values.yaml
stops the render with the steps to follow instead of an ImagePullBackOff after install.
*/}}
{{- define "aimsgate.imageRef" -}}
{{- $image := index . 0 -}}
{{- $root := index . 1 -}}
{{- $key := index . 2 -}}
{{- if hasPrefix "<your-registry>" $image.repository -}}
{{- $keys := list -}}
{{- if hasPrefix "<your-registry>" $root.Values.image.repository -}}{{- $keys = append $keys "image.repository" -}}{{- end -}}
{{- if and $root.Values.audit.enabled (hasPrefix "<your-registry>" $root.Values.audit.image.repository) -}}{{- $keys = append $keys "audit.image.repository" -}}{{- end -}}
{{- if not $keys -}}{{- $keys = list (printf "%s.repository" $key) -}}{{- end -}}
{{- fail (printf "%s %s still the placeholder <your-registry>/...: no public aimsgate image is published. Build the images from the repository's Dockerfile (the default target, and --target audit for the image with kubectl), push them to your registry and set %s (docs/deploy.md, section 1)" (join " and " $keys) (ternary "are" "is" (gt (len $keys) 1)) (join " and " $keys)) -}}
{{- end -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository (default $root.Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{/* enforce -> Fail; warn and audit deny nothing, so an unavailable webhook should not block either. */}}
{{- define "aimsgate.failurePolicy" -}}
{{- if .Values.webhook.failurePolicy -}}
{{- .Values.webhook.failurePolicy -}}
{{- else if eq .Values.enforcement.mode "enforce" -}}
Fail
{{- else -}}
Ignore
{{- end -}}
{{- end -}}

{{/*
Refuses resources an admission webhook must never intercept: intercepting Nodes, Leases or Events can
stall the control plane, and virtual resources (reviews) are never persisted objects. The schema
refuses them too; this guard also covers `helm template --skip-schema-validation`.
*/}}
{{- define "aimsgate.checkWorkloads" -}}
{{- $forbidden := list "nodes" "leases" "events" "tokenreviews" "tokenrequests" "subjectaccessreviews" "selfsubjectaccessreviews" "localsubjectaccessreviews" "selfsubjectrulesreviews" "selfsubjectreviews" "validatingwebhookconfigurations" "mutatingwebhookconfigurations" "validatingadmissionpolicies" "validatingadmissionpolicybindings" "*" -}}
{{- range .Values.workloads -}}
{{- range .resources -}}
{{- if or (has . $forbidden) (contains "/" .) -}}
{{- fail (printf "workloads: %q must not be sent to an admission webhook" .) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Where each input lives in the pod; the names of the ConfigMaps that feed them ("" = not used). */}}
{{- define "aimsgate.packsConfigMap" -}}
{{- if .Values.packs.existingConfigMap -}}
{{- .Values.packs.existingConfigMap -}}
{{- else if .Values.packs.files -}}
{{- printf "%s-packs" (include "aimsgate.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "aimsgate.paramsConfigMap" -}}
{{- if .Values.packs.params -}}
{{- printf "%s-params" (include "aimsgate.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "aimsgate.inventoryConfigMap" -}}
{{- if .Values.inventory.existingConfigMap -}}
{{- .Values.inventory.existingConfigMap -}}
{{- else if .Values.inventory.content -}}
{{- printf "%s-inventory" (include "aimsgate.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "aimsgate.waiversConfigMap" -}}
{{- if .Values.waivers.existingConfigMap -}}
{{- .Values.waivers.existingConfigMap -}}
{{- else if .Values.waivers.items -}}
{{- printf "%s-waivers" (include "aimsgate.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "aimsgate.modelsConfigMap" -}}
{{- if .Values.models.catalogue -}}
{{- printf "%s-models" (include "aimsgate.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The model catalogue is mounted when it is rendered from values or given as a volume (not both). */}}
{{- define "aimsgate.models" -}}
{{- if and .Values.models.catalogue .Values.models.volume -}}
{{- fail "models: set models.catalogue or models.volume, not both" -}}
{{- end -}}
{{- if or .Values.models.catalogue .Values.models.volume -}}true{{- end -}}
{{- end -}}

{{/*
The policy inputs, shared by `aimsgate serve` and the audit's `aimsgate check` so both decide alike:
one YAML list item per argument.
*/}}
{{- define "aimsgate.policyArgs" -}}
{{- if and (not .Values.packs.builtin) (not (include "aimsgate.packsConfigMap" .)) -}}
{{- fail "packs: set packs.builtin, packs.files or packs.existingConfigMap; no rule pack would be loaded" -}}
{{- end -}}
{{- if .Values.packs.builtin }}
- --rules=builtin:iso42001
{{- end }}
{{- if include "aimsgate.packsConfigMap" . }}
- --rules=/etc/aimsgate/packs
{{- end }}
{{- if include "aimsgate.paramsConfigMap" . }}
- --params=/etc/aimsgate/params/params.yaml
{{- end }}
{{- if include "aimsgate.inventoryConfigMap" . }}
- --inventory=/etc/aimsgate/inventory/{{ .Values.inventory.key }}
{{- end }}
{{- if include "aimsgate.waiversConfigMap" . }}
- --waivers=/etc/aimsgate/waivers/{{ .Values.waivers.key }}
{{- end }}
{{- if include "aimsgate.models" . }}
- --models=/etc/aimsgate/models
{{- end }}
{{- end -}}

{{/* Volume mounts and volumes of the policy inputs: whole directories, never subPath, so updates arrive. */}}
{{- define "aimsgate.policyVolumeMounts" -}}
{{- if include "aimsgate.packsConfigMap" . }}
- name: packs
  mountPath: /etc/aimsgate/packs
  readOnly: true
{{- end }}
{{- if include "aimsgate.paramsConfigMap" . }}
- name: params
  mountPath: /etc/aimsgate/params
  readOnly: true
{{- end }}
{{- if include "aimsgate.inventoryConfigMap" . }}
- name: inventory
  mountPath: /etc/aimsgate/inventory
  readOnly: true
{{- end }}
{{- if include "aimsgate.waiversConfigMap" . }}
- name: waivers
  mountPath: /etc/aimsgate/waivers
  readOnly: true
{{- end }}
{{- if include "aimsgate.models" . }}
- name: models
  mountPath: /etc/aimsgate/models
  readOnly: true
{{- end }}
{{- if .Values.models.filesVolume }}
- name: model-files
  mountPath: {{ .Values.models.filesMountPath }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "aimsgate.policyVolumes" -}}
{{- with include "aimsgate.packsConfigMap" . }}
- name: packs
  configMap:
    name: {{ . }}
{{- end }}
{{- with include "aimsgate.paramsConfigMap" . }}
- name: params
  configMap:
    name: {{ . }}
{{- end }}
{{- with include "aimsgate.inventoryConfigMap" . }}
- name: inventory
  configMap:
    name: {{ . }}
{{- end }}
{{- with include "aimsgate.waiversConfigMap" . }}
- name: waivers
  configMap:
    name: {{ . }}
{{- end }}
{{- if include "aimsgate.modelsConfigMap" . }}
- name: models
  configMap:
    name: {{ include "aimsgate.modelsConfigMap" . }}
    {{- /* ConfigMap keys are flat: items lay them out as <id>/<file>. */}}
    items:
    {{- range $id, $files := .Values.models.catalogue }}
    {{- range $file, $_ := $files }}
    - key: {{ printf "%s.%s" $id $file | quote }}
      path: {{ printf "%s/%s" $id $file | quote }}
    {{- end }}
    {{- end }}
{{- else if .Values.models.volume }}
- name: models
  {{- toYaml .Values.models.volume | nindent 2 }}
{{- end }}
{{- if .Values.models.filesVolume }}
- name: model-files
  {{- toYaml .Values.models.filesVolume | nindent 2 }}
{{- end }}
{{- end -}}

{{/* "pods" for the core group, "deployments.apps" otherwise: what kubectl get and api-resources print. */}}
{{- define "aimsgate.auditKinds" -}}
{{- $kinds := list -}}
{{- if .Values.audit.kinds -}}
{{- $kinds = .Values.audit.kinds -}}
{{- else -}}
{{- range .Values.workloads -}}
{{- $group := .apiGroup -}}
{{- range .resources -}}
{{- $kinds = append $kinds (ternary . (printf "%s.%s" . $group) (eq $group "")) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- join "," $kinds -}}
{{- end -}}

{{/*
"due" when a certificate whose not-after annotation is (index . 0) must be renewed: it expires within
(index . 1) days, or the annotation is missing or unreadable (toDate then yields the zero time).
*/}}
{{- define "aimsgate.certDue" -}}
{{- $notAfter := toDate "2006-01-02T15:04:05Z07:00" (index . 0) -}}
{{- $renewAt := dateModify (printf "-%dh" (mul (int (index . 1)) 24)) $notAfter -}}
{{- if not ($renewAt.After now) -}}due{{- end -}}
{{- end -}}

{{/*
CEL for webhook.skipControllerCreated: true (send to the webhook) unless a kube-system controller
creates or updates an object that has a controller ownerReference.
*/}}
{{- define "aimsgate.skipControllerCreated" -}}
!((request.userInfo.username == 'system:kube-controller-manager' || request.userInfo.username.startsWith('system:serviceaccount:kube-system:')) && has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(r, has(r.controller) && r.controller))
{{- end -}}
