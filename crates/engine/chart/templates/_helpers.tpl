{{/* The chart's name and version, as the helm.sh/chart label wants them. */}}
{{- define "opsdojo.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every object of a service carries. Call with (dict "service" NAME "root" $). */}}
{{- define "opsdojo.labels" -}}
helm.sh/chart: {{ include "opsdojo.chart" .root }}
{{ include "opsdojo.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Values.image.tag | default .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{/* The labels a service's Deployment selects its pods by. */}}
{{- define "opsdojo.selectorLabels" -}}
app.kubernetes.io/name: {{ .service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}
