// Command golden writes the expected outputs of sd's golden template corpus
// (tests/template/golden) with Go's own text/template, the engine consul-template uses.
//
// The data functions answer from fixture.json with consul-template's documented semantics
// (service filters and sort order, ls/tree rules, helper argument order). It is a
// generator for test expectations, not part of sd: run it when a template is added
// or changed, and commit the .out files.
//
//	cd tools/golden && go run . ../../tests/template/golden
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

type fixtureService struct {
	Node, NodeAddress, ID, Name, Address, Status string
	Tags                                         []string
	Port                                         int
	Meta                                         map[string]string
}

type fixtureNode struct {
	Node, Address string
	Meta          map[string]string
}

type fixture struct {
	AgentNode string            `json:"agent_node"`
	Services  []fixtureService  `json:"services"`
	Nodes     []fixtureNode     `json:"nodes"`
	KV        map[string]string `json:"kv"`
	Env       map[string]string `json:"env"`
}

// HealthService has the fields of consul-template's dependency.HealthService that the
// corpus reads.
type HealthService struct {
	Node, NodeAddress, NodeDatacenter string
	NodeMeta, ServiceMeta             map[string]string
	Address, ID, Name, Status         string
	Tags                              []string
	Port                              int
}

type CatalogSnippet struct {
	Name string
	Tags []string
}

type KeyPair struct {
	Path, Key, Value string
}

type Node struct {
	Node, Address, Datacenter string
	Meta                      map[string]string
}

func (f *fixture) nodeMeta(name string) map[string]string {
	for _, n := range f.Nodes {
		if n.Node == name {
			return n.Meta
		}
	}
	return map[string]string{}
}

var serviceQuery = regexp.MustCompile(`^(?:([\w=:.\-]+)\.)?([\w\-]+)(?:\|([\w,]+))?$`)

