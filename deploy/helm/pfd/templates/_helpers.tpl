{{/* Chart name. */}}
{{- define "pfd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Fully qualified app name. */}}
{{- define "pfd.fullname" -}}
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

{{/* Name of one service's objects: <fullname>-<service>. ctx: dict root name */}}
{{- define "pfd.componentName" -}}
{{- printf "%s-%s" (include "pfd.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pfd.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "pfd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: pfd
{{- end -}}

{{/* Selector labels of one service. ctx: dict root name */}}
{{- define "pfd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pfd.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "pfd.componentLabels" -}}
{{ include "pfd.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "pfd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "pfd.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* One service's values merged over serviceDefaults, as YAML. ctx: dict root name */}}
{{- define "pfd.svc" -}}
{{- $raw := index .root.Values.services .name -}}
{{- mergeOverwrite (deepCopy .root.Values.serviceDefaults) (deepCopy $raw) | toYaml -}}
{{- end -}}

{{/* Image reference. ctx: dict root svc */}}
{{- define "pfd.image" -}}
{{- $tag := .svc.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s/%s:%s" (trimSuffix "/" .root.Values.image.registry) .svc.image.repository (toString $tag) -}}
{{- end -}}

{{/* Non-secret settings of one service as a flat map (YAML). ctx: dict root svc */}}
{{- define "pfd.configEnv" -}}
{{- $v := .root.Values -}}
{{- $p := .svc.envPrefix -}}
{{- $env := dict -}}
{{- $_ := set $env (print $p "ENVIRONMENT") $v.environment -}}
{{- $_ := set $env (print $p "HTTP__HOST") "0.0.0.0" -}}
{{- $_ := set $env (print $p "HTTP__PORT") (toString .svc.port) -}}
{{- $_ := set $env (print $p "TELEMETRY__OTLP_ENDPOINT") $v.telemetry.otlpEndpoint -}}
{{- $_ := set $env (print $p "TELEMETRY__LOG_LEVEL") $v.telemetry.logLevel -}}
{{- $_ := set $env (print $p "TELEMETRY__LOG_FORMAT") $v.telemetry.logFormat -}}
{{- if .svc.uses.kafka -}}
{{- $_ := set $env (print $p "KAFKA__BOOTSTRAP_SERVERS") $v.kafka.bootstrapServers -}}
{{- if not (kindIs "invalid" $v.kafka.fetchMaxWaitMs) -}}
{{- $_ := set $env (print $p "KAFKA__FETCH_MAX_WAIT_MS") (toString $v.kafka.fetchMaxWaitMs) -}}
{{- end -}}
{{- if not (kindIs "invalid" $v.kafka.sessionTimeoutMs) -}}
{{- $_ := set $env (print $p "KAFKA__SESSION_TIMEOUT_MS") (toString $v.kafka.sessionTimeoutMs) -}}
{{- end -}}
{{- if not (kindIs "invalid" $v.kafka.heartbeatIntervalMs) -}}
{{- $_ := set $env (print $p "KAFKA__HEARTBEAT_INTERVAL_MS") (toString $v.kafka.heartbeatIntervalMs) -}}
{{- end -}}
{{- end -}}
{{- if .svc.uses.s3 -}}
{{- $_ := set $env (print $p "S3__ENDPOINT") $v.s3.endpoint -}}
{{- $_ := set $env (print $p "S3__SECURE") (toString $v.s3.secure) -}}
{{- $_ := set $env (print $p "S3__BUCKET") $v.s3.bucket -}}
{{- $_ := set $env (print $p "S3__REGION") $v.s3.region -}}
{{- end -}}
{{- range $k, $val := .svc.env -}}
{{- $_ := set $env (print $p $k) (toString $val) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* Secret env entries (list of EnvVar). ctx: dict root name svc */}}
{{- define "pfd.secretEnv" -}}
{{- $v := .root.Values -}}
{{- $p := .svc.envPrefix -}}
{{- $refs := dict -}}
{{- if .svc.uses.s3 -}}
{{- $_ := set $refs "S3__ACCESS_KEY" $v.secrets.keys.s3AccessKey -}}
{{- $_ := set $refs "S3__SECRET_KEY" $v.secrets.keys.s3SecretKey -}}
{{- end -}}
{{- if .svc.database.enabled -}}
{{- $_ := set $refs "DATABASE__URL" (.svc.database.urlSecretKey | default (printf "%s-database-url" .name)) -}}
{{- end -}}
{{- range $k, $key := .svc.secretEnv -}}
{{- $_ := set $refs $k $key -}}
{{- end -}}
{{- range $k, $key := $refs }}
- name: {{ print $p $k }}
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.existingSecret }}
      key: {{ $key }}
{{- end -}}
{{- end -}}

{{/* Inline env (config + secrets), for hook Jobs that run before the ConfigMap exists. */}}
{{- define "pfd.inlineEnv" -}}
{{- range $k, $val := (include "pfd.configEnv" . | fromYaml) }}
- name: {{ $k }}
  value: {{ $val | toString | quote }}
{{- end }}
{{- include "pfd.secretEnv" . }}
{{- end -}}

{{/* Pod-level hardening + /tmp emptyDir volume. */}}
{{- define "pfd.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .svc.tmpSizeLimit | default "256Mi" }}
{{- end -}}
