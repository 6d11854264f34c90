package gateway

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// mapVar is a `map $source $var { ... }` block (ngx_http_map_module).
type mapVar struct {
	source    string
	def       string
	hostnames bool
	// volatile maps are worked out at every read; the others once per
	// request, as nginx caches a variable's value.
	volatile  bool
	exact     map[string]string
	wildcards *nameTable // with hostnames
	regex     []mapRegex
	values    map[*serverName]string
	// geo is set for a geo block's variable, whose source is its
	// address ("" for the client's); split for a split_clients block's,
	// whose source is the key hashed.
	geo   *geoTable
	split *splitTable
}

type mapRegex struct {
	re    *Regex
	value string
}

// compileMap compiles a map block; its entries are (key, value) lines.
func compileMap(d *nginx.Directive) (string, *mapVar, error) {
	if len(d.Args) != 2 || !strings.HasPrefix(d.Args[1], "$") {
		return "", nil, &nginx.Error{Pos: d.ErrPos(), Msg: `invalid number of arguments in "map" directive`}
	}
	m := &mapVar{source: d.Args[0], exact: map[string]string{}, wildcards: newNameTable(), values: map[*serverName]string{}}
	for _, e := range d.Block {
		args := append([]string{e.Name}, e.Args...)
		if len(args) == 1 {
			switch args[0] {
			case "hostnames":
				m.hostnames = true
				continue
			case "volatile":
				m.volatile = true
				continue
			}
		}
		if len(args) != 2 {
			return "", nil, &nginx.Error{Pos: e.ErrPos(), Msg: "invalid number of the map parameters"}
		}
		key, val := args[0], args[1]
		switch {
		case key == "default":
			m.def = val
		case strings.HasPrefix(key, "~"):
			src, caseless := key[1:], false
			if strings.HasPrefix(src, "*") {
				src, caseless = src[1:], true
			}
			re, err := CompileRegex(src, caseless)
			if err != nil {
				return "", nil, &nginx.Error{Pos: e.ErrPos(), Msg: err.Error()}
			}
			m.regex = append(m.regex, mapRegex{re: re, value: val})
		case strings.HasPrefix(key, "\\"):
			m.exact[strings.ToLower(key[1:])] = val
		default:
			if m.hostnames && strings.ContainsAny(key, "*") || m.hostnames && strings.HasPrefix(key, ".") {
				n, err := parseServerName(key, e.Pos)
				if err != nil {
					return "", nil, &nginx.Error{Pos: e.ErrPos(), Msg: fmt.Sprintf(`invalid hostname or wildcard "%s"`, key)}
				}
				if m.wildcards.add(&n) {
					stored := m.wildcards.head[n.key]
					if n.kind == nameTail {
						stored = m.wildcards.tail[n.key]
					}
					m.values[stored] = val
				}
				continue
			}
			k := strings.ToLower(key)
			if _, dup := m.exact[k]; !dup {
				m.exact[k] = val
			}
		}
	}
	return strings.TrimPrefix(d.Args[1], "$"), m, nil
}

// eval computes the map's value for a request: exact (case-insensitive),
// then hostname wildcards, then regexes in order, then the default.
func (m *mapVar) eval(v *reqVars) string {
	if m.geo != nil {
		return m.geo.lookup(v, m.source)
	}
	if m.split != nil {
		return m.split.pick(v.expand(m.source))
	}
	src := v.expand(m.source)
	key := strings.ToLower(src)
	if m.hostnames {
		key = strings.TrimSuffix(key, ".")
	}
	if val, ok := m.exact[key]; ok {
		return v.expand(val)
	}
	if m.hostnames {
		if n := m.wildcards.findHead(key); n != nil {
			return v.expand(m.values[n])
		}
		if n := m.wildcards.findTail(key); n != nil {
			return v.expand(m.values[n])
		}
	}
	for _, r := range m.regex {
		if c := r.re.Match(src); c != nil {
			// As in nginx, the match's captures become the request's
			// ($1.., and named ones as variables).
			v.setCaptures(c)
			return v.expand(r.value)
		}
	}
	return v.expand(m.def)
}