func (f *fixture) service(args ...string) ([]*HealthService, error) {
	q := strings.Join(args, "|")
	m := serviceQuery.FindStringSubmatch(q)
	if m == nil {
		return nil, fmt.Errorf("bad service query %q", q)
	}
	tag, name, filter := m[1], m[2], m[3]
	if filter == "" {
		filter = "passing"
	}
	allowed := map[string]bool{}
	for _, s := range strings.Split(filter, ",") {
		allowed[strings.TrimSpace(s)] = true
	}
	out := []*HealthService{}
	for _, s := range f.Services {
		if s.Name != name || !(allowed["any"] || allowed[s.Status]) {
			continue
		}
		if tag != "" && !contains(s.Tags, tag) {
			continue
		}
		tags := append([]string{}, s.Tags...)
		sort.Strings(tags)
		addr := s.Address
		if addr == "" {
			addr = s.NodeAddress
		}
		meta := s.Meta
		if meta == nil {
			meta = map[string]string{}
		}
		out = append(out, &HealthService{
			Node: s.Node, NodeAddress: s.NodeAddress, NodeDatacenter: "dc1",
			NodeMeta: f.nodeMeta(s.Node), ServiceMeta: meta, Address: addr, ID: s.ID,
			Name: s.Name, Status: s.Status, Tags: tags, Port: s.Port,
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Node != out[j].Node {
			return out[i].Node < out[j].Node
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func contains(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

func (f *fixture) services(args ...string) ([]*CatalogSnippet, error) {
	tags := map[string]map[string]bool{}
	for _, s := range f.Services {
		if tags[s.Name] == nil {
			tags[s.Name] = map[string]bool{}
		}
		for _, t := range s.Tags {
			tags[s.Name][t] = true
		}
	}
	out := []*CatalogSnippet{}
	for name, set := range tags {
		ts := []string{}
		for t := range set {
			ts = append(ts, t)
		}
		sort.Strings(ts)
		out = append(out, &CatalogSnippet{Name: name, Tags: ts})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (f *fixture) nodes(args ...string) ([]*Node, error) {
	out := []*Node{{Node: f.AgentNode, Address: "127.0.0.1", Datacenter: "dc1", Meta: map[string]string{}}}
	for _, n := range f.Nodes {
		out = append(out, &Node{Node: n.Node, Address: n.Address, Datacenter: "dc1", Meta: n.Meta})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Node < out[j].Node })
	return out, nil
}

// list is ls (recurse=false) and tree (recurse=true) over the fixture's keys.
func (f *fixture) list(prefix string, recurse bool) ([]*KeyPair, error) {
	keys := []string{}
	for k := range f.KV {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := []*KeyPair{}
	for _, k := range keys {
		rel := strings.TrimLeft(strings.TrimPrefix(k, prefix), "/")
		if recurse {
			parts := strings.Split(rel, "/")
			if parts[len(parts)-1] == "" {
				continue
			}
		} else if rel == "" || strings.Contains(rel, "/") {
			continue
		}
		out = append(out, &KeyPair{Path: k, Key: rel, Value: f.KV[k]})
	}
	return out, nil
}

func byKey(pairs []*KeyPair) (map[string]map[string]*KeyPair, error) {
	m := map[string]map[string]*KeyPair{}
	for _, p := range pairs {
		parts := strings.Split(p.Key, "/")
		rest := strings.Join(parts[1:], "/")
		if rest == "" {
			continue
		}
		if m[parts[0]] == nil {
			m[parts[0]] = map[string]*KeyPair{}
		}
		c := *p
		c.Key = rest
		m[parts[0]][rest] = &c
	}
	return m, nil
}

func byTag(in interface{}) (map[string][]interface{}, error) {
	m := map[string][]interface{}{}
	switch t := in.(type) {
	case []*HealthService:
		for _, s := range t {
			for _, tag := range s.Tags {
				m[tag] = append(m[tag], s)
			}
		}
	case []*CatalogSnippet:
		for _, s := range t {
			for _, tag := range s.Tags {
				m[tag] = append(m[tag], s)
			}
		}
	default:
		return nil, fmt.Errorf("byTag: wrong argument type %T", in)
	}
	return m, nil
}

func byPort(in []*HealthService) (map[int][]interface{}, error) {
	m := map[int][]interface{}{}
	for _, s := range in {
		m[s.Port] = append(m[s.Port], s)
	}
	return m, nil
}

// in: membership in a list of strings or numbers, substring for a string.
func in(l, v interface{}) (bool, error) {
	lv := reflect.ValueOf(l)
	vv := reflect.ValueOf(v)
	switch lv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := 0; i < lv.Len(); i++ {
			e := reflect.ValueOf(lv.Index(i).Interface())
			switch e.Kind() {
			case reflect.String:
				if vv.Kind() == reflect.String && e.String() == vv.String() {
					return true, nil
				}
			case reflect.Int, reflect.Int64:
				if (vv.Kind() == reflect.Int || vv.Kind() == reflect.Int64) && e.Int() == vv.Int() {
					return true, nil
				}
			case reflect.Float64:
				if vv.Kind() == reflect.Float64 && e.Float() == vv.Float() {
					return true, nil
				}
			}
		}
	case reflect.String:
		return vv.Kind() == reflect.String && strings.Contains(lv.String(), vv.String()), nil
	}
	return false, nil
}

func containsSome(all, invert bool) func([]interface{}, interface{}) (bool, error) {
	return func(vs []interface{}, l interface{}) (bool, error) {
		for _, v := range vs {
			ok, _ := in(l, v)
			if ok != invert {
				if !all {
					return true, nil
				}
			} else if all {
				return false, nil
			}
		}
		return all, nil
	}
}

func toInt(v interface{}) (int64, float64, bool, error) {
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Int, reflect.Int64:
		return r.Int(), 0, false, nil
	case reflect.Float64:
		return 0, r.Float(), true, nil
	}
	return 0, 0, false, fmt.Errorf("unknown type %T", v)
}

// arith applies op with consul-template's order: the piped (last) value is the left operand.
func arith(name string, op func(a, b float64) float64) func(b, a interface{}) (interface{}, error) {
	return func(b, a interface{}) (interface{}, error) {
		ai, af, aflt, err := toInt(a)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		bi, bf, bflt, err := toInt(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		if !aflt && !bflt {
			return int64(op(float64(ai), float64(bi))), nil
		}
		if !aflt {
			af = float64(ai)
		}
		if !bflt {
			bf = float64(bi)
		}
		return op(af, bf), nil
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: golden <corpus dir>")
		os.Exit(2)
	}
	dir := os.Args[1]
	raw, err := os.ReadFile(filepath.Join(dir, "fixture.json"))
	if err != nil {
		panic(err)
	}
	var f fixture
	if err := json.Unmarshal(raw, &f); err != nil {
		panic(err)
	}
	funcs := template.FuncMap{
		"service":  f.service,
		"services": f.services,
		"nodes":    f.nodes,
		"key": func(k string) (string, error) {
			return f.KV[k], nil
		},
		"keyExists": func(k string) (bool, error) { _, ok := f.KV[k]; return ok, nil },
		"keyOrDefault": func(k, d string) (string, error) {
			if v, ok := f.KV[k]; ok && v != "" {
				return v, nil
			}
			return d, nil
		},
		"ls":   func(p string) ([]*KeyPair, error) { return f.list(p, false) },
		"tree": func(p string) ([]*KeyPair, error) { return f.list(p, true) },
		"env":  func(k string) (string, error) { return f.Env[k], nil },
		"envOrDefault": func(k, d string) (string, error) {
			if v := f.Env[k]; v != "" {
				return v, nil
			}
			return d, nil
		},
		"byKey":          byKey,
		"byTag":          byTag,
		"byPort":         byPort,
		"contains":       func(v, l interface{}) (bool, error) { return in(l, v) },
		"in":             in,
		"containsAll":    containsSome(true, false),
		"containsAny":    containsSome(false, false),
		"containsNone":   containsSome(true, true),
		"containsNotAll": containsSome(false, true),
		"split": func(sep, s string) ([]string, error) {
			s = strings.TrimSpace(s)
			if s == "" {
				return []string{}, nil
			}
			return strings.Split(s, sep), nil
		},
		"join":       func(sep string, a []string) (string, error) { return strings.Join(a, sep), nil },
		"replaceAll": func(from, to, s string) (string, error) { return strings.ReplaceAll(s, from, to), nil },
		"regexReplaceAll": func(re, repl, s string) (string, error) {
			r, err := regexp.Compile(re)
			if err != nil {
				return "", err
			}
			return r.ReplaceAllString(s, repl), nil
		},
		"regexMatch": func(re, s string) (bool, error) { return regexp.MatchString(re, s) },
		"toLower":    func(s string) (string, error) { return strings.ToLower(s), nil },
		"toUpper":    func(s string) (string, error) { return strings.ToUpper(s), nil },
		"toTitle":    func(s string) (string, error) { return strings.Title(s), nil },
		"trimSpace":  func(s string) (string, error) { return strings.TrimSpace(s), nil },
		"trimPrefix": func(p, s string) (string, error) { return strings.TrimPrefix(s, p), nil },
		"trimSuffix": func(p, s string) (string, error) { return strings.TrimSuffix(s, p), nil },
		"parseInt":   func(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) },
		"parseBool":  func(s string) (bool, error) { return strconv.ParseBool(s) },
		"parseJSON": func(s string) (interface{}, error) {
			if s == "" {
				return map[string]interface{}{}, nil
			}
			var v interface{}
			err := json.Unmarshal([]byte(s), &v)
			return v, err
		},
		"toJSON": func(v interface{}) (string, error) {
			b, err := json.Marshal(v)
			return strings.TrimSpace(string(b)), err
		},
		"add":      arith("add", func(a, b float64) float64 { return a + b }),
		"subtract": arith("subtract", func(a, b float64) float64 { return a - b }),
		"multiply": arith("multiply", func(a, b float64) float64 { return a * b }),
		"loop": func(args ...int) ([]int64, error) {
			start, stop := 0, 0
			if len(args) == 1 {
				stop = args[0]
			} else {
				start, stop = args[0], args[1]
			}
			out := []int64{}
			for i := start; i < stop; i++ {
				out = append(out, int64(i))
			}
			return out, nil
		},
	}
	sources, err := filepath.Glob(filepath.Join(dir, "*.ctmpl"))
	if err != nil {
		panic(err)
	}
	for _, src := range sources {
		text, err := os.ReadFile(src)
		if err != nil {
			panic(err)
		}
		t, err := template.New(filepath.Base(src)).Funcs(funcs).Parse(string(text))
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", src, err)
			os.Exit(1)
		}
		var out strings.Builder
		if err := t.Execute(&out, nil); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", src, err)
			os.Exit(1)
		}
		dst := strings.TrimSuffix(src, ".ctmpl") + ".out"
		if err := os.WriteFile(dst, []byte(out.String()), 0o644); err != nil {
			panic(err)
		}
		fmt.Println("wrote", dst)
	}
}
