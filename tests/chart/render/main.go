// Command render renders a Helm chart the way `helm template` does, for machines without Helm.
//
// Usage:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o render ./tests/chart/render
//	./render -chart charts/aimsgate -f override.yaml -namespace webhooks -release gate > out.yaml
//	./render -chart charts/aimsgate -notes            # prints NOTES.txt instead of the manifests
//
// It implements only what the aimsgate chart uses: Go text/template with sprig's functions (Debian's
// golang-github-masterminds-sprig-dev), Helm's built-ins include, toYaml, required and lookup (answered
// from an optional -lookup file of objects, empty otherwise, as `helm template` answers it), the
// objects .Values (values.yaml deep-merged with each -f file; numbers become float64 as in Helm),
// .Release, .Chart, .Capabilities (KubeVersion, APIVersions.Has), .Files.Get and .Template.
// Templates run with missingkey=error, stricter than Helm, so a misspelt value is an error here.
// Output: one "---\n# Source: <chart>/templates/<file>" document per template that renders to
// something other than whitespace, in file-name order. Errors go to stderr with exit code 1.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v2"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// Release mirrors Helm's .Release.
type Release struct {
	Name      string
	Namespace string
	Service   string
	IsInstall bool
	IsUpgrade bool
	Revision  int
}

// Chart mirrors the fields of Helm's .Chart that come from Chart.yaml.
type Chart struct {
	APIVersion  string `yaml:"apiVersion"`
	Name        string `yaml:"name"`
	Version     string `yaml:"version"`
	AppVersion  string `yaml:"appVersion"`
	Description string `yaml:"description"`
	Type        string `yaml:"type"`
	KubeVersion string `yaml:"kubeVersion"`
}

// KubeVersion mirrors Helm's .Capabilities.KubeVersion.
type KubeVersion struct {
	Version    string
	Major      string
	Minor      string
	GitVersion string
}

// VersionSet mirrors Helm's .Capabilities.APIVersions.
type VersionSet []string

// Has reports whether an apiVersion ("cert-manager.io/v1") or resource ("cert-manager.io/v1/Certificate")
// is served.
func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

// Capabilities mirrors Helm's .Capabilities.
type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
}

// Files mirrors Helm's .Files: every chart file outside templates/.
type Files map[string][]byte

// Get returns a file's content, or "" when it does not exist (as Helm does).
func (f Files) Get(name string) string { return string(f[name]) }

// TemplateInfo mirrors Helm's .Template.
type TemplateInfo struct {
	Name     string
	BasePath string
}

