{{/*
A pre-install/pre-upgrade hook Job in a service's image.
ctx: dict root name svc job weight command args
It gets its settings inline (the ConfigMap does not exist yet at pre-install time)
and runs under the namespace's default ServiceAccount without a token.
*/}}
{{- define "pfd.hookJob" -}}
{{- $ctx := dict "root" .root "name" .name }}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ printf "%s-%s" (include "pfd.fullname" .root) .job | trunc 63 | trimSuffix "-" }}
  labels:
    {{- include "pfd.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .job }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: {{ .weight | quote }}
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  backoffLimit: {{ .root.Values.hooks.backoffLimit }}
  activeDeadlineSeconds: {{ .root.Values.hooks.activeDeadlineSeconds }}
  ttlSecondsAfterFinished: {{ .root.Values.hooks.ttlSecondsAfterFinished }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ include "pfd.name" .root }}
        app.kubernetes.io/instance: {{ .root.Release.Name }}
        app.kubernetes.io/component: {{ .job }}
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      {{- with .root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml .root.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .job }}
          image: {{ include "pfd.image" . | quote }}
          imagePullPolicy: {{ .root.Values.image.pullPolicy }}
          command:
            {{- toYaml .command | nindent 12 }}
          {{- with .args }}
          args:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          env:
            {{- include "pfd.inlineEnv" . | trim | nindent 12 }}
          resources:
            {{- toYaml .root.Values.hooks.resources | nindent 12 }}
          securityContext:
            {{- toYaml .root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        {{- include "pfd.tmpVolume" . | nindent 8 }}
{{- end -}}
