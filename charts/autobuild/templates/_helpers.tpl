{{/* The release's base name: the release name, or <release>-autobuild when it does not say autobuild. */}}
{{- define "autobuild.fullname" -}}
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

{{- define "autobuild.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Names of the two processes' objects; 52 characters leave room for the longest suffix. */}}
{{- define "autobuild.controllerName" -}}
{{- printf "%s-controller" (include "autobuild.fullname" . | trunc 52 | trimSuffix "-") -}}
{{- end -}}
{{- define "autobuild.webhookName" -}}
{{- printf "%s-webhook" (include "autobuild.fullname" . | trunc 52 | trimSuffix "-") -}}
{{- end -}}

{{- define "autobuild.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "autobuild.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one process: include with (dict "root" $ "component" "controller"). */}}
{{- define "autobuild.selectorLabels" -}}
app.kubernetes.io/name: {{ include "autobuild.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "autobuild.componentLabels" -}}
{{ include "autobuild.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "autobuild.controllerServiceAccountName" -}}
{{- if .Values.controller.serviceAccount.create -}}
{{- default (include "autobuild.controllerName" .) .Values.controller.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.controller.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "autobuild.webhookServiceAccountName" -}}
{{- if .Values.webhook.serviceAccount.create -}}
{{- default (include "autobuild.webhookName" .) .Values.webhook.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.webhook.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "autobuild.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "autobuild.webhookTLS" -}}
{{- if .Values.webhook.tls.secretName }}true{{ end -}}
{{- end -}}

{{- define "autobuild.webhookServicePort" -}}
{{- if .Values.webhook.service.port -}}
{{- int64 .Values.webhook.service.port -}}
{{- else if include "autobuild.webhookTLS" . -}}
443
{{- else -}}
80
{{- end -}}
{{- end -}}

{{/* The webhook Service's in-cluster URL: the controller publishes it while there is no public URL. */}}
{{- define "autobuild.webhookServiceURL" -}}
{{- $scheme := ternary "https" "http" (eq (include "autobuild.webhookTLS" .) "true") -}}
{{- $port := include "autobuild.webhookServicePort" . -}}
{{- $default := ternary "443" "80" (eq $scheme "https") -}}
{{- printf "%s://%s.%s.svc" $scheme (include "autobuild.webhookName" .) .Release.Namespace -}}
{{- if ne $port $default }}:{{ $port }}{{ end -}}
{{- end -}}

{{/* The public base URL (--webhook-base-url): webhook.externalURL, else the Ingress host, else none. */}}
{{- define "autobuild.webhookBaseURL" -}}
{{- if .Values.webhook.externalURL -}}
{{- .Values.webhook.externalURL | trimSuffix "/" -}}
{{- else if and .Values.ingress.enabled .Values.ingress.host -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host -}}
{{- end -}}
{{- end -}}

{{- define "autobuild.leaseName" -}}
{{- include "autobuild.controllerName" . -}}
{{- end -}}

{{/*
The controller's permissions in the namespaces it serves: reconcile AutoBuilds, create their webhook
Secrets, read their targets, follow build Jobs (marking the handled ones, pruning old ones), roll a target
out when its build succeeded, record Events. It never updates or deletes a Secret (a generated one goes
with its AutoBuild).
*/}}
{{- define "autobuild.controllerRules" -}}
- apiGroups: [autobuild.dev]
  resources: [autobuilds]
  verbs: [get, list, watch]
- apiGroups: [autobuild.dev]
  resources: [autobuilds/status]
  verbs: [get, patch, update]
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch, create]
- apiGroups: [apps]
  resources: [deployments, statefulsets, daemonsets]
  verbs: [get, list, watch, patch]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, watch, patch, delete]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- end -}}

{{/*
The webhook's permissions in the namespaces it serves: find AutoBuilds and read their Secrets to verify
a delivery, patch the target's pod template or start its build Job (cancelling an older one), record the
trigger in the status and an Event.
*/}}
{{- define "autobuild.webhookRules" -}}
- apiGroups: [autobuild.dev]
  resources: [autobuilds]
  verbs: [get, list, watch]
- apiGroups: [autobuild.dev]
  resources: [autobuilds/status]
  verbs: [get, patch]
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments, statefulsets, daemonsets]
  verbs: [get, patch]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, create, delete]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- end -}}

{{/* Pod placement and annotations both Deployments share. */}}
{{- define "autobuild.podScheduling" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