// yamlToJSONValue converts a yaml.v2 value to what Helm's sigs.k8s.io/yaml produces: string-keyed maps
// and float64 numbers (it goes through encoding/json).
func yamlToJSONValue(v interface{}) (interface{}, error) {
	var convert func(interface{}) (interface{}, error)
	convert = func(v interface{}) (interface{}, error) {
		switch t := v.(type) {
		case map[interface{}]interface{}:
			m := map[string]interface{}{}
			for k, val := range t {
				c, err := convert(val)
				if err != nil {
					return nil, err
				}
				m[fmt.Sprint(k)] = c
			}
			return m, nil
		case []interface{}:
			out := make([]interface{}, len(t))
			for i, val := range t {
				c, err := convert(val)
				if err != nil {
					return nil, err
				}
				out[i] = c
			}
			return out, nil
		default:
			return t, nil
		}
	}
	c, err := convert(v)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var out interface{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func readValues(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw interface{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if raw == nil {
		return map[string]interface{}{}, nil
	}
	v, err := yamlToJSONValue(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	m, ok := v.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("%s: values must be a map", path)
	}
	return m, nil
}

// coalesce deep-merges src into dst as Helm merges -f files: maps merge key by key, anything else
// (lists included) replaces, and null deletes the key.
func coalesce(dst, src map[string]interface{}) {
	for k, sv := range src {
		if sv == nil {
			delete(dst, k)
			continue
		}
		sm, sIsMap := sv.(map[string]interface{})
		dm, dIsMap := dst[k].(map[string]interface{})
		if sIsMap && dIsMap {
			coalesce(dm, sm)
			continue
		}
		dst[k] = sv
	}
}

// toYaml renders like Helm's: JSON round trip, then YAML with sorted keys, no trailing newline.
func toYaml(v interface{}) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var obj interface{}
	if err := yaml.Unmarshal(raw, &obj); err != nil {
		return ""
	}
	out, err := yaml.Marshal(obj)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

type lookupStore []map[string]interface{}

func (s lookupStore) lookup(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
	var items []interface{}
	for _, o := range s {
		meta, _ := o["metadata"].(map[string]interface{})
		if o["apiVersion"] != apiVersion || o["kind"] != kind {
			continue
		}
		if namespace != "" && meta["namespace"] != namespace {
			continue
		}
		if name == "" {
			items = append(items, o)
		} else if meta["name"] == name {
			return o, nil
		}
	}
	if name == "" && len(items) > 0 {
		return map[string]interface{}{"items": items}, nil
	}
	return map[string]interface{}{}, nil
}

func loadLookup(path string) (lookupStore, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw interface{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	v, err := yamlToJSONValue(raw)
	if err != nil {
		return nil, err
	}
	list, ok := v.(map[string]interface{})["items"].([]interface{})
	if !ok {
		return nil, fmt.Errorf("%s: want a List with items", path)
	}
	var store lookupStore
	for _, it := range list {
		if m, ok := it.(map[string]interface{}); ok {
			store = append(store, m)
		}
	}
	return store, nil
}

func loadFiles(chartDir string) (Files, map[string]string, error) {
	files := Files{}
	templates := map[string]string{}
	err := filepath.Walk(chartDir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(chartDir, path)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, "templates/") {
			templates[rel] = string(data)
		} else {
			files[rel] = data
		}
		return nil
	})
	return files, templates, err
}

func run() error {
	chartDir := flag.String("chart", "", "chart directory")
	var valueFiles stringList
	flag.Var(&valueFiles, "f", "values file merged over values.yaml (repeatable)")
	release := flag.String("release", "aimsgate", "release name")
	namespace := flag.String("namespace", "aimsgate-system", "release namespace")
	kubeVersion := flag.String("kube-version", "v1.30.0", "Kubernetes version for .Capabilities")
	var apiVersions stringList
	flag.Var(&apiVersions, "api-versions", "extra served apiVersion for .Capabilities.APIVersions (repeatable)")
	lookupFile := flag.String("lookup", "", "JSON/YAML List of objects that lookup finds (default: none)")
	upgrade := flag.Bool("upgrade", false, "render as an upgrade (.Release.IsUpgrade)")
	notes := flag.Bool("notes", false, "print the rendered NOTES.txt instead of the manifests")
	flag.Parse()
	if *chartDir == "" {
		return errors.New("-chart is required")
	}

	var chart Chart
	chartYaml, err := os.ReadFile(filepath.Join(*chartDir, "Chart.yaml"))
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(chartYaml, &chart); err != nil {
		return fmt.Errorf("Chart.yaml: %v", err)
	}
	values, err := readValues(filepath.Join(*chartDir, "values.yaml"))
	if err != nil {
		return err
	}
	for _, f := range valueFiles {
		override, err := readValues(f)
		if err != nil {
			return err
		}
		coalesce(values, override)
	}
	store, err := loadLookup(*lookupFile)
	if err != nil {
		return err
	}
	files, templates, err := loadFiles(*chartDir)
	if err != nil {
		return err
	}

	kv := strings.TrimPrefix(*kubeVersion, "v")
	parts := strings.SplitN(kv, ".", 3)
	if len(parts) < 2 {
		return fmt.Errorf("bad -kube-version %q", *kubeVersion)
	}
	caps := Capabilities{
		KubeVersion: KubeVersion{Version: "v" + kv, Major: parts[0], Minor: parts[1], GitVersion: "v" + kv},
		APIVersions: append(VersionSet{"v1", "apps/v1", "batch/v1", "policy/v1", "rbac.authorization.k8s.io/v1",
			"admissionregistration.k8s.io/v1"}, apiVersions...),
	}

	funcs := sprig.TxtFuncMap()
	delete(funcs, "env") // Helm removes these two for reproducible renders.
	delete(funcs, "expandenv")
	root := template.New("chart").Option("missingkey=error")
	funcs["toYaml"] = toYaml
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, errors.New(msg)
		}
		return v, nil
	}
	funcs["lookup"] = store.lookup
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var b strings.Builder
		if err := root.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	root.Funcs(funcs)

	names := make([]string, 0, len(templates))
	for rel, text := range templates {
		name := chart.Name + "/" + rel
		if _, err := root.New(name).Parse(text); err != nil {
			return err
		}
		names = append(names, rel)
	}
	sort.Strings(names)

	render := func(rel string) (string, error) {
		name := chart.Name + "/" + rel
		top := map[string]interface{}{
			"Values":       values,
			"Release":      Release{Name: *release, Namespace: *namespace, Service: "Helm", IsInstall: !*upgrade, IsUpgrade: *upgrade, Revision: 1},
			"Chart":        chart,
			"Capabilities": caps,
			"Files":        files,
			"Template":     TemplateInfo{Name: name, BasePath: chart.Name + "/templates"},
		}
		var b strings.Builder
		if err := root.ExecuteTemplate(&b, name, top); err != nil {
			return "", err
		}
		return b.String(), nil
	}

	if *notes {
		out, err := render("templates/NOTES.txt")
		if err != nil {
			return err
		}
		fmt.Print(out)
		return nil
	}
	var out strings.Builder
	for _, rel := range names {
		base := filepath.Base(rel)
		if strings.HasPrefix(base, "_") || base == "NOTES.txt" {
			continue
		}
		text, err := render(rel)
		if err != nil {
			return err
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s/%s\n%s\n", chart.Name, rel, strings.TrimRight(text, "\n"))
	}
	fmt.Print(out.String())
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}
