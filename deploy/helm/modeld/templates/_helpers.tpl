{{- define "modeld.name" -}}{{ .Chart.Name }}{{- end -}}
{{- define "modeld.fullname" -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "modeld.labels" -}}
app.kubernetes.io/name: {{ include "modeld.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
{{- define "modeld.selector" -}}
app.kubernetes.io/name: {{ include "modeld.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "modeld.secret" -}}{{ .Values.apiKey.existingSecret | default (printf "%s-api-key" (include "modeld.fullname" .)) }}{{- end -}}
{{- define "modeld.image" -}}{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}{{- end -}}
